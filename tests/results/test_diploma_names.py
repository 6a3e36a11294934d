"""AW-6, DOC-3 (issue 13 §2): diploma sentences in correct Russian — the case agrees with the verb
(«награждается» + nominative, «вручается» + dative), ё is never added or removed, names that are common
nouns or foreign decline per the rules and are flagged, a person's gender and the organiser's correction
are kept, audited and printed; and (§3b) the «Лучший в номинации» diploma's heading names the nomination."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import Client

from profmaster.audit.models import AuditEntry
from profmaster.core.errors import DomainError
from profmaster.registration.models import TeamMember
from profmaster.results import declension, diplomas, names
from profmaster.results.models import Diploma, DiplomaKind, Nomination

# (last, first, patronymic, recorded gender or "") → dative; the nominative is the name as entered.
TABLE = [
    ("Конфеткина", "Алиса", "Игоревна", "", "Конфеткиной Алисе Игоревне"),
    ("Кремова", "Анна", "Сергеевна", "", "Кремовой Анне Сергеевне"),
    ("Орёл", "Пётр", "Ильич", "", "Орёлу Петру Ильичу"),
    ("Орёл", "Мария", "Петровна", "", "Орёл Марии Петровне"),
    ("Гусь", "Андрей", "Викторович", "", "Гусю Андрею Викторовичу"),
    ("Гусь", "Ольга", "Андреевна", "", "Гусь Ольге Андреевне"),
    ("Заяц", "Илья", "Сергеевич", "", "Заяцу Илье Сергеевичу"),
    ("Заяц", "Любовь", "Ивановна", "", "Заяц Любови Ивановне"),
    ("Сова", "Никита", "Олегович", "", "Сове Никите Олеговичу"),
    ("Сова", "Анна-Мария", "Игоревна", "", "Сове Анне-Марии Игоревне"),
    ("Чайка", "Олег", "Петрович", "", "Чайке Олегу Петровичу"),
    ("Чайка", "Елена", "Викторовна", "", "Чайке Елене Викторовне"),
    ("Ворона", "Дмитрий", "Сергеевич", "", "Вороне Дмитрию Сергеевичу"),
    ("Ворона", "Ирина", "Павловна", "", "Вороне Ирине Павловне"),
    ("Пьеха", "Эдита", "Станиславовна", "", "Пьехе Эдите Станиславовне"),
    ("Пьеха", "Илья", "Андреевич", "", "Пьехе Илье Андреевичу"),
    ("Гарсия", "Мария", "Хосеевна", "", "Гарсии Марии Хосеевне"),
    ("Гарсия", "Хосе", "", "masc", "Гарсии Хосе"),
    ("Дюма", "Александр", "Александрович", "", "Дюма Александру Александровичу"),
    ("Дюма", "Анна", "Павловна", "", "Дюма Анне Павловне"),
    ("Шевчук", "Юрий", "Юлианович", "", "Шевчуку Юрию Юлиановичу"),
    ("Шевчук", "Наталья", "Юрьевна", "", "Шевчук Наталье Юрьевне"),
    ("Седых", "Никита", "Андреевич", "", "Седых Никите Андреевичу"),
    ("Долгих", "Любовь", "Андреевна", "", "Долгих Любови Андреевне"),
    ("Джугашвили", "Иосиф", "Виссарионович", "", "Джугашвили Иосифу Виссарионовичу"),
    ("Шеварднадзе", "Эдуард", "Амвросиевич", "", "Шеварднадзе Эдуарду Амвросиевичу"),
    ("Кипиани", "Тамара", "Гурамовна", "", "Кипиани Тамаре Гурамовне"),
    ("Шевченко", "Тарас", "Григорьевич", "", "Шевченко Тарасу Григорьевичу"),
    ("Бойко", "Оксана", "Петровна", "", "Бойко Оксане Петровне"),
    ("Римский-Корсаков", "Николай", "Андреевич", "", "Римскому-Корсакову Николаю Андреевичу"),
    ("Петрова-Водкина", "Анна", "Кузьминична", "", "Петровой-Водкиной Анне Кузьминичне"),
    ("Королёва", "Наталья", "Ивановна", "", "Королёвой Наталье Ивановне"),
    ("Ёлкин", "Артём", "Фомич", "", "Ёлкину Артёму Фомичу"),
    ("Толстой", "Лев", "Николаевич", "", "Толстому Льву Николаевичу"),
    ("Мамедов", "Ильхам", "Гейдар оглы", "", "Мамедову Ильхаму Гейдар оглы"),
    ("Алиева", "Лейла", "Гасан кызы", "", "Алиевой Лейле Гасан кызы"),
    ("Данелия", "Георгий", "Николаевич", "", "Данелии Георгию Николаевичу"),
    ("Ким", "Анна", "", "femn", "Ким Анне"),
    ("Ким", "Олег", "", "masc", "Киму Олегу"),
]


@pytest.mark.parametrize(("last", "first", "patronymic", "gender", "dative"), TABLE,
                         ids=[" ".join(r[:3]) for r in TABLE])
def test_aw6_issue13_diploma_sentences_for_real_names(last, first, patronymic, gender, dative):
    """Issue 13 §2 acceptance: the whole sentence of each wording, for ≥30 real names."""
    name = declension.FullName(last, first, patronymic)
    nominative = str(name)
    participant = names.name_form(name, diplomas.WORDING[DiplomaKind.PARTICIPANT]["case"], gender=gender)
    winner = names.name_form(name, diplomas.WORDING[DiplomaKind.WINNER]["case"], gender=gender)
    assert f"вручается {participant.text} за участие" == f"вручается {dative} за участие"
    assert f"награждается {winner.text} за I место" == f"награждается {nominative} за I место"
    # ё is never added; a surname's ё is never removed
    assert ("ё" in dative.split()[0]) == ("ё" in last)
    assert "ё" not in participant.text or "ё" in nominative


@pytest.mark.parametrize(("last", "first", "patronymic", "doubt", "alternative"), [
    ("Орёл", "Пётр", "Ильич", declension.FLEETING_VOWEL, "Орлу Петру Ильичу"),
    ("Заяц", "Илья", "Сергеевич", declension.FLEETING_VOWEL, "Зайцу Илье Сергеевичу"),
    ("Гусь", "Андрей", "Викторович", declension.COMMON_NOUN, ""),
    ("Сова", "Анна", "Игоревна", declension.COMMON_NOUN, "Совой Анне Игоревне"),
    ("Дюма", "Александр", "Александрович", declension.NOT_DECLINED, ""),
    ("Ким", "Олег", "", declension.GENDER_GUESSED, ""),
])
def test_aw6_issue13_doubtful_names_are_flagged(last, first, patronymic, doubt, alternative):
    result = declension.decline_full(declension.FullName(last, first, patronymic), "datv")
    assert doubt in result.doubts and not result.confident
    assert result.alternative == alternative


@pytest.mark.parametrize("name", [("Кремова", "Анна", "Сергеевна"), ("Конфеткина", "Алиса", "Игоревна"),
                                  ("Петров", "Иван", "Иванович"), ("Шевчук", "Наталья", "Юрьевна")])
def test_aw6_issue13_ordinary_names_are_confident(name):
    assert declension.decline_full(declension.FullName(*name), "datv").confident


def _diploma(results, kind, member, detail=""):
    return Diploma.objects.create(championship=results.championship, competency=results.competency, kind=kind,
                                  code=diplomas.new_code(), full_name=member.full_name,
                                  declined_name=names.person_name_form(member, diplomas.WORDING[kind]["case"]).text,
                                  member=member, team=member.application, detail=detail)


def _html(diploma):
    context = diplomas.diploma_context(diploma)
    return " ".join(render_to_string("results/diploma_pdf.html", {"diplomas": [context],
                                                                  "fonts": context["fonts"]}).split())


@pytest.mark.parametrize(("kind", "sentence"), [
    (DiplomaKind.WINNER, "<p class=\"lead\">награждается</p> <p class=\"name\">Конфеткина Алиса Игоревна</p> "
                         "<p class=\"body\">за I место (золотая медаль) в компетенции «Кондитерское дело»</p>"),
    (DiplomaKind.PARTICIPANT, "<p class=\"lead\">вручается</p> <p class=\"name\">Конфеткиной Алисе Игоревне</p> "
                              "<p class=\"body\">за участие в компетенции «Кондитерское дело»</p>"),
    (DiplomaKind.NOMINATION, "<p class=\"lead\">награждается</p> <p class=\"name\">Конфеткина Алиса Игоревна</p> "
                             "<p class=\"body\">по решению жюри компетенции «Кондитерское дело»</p>"),
])
def test_aw6_issue13_each_template_sentence(results, kind, sentence):
    team = results.team(participants=("Конфеткина Алиса Игоревна",))
    member = team.members.get()
    detail = "gold" if kind == DiplomaKind.WINNER else ("Лучший в номинации: аккуратность исполнения"
                                                         if kind == DiplomaKind.NOMINATION else "")
    diploma = _diploma(results, kind, member, detail)
    assert sentence in _html(diploma)
    # the public verification page prints the same sentence
    page = Client().get(f"/results/verify/{diploma.code}/").content.decode()
    plain = sentence.replace('<p class="lead">', "").replace('<p class="name">', "").replace(
        '<p class="body">', "").replace("</p>", "")
    assert plain in " ".join(page.split())


def test_aw6_issue13_nomination_heading_names_the_nomination(results, chief_expert, directorate_user):
    team = results.team(participants=("Сова Анна Игоревна",))
    Nomination.objects.create(competency=results.competency, team=team, title="Лучший в номинации: аккуратность "
                              "исполнения", reason="Жюри", proposed_by=chief_expert, status="approved")
    diploma = _diploma(results, DiplomaKind.NOMINATION, team.members.get(),
                       "Лучший в номинации: аккуратность исполнения")
    context = diplomas.diploma_context(diploma)
    assert context["heading"] == "ДИПЛОМ ЛУЧШЕГО В НОМИНАЦИИ «Аккуратность исполнения»"
    assert "<h1>ДИПЛОМ ЛУЧШЕГО В НОМИНАЦИИ<span class=\"nomination\">«Аккуратность исполнения»</span></h1>" \
        in _html(diploma)
    assert diplomas.nomination_name("Лучшая презентация") == "Лучшая презентация"


def _publish_final(results, team, directorate_user):
    """The review lists who gets a diploma: the people of teams in the published final results (AW-6)."""
    from profmaster.results import domain

    results.lock(results.final, [(team, "90")])
    domain.publish_results(results.championship, by=directorate_user)


def test_aw6_issue13_review_lists_doubtful_first_and_correction_is_kept_audited_printed(
        results, directorate_user, chief_expert):
    team = results.team(participants=("Петров Иван Иванович", "Орёл Пётр Ильич"))
    _publish_final(results, team, directorate_user)
    orel = team.members.get(last_name="Орёл")
    issued = _diploma(results, DiplomaKind.PARTICIPANT, orel)
    assert issued.declined_name == "Орёлу Петру Ильичу"
    rows = names.review(results.championship)
    flags = [r.doubtful for r in rows]
    assert flags == sorted(flags, reverse=True)  # the doubtful ones on top
    row = next(r for r in rows if r.nominative == "Орёл Пётр Ильич")
    assert row.doubtful and row.alternative == "Орлу Петру Ильичу"
    petrov = next(r for r in rows if r.nominative == "Петров Иван Иванович")
    assert not petrov.doubtful and "Петрову Ивану Ивановичу" in [u["text"] for u in petrov.usages]

    names.correct_name(orel, dative="Орлу Петру Ильичу", gender="", by=directorate_user)
    orel.refresh_from_db()
    assert (orel.name_dative, orel.name_dative_for) == ("Орлу Петру Ильичу", "Орёл Пётр Ильич")
    entry = AuditEntry.objects.filter(object_type="registration.TeamMember", object_id=str(orel.pk)).latest("pk")
    assert entry.before["name_dative"] == "" and entry.after["name_dative"] == "Орлу Петру Ильичу"
    issued.refresh_from_db()
    assert issued.declined_name == "Орлу Петру Ильичу" and not issued.pdf
    row = next(r for r in names.review(results.championship) if r.nominative == "Орёл Пётр Ильич")
    assert row.corrected and not row.doubtful and "Орлу Петру Ильичу" in [u["text"] for u in row.usages]
    spec = next(s for s in diplomas.recipients(results.championship) if s.member_id == orel.pk)
    assert diplomas.spec_name_form(spec, "datv").text == "Орлу Петру Ильичу"
    # a changed name no longer takes the old correction
    TeamMember.objects.filter(pk=orel.pk).update(first_name="Павел")
    orel.refresh_from_db()
    assert names.person_name_form(orel, "datv").text == "Орёлу Павлу Ильичу"


def test_aw6_issue13_correction_refuses_bad_input(results, directorate_user):
    member = results.team(participants=("Ким Олег",)).members.get()
    with pytest.raises(DomainError):
        names.correct_name(member, dative="<script>", gender="", by=directorate_user)
    with pytest.raises(DomainError):
        names.correct_name(member, dative="", gender="other", by=directorate_user)
    names.correct_name(member, dative="", gender="femn", by=directorate_user)
    member.refresh_from_db()
    assert member.gender == "femn"
    assert names.person_name_form(member, "datv").text.split()[0] == "Ким"  # a woman's Ким does not decline


def test_aw6_issue13_review_page_and_correction_by_post(results, directorate_user, chief_expert):
    team = results.team(participants=("Заяц Илья Сергеевич",))
    _publish_final(results, team, directorate_user)
    member = team.members.get()
    client = Client()
    client.force_login(directorate_user)
    url = f"/results/championships/{results.championship.pk}/diplomas/names/"
    page = client.get(url).content.decode()
    assert "Заяцу Илье Сергеевичу" in page and "Зайцу Илье Сергеевичу" in page
    response = client.post(url, {"person": f"member-{member.pk}", "gender": "", "dative": "Зайцу Илье Сергеевичу"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.name_dative == "Зайцу Илье Сергеевичу"
    assert client.post(url, {"person": "member-999999", "dative": "x"}).status_code == 302
    assert client.post(url, {"person": "garbage", "dative": "x"}).status_code == 302


def test_aw6_issue13_gender_asked_in_profile(db):
    from tests.factories import UserFactory

    user = UserFactory(last_name="Ким", first_name="Саша", patronymic="")
    client = Client()
    client.force_login(user)
    assert "По отчеству пол не определяется" in client.get("/accounts/profile/").content.decode()
    assert client.post("/accounts/profile/", {"form": "gender", "gender": "femn"}).status_code == 302
    user.refresh_from_db()
    assert user.gender == "femn"
    assert names.person_name_form(user, "datv").text == "Ким Саше"


def test_aw6_issue13_member_form_has_gender(results):
    from profmaster.registration.forms import MemberForm

    form = MemberForm(kind="participant", instance=TeamMember(application=results.team(participants=()),
                                                              kind="participant", birth_date=dt.date(2011, 1, 1)))
    assert "gender" in form.fields and not form.fields["gender"].required
