"""CH-1…CH-4 through the API: championships, stages, competencies, age categories, base venues, programme."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from profmaster.audit.models import AuditEntry
from profmaster.championships.models import (
    AgeCategory,
    BaseVenue,
    Championship,
    Competency,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
    Stage,
    Workplace,
)

from ..factories import ChampionshipFactory, CompetencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def director(world, api_as):
    """The Directorate of championship A, by token."""
    return api_as(world.users["directorate"])


@pytest.fixture
def platform(world, api_as):
    return api_as(world.users["platform_directorate"])


# --- Championships (CH-1) --------------------------------------------------------------------------


def championship_json(ch: Championship, **overrides):
    data = {
        "id": ch.pk, "name": ch.name, "slug": ch.slug, "season": ch.season, "organiser_id": ch.organiser_id,
        "rules_profile": ch.rules_profile, "rules_profile_label": ch.get_rules_profile_display(),
        "description": ch.description, "starts_on": ch.starts_on.isoformat(), "ends_on": ch.ends_on.isoformat(),
        "registration_deadline": None, "status": ch.status, "status_label": ch.get_status_display(),
        "time_zone": ch.time_zone,
        # answers carry the offset of the championship's zone (Moscow by default).
        "created_at": DjangoJSONEncoder().default(timezone.localtime(ch.created_at, ZoneInfo(ch.time_zone))),
    }
    return {**data, **overrides}


def test_ch1_championship_list_shows_only_visible_championships(world, director, api_as):
    response = director.get("/championships")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [c["id"] for c in body["items"]] == [world.a.pk]
    assert body["items"][0]["name"] == "Мастерята — 2023"
    assert body["items"][0]["status_label"] == "Проводится"

    assert api_as(world.users["no_role"]).get("/championships").json() == {"count": 0, "items": []}
    everything = api_as(world.users["platform_directorate"]).get("/championships").json()
    assert sorted(c["id"] for c in everything["items"]) == sorted([world.a.pk, world.b.pk])


def test_ch1_championship_list_pages_and_filters(world, platform):
    ChampionshipFactory(slug="draft-one", status=Championship.Status.DRAFT, season="2024/2025")
    page = platform.get("/championships", {"limit": 1, "offset": 1}).json()
    assert page["count"] == 3 and len(page["items"]) == 1
    drafts = platform.get("/championships", {"status": "draft"}).json()
    assert [c["slug"] for c in drafts["items"]] == ["draft-one"]
    season = platform.get("/championships", {"season": "2024/2025"}).json()
    assert [c["slug"] for c in season["items"]] == ["draft-one"]
    bad = platform.get("/championships", {"status": "closed"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "query.status",
                                     "message": "допустимые значения: draft, active, archived"}]


def test_ch1_championship_create_by_platform_directorate(world, platform):
    response = platform.post("/championships", {
        "name": "  Мастерята 2024  ", "slug": "masteryata-2024", "season": "2023/2024",
        "organiser_id": world.organisation.pk, "starts_on": "2024-02-01", "ends_on": "2024-04-30",
        "registration_deadline": "2024-01-15T18:00:00",
    })

    assert response.status_code == 201
    ch = Championship.objects.get(slug="masteryata-2024")
    assert response.json() == championship_json(
        ch, name="Мастерята 2024", registration_deadline="2024-01-15T18:00:00+03:00", status="draft",
        status_label="Черновик", organiser_id=world.organisation.pk)
    # Naive times are Moscow time (UTC+3).
    assert ch.registration_deadline == dt.datetime(2024, 1, 15, 15, tzinfo=dt.UTC)
    # The Masteryata rules bring the three age categories of 003 §3.3.
    assert list(ch.age_categories.values_list("code", flat=True)) == ["1-2", "3-4", "family"]
    assert AuditEntry.objects.filter(object_type="championships.Championship", object_id=str(ch.pk),
                                     action=AuditEntry.Action.CREATE).count() == 1


def test_ch1_championship_create_refused_to_championship_directorate(world, director):
    response = director.post("/championships", {"name": "X", "slug": "x", "season": "2024",
                                                "starts_on": "2024-02-01", "ends_on": "2024-04-30"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Недостаточно прав для этого действия."}
    assert not Championship.objects.filter(slug="x").exists()


def test_ch1_championship_model_validation_comes_back_per_field(world, platform):
    response = platform.post("/championships", {"name": "Дубль", "slug": "a", "season": "2024",
                                                "starts_on": "2024-05-01", "ends_on": "2024-04-30"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Чемпионат с таким Код уже существует. Окончание не может быть раньше начала.",
        "errors": [{"field": "slug", "message": "Чемпионат с таким Код уже существует."},
                   {"field": "", "message": "Окончание не может быть раньше начала."}],
    }


def test_ch1_championship_unknown_organiser_is_422(world, platform):
    response = platform.post("/championships", {"name": "X", "slug": "x", "season": "2024", "organiser_id": 999999,
                                                "starts_on": "2024-02-01", "ends_on": "2024-04-30"})
    assert response.status_code == 422
    assert response.json() == {"detail": "Организация не найдена.",
                               "errors": [{"field": "organiser_id", "message": "Организация не найдена."}]}


def test_ch1_championship_detail_and_update(world, director):
    assert director.get(f"/championships/{world.a.pk}").json() == championship_json(world.a)

    response = director.put(f"/championships/{world.a.pk}", {
        "name": "Мастерята — 2023 (весна)", "slug": "a", "season": "2022/2023", "rules_profile": "custom",
        "description": "Правила уточнены.", "starts_on": "2023-02-01", "ends_on": "2023-05-31",
    })

    assert response.status_code == 200
    world.a.refresh_from_db()
    assert response.json() == championship_json(world.a)
    assert (world.a.name, world.a.rules_profile, world.a.ends_on) == (
        "Мастерята — 2023 (весна)", "custom", dt.date(2023, 5, 31))
    assert world.a.status == "active"  # PUT does not touch the status


def test_ch1_championship_status_transitions(world, director):
    forward = director.post(f"/championships/{world.a.pk}/status", {"to": "archived"})
    assert forward.status_code == 200
    assert (forward.json()["status"], forward.json()["status_label"]) == ("archived", "В архиве")

    back_without_reason = director.post(f"/championships/{world.a.pk}/status", {"to": "active"})
    assert back_without_reason.status_code == 400
    assert back_without_reason.json() == {"detail": "Этот переход требует причины.", "code": "invalid",
                                          "field": "reason"}

    forbidden = director.post(f"/championships/{world.a.pk}/status", {"to": "draft"})
    assert forbidden.status_code == 409
    assert forbidden.json() == {"detail": "Чемпионат нельзя перевести из статуса «В архиве» в «Черновик».",
                                "code": "transition"}

    back = director.post(f"/championships/{world.a.pk}/status", {"to": "active", "reason": "Апелляция"})
    assert back.json()["status"] == "active"
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.TRANSITION).latest("pk")
    assert (entry.before["status"], entry.after["status"], entry.reason) == ("archived", "active", "Апелляция")


# --- Stages ----------------------------------------------------------------------------------------


def test_ch1_stage_crud_and_phase(world, director):
    listed = director.get(f"/championships/{world.a.pk}/stages").json()
    assert [s["name"] for s in listed] == ["Финал"]

    created = director.post(f"/championships/{world.a.pk}/stages", {
        "name": "Дистанционный этап", "kind": "remote", "form": "theory", "order": 0,
        "starts_on": "2023-02-01", "ends_on": "2023-02-20"})
    assert created.status_code == 201
    stage = Stage.objects.get(name="Дистанционный этап")
    assert created.json() == {
        "id": stage.pk, "championship_id": world.a.pk, "name": "Дистанционный этап", "kind": "remote",
        "kind_label": "Дистанционный этап", "form": "theory", "form_label": "Теоретический (онлайн-экзамен)",
        "order": 0, "starts_on": "2023-02-01", "ends_on": "2023-02-20", "phase": "preparation",
        "phase_label": "Подготовка"}

    updated = director.put(f"/stages/{stage.pk}", {"name": "Отборочный этап", "kind": "remote",
                                                   "starts_on": "2023-02-01", "ends_on": "2023-02-21"})
    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["form"], updated.json()["ends_on"]) == (
        "Отборочный этап", "practical", "2023-02-21")

    moved = director.post(f"/stages/{stage.pk}/phase", {"to": "registration"})
    assert (moved.status_code, moved.json()["phase"]) == (200, "registration")
    skipped = director.post(f"/stages/{stage.pk}/phase", {"to": "results"})
    assert skipped.status_code == 409
    assert skipped.json()["detail"] == (
        "Этап «Отборочный этап» нельзя перевести из фазы «Регистрация» в «Подведение итогов».")

    assert director.get(f"/stages/{stage.pk}").json()["phase"] == "registration"
    deleted = director.delete(f"/stages/{stage.pk}")
    assert deleted.status_code == 204
    assert not Stage.objects.filter(pk=stage.pk).exists()
    assert director.get(f"/stages/{stage.pk}").json() == {"detail": "Этап не найден."}


def test_ch1_stage_duplicate_name_is_422(world, director):
    response = director.post(f"/championships/{world.a.pk}/stages", {
        "name": "Финал", "kind": "final", "starts_on": "2023-04-01", "ends_on": "2023-04-10"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "", "message": "Этап с таким названием уже есть."}]


# --- Competencies (CH-2) ---------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "experts"), [
    ("after_completion", 4), ("during", 6), ("parallel", 6), ("blind", 6), ("five_workplaces", 15)])
def test_ch2_competency_default_expert_count_via_api(world, director, mode, experts):
    """CH-2 / 003 §6.4: without expert_count the number of experts follows the evaluation mode."""
    response = director.post(f"/championships/{world.a.pk}/competencies",
                             {"name": "Мобильная робототехника", "evaluation_mode": mode})
    assert response.status_code == 201
    assert response.json()["expert_count"] == experts
    assert Competency.objects.get(name="Мобильная робототехника").expert_count == experts


def test_ch2_competency_create_exact_and_explicit_expert_count(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", {
        "name": "Флористика", "code": "floristry", "evaluation_mode": "blind", "expert_count": 5,
        "mark_entry_mode": "remote", "toolbox_allowed": True, "age_category_ids": [world.category.pk]})
    assert response.status_code == 201
    competency = Competency.objects.get(name="Флористика")
    assert response.json() == {
        "id": competency.pk, "championship_id": world.a.pk, "name": "Флористика", "code": "floristry",
        "description": "", "evaluation_mode": "blind", "evaluation_mode_label": "Слепая оценка (6 экспертов)",
        "expert_count": 5, "mark_entry_mode": "remote",
        "mark_entry_mode_label": "Дистанционно: каждый эксперт заполняет электронную ведомость",
        "toolbox_allowed": True, "age_category_ids": [world.category.pk]}


def test_ch2_competency_update_resets_default_and_age_categories(world, director):
    response = director.put(f"/competencies/{world.competency.pk}",
                            {"name": "Кондитерское дело", "evaluation_mode": "during"})
    assert response.status_code == 200
    assert (response.json()["expert_count"], response.json()["age_category_ids"]) == (6, [])


def test_ch2_competency_age_category_of_other_championship_is_422(world, director):
    foreign = AgeCategory.objects.create(championship=world.b, code="x", name="X", grade_min=1, grade_max=2)
    response = director.post(f"/championships/{world.a.pk}/competencies",
                             {"name": "Флористика", "age_category_ids": [world.category.pk, foreign.pk]})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "age_category_ids", "message": f"Нет таких возрастных категорий в чемпионате: {foreign.pk}"}]


def test_ch2_competency_list_detail_delete(world, director):
    listed = director.get(f"/championships/{world.a.pk}/competencies").json()
    assert [(c["name"], c["age_category_ids"]) for c in listed] == [("Кондитерское дело", [world.category.pk])]
    assert director.get(f"/competencies/{world.competency.pk}").json()["expert_count"] == 4
    extra = CompetencyFactory(championship=world.a, name="Удаляемая")
    assert director.delete(f"/competencies/{extra.pk}").status_code == 204
    assert not Competency.objects.filter(pk=extra.pk).exists()


def test_ch2_skill_sections(world, director):
    created = director.post(f"/competencies/{world.competency.pk}/skill-sections", {
        "number": 2, "title": "Приготовление крема", "importance_percent": "35.50"})
    assert created.status_code == 201
    section = SkillSection.objects.get(number=2)
    assert created.json() == {"id": section.pk, "competency_id": world.competency.pk, "number": 2,
                              "title": "Приготовление крема", "description": "", "importance_percent": "35.50"}
    listed = director.get(f"/competencies/{world.competency.pk}/skill-sections").json()
    assert [s["number"] for s in listed] == [1, 2]
    duplicate = director.post(f"/competencies/{world.competency.pk}/skill-sections", {"number": 2, "title": "Дубль"})
    assert duplicate.status_code == 422
    too_important = director.put(f"/skill-sections/{section.pk}", {"number": 2, "title": "X",
                                                                    "importance_percent": 100.5})
    assert too_important.status_code == 422
    assert too_important.json()["errors"] == [{"field": "importance_percent", "message": "должно быть не больше 100"}]
    assert director.delete(f"/skill-sections/{section.pk}").status_code == 204


def test_ch2_infrastructure_list(world, director):
    created = director.post(f"/competencies/{world.competency.pk}/infrastructure", {
        "name": "Духовой шкаф", "quantity": 1.5, "unit": "шт.", "per": "team", "is_consumable": False})
    assert created.status_code == 201
    item = InfrastructureItem.objects.get(name="Духовой шкаф")
    assert created.json() == {"id": item.pk, "competency_id": world.competency.pk, "name": "Духовой шкаф",
                              "specification": "", "quantity": "1.50", "unit": "шт.", "per": "team",
                              "per_label": "на команду", "is_consumable": False, "photo_required": False}
    listed = director.get(f"/competencies/{world.competency.pk}/infrastructure").json()
    assert [i["name"] for i in listed] == ["Духовой шкаф", "Миксер"]
    zero = director.put(f"/infrastructure/{item.pk}", {"name": "Духовой шкаф", "quantity": 0})
    assert zero.status_code == 422
    assert zero.json()["errors"] == [{"field": "quantity", "message": "должно быть больше 0"}]
    assert director.get(f"/infrastructure/{item.pk}").json()["quantity"] == "1.50"
    assert director.delete(f"/infrastructure/{item.pk}").status_code == 204


# --- Age categories (CH-3) -------------------------------------------------------------------------


def test_ch3_age_category_crud(world, director):
    created = director.post(f"/championships/{world.a.pk}/age-categories", {
        "code": "family", "name": "Семья мастеров 5–8 класс", "order": 3, "grade_min": 5, "grade_max": 8,
        "participants_per_team": 1, "relatives_per_team": 1, "moscow_school_required": False})
    assert created.status_code == 201
    category = AgeCategory.objects.get(code="family", championship=world.a)
    assert created.json() == {
        "id": category.pk, "championship_id": world.a.pk, "code": "family", "name": "Семья мастеров 5–8 класс",
        "order": 3, "grade_min": 5, "grade_max": 8, "participants_per_team": 1, "relatives_per_team": 1,
        "mentors_per_team": 1, "moscow_school_required": False, "sibling_exception_grade_min": None,
        "sibling_exception_grade_max": None, "is_family": True}

    inverted = director.put(f"/age-categories/{category.pk}", {"code": "family", "name": "X", "grade_min": 8,
                                                               "grade_max": 5})
    assert inverted.status_code == 422
    assert inverted.json()["detail"] == "Классы должны быть от 1 до 11, «с» не больше «по»."
    half_exception = director.put(f"/age-categories/{category.pk}", {
        "code": "family", "name": "X", "grade_min": 5, "grade_max": 8, "sibling_exception_grade_min": 1})
    assert half_exception.status_code == 422
    assert [c["code"] for c in director.get(f"/championships/{world.a.pk}/age-categories").json()] == [
        "1-2", "family"]
    assert director.delete(f"/age-categories/{category.pk}").status_code == 204


# --- Base venues, workplaces, programme (CH-4) -------------------------------------------------------


def test_ch4_base_venue_crud(world, director):
    admin = world.users["mentor"]
    created = director.post(f"/championships/{world.a.pk}/base-venues", {
        "venue_id": world.free_venue.pk, "technical_administrator_id": admin.pk,
        "competency_ids": [world.competency.pk]})
    assert created.status_code == 201
    base_venue = BaseVenue.objects.get(venue=world.free_venue)
    assert created.json() == {
        "id": base_venue.pk, "championship_id": world.a.pk, "venue_id": world.free_venue.pk,
        "venue_name": "Политехнический колледж", "venue_address": "Москва, пр. Мира, д. 2",
        "technical_administrator_id": admin.pk, "competency_ids": [world.competency.pk]}

    again = director.post(f"/championships/{world.a.pk}/base-venues", {"venue_id": world.free_venue.pk})
    assert again.status_code == 422
    assert again.json()["detail"] == "Эта площадка уже назначена базовой."

    foreign = director.put(f"/base-venues/{base_venue.pk}", {"venue_id": world.free_venue.pk,
                                                             "competency_ids": [world.b_competency.pk]})
    assert foreign.status_code == 422
    assert foreign.json()["errors"] == [
        {"field": "competency_ids", "message": f"Нет таких компетенций в чемпионате: {world.b_competency.pk}"}]

    cleared = director.put(f"/base-venues/{base_venue.pk}", {"venue_id": world.free_venue.pk})
    assert cleared.json()["competency_ids"] == [] and cleared.json()["technical_administrator_id"] is None
    listed = director.get(f"/championships/{world.a.pk}/base-venues").json()
    assert [b["venue_name"] for b in listed] == ["Колледж сферы услуг № 3", "Политехнический колледж"]
    assert director.delete(f"/base-venues/{base_venue.pk}").status_code == 204


def test_ch4_workplaces(world, director):
    created = director.post(f"/base-venues/{world.base_venue.pk}/workplaces",
                            {"competency_id": world.competency.pk, "number": 2, "note": "у окна"})
    assert created.status_code == 201
    workplace = Workplace.objects.get(number=2)
    assert created.json() == {"id": workplace.pk, "base_venue_id": world.base_venue.pk,
                              "competency_id": world.competency.pk, "number": 2, "note": "у окна"}
    foreign = director.put(f"/workplaces/{workplace.pk}", {"competency_id": world.b_competency.pk, "number": 2})
    assert foreign.status_code == 422
    assert foreign.json()["errors"] == [{"field": "competency_id",
                                         "message": "Нет такой компетенции в чемпионате."}]
    assert [w["number"] for w in director.get(f"/base-venues/{world.base_venue.pk}/workplaces").json()] == [1, 2]
    assert director.get(f"/workplaces/{workplace.pk}").json()["note"] == "у окна"
    assert director.delete(f"/workplaces/{workplace.pk}").status_code == 204


def test_ch4_programme(world, director):
    created = director.post(f"/championships/{world.a.pk}/programme", {
        "stage_id": world.stage.pk, "competency_id": world.competency.pk, "kind": "familiarisation",
        "title": "Ознакомление с рабочими местами", "starts_at": "2023-04-02T10:00:00+03:00",
        "ends_at": "2023-04-02T10:30"})
    assert created.status_code == 201
    slot = ProgrammeSlot.objects.get(kind="familiarisation")
    assert created.json() == {
        "id": slot.pk, "championship_id": world.a.pk, "stage_id": world.stage.pk,
        "competency_id": world.competency.pk, "base_venue_id": None, "kind": "familiarisation",
        "kind_label": "Ознакомление", "title": "Ознакомление с рабочими местами",
        "starts_at": "2023-04-02T10:00:00+03:00", "ends_at": "2023-04-02T10:30:00+03:00"}
    listed = director.get(f"/championships/{world.a.pk}/programme").json()
    assert [s["title"] for s in listed] == ["Ознакомление с рабочими местами", "Поток 1"]

    backwards = director.put(f"/programme/{slot.pk}", {"stage_id": world.stage.pk, "title": "X",
                                                       "starts_at": "2023-04-02T11:00", "ends_at": "2023-04-02T10:00"})
    assert backwards.status_code == 422
    assert backwards.json()["detail"] == "Окончание должно быть позже начала."
    other_stage = Stage.objects.create(championship=world.b, name="Чужой", kind="final",
                                       starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 1, 2))
    foreign = director.put(f"/programme/{slot.pk}", {"stage_id": other_stage.pk, "title": "X",
                                                     "starts_at": "2023-04-02T09:00", "ends_at": "2023-04-02T10:00"})
    assert foreign.json()["errors"] == [{"field": "stage_id", "message": "Нет такого этапа в чемпионате."}]
    assert director.get(f"/programme/{slot.pk}").json()["title"] == "Ознакомление с рабочими местами"
    assert director.delete(f"/programme/{slot.pk}").status_code == 204


def test_x2_structure_writes_through_api_are_audited(world, director):
    director.put(f"/stages/{world.stage.pk}", {"name": "Финал 2023", "kind": "final",
                                               "starts_on": "2023-04-01", "ends_on": "2023-04-10"})
    entry = AuditEntry.objects.filter(object_type="championships.Stage").latest("pk")
    assert (entry.actor, entry.action, entry.before["name"], entry.after["name"]) == (
        world.users["directorate"], AuditEntry.Action.UPDATE, "Финал", "Финал 2023")
