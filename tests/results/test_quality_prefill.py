"""DOC-4 (003 §10.4, issue 13 §3b): the items still blank are pre-filled from the records where the platform
knows the answer — besides the protocols and score sheets, the assessment procedure (the marks ledger and the
locked results, X-2/SC-5) and, of the methodology, the panel's size (003 §6.4); each with a link to the
evidence, and nothing proposed where the records do not decide."""

from __future__ import annotations

import pytest
from django.urls import reverse

from profmaster.accounts.models import Role
from profmaster.marking import marks
from profmaster.marking.models import Mark
from profmaster.results import quality
from profmaster.results.models import QualityCheck

from ..factories import UserFactory, give_role
from ..marking.conftest import make_locked_scheme, make_team, mark_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def marked(competency):
    """A full panel (as many experts as the competency asks for), a criteria-locked scheme, two teams marked."""
    competency.expert_count = 3
    competency.save()
    chief = UserFactory(last_name="Главная")
    give_role(chief, Role.CHIEF_EXPERT, competency.championship, competency)
    for name in ("Альфа", "Бета", "Гамма"):
        give_role(UserFactory(last_name=name), Role.EXPERT, competency.championship, competency)
    scheme = make_locked_scheme(competency, chief)
    teams = [make_team(competency), make_team(competency)]
    mark_everything(scheme, teams, chief)
    return scheme, chief


def test_doc4_assessment_not_proposed_while_marks_are_open(competency, marked):
    assert "assessment" not in quality.suggestions(competency)


def test_doc4_assessment_ok_when_marks_locked_ledger_intact_and_results_match(competency, marked):
    scheme, chief = marked
    marks.lock_marks(scheme, by=chief)
    assessment = quality.suggestions(competency)["assessment"]
    assert assessment.outcome == QualityCheck.Outcome.OK
    assert assessment.finding == "Оценки заблокированы, журнал оценок цел и итоги совпадают с оценками (1 схема)."
    assert [(e.label, e.url) for e in assessment.evidence] == [
        ("Оценки — Схема оценки финала", reverse("marking:board", args=[scheme.pk]))]


def test_doc4_assessment_violation_when_a_mark_was_changed_outside_the_platform(competency, marked):
    scheme, chief = marked
    marks.lock_marks(scheme, by=chief)
    mark = Mark.objects.filter(scheme=scheme).order_by("pk").first()
    Mark.objects.filter(pk=mark.pk).update(value=0)  # an administrator with SQL
    assessment = quality.suggestions(competency)["assessment"]
    assert assessment.outcome == QualityCheck.Outcome.VIOLATION
    assert assessment.finding == (
        "Записи оценивания изменены в обход платформы: журнал оценок «Схема оценки финала»: 1 расхождение с "
        "оценками; итоги «Схема оценки финала» не совпадают с оценками: 1 расхождение.")
    assert [e.url for e in assessment.evidence] == [reverse("marking:board", args=[scheme.pk])]


def test_doc4_assessment_violation_even_while_marks_are_open(competency, marked):
    scheme, _chief = marked
    Mark.objects.filter(pk=Mark.objects.filter(scheme=scheme).order_by("pk").first().pk).update(value=1)
    assert quality.suggestions(competency)["assessment"].outcome == QualityCheck.Outcome.VIOLATION


def test_doc4_methodology_violation_when_the_panel_is_smaller_than_required(competency, marked):
    assert "methodology" not in quality.suggestions(competency)  # a full panel: the records do not decide
    competency.expert_count = 6
    competency.save()
    methodology = quality.suggestions(competency)["methodology"]
    assert methodology.outcome == QualityCheck.Outcome.VIOLATION
    assert methodology.finding == "В жюри 3 эксперта из 6, положенных по п. 6.4 методики."
    assert [(e.label, e.url) for e in methodology.evidence] == [
        ("Жюри компетенции", reverse("marking:panel", args=[competency.championship_id, competency.pk]))]


def test_doc4_items_the_records_cannot_judge_stay_blank(competency, marked):
    scheme, chief = marked
    marks.lock_marks(scheme, by=chief)
    assert {"safety", "infrastructure", "documentation", "false_information"}.isdisjoint(
        quality.suggestions(competency))


def test_doc4_quality_page_prefills_the_assessment_item(competency, marked, client):
    scheme, chief = marked
    marks.lock_marks(scheme, by=chief)
    user = UserFactory(email="quality@example.ru")
    give_role(user, Role.QUALITY_CONTROL, competency.championship)
    client.force_login(user)
    page = client.get(reverse("results:quality", args=[competency.championship_id])).content.decode()
    assert "Оценки заблокированы, журнал оценок цел и итоги совпадают с оценками (1 схема)." in page
    assert reverse("marking:board", args=[scheme.pk]) in page
