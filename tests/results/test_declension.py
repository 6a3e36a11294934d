"""AW-6: names in the case of the diploma's wording (pymorphy3), gender from patronymic or first name."""

from __future__ import annotations

import pytest

from profmaster.results.declension import FEMALE, MALE, FullName, decline, gender_of


@pytest.mark.parametrize(("name", "datv", "gent"), [
    (("Иванов", "Иван", "Иванович"), "Иванову Ивану Ивановичу", "Иванова Ивана Ивановича"),
    (("Иванова", "Мария", "Петровна"), "Ивановой Марии Петровне", "Ивановой Марии Петровны"),
    (("Сорокина", "Софья", "Ильинична"), "Сорокиной Софье Ильиничне", "Сорокиной Софьи Ильиничны"),
    (("Толстой", "Лев", "Николаевич"), "Толстому Льву Николаевичу", "Толстого Льва Николаевича"),
    (("Римский-Корсаков", "Николай", "Андреевич"), "Римскому-Корсакову Николаю Андреевичу",
     "Римского-Корсакова Николая Андреевича"),
    # indeclinable surnames: -ко, -ых, a woman's surname ending in a consonant, foreign -а after a vowel
    (("Шевченко", "Тарас", "Григорьевич"), "Шевченко Тарасу Григорьевичу", "Шевченко Тараса Григорьевича"),
    (("Седых", "Любовь", "Андреевна"), "Седых Любови Андреевне", "Седых Любови Андреевны"),
    (("Ким", "Анна", "Сергеевна"), "Ким Анне Сергеевне", "Ким Анны Сергеевны"),
    (("Ким", "Олег", "Игоревич"), "Киму Олегу Игоревичу", "Кима Олега Игоревича"),
    (("Гарипова", "Айгуль", "Рустамовна"), "Гариповой Айгуль Рустамовне", "Гариповой Айгуль Рустамовны"),
    # no patronymic: gender from the first name
    (("Жук", "Елена", ""), "Жук Елене", "Жук Елены"),
    (("Смирнова", "Ольга", ""), "Смирновой Ольге", "Смирновой Ольги"),
])
def test_aw6_decline_full_names(name, datv, gent):
    full = FullName(*name)
    assert decline(full, "datv") == datv
    assert decline(full, "gent") == gent
    assert decline(full, "nomn") == str(full)


def test_aw6_gender_and_bad_case():
    assert gender_of(FullName("Дюма", "Никита", "Ильич")) == MALE
    assert gender_of(FullName("Алиева", "Лейла", "Гасан кызы")) == FEMALE
    assert gender_of(FullName("Ли", "Саша", "")) in (MALE, FEMALE, None)
    with pytest.raises(ValueError):
        decline(FullName("Иванов", "Иван"), "vocative")
