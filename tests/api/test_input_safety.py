"""X-4: bad input is a readable 4xx with ``detail``, never a 5xx — on SQLite and on PostgreSQL.

PostgreSQL refuses NUL bytes in text, both databases refuse integers beyond 64 bits, Django overflows
on datetimes near year 1 and 9999; each case below once was, or could have been, a server error.
"""

from __future__ import annotations

import pytest

from profmaster.championships.models import Competency

pytestmark = pytest.mark.django_db

HUGE = 99999999999999999999


@pytest.fixture
def director(world, api_as):
    return api_as(world.users["directorate"])


def test_x4_malformed_json_is_400(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", raw='{"name": "Кондитерское')
    assert response.status_code == 400
    assert response.json() == {"detail": "Тело запроса не разобрано: ожидается JSON в кодировке UTF-8."}


def test_x4_body_not_utf8_is_400(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", raw=b'{"name": "\xff\xfe"}')
    assert response.status_code == 400


def test_x4_form_encoded_body_is_400(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", raw="name=Флористика",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("raw", ["[]", '"Флористика"', "null", "42"])
def test_x4_json_that_is_not_an_object_is_422(world, director, raw):
    response = director.post(f"/championships/{world.a.pk}/competencies", raw=raw)
    assert response.status_code in {400, 422}
    assert isinstance(response.json()["detail"], str)


def test_x4_empty_body_is_422_missing_fields(world, director):
    response = director.post(f"/championships/{world.a.pk}/stages", raw="")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("Неверные данные")


def test_x4_missing_and_wrong_types_name_their_fields(world, director):
    response = director.post(f"/championships/{world.a.pk}/stages", {
        "name": "Этап", "kind": "final", "order": "первый", "starts_on": "вчера", "ends_on": "31.12.2023"})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Неверные данные: order: ожидается целое число; starts_on: ожидается дата ГГГГ-ММ-ДД; "
                  "ends_on: ожидается дата ГГГГ-ММ-ДД",
        "errors": [{"field": "order", "message": "ожидается целое число"},
                   {"field": "starts_on", "message": "ожидается дата ГГГГ-ММ-ДД"},
                   {"field": "ends_on", "message": "ожидается дата ГГГГ-ММ-ДД"}]}


def test_x4_unknown_enum_value_lists_the_allowed_ones(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies",
                             {"name": "X", "evaluation_mode": "на глаз"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{
        "field": "evaluation_mode",
        "message": "допустимые значения: after_completion, during, parallel, blind, five_workplaces"}]


@pytest.mark.parametrize("path", [
    "/championships/{id}", "/stages/{id}", "/competencies/{id}", "/skill-sections/{id}", "/infrastructure/{id}",
    "/age-categories/{id}", "/base-venues/{id}", "/workplaces/{id}", "/programme/{id}", "/organisations/{id}",
    "/contacts/{id}", "/venues/{id}", "/championships/{id}/stages", "/base-venues/{id}/workplaces"])
def test_x4_unknown_ids_are_404_and_huge_or_bad_ids_422(world, api_as, path):
    api = api_as(world.users["platform_directorate"])
    unknown = api.get(path.format(id=987654321))
    assert unknown.status_code == 404
    assert unknown.json()["detail"].endswith(("не найден.", "не найдена.", "не найдено.", "Не найдено."))
    for bad in (HUGE, 2**63, -1, 0, "abc", "1e3", "%00"):
        response = api.get(path.format(id=bad))
        assert response.status_code in {404, 422}, (bad, response.content)
        assert isinstance(response.json()["detail"], str)
    assert api.get(path.format(id=2**63 - 1)).status_code == 404


def test_x4_huge_ids_in_bodies_and_queries_are_422(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies",
                             {"name": "X", "age_category_ids": [HUGE]})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "age_category_ids.0", "message": "должно быть не больше 9223372036854775807"}]
    assert director.delete(f"/me/tokens/{HUGE}").status_code == 422
    assert director.get("/venues", {"organisation_id": HUGE}).status_code == 422
    assert director.get("/organisations", {"offset": HUGE}).status_code == 422
    assert director.get("/organisations", {"limit": 100000}).status_code == 422
    too_many_experts = director.post(f"/championships/{world.a.pk}/competencies",
                                     {"name": "X", "expert_count": 40000})
    assert too_many_experts.status_code == 422


def test_x4_over_long_strings_are_422(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", {"name": "Я" * 201})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "не длиннее 200 символов"}]
    description = director.post(f"/championships/{world.a.pk}/competencies",
                                {"name": "X", "description": "д" * 20_001})
    assert description.status_code == 422
    assert director.get("/organisations", {"q": "q" * 201}).status_code == 422


def test_x4_strings_are_stripped_and_blank_required_refused(world, director):
    blank = director.post(f"/championships/{world.a.pk}/competencies", {"name": " \t "})
    assert blank.status_code == 422
    assert blank.json()["errors"] == [{"field": "name", "message": "не может быть пустым"}]
    ok = director.post(f"/championships/{world.a.pk}/competencies", {"name": "  Флористика \n"})
    assert ok.json()["name"] == "Флористика"


@pytest.mark.parametrize(("path", "body"), [
    ("/organisations", {"name": "Школа\x00"}),
    ("/venues", {"name": "Зал", "address": "Москва\x00"}),
    ("/me/tokens", {"name": "\x00"}),
])
def test_x4_nul_bytes_are_refused_in_bodies(world, director, path, body):
    response = director.post(path, body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "строка не может содержать нулевой символ (\\x00)"


def test_x4_nul_bytes_are_refused_in_nested_and_query_values(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", {"name": "Флористика", "code": "a\x00"})
    assert response.status_code == 422
    assert not Competency.objects.filter(name="Флористика").exists()
    assert director.get("/organisations", {"q": "шк\x00ола"}).status_code == 422
    assert director.get("/organisations", {"region": "\x00"}).status_code == 422
    assert director.get("/championships", {"season": "\x00"}).status_code == 422


def test_x4_lone_surrogates_are_refused(world, director):
    response = director.post("/organisations", raw='{"name": "\\ud800 школа"}')
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "строка содержит недопустимые символы"}]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "2023-02-30",
                                   "2023-13-01", 1e20, -1])
def test_x4_out_of_range_dates_are_422(world, director, value):
    response = director.post(f"/championships/{world.a.pk}/stages", {
        "name": "Этап", "kind": "final", "starts_on": value, "ends_on": "2023-04-10"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_on"


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00", "2023-04-02T25:00",
                                   "сегодня"])
def test_x4_out_of_range_datetimes_are_422(world, director, value):
    response = director.post(f"/championships/{world.a.pk}/programme", {
        "stage_id": world.stage.pk, "title": "Поток", "starts_at": value, "ends_at": "2023-04-02T12:00"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "starts_at"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400", "12345678901.5", "1.234"])
def test_x4_bad_decimals_are_422(world, director, value):
    response = director.post(f"/competencies/{world.competency.pk}/infrastructure", raw=(
        '{"name": "Весы", "quantity": %s}' % value))  # noqa: UP031 — raw JSON numbers, not strings
    assert response.status_code in {400, 422}, response.content
    assert isinstance(response.json()["detail"], str)


def test_x4_bad_decimal_strings_are_422(world, director):
    for value in ["NaN", "Infinity", "1e400", "abc"]:
        response = director.post(f"/competencies/{world.competency.pk}/infrastructure",
                                 {"name": "Весы", "quantity": value})
        assert response.status_code == 422, value


def test_x4_cyrillic_comes_back_unescaped_in_errors(world, director):
    response = director.post(f"/championships/{world.a.pk}/competencies", {"name": "Кондитерское дело"})
    assert response.status_code == 422
    raw = response.content.decode("utf-8")
    assert "Компетенция с таким названием уже есть в чемпионате." in raw
    assert "\\u041a" not in raw


def test_x4_wrong_method_is_405(world, director):
    response = director.send("patch", f"/championships/{world.a.pk}", {})
    assert response.status_code == 405


def test_x4_too_big_body_is_413(world, director, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = director.post(f"/championships/{world.a.pk}/competencies", {"name": "X", "description": "д" * 2000})
    assert response.status_code == 413
    assert response.json() == {"detail": "Слишком большой запрос."}
