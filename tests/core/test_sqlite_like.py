"""Case-insensitive search finds Cyrillic in any case on both databases (SQLite's own LIKE folds only ASCII)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from profmaster.core.sqlite import unicode_like
from profmaster.organisations.models import Organisation
from tests.factories import OrganisationFactory


@pytest.mark.django_db
def test_icontains_folds_cyrillic_case():
    OrganisationFactory(name="ГБОУ Школа № 1535 «Ёлочка»", short_name="Школа № 1535")
    OrganisationFactory(name="Колледж связи № 54", short_name="КС 54")
    assert list(Organisation.objects.filter(name__icontains="школа").values_list("short_name", flat=True)) == [
        "Школа № 1535"]
    assert Organisation.objects.filter(name__icontains="ЁЛОЧ").count() == 1
    assert Organisation.objects.filter(name__istartswith="колледж").count() == 1
    assert Organisation.objects.filter(name__icontains="100%").count() == 0
    assert Organisation.objects.filter(name__icontains="_").count() == 0


def test_like_wildcards_and_escape():
    assert unicode_like("%иван%", "Иванов")
    assert unicode_like("и_ан", "Иван")
    assert not unicode_like("и_ан", "Ииван")
    assert unicode_like("50\\%", "50%", "\\")
    assert not unicode_like("50\\%", "500", "\\")
    assert unicode_like(None, "x") is None


LETTERS = st.text(alphabet="абвгдеёжзАБВГДЕЁЖЗabcXYZ019 %_\\.", max_size=20)


@given(LETTERS, LETTERS)
def test_like_contains_agrees_with_case_insensitive_in(needle, haystack):
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    assert unicode_like(f"%{escaped}%", haystack, "\\") == (needle.lower() in haystack.lower())
