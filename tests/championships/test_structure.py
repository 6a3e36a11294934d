"""Championship structure: CH-1…CH-4 through domain functions and the Directorate's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from profmaster.accounts.models import Role
from profmaster.audit.models import AuditEntry
from profmaster.championships import defaults, domain
from profmaster.championships.models import AgeCategory, Championship, Competency, Stage
from profmaster.core.errors import DomainError, TransitionError

from ..factories import ChampionshipFactory, CompetencyFactory, StageFactory, UserFactory, give_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("mode", "experts"), [
    ("after_completion", 4), ("during", 6), ("parallel", 6), ("blind", 6), ("five_workplaces", 15),
])
def test_ch2_default_expert_count_follows_003_6_4(mode, experts, championship, directorate_user):
    competency = Competency(championship=championship, name=f"К-{mode}", evaluation_mode=mode, expert_count=None)
    domain.save_competency(competency, by=directorate_user)
    competency.refresh_from_db()
    assert competency.expert_count == experts


def test_ch2_explicit_expert_count_is_kept(championship, directorate_user):
    competency = Competency(championship=championship, name="Флористика", expert_count=5)
    domain.save_competency(competency, by=directorate_user)
    assert Competency.objects.get(pk=competency.pk).expert_count == 5


def test_ch2_unknown_evaluation_mode_is_refused():
    with pytest.raises(ValueError, match="unknown evaluation mode"):
        defaults.default_expert_count("by-eye")


def test_ch3_masteryata_championship_gets_the_three_age_categories(platform_directorate):
    championship = Championship(name="Мастерята", slug="m", season="2022/2023", starts_on=dt.date(2023, 1, 1),
                                ends_on=dt.date(2023, 5, 1))
    domain.save_championship(championship, by=platform_directorate)
    categories = {c.code: c for c in championship.age_categories.all()}
    assert set(categories) == {"1-2", "3-4", "family"}
    assert (categories["1-2"].grade_min, categories["1-2"].grade_max, categories["1-2"].participants_per_team) == (1, 2, 2)
    three_four = categories["3-4"]
    assert (three_four.sibling_exception_grade_min, three_four.sibling_exception_grade_max) == (1, 2)
    family = categories["family"]
    assert (family.grade_min, family.grade_max, family.participants_per_team, family.relatives_per_team,
            family.moscow_school_required) == (5, 8, 1, 1, False)
    assert family.is_family


def test_ch3_custom_championship_starts_without_categories(platform_directorate):
    championship = Championship(name="Лучший по профессии", slug="lpp", season="2024", starts_on=dt.date(2024, 1, 1),
                                ends_on=dt.date(2024, 2, 1), rules_profile=Championship.RulesProfile.CUSTOM)
    domain.save_championship(championship, by=platform_directorate)
    assert championship.age_categories.count() == 0


def test_ch3_age_category_rules_are_validated(championship, directorate_user):
    bad = AgeCategory(championship=championship, code="x", name="X", grade_min=5, grade_max=3)
    with pytest.raises(ValidationError) as info:
        domain.save_structure_object(bad, by=directorate_user)
    assert "Классы должны быть от 1 до 11" in str(info.value)
    half = AgeCategory(championship=championship, code="y", name="Y", grade_min=3, grade_max=4,
                       sibling_exception_grade_min=1)
    with pytest.raises(ValidationError, match="обоими классами"):
        domain.save_structure_object(half, by=directorate_user)
    assert AgeCategory.objects.filter(championship=championship).count() == 0


def test_ch1_dates_must_be_ordered(championship, directorate_user):
    stage = Stage(championship=championship, name="Финал", kind="final", starts_on=dt.date(2023, 4, 10),
                  ends_on=dt.date(2023, 4, 1))
    with pytest.raises(ValidationError, match="не может быть раньше начала"):
        domain.save_structure_object(stage, by=directorate_user)


def test_ch1_stage_phase_moves_forward_or_back_with_reason(championship, directorate_user):
    stage = StageFactory(championship=championship)
    domain.move_stage_phase(stage, to="registration", by=directorate_user)
    with pytest.raises(TransitionError, match="нельзя перевести"):
        domain.move_stage_phase(stage, to="results", by=directorate_user)
    with pytest.raises(DomainError, match="требует причины"):
        domain.move_stage_phase(stage, to="preparation", by=directorate_user)
    domain.move_stage_phase(stage, to="preparation", by=directorate_user, reason="Перенос сроков")
    stage.refresh_from_db()
    assert stage.phase == "preparation"
    entries = AuditEntry.objects.filter(object_type="championships.Stage", action="transition").order_by("id")
    assert [(e.before["phase"], e.after["phase"], e.reason) for e in entries] == [
        ("preparation", "registration", ""), ("registration", "preparation", "Перенос сроков")]


@pytest.mark.parametrize(("current", "moves"), [
    ("preparation", {"registration": False}),
    ("competition", {"assessment": False, "registration": True}),
    ("closed", {"results": True}),
])
def test_ch1_allowed_phase_moves_table(current, moves):
    assert defaults.allowed_phase_moves(current) == moves


def test_ch1_championship_status_transitions(championship, directorate_user):
    championship.status = Championship.Status.DRAFT
    championship.save()
    with pytest.raises(TransitionError):
        domain.change_championship_status(championship, to="archived", by=directorate_user)
    domain.change_championship_status(championship, to="active", by=directorate_user)
    domain.change_championship_status(championship, to="archived", by=directorate_user)
    with pytest.raises(DomainError, match="требует причины"):
        domain.change_championship_status(championship, to="active", by=directorate_user)
    assert Championship.objects.get(pk=championship.pk).status == "archived"


def test_ch4_objects_cannot_cross_championships(championship, directorate_user):
    other_stage = StageFactory(championship=ChampionshipFactory())
    from profmaster.championships.models import ProgrammeSlot

    slot = ProgrammeSlot(championship=championship, stage=other_stage, title="Поток 1",
                         starts_at=dt.datetime(2023, 4, 1, 10, tzinfo=dt.UTC),
                         ends_at=dt.datetime(2023, 4, 1, 12, tzinfo=dt.UTC))
    with pytest.raises(DomainError, match="другому чемпионату"):
        domain.save_structure_object(slot, by=directorate_user)


def test_x2_every_change_is_audited_with_before_and_after(championship, directorate_user):
    competency = CompetencyFactory(championship=championship, name="Флористика")
    competency.expert_count = 6
    domain.save_competency(competency, by=directorate_user, reason="Параллельная оценка")
    entry = AuditEntry.objects.get(object_type="championships.Competency", action="update")
    assert entry.changes() == [("expert_count", 4, 6)]
    assert (entry.actor, entry.reason, entry.championship) == (directorate_user, "Параллельная оценка", championship)
    domain.delete_structure_object(competency, by=directorate_user, reason="Не набралось команд")
    deleted = AuditEntry.objects.get(object_type="championships.Competency", action="delete")
    assert deleted.before["name"] == "Флористика" and deleted.after is None


# --- Pages ---------------------------------------------------------------------------------------


def test_ch2_directorate_creates_a_competency_on_the_page(client, championship, directorate_user):
    client.force_login(directorate_user)
    response = client.post(f"/championships/{championship.pk}/competency/new/", {
        "name": "Мобильная робототехника", "code": "robotics", "evaluation_mode": "five_workplaces",
        "expert_count": "", "mark_entry_mode": "in_person", "toolbox_allowed": "on",
    })
    assert response.status_code == 302
    competency = Competency.objects.get(championship=championship, name="Мобильная робототехника")
    assert (competency.expert_count, competency.toolbox_allowed) == (15, True)


def test_ch2_duplicate_competency_name_is_refused_and_nothing_is_lost(client, championship, directorate_user):
    CompetencyFactory(championship=championship, name="Электроника", expert_count=4)
    client.force_login(directorate_user)
    response = client.post(f"/championships/{championship.pk}/competency/new/", {
        "name": "Электроника", "evaluation_mode": "after_completion", "mark_entry_mode": "in_person",
        "expert_count": "7"})
    assert response.status_code == 400
    assert "Компетенция с таким названием уже есть" in response.content.decode()
    assert list(Competency.objects.filter(championship=championship).values_list("name", "expert_count")) == [
        ("Электроника", 4)]


def test_bad_input_on_pages_gives_messages_not_500(client, championship, directorate_user):
    client.force_login(directorate_user)
    url = f"/championships/{championship.pk}/stage/new/"
    response = client.post(url, {"name": "x" * 500, "kind": "moon", "starts_on": "31.02.2023", "ends_on": "\x00"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Убедитесь, что это значение содержит не более 200 символов" in body
    assert "Выберите корректный вариант" in body
    assert Stage.objects.count() == 0
    assert client.get(f"/championships/{championship.pk}/stage/999999/edit/").status_code == 404
    assert client.get(f"/championships/{championship.pk}/unknown-kind/new/").status_code == 404


def test_competency_document_upload_checks_type(client, championship, directorate_user):
    competency = CompetencyFactory(championship=championship)
    client.force_login(directorate_user)
    url = f"/championships/{championship.pk}/competency-document/new/"
    bad = SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/octet-stream")
    response = client.post(url, {"competency": competency.pk, "kind": "task", "title": "Задание", "file": bad})
    assert response.status_code == 400
    assert "Недопустимый тип файла" in response.content.decode()
    good = SimpleUploadedFile("task.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(url, {"competency": competency.pk, "kind": "task", "title": "Задание", "file": good})
    assert response.status_code == 302
    document = competency.documents.get()
    download = client.get(f"/championships/{championship.pk}/competency-documents/{document.pk}/download/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4"


def test_phase_change_from_page_shows_refusal(client, championship, directorate_user):
    stage = StageFactory(championship=championship)
    client.force_login(directorate_user)
    response = client.post(f"/championships/{championship.pk}/stages/{stage.pk}/phase/", {"to": "closed"},
                           follow=True)
    assert "нельзя перевести" in response.content.decode()
    stage.refresh_from_db()
    assert stage.phase == "preparation"


def test_roles_page_creates_person_and_assigns_role(client, championship, directorate_user):
    competency = CompetencyFactory(championship=championship)
    client.force_login(directorate_user)
    response = client.post(f"/championships/{championship.pk}/roles/", {
        "email": "new.expert@school.ru", "last_name": "Новикова", "first_name": "Нина", "role": "expert",
        "competency": competency.pk})
    assert response.status_code == 302
    assignment = championship.role_assignments.get(user__email="new.expert@school.ru")
    assert (assignment.role, assignment.competency) == (Role.EXPERT, competency)
    response = client.post(f"/championships/{championship.pk}/roles/", {"email": "ghost@school.ru", "role": "mentor"})
    assert response.status_code == 400
    assert "укажите фамилию и имя" in response.content.decode()


def test_competency_page_warns_when_panel_is_short(client, championship, directorate_user):
    competency = CompetencyFactory(championship=championship, expert_count=4)
    give_role(UserFactory(), Role.EXPERT, championship, competency)
    client.force_login(directorate_user)
    body = client.get(f"/championships/{championship.pk}/competencies/{competency.pk}/").content.decode()
    assert "Не хватает 3 экспертов" in body
