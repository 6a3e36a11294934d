"""X-1 acceptance: a mentor of another organisation, an expert and an anonymous visitor cannot read a minor's
data through ANY registration page, export or API route. The routes are enumerated from the URL
configuration and the OpenAPI schema, so a new route is covered without editing this test."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from profmaster.accounts.models import Role
from profmaster.api.api import api as ninja_api
from profmaster.registration import domain
from profmaster.registration.models import SubstitutionRequest, TeamMember

from ..api.conftest import ApiClient
from ..factories import UserFactory, give_role

SECRET_NAME = "Секретова"
SECRET_BIRTH = "2015-05-01"


def _text_of(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        sheet = load_workbook(io.BytesIO(body)).active
        return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
    if content_type.startswith("application/pdf"):
        try:
            return " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
        except PyPdfError:  # a scan stored as given: read its bytes
            return body.decode(errors="ignore")
    return body.decode(errors="ignore")


@pytest.fixture
def world(reg, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    application = reg.valid_team(names=(SECRET_NAME, "Борисова"))
    application.competition_date = timezone.localdate() + dt.timedelta(days=10)
    application.save()
    domain.submit_application(application, by=reg.mentor_user)
    domain.approve_application(application, by=reg.director)
    pupil = application.members.get(last_name=SECRET_NAME)
    version = domain.publish_consent_version(championship=reg.championship, kind="personal_data", title="ПДн",
                                             text="Текст", by=reg.director)
    consent = domain.record_consent(pupil, version=version, given_by="parent", given_by_name="Мать", by=reg.mentor_user)
    check = domain.record_document_check(pupil, item="identity", outcome="accepted", by=reg.chief,
                                         scan=SimpleUploadedFile("p.pdf", f"%PDF-1.4 {SECRET_NAME}".encode()))
    incoming = TeamMember(application=application, kind="participant", last_name="Новикова", first_name="Оля",
                          grade=1, birth_date=dt.date(2015, 1, 1), organisation=reg.school)
    substitution = domain.request_substitution(application, outgoing=pupil, incoming=incoming, reason="Болезнь",
                                               by=reg.mentor_user)
    other_mentor = UserFactory(email="other-mentor@example.ru")
    give_role(other_mentor, Role.MENTOR, reg.championship, organisation=reg.school2)
    expert = UserFactory(email="expert@example.ru")
    give_role(expert, Role.EXPERT, reg.championship, reg.competency)
    ids = {"pk": application.pk, "member_pk": pupil.pk, "consent_pk": consent.pk, "check_pk": check.pk,
           "substitution_pk": substitution.pk, "kind": "participant", "item": "identity",
           "championship": reg.championship.pk, "version": version.pk}
    return {"reg": reg, "ids": ids, "outsiders": {"other mentor": other_mentor, "expert": expert},
            "application": application, "pupil": pupil, "substitution": substitution}


def _page_urls(ids) -> list[str]:
    resolver = get_resolver()
    urls = []
    for pattern in resolver.url_patterns:
        if getattr(pattern, "namespace", None) != "registration":
            continue
        for entry in pattern.url_patterns:
            params = re.findall(r"<(?:\w+:)?(\w+)>", str(entry.pattern))
            kwargs = {}
            for param in params:
                if (param == "pk" and "championships/" in str(entry.pattern)) or (
                        param == "pk" and "consent-versions" in str(entry.pattern)):
                    kwargs[param] = ids["version"] if "consent-versions" in str(entry.pattern) else ids["championship"]
                else:
                    kwargs[param] = ids[param]
            url = reverse(f"registration:{entry.name}", kwargs=kwargs)
            urls.append(url)
            if entry.name == "people":
                urls += [url + "?format=xlsx", url + "?format=pdf", url + "?kind=mentor&format=xlsx"]
    return urls


def test_x1_no_registration_page_or_export_shows_a_minor_to_outsiders(world):
    urls = _page_urls(world["ids"])
    assert len(urls) >= 30
    for label, user in world["outsiders"].items():
        client = Client()
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            text = _text_of(response)
            assert SECRET_NAME not in text and "01.05.2015" not in text, (label, url)
    for url in urls:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def _api_paths(ids) -> list[str]:
    schema = ninja_api.get_openapi_schema()
    values = {"championship_id": ids["championship"], "application_id": ids["pk"], "member_id": ids["member_pk"],
              "consent_id": ids["consent_pk"], "substitution_id": ids["substitution_pk"]}
    paths = []
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        params = re.findall(r"{(\w+)}", path)
        if not params or any(p not in values for p in params):
            continue
        if not any(word in path for word in ("application", "consent", "people", "substitution", "document-check")):
            continue
        paths.append(re.sub(r"{(\w+)}", lambda m: str(values[m.group(1)]), path).removeprefix("/api/v1"))
    return paths


def test_x1_no_registration_api_route_shows_a_minor_to_outsiders(world):
    paths = _api_paths(world["ids"])
    assert len(paths) >= 5
    for label, user in world["outsiders"].items():
        api = ApiClient(user)
        for path in paths:
            response = api.get(path)
            assert SECRET_NAME not in response.content.decode(), (label, path)
    for path in paths:
        assert Client().get("/api/v1" + path).status_code == 401, path


def test_x1_the_same_routes_do_show_the_minor_to_the_directorate(world):
    """The check above is meaningful: the Directorate sees the minor through the same pages."""
    client = Client()
    client.force_login(world["reg"].director)
    seen = [url for url in _page_urls(world["ids"]) if SECRET_NAME in _text_of(client.get(url))]
    assert len(seen) >= 5
    assert SubstitutionRequest.objects.count() == 1
