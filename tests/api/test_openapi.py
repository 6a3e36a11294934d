"""X-4: the API is documented — OpenAPI at /api/v1/openapi.json, docs page at /api/v1/docs."""

from __future__ import annotations

import pytest
from django.urls import reverse

#: (method, path, url name, tag) of every route this foundation offers (documents are another app's).
ROUTES = [
    ("get", "/api/v1/me", "me", "Учётная запись"),
    ("get", "/api/v1/me/tokens", "token_list", "Учётная запись"),
    ("post", "/api/v1/me/tokens", "token_create", "Учётная запись"),
    ("delete", "/api/v1/me/tokens/{token_id}", "token_revoke", "Учётная запись"),
    ("get", "/api/v1/championships", "championship_list", "Чемпионаты"),
    ("post", "/api/v1/championships", "championship_create", "Чемпионаты"),
    ("get", "/api/v1/championships/{championship_id}", "championship_detail", "Чемпионаты"),
    ("put", "/api/v1/championships/{championship_id}", "championship_update", "Чемпионаты"),
    ("post", "/api/v1/championships/{championship_id}/status", "championship_status", "Чемпионаты"),
    ("get", "/api/v1/championships/{championship_id}/stages", "stage_list", "Этапы"),
    ("post", "/api/v1/championships/{championship_id}/stages", "stage_create", "Этапы"),
    ("get", "/api/v1/stages/{stage_id}", "stage_detail", "Этапы"),
    ("put", "/api/v1/stages/{stage_id}", "stage_update", "Этапы"),
    ("delete", "/api/v1/stages/{stage_id}", "stage_delete", "Этапы"),
    ("post", "/api/v1/stages/{stage_id}/phase", "stage_phase", "Этапы"),
    ("get", "/api/v1/championships/{championship_id}/competencies", "competency_list", "Компетенции"),
    ("post", "/api/v1/championships/{championship_id}/competencies", "competency_create", "Компетенции"),
    ("get", "/api/v1/competencies/{competency_id}", "competency_detail", "Компетенции"),
    ("put", "/api/v1/competencies/{competency_id}", "competency_update", "Компетенции"),
    ("delete", "/api/v1/competencies/{competency_id}", "competency_delete", "Компетенции"),
    ("get", "/api/v1/competencies/{competency_id}/skill-sections", "skill_section_list", "Компетенции"),
    ("post", "/api/v1/competencies/{competency_id}/skill-sections", "skill_section_create", "Компетенции"),
    ("get", "/api/v1/skill-sections/{section_id}", "skill_section_detail", "Компетенции"),
    ("put", "/api/v1/skill-sections/{section_id}", "skill_section_update", "Компетенции"),
    ("delete", "/api/v1/skill-sections/{section_id}", "skill_section_delete", "Компетенции"),
    ("get", "/api/v1/competencies/{competency_id}/infrastructure", "infrastructure_list", "Компетенции"),
    ("post", "/api/v1/competencies/{competency_id}/infrastructure", "infrastructure_create", "Компетенции"),
    ("get", "/api/v1/infrastructure/{item_id}", "infrastructure_detail", "Компетенции"),
    ("put", "/api/v1/infrastructure/{item_id}", "infrastructure_update", "Компетенции"),
    ("delete", "/api/v1/infrastructure/{item_id}", "infrastructure_delete", "Компетенции"),
    ("get", "/api/v1/championships/{championship_id}/age-categories", "age_category_list", "Возрастные категории"),
    ("post", "/api/v1/championships/{championship_id}/age-categories", "age_category_create", "Возрастные категории"),
    ("get", "/api/v1/age-categories/{category_id}", "age_category_detail", "Возрастные категории"),
    ("put", "/api/v1/age-categories/{category_id}", "age_category_update", "Возрастные категории"),
    ("delete", "/api/v1/age-categories/{category_id}", "age_category_delete", "Возрастные категории"),
    ("get", "/api/v1/championships/{championship_id}/base-venues", "base_venue_list", "Базовые площадки"),
    ("post", "/api/v1/championships/{championship_id}/base-venues", "base_venue_create", "Базовые площадки"),
    ("get", "/api/v1/base-venues/{base_venue_id}", "base_venue_detail", "Базовые площадки"),
    ("put", "/api/v1/base-venues/{base_venue_id}", "base_venue_update", "Базовые площадки"),
    ("delete", "/api/v1/base-venues/{base_venue_id}", "base_venue_delete", "Базовые площадки"),
    ("get", "/api/v1/base-venues/{base_venue_id}/workplaces", "workplace_list", "Базовые площадки"),
    ("post", "/api/v1/base-venues/{base_venue_id}/workplaces", "workplace_create", "Базовые площадки"),
    ("get", "/api/v1/workplaces/{workplace_id}", "workplace_detail", "Базовые площадки"),
    ("put", "/api/v1/workplaces/{workplace_id}", "workplace_update", "Базовые площадки"),
    ("delete", "/api/v1/workplaces/{workplace_id}", "workplace_delete", "Базовые площадки"),
    ("get", "/api/v1/championships/{championship_id}/programme", "programme_list", "Программа"),
    ("post", "/api/v1/championships/{championship_id}/programme", "programme_create", "Программа"),
    ("get", "/api/v1/programme/{slot_id}", "programme_detail", "Программа"),
    ("put", "/api/v1/programme/{slot_id}", "programme_update", "Программа"),
    ("delete", "/api/v1/programme/{slot_id}", "programme_delete", "Программа"),
    ("get", "/api/v1/organisations", "organisation_list", "Организации"),
    ("post", "/api/v1/organisations", "organisation_create", "Организации"),
    ("get", "/api/v1/organisations/{organisation_id}", "organisation_detail", "Организации"),
    ("put", "/api/v1/organisations/{organisation_id}", "organisation_update", "Организации"),
    ("delete", "/api/v1/organisations/{organisation_id}", "organisation_delete", "Организации"),
    ("get", "/api/v1/organisations/{organisation_id}/contacts", "contact_list", "Организации"),
    ("post", "/api/v1/organisations/{organisation_id}/contacts", "contact_create", "Организации"),
    ("get", "/api/v1/contacts/{contact_id}", "contact_detail", "Организации"),
    ("put", "/api/v1/contacts/{contact_id}", "contact_update", "Организации"),
    ("delete", "/api/v1/contacts/{contact_id}", "contact_delete", "Организации"),
    ("get", "/api/v1/venues", "venue_list", "Площадки"),
    ("post", "/api/v1/venues", "venue_create", "Площадки"),
    ("get", "/api/v1/venues/{venue_id}", "venue_detail", "Площадки"),
    ("put", "/api/v1/venues/{venue_id}", "venue_update", "Площадки"),
    ("delete", "/api/v1/venues/{venue_id}", "venue_delete", "Площадки"),
]


@pytest.fixture(scope="module")
def openapi(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_x4_openapi_lists_every_route_with_its_tag_and_operation_id(openapi):
    """X-4: each route is in the document, tagged by resource, with its url name as operationId."""
    for method, path, url_name, tag in ROUTES:
        operation = openapi["paths"][path][method]
        assert operation["operationId"] == url_name, path
        assert operation["tags"] == [tag], path
        assert operation["summary"], path


def test_x4_openapi_lists_championship_routes(openapi):
    championship_paths = {p for p in openapi["paths"] if p.startswith("/api/v1/championships")}
    assert championship_paths >= {
        "/api/v1/championships",
        "/api/v1/championships/{championship_id}",
        "/api/v1/championships/{championship_id}/age-categories",
        "/api/v1/championships/{championship_id}/base-venues",
        "/api/v1/championships/{championship_id}/competencies",
        "/api/v1/championships/{championship_id}/documents",
        "/api/v1/championships/{championship_id}/programme",
        "/api/v1/championships/{championship_id}/stages",
        "/api/v1/championships/{championship_id}/status",
    }


def test_x4_openapi_documents_error_responses(openapi):
    """X-4: every route documents its refusals with the common error body."""
    for method, path, _url_name, _tag in ROUTES:
        responses = openapi["paths"][path][method]["responses"]
        expected = {"401", "403", "404", "422"} if method == "get" else {"400", "401", "403", "404", "409", "422"}
        assert expected <= set(responses), path
        for status in expected:
            assert responses[status]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"}, (path, status)
    assert set(openapi["components"]["schemas"]["ErrorOut"]["properties"]) == {"detail", "code", "field", "errors"}


def test_x4_openapi_documents_both_authentications(openapi):
    assert openapi["components"]["securitySchemes"] == {
        "TokenAuth": {"type": "http", "scheme": "bearer"},
        "SessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
    }
    assert openapi["paths"]["/api/v1/me"]["get"]["security"] == [{"TokenAuth": []}, {"SessionAuth": []}]


def test_x4_openapi_documents_input_bounds(openapi):
    """X-4: bounds of the models are in the contract: lengths, the NUL ban, 64-bit ids, enums."""
    schemas = openapi["components"]["schemas"]
    name = schemas["ChampionshipIn"]["properties"]["name"]
    assert (name["maxLength"], name["minLength"], name["pattern"]) == (300, 1, "^[^\\u0000]*$")
    assert schemas["ChampionshipIn"]["properties"]["slug"]["pattern"] == "^[-a-zA-Z0-9_]+$"
    assert schemas["CompetencyIn"]["properties"]["evaluation_mode"]["enum"] == [
        "after_completion", "during", "parallel", "blind", "five_workplaces"]
    path_param = openapi["paths"]["/api/v1/stages/{stage_id}"]["get"]["parameters"][0]
    assert path_param["schema"] == {"maximum": 9223372036854775807, "minimum": 1, "title": "Stage Id",
                                    "type": "integer"}


def test_x4_openapi_keeps_cyrillic_unescaped():
    from django.test import Client

    body = Client().get("/api/v1/openapi.json").content.decode()
    assert "Учётная запись" in body
    assert "\\u0423" not in body


@pytest.mark.django_db
def test_x4_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content


@pytest.mark.parametrize(("method", "path", "url_name", "tag"), ROUTES)
def test_x4_every_route_reverses_by_url_name(method, path, url_name, tag):
    kwargs = {part[1:-1]: 7 for part in path.split("/") if part.startswith("{")}
    assert reverse(f"api:{url_name}", kwargs=kwargs) == path.format(**kwargs)


def _models_of(annotation, seen: set) -> None:
    """Every pydantic model reachable from a type annotation (fields, lists, unions, nested models)."""
    import typing

    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_of(field.annotation, seen)
        return
    for argument in typing.get_args(annotation):
        _models_of(argument, seen)


def test_x5_openapi_component_names_are_unique():
    """X-5 (issue 13 §6): two schema classes of one name share one OpenAPI component, so one route is
    documented with the other's fields (``ResultRowOut`` of exams and results; ``ReasonIn`` of marking and
    registration). Every component name must stand for exactly one class."""
    from profmaster.api.api import api

    models: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    _models_of(model, models)
                for response in operation.response_models.values():
                    _models_of(response, models)
    classes_by_name: dict[str, set[str]] = {}
    for model in models:
        if model.__module__.startswith("profmaster."):
            classes_by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    duplicates = {name: sorted(classes) for name, classes in classes_by_name.items() if len(classes) > 1}
    assert duplicates == {}
    components = api.get_openapi_schema()["components"]["schemas"]
    assert {"ExamResultRowOut", "ResultRowOut", "MarkingReasonIn", "ReasonIn"} <= set(components)
    assert set(components["ExamResultRowOut"]["properties"]) != set(components["ResultRowOut"]["properties"])
    assert components["MarkingReasonIn"].get("additionalProperties") is False
    assert "additionalProperties" not in components["ReasonIn"]
