"""X-4/X-5 (issue 13 §6, «Run schemathesis in CI, bounded»): property-based tests of the whole OpenAPI
document with Schemathesis — no request ends in a 5xx and every response conforms to the schema.

The schema is read from the in-process WSGI application, so every generated request runs the real
middleware, authentication, permissions and domain code on the test database. Every operation is fed a few
generated valid and invalid requests (``MAX_EXAMPLES``, derandomized: the same requests on every run) in
four ways: anonymously, with the Bearer token of a platform Directorate user (who may do everything, so the
deep code paths run), with the Bearer token of a participant, and with the Directorate user's session
cookie plus the CSRF header (the browser's way, where the malformed-multipart 500 was found). Generating
the requests is the costly part, so each generated request is sent in all four ways. A test item is a
sixth of the operations, so the fixture is built six times, not once per operation; every request runs in
a savepoint that is rolled back, so one request's writes (a deleted championship) do not starve the next.
Every failing operation and way is reported, not only the first.

Path and body ids are steered half of the time to objects created for the test, otherwise nearly every
generated id would simply be unknown (404/422) and the code behind the lookup would never run.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import os
import string
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, transaction
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

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

#: Examples per operation and authentication mode: CI stays within about three minutes on two cores.
#: ``API_FUZZ_EXAMPLES=200 pytest tests/api/test_schemathesis.py`` digs deeper before a release.
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "3"))
#: Operations are split into this many test items (spread over the xdist workers).
CHUNKS = 6


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
    participant = UserFactory(last_name="Участникова", email="fuzz-participant@example.ru")
    give_role(participant, Role.PARTICIPANT, championship)
    _, participant_secret = create_api_token(participant, name="schemathesis")
    browser = Client()
    browser.force_login(director)
    csrf = get_random_string(32, allowed_chars=string.ascii_letters + string.digits)
    yield {"directorate": secret, "participant": participant_secret, "session": browser.cookies["sessionid"].value,
           "csrf": csrf}
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
    derandomize=True,  # a fixed seed: the same requests on every run, so a failure in CI can be replayed
    phases=[Phase.explicit, Phase.generate],  # bounded: no shrinking (the failing request is printed as is)
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

OPERATIONS = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.label)


def _credentials(mode: str, ids: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Headers and cookies of one authentication mode."""
    if mode == "anonymous":
        return {}, {}
    if mode in ("directorate", "participant"):
        return {"Authorization": f"Bearer {ids[mode]}"}, {}
    return {"X-CSRFToken": ids["csrf"]}, {"sessionid": ids["session"], "csrftoken": ids["csrf"]}


@functools.cache
def _feedback() -> Any:
    """The schema's constants that steer generation, worked out once (not twice per operation)."""
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.python._constants.orchestrator import make_constants_value_source

    return FeedbackSources(constants_value_source=make_constants_value_source(schema))


MODES = ("anonymous", "directorate", "participant", "session")


def _fuzz(operation: Any, ids: dict[str, Any], failures: dict[str, str], sent: collections.Counter[str]) -> None:
    """A few generated requests of ``operation``, each sent in every mode; the first failure of each mode is
    kept in ``failures`` and the run goes on (generation is the costly part: it is done once for all modes)."""
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE, feedback=_feedback()),
                         operation.as_strategy(GenerationMode.NEGATIVE, feedback=_feedback()))
    credentials = {mode: _credentials(mode, ids) for mode in MODES}

    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case: Any) -> None:
        generated_cookies = dict(case.cookies or {})
        for mode, (headers, cookies) in credentials.items():
            key = f"{operation.label} [{mode}]"
            if key in failures:
                continue
            case.cookies = {**generated_cookies, **cookies}
            try:
                with transaction.atomic():
                    case.call_and_validate(headers=headers, checks=CHECKS)
                    transaction.set_rollback(True)
                sent[mode] += 1
            except Exception as exc:
                failures[key] = str(exc)[:3000]

    run()


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_x5_schemathesis_no_server_errors_and_responses_conform(chunk, known_ids):
    """X-4/X-5: every operation of this chunk, a few generated valid and invalid requests, each sent
    anonymously, with an organiser's and a participant's token and with a session plus CSRF header: no 5xx,
    and status, content type and body as documented."""
    failures: dict[str, str] = {}
    sent: collections.Counter[str] = collections.Counter()
    operations = OPERATIONS[chunk::CHUNKS]
    for operation in operations:
        _fuzz(operation, known_ids, failures, sent)
    assert failures == {}, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    # the requests really went out, in every mode, at least one per operation
    assert all(sent[mode] >= len(operations) for mode in MODES), sent
