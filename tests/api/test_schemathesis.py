"""X-4: property-based tests of the whole OpenAPI document with Schemathesis — no request may end in a 5xx.

The schema is read from the in-process WSGI application, so every generated request runs the real
middleware, authentication, permissions and domain code on the test database. Each operation becomes
its own pytest item (spread over pytest-xdist workers) and runs twice: with the Bearer token of a
platform Directorate user (who may do everything, so the deep code paths run) and anonymously.

Path and body ids are steered half of the time to objects created for the test, otherwise nearly every
generated id would simply be unknown (404/422) and the code behind the lookup would never run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from profmaster.accounts.domain import create_api_token
from profmaster.accounts.models import Role
from profmaster.championships.models import InfrastructureItem, ProgrammeSlot, SkillSection
from profmaster.organisations.models import ContactPerson
from tests.factories import (
    AgeCategoryFactory,
    BaseVenueFactory,
    ChampionshipFactory,
    CompetencyFactory,
    OrganisationFactory,
    StageFactory,
    UserFactory,
    VenueFactory,
    WorkplaceFactory,
    give_role,
)

#: Examples per operation and authentication mode in the fuzzing phase; the coverage phase adds its
#: own boundary cases (longest strings, largest ids, missing fields, wrong types) on top.
#: ``API_FUZZ_EXAMPLES=200 pytest tests/api/test_schemathesis.py`` digs deeper before a release.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "15"))


class InProcessApp:
    """Django's WSGI handler for use inside a test.

    Django closes "old" database connections at the start and end of every request; inside a test
    that would close the connection holding the test's transaction. The test client avoids this by
    disconnecting the handler from the signals for the duration of a request, and so do we.
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            # Fully read before the signals are reconnected: closing the response fires request_finished.
            body = b"".join(response)
            response.close()
            return [body]
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", InProcessApp())
schema.config.generation.update(max_examples=MAX_EXAMPLES, database="none")

#: Filled per test by the ``known_ids`` fixture: path/body parameter name → id of an existing object.
KNOWN_IDS: dict[str, int] = {}

#: Body fields that name another object, by the path-parameter name of that object's kind.
BODY_REFERENCES = {
    "organiser_id": "organisation_id",
    "organisation_id": "organisation_id",
    "venue_id": "free_venue_id",
    "stage_id": "stage_id",
    "competency_id": "competency_id",
    "base_venue_id": "base_venue_id",
    "technical_administrator_id": "user_id",
    "question_id": "question_id",
}


def _sometimes_known(values: dict[str, Any], names: dict[str, str]) -> st.SearchStrategy[dict[str, Any]]:
    """Half of the time, swap each id field for the id of an existing object."""
    swappable = {key: KNOWN_IDS[kind] for key, kind in names.items() if key in values and kind in KNOWN_IDS}
    if not swappable:
        return st.just(values)
    choices = st.fixed_dictionaries({key: st.booleans() for key in swappable})
    return choices.map(lambda use: {**values, **{key: swappable[key] for key, flag in use.items() if flag}})


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    if not path_parameters:
        return st.just(path_parameters)
    return _sometimes_known(path_parameters, {name: name for name in path_parameters})


@schema.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    if not isinstance(body, dict):
        return st.just(body)
    return _sometimes_known(body, BODY_REFERENCES)


@pytest.fixture
def known_ids(db) -> Iterator[dict[str, Any]]:
    """A championship with one of everything, and the Directorate token that may touch all of it."""
    director = UserFactory(last_name="Дирекцияева", email="fuzz-director@example.ru")
    give_role(director, Role.DIRECTORATE, None)
    _, secret = create_api_token(director, name="schemathesis")
    spare_token, _ = create_api_token(director, name="revocable")

    organisation = OrganisationFactory()
    championship = ChampionshipFactory(organiser=organisation)
    stage = StageFactory(championship=championship)
    competency = CompetencyFactory(championship=championship)
    category = AgeCategoryFactory(championship=championship)
    competency.age_categories.add(category)
    base_venue = BaseVenueFactory(championship=championship, venue=VenueFactory(organisation=organisation))
    base_venue.competencies.add(competency)
    workplace = WorkplaceFactory(base_venue=base_venue, competency=competency)
    section = SkillSection.objects.create(competency=competency, number=1, title="Организация работы")
    item = InfrastructureItem.objects.create(competency=competency, name="Стол", quantity=Decimal("2"))
    slot = ProgrammeSlot.objects.create(
        championship=championship, stage=stage, competency=competency, base_venue=base_venue, title="Поток 1",
        starts_at=dt.datetime(2023, 4, 1, 9, tzinfo=dt.UTC), ends_at=dt.datetime(2023, 4, 1, 12, tzinfo=dt.UTC))
    contact = ContactPerson.objects.create(organisation=organisation, full_name="Петрова Анна Сергеевна")
    free_venue = VenueFactory()  # not yet a base venue: creating a base venue from it can succeed

    KNOWN_IDS.clear()
    KNOWN_IDS.update({
        "championship_id": championship.pk, "stage_id": stage.pk, "competency_id": competency.pk,
        "category_id": category.pk, "base_venue_id": base_venue.pk, "workplace_id": workplace.pk,
        "section_id": section.pk, "item_id": item.pk, "slot_id": slot.pk, "organisation_id": organisation.pk,
        "contact_id": contact.pk, "venue_id": base_venue.venue_id, "token_id": spare_token.pk,
        "user_id": director.pk, "free_venue_id": free_venue.pk,
    })
    KNOWN_IDS.update(_exam_ids(championship, competency, director))
    yield {"secret": secret}
    KNOWN_IDS.clear()


def _exam_ids(championship: Any, competency: Any, director: Any) -> dict[str, int]:
    """RM-1: a published exam with an open attempt of the fuzzing Directorate user, so that the attempt
    routes run their domain code (the token is unknown to the fuzzer: saves end in a clean 403/4xx)."""
    from profmaster.exams import domain as exams
    from profmaster.exams.models import Exam, ExamSection, Question, QuestionBank, QuestionCategory

    give_role(director, Role.PARTICIPANT, championship)
    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Банк")
    category = QuestionCategory.objects.create(bank=bank, name="Основы")
    question = Question(bank=bank, category=category, kind="short", name="Вопрос", text="Два плюс два?")
    exams.save_question(question, options=[exams.OptionData("4", Decimal(1))], by=director)
    exam = Exam.objects.create(championship=championship, competency=competency, bank=bank, title="Теория",
                               status=Exam.Status.PUBLISHED, time_limit_minutes=600, max_attempts=1000)
    ExamSection.objects.create(exam=exam, category=category)
    attempt, _ = exams.start_attempt(exam, director)
    return {"bank_id": bank.pk, "exam_id": exam.pk, "attempt_id": attempt.pk, "question_id": question.pk}


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much,
                           HealthCheck.data_too_large],
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_x4_schemathesis_directorate_no_server_errors(case, known_ids):
    """X-4: every operation, fed generated valid and invalid input by a platform Directorate user."""
    case.call_and_validate(headers={"Authorization": f"Bearer {known_ids['secret']}"},
                           checks=[not_a_server_error])


@schema.parametrize()
@FUZZ_SETTINGS
def test_x4_schemathesis_anonymous_no_server_errors(case, known_ids):
    """X-4: the same requests without credentials are refused cleanly (401), never with a 5xx."""
    case.call_and_validate(checks=[not_a_server_error])
