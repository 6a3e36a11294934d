"""§0 / SC-9 on the API channel: every route × every role → the expected answer.

Championship A's objects are readable by anyone with a role in A and changeable only by A's Directorate
(or the platform Directorate). Another championship's Directorate and people without a role in A get
404 — the object's existence is not revealed. Reference data (organisations, venues) belongs to any
Directorate. Anonymous requests are 401 everywhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from profmaster.api.api import api as ninja_api

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "platform_directorate", "directorate", "other_directorate", "chief_expert", "expert",
         "mentor", "no_role"]

READ_A = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
          "chief_expert": 200, "expert": 200, "mentor": 200, "no_role": 404}


def write_a(ok: int) -> dict[str, int]:
    return {"anonymous": 401, "platform_directorate": ok, "directorate": ok, "other_directorate": 404,
            "chief_expert": 403, "expert": 403, "mentor": 403, "no_role": 404}


def reference(ok: int) -> dict[str, int]:
    return {"anonymous": 401, "platform_directorate": ok, "directorate": ok, "other_directorate": ok,
            "chief_expert": 403, "expert": 403, "mentor": 403, "no_role": 403}


def signed_in(ok: int) -> dict[str, int]:
    return {**{r: ok for r in ROLES}, "anonymous": 401}


def docs_denied(denied: int) -> dict[str, int]:
    """Refusals on documents: 404 outside the championship (like unknown ids), ``denied`` inside it."""
    return {**{r: denied for r in ROLES}, "anonymous": 401, "other_directorate": 404, "no_role": 404}


def directorate_token(w: Any) -> Any:
    if not hasattr(w, "_token"):
        from profmaster.accounts.domain import create_api_token

        w._token = create_api_token(w.users["directorate"], name="чужой для всех")[0]
    return w._token


def document(w: Any) -> Any:
    """A protocol of championship A's competency, to be signed by its chief expert and expert."""
    if not hasattr(w, "_document"):
        from profmaster.documents.domain import create_document

        w._document = create_document(
            championship=w.a, competency=w.competency, doc_type="other", title="Протокол ролей",
            data={"text": "Роли распределены."}, by=w.users["directorate"],
            signers=[(w.users["chief_expert"], "Главный эксперт"), (w.users["expert"], "Эксперт")])
    return w._document


def new_document(w: Any) -> dict[str, Any]:
    return {"doc_type": "other", "title": "Протокол", "competency_id": w.competency.pk,
            "data": {"text": "Роли распределены."}, "signers": [{"user_id": w.users["chief_expert"].pk,
                                                                 "role_label": "Главный эксперт"}]}


_edits = itertools.count()


def changed_document(w: Any) -> dict[str, Any]:
    return {"data": {"text": f"Редакция {next(_edits)}"}, "reason": "Уточнение"}


def scheme(w: Any) -> Any:
    """A draft marking scheme of championship A's competency."""
    if not hasattr(w, "_scheme"):
        from profmaster.marking.models import MarkingScheme

        w._scheme = MarkingScheme.objects.create(competency=w.competency, stage=w.stage, title="Схема")
    return w._scheme


def scheme_roles(ok: int) -> dict[str, int]:
    """MS-*: the competency's chief expert and the Directorate change schemes; the panel reads them."""
    return {"anonymous": 401, "platform_directorate": ok, "directorate": ok, "other_directorate": 404,
            "chief_expert": ok, "expert": 403, "mentor": 403, "no_role": 404}


SCHEME_CONTENT = {"criteria": [{"code": "A", "title": "Критерий", "skill_sections": [1], "sub_criteria": [
    {"code": "A1", "title": "Суб", "aspects": [{"code": "A1.1", "kind": "binary", "description": "Есть",
                                                "max_points": "1"}]}]}]}


STAGE = {"name": "Новый этап", "kind": "final", "starts_on": "2023-04-01", "ends_on": "2023-04-02"}
CATEGORY = {"code": "new", "name": "Новая", "grade_min": 1, "grade_max": 2}


def slot(w: Any) -> dict[str, Any]:
    return {"stage_id": w.stage.pk, "title": "Поток 2", "starts_at": "2023-04-03T13:00",
            "ends_at": "2023-04-03T15:00"}


#: (name, method, path(world), body(world) or None, expected answer per role)
CASES: list[tuple[str, str, Callable[[Any], str], Callable[[Any], Any] | None, dict[str, int]]] = [
    ("championship_list", "get", lambda w: "/championships", None,
     {**{r: 200 for r in ROLES}, "anonymous": 401}),
    ("championship_create", "post", lambda w: "/championships",
     lambda w: {"name": "Новый", "slug": "new", "season": "2024", "starts_on": "2024-01-01",
                "ends_on": "2024-01-02"},
     {"anonymous": 401, "platform_directorate": 201, "directorate": 403, "other_directorate": 403,
      "chief_expert": 403, "expert": 403, "mentor": 403, "no_role": 403}),
    ("championship_detail", "get", lambda w: f"/championships/{w.a.pk}", None, READ_A),
    ("championship_update", "put", lambda w: f"/championships/{w.a.pk}",
     lambda w: {"name": "A", "slug": "a", "season": "2023", "starts_on": "2023-02-01", "ends_on": "2023-04-30"},
     write_a(200)),
    ("championship_status", "post", lambda w: f"/championships/{w.a.pk}/status",
     lambda w: {"to": "archived"}, write_a(200)),
    ("stage_list", "get", lambda w: f"/championships/{w.a.pk}/stages", None, READ_A),
    ("stage_create", "post", lambda w: f"/championships/{w.a.pk}/stages", lambda w: STAGE, write_a(201)),
    ("stage_detail", "get", lambda w: f"/stages/{w.stage.pk}", None, READ_A),
    ("stage_update", "put", lambda w: f"/stages/{w.stage.pk}", lambda w: STAGE, write_a(200)),
    ("stage_delete", "delete", lambda w: f"/stages/{w.stage.pk}", None, write_a(204)),
    ("stage_phase", "post", lambda w: f"/stages/{w.stage.pk}/phase", lambda w: {"to": "registration"},
     write_a(200)),
    ("competency_list", "get", lambda w: f"/championships/{w.a.pk}/competencies", None, READ_A),
    ("competency_create", "post", lambda w: f"/championships/{w.a.pk}/competencies",
     lambda w: {"name": "Новая"}, write_a(201)),
    ("competency_detail", "get", lambda w: f"/competencies/{w.competency.pk}", None, READ_A),
    ("competency_update", "put", lambda w: f"/competencies/{w.competency.pk}", lambda w: {"name": "Иная"},
     write_a(200)),
    ("competency_delete", "delete", lambda w: f"/competencies/{w.competency.pk}", None, write_a(204)),
    ("skill_section_list", "get", lambda w: f"/competencies/{w.competency.pk}/skill-sections", None, READ_A),
    ("skill_section_create", "post", lambda w: f"/competencies/{w.competency.pk}/skill-sections",
     lambda w: {"number": 9, "title": "Новый"}, write_a(201)),
    ("skill_section_detail", "get", lambda w: f"/skill-sections/{w.section.pk}", None, READ_A),
    ("skill_section_update", "put", lambda w: f"/skill-sections/{w.section.pk}",
     lambda w: {"number": 1, "title": "Иной"}, write_a(200)),
    ("skill_section_delete", "delete", lambda w: f"/skill-sections/{w.section.pk}", None, write_a(204)),
    ("infrastructure_list", "get", lambda w: f"/competencies/{w.competency.pk}/infrastructure", None, READ_A),
    ("infrastructure_create", "post", lambda w: f"/competencies/{w.competency.pk}/infrastructure",
     lambda w: {"name": "Весы", "quantity": 1}, write_a(201)),
    ("infrastructure_detail", "get", lambda w: f"/infrastructure/{w.item.pk}", None, READ_A),
    ("infrastructure_update", "put", lambda w: f"/infrastructure/{w.item.pk}",
     lambda w: {"name": "Весы", "quantity": 2}, write_a(200)),
    ("infrastructure_delete", "delete", lambda w: f"/infrastructure/{w.item.pk}", None, write_a(204)),
    ("age_category_list", "get", lambda w: f"/championships/{w.a.pk}/age-categories", None, READ_A),
    ("age_category_create", "post", lambda w: f"/championships/{w.a.pk}/age-categories", lambda w: CATEGORY,
     write_a(201)),
    ("age_category_detail", "get", lambda w: f"/age-categories/{w.category.pk}", None, READ_A),
    ("age_category_update", "put", lambda w: f"/age-categories/{w.category.pk}", lambda w: CATEGORY,
     write_a(200)),
    ("age_category_delete", "delete", lambda w: f"/age-categories/{w.category.pk}", None, write_a(204)),
    ("base_venue_list", "get", lambda w: f"/championships/{w.a.pk}/base-venues", None, READ_A),
    ("base_venue_create", "post", lambda w: f"/championships/{w.a.pk}/base-venues",
     lambda w: {"venue_id": w.free_venue.pk}, write_a(201)),
    ("base_venue_detail", "get", lambda w: f"/base-venues/{w.base_venue.pk}", None, READ_A),
    ("base_venue_update", "put", lambda w: f"/base-venues/{w.base_venue.pk}",
     lambda w: {"venue_id": w.venue.pk}, write_a(200)),
    ("base_venue_delete", "delete", lambda w: f"/base-venues/{w.base_venue.pk}", None, write_a(204)),
    ("workplace_list", "get", lambda w: f"/base-venues/{w.base_venue.pk}/workplaces", None, READ_A),
    ("workplace_create", "post", lambda w: f"/base-venues/{w.base_venue.pk}/workplaces",
     lambda w: {"competency_id": w.competency.pk, "number": 5}, write_a(201)),
    ("workplace_detail", "get", lambda w: f"/workplaces/{w.workplace.pk}", None, READ_A),
    ("workplace_update", "put", lambda w: f"/workplaces/{w.workplace.pk}",
     lambda w: {"competency_id": w.competency.pk, "number": 6}, write_a(200)),
    ("workplace_delete", "delete", lambda w: f"/workplaces/{w.workplace.pk}", None, write_a(204)),
    ("programme_list", "get", lambda w: f"/championships/{w.a.pk}/programme", None, READ_A),
    ("programme_create", "post", lambda w: f"/championships/{w.a.pk}/programme", slot, write_a(201)),
    ("programme_detail", "get", lambda w: f"/programme/{w.slot.pk}", None, READ_A),
    ("programme_update", "put", lambda w: f"/programme/{w.slot.pk}", slot, write_a(200)),
    ("programme_delete", "delete", lambda w: f"/programme/{w.slot.pk}", None, write_a(204)),
    ("organisation_list", "get", lambda w: "/organisations", None, reference(200)),
    ("organisation_create", "post", lambda w: "/organisations", lambda w: {"name": "Новая школа"}, reference(201)),
    ("organisation_detail", "get", lambda w: f"/organisations/{w.organisation.pk}", None, reference(200)),
    ("organisation_update", "put", lambda w: f"/organisations/{w.organisation.pk}",
     lambda w: {"name": "Иная школа"}, reference(200)),
    ("organisation_delete", "delete", lambda w: f"/organisations/{w.organisation.pk}", None, reference(400)),
    ("contact_list", "get", lambda w: f"/organisations/{w.organisation.pk}/contacts", None, reference(200)),
    ("contact_create", "post", lambda w: f"/organisations/{w.organisation.pk}/contacts",
     lambda w: {"full_name": "Новиков Н. Н."}, reference(201)),
    ("contact_detail", "get", lambda w: f"/contacts/{w.contact.pk}", None, reference(200)),
    ("contact_update", "put", lambda w: f"/contacts/{w.contact.pk}", lambda w: {"full_name": "Петрова А. С."},
     reference(200)),
    ("contact_delete", "delete", lambda w: f"/contacts/{w.contact.pk}", None, reference(204)),
    ("venue_list", "get", lambda w: "/venues", None, reference(200)),
    ("venue_create", "post", lambda w: "/venues", lambda w: {"name": "Новая", "address": "Москва"},
     reference(201)),
    ("venue_detail", "get", lambda w: f"/venues/{w.venue.pk}", None, reference(200)),
    ("venue_update", "put", lambda w: f"/venues/{w.venue.pk}", lambda w: {"name": "Иная", "address": "Москва"},
     reference(200)),
    ("venue_delete", "delete", lambda w: f"/venues/{w.free_venue.pk}", None, reference(204)),
    # The person's own account: anyone logged in; a token can be revoked only by its owner.
    ("me", "get", lambda w: "/me", None, signed_in(200)),
    ("token_list", "get", lambda w: "/me/tokens", None, signed_in(200)),
    ("token_create", "post", lambda w: "/me/tokens", lambda w: {"name": "Интеграция"}, signed_in(201)),
    ("token_revoke", "delete", lambda w: f"/me/tokens/{directorate_token(w).pk}", None,
     {**signed_in(404), "directorate": 204}),
    # Documents (DOC-2): the register for the Directorate and the competency's chief expert; a document
    # for them and its required signers (chief expert and expert); signing only by required signers.
    ("documents_list", "get", lambda w: f"/championships/{w.a.pk}/documents", None,
     {**docs_denied(403), "platform_directorate": 200, "directorate": 200, "chief_expert": 200}),
    ("documents_create", "post", lambda w: f"/championships/{w.a.pk}/documents", new_document,
     {**docs_denied(403), "platform_directorate": 201, "directorate": 201, "chief_expert": 201}),
    ("documents_detail", "get", lambda w: f"/documents/{document(w).pk}", None,
     {**docs_denied(403), "platform_directorate": 200, "directorate": 200, "chief_expert": 200, "expert": 200}),
    ("documents_update", "put", lambda w: f"/documents/{document(w).pk}", changed_document,
     {**docs_denied(403), "platform_directorate": 200, "directorate": 200, "chief_expert": 200}),
    # DOC-2: forming again is for the editors; this document was typed in, so they get 409, never a rewrite
    ("documents_regenerate", "post", lambda w: f"/documents/{document(w).pk}/regenerate",
     lambda w: {"reason": "Заново"},
     {**docs_denied(403), "platform_directorate": 409, "directorate": 409, "chief_expert": 409}),
    ("documents_sign", "post", lambda w: f"/documents/{document(w).pk}/sign", lambda w: {"password": "не тот"},
     {**docs_denied(403), "chief_expert": 400, "expert": 400}),
    ("scheme_list", "get", lambda w: f"/competencies/{w.competency.pk}/schemes", None,
     {**scheme_roles(200), "expert": 200}),
    ("scheme_create", "post", lambda w: f"/competencies/{w.competency.pk}/schemes",
     lambda w: {"title": "Схема финала", "stage_id": w.stage.pk}, scheme_roles(201)),
    ("scheme_detail", "get", lambda w: f"/schemes/{scheme(w).pk}", None, {**scheme_roles(200), "expert": 200}),
    ("scheme_content", "put", lambda w: f"/schemes/{scheme(w).pk}/content", lambda w: SCHEME_CONTENT,
     scheme_roles(200)),
    ("scheme_lock", "post", lambda w: f"/schemes/{scheme(w).pk}/lock", None, scheme_roles(400)),  # invalid draft
    ("scheme_unlock_request", "post", lambda w: f"/schemes/{scheme(w).pk}/unlock-request",
     lambda w: {"reason": "Опечатка"}, scheme_roles(409)),  # a draft has nothing to unlock
    ("scheme_unlock", "post", lambda w: f"/schemes/{scheme(w).pk}/unlock", None, scheme_roles(409)),
    ("documents_pdf", "get", lambda w: f"/documents/{document(w).pk}/pdf", None,
     {**docs_denied(403), "platform_directorate": 200, "directorate": 200, "chief_expert": 200, "expert": 200}),
]


# Registration (REG-1, X-1): the Directorate and the applicant (the mentor who filed it) read; the chief expert
# lists the championship's applications but reads only those of their own competency (not this one); the draft
# without members cannot be submitted (400, rules) nor decided (409, state).
_READ_APPLICATION = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
                     "chief_expert": 404, "expert": 404, "mentor": 200, "no_role": 404}
_REVIEW = {**_READ_APPLICATION, "platform_directorate": 409, "directorate": 409, "mentor": 403}
CASES += [
    ("application_list", "get", lambda w: f"/championships/{w.a.pk}/applications", None,
     {**_READ_APPLICATION, "chief_expert": 200, "expert": 403}),
    ("application_detail", "get", lambda w: f"/applications/{w.application.pk}", None, _READ_APPLICATION),
    ("application_submit", "post", lambda w: f"/applications/{w.application.pk}/submit", None,
     {**_READ_APPLICATION, "platform_directorate": 400, "directorate": 400, "mentor": 400}),
    ("application_approve", "post", lambda w: f"/applications/{w.application.pk}/approve", None, _REVIEW),
    ("application_return", "post", lambda w: f"/applications/{w.application.pk}/return",
     lambda w: {"remarks": [{"text": "Добавьте участников"}]}, _REVIEW),
    ("application_reject", "post", lambda w: f"/applications/{w.application.pk}/reject",
     lambda w: {"reason": "Нет команды"}, _REVIEW),
]


def reg_world(w: Any) -> Any:
    """REG-6, REG-7, REG-13: a participant of the draft application, a consent version and given consent, and a
    pending substitution (made directly: the draft could not request one)."""
    if not hasattr(w, "_reg"):
        import datetime as dt

        from django.utils import timezone

        from profmaster.registration.domain import publish_consent_version
        from profmaster.registration.models import Consent, SubstitutionRequest, TeamMember

        pupil = TeamMember.objects.create(application=w.application, kind="participant", last_name="Алексеев",
                                          first_name="Алёша", grade=1, birth_date=dt.date(2015, 5, 1),
                                          organisation=w.organisation)
        incoming = TeamMember.objects.create(application=w.application, kind="participant", state="proposed",
                                             last_name="Новикова", first_name="Оля", grade=1,
                                             birth_date=dt.date(2015, 1, 1), organisation=w.organisation)
        version = publish_consent_version(championship=w.a, kind="personal_data", title="Согласие", text="Текст",
                                          by=w.users["directorate"])
        consent = Consent.objects.create(member=pupil, version=version, given_by="parent", given_by_name="Мать",
                                         given_at=timezone.now(), recorded_by=w.users["mentor"])
        substitution = SubstitutionRequest.objects.create(application=w.application, outgoing=pupil, incoming=incoming,
                                                          reason="Болезнь", requested_by=w.users["mentor"])
        newer = publish_consent_version(championship=w.a, kind="personal_data", title="Согласие", text="Текст 2",
                                        by=w.users["directorate"])
        w._reg = {"pupil": pupil, "version": newer, "consent": consent, "substitution": substitution}
    return w._reg


# Consents, substitutions, document checks, lists (REG-6…REG-8, REG-13, REG-14): the same readers as the
# application; the applicant records consents and asks for substitutions (409 here: the team is a draft, not
# registered); only the Directorate decides; the document check is the Directorate's and the competency's chief
# expert's (not this competency's here).
_APPLICANT_WRITE = {**_READ_APPLICATION, "platform_directorate": 201, "directorate": 201, "mentor": 201}
_CHECKERS = {**_READ_APPLICATION, "mentor": 403}
CASES += [
    ("consent_version_publish", "post", lambda w: f"/championships/{w.a.pk}/consent-versions",
     lambda w: {"kind": "photo_video", "title": "Фото", "text": "Текст"}, write_a(201)),
    ("member_consents", "get", lambda w: f"/applications/{w.application.pk}/members/{reg_world(w)['pupil'].pk}/consents",
     None, _READ_APPLICATION),
    ("consent_record", "post",
     lambda w: f"/applications/{w.application.pk}/members/{reg_world(w)['pupil'].pk}/consents",
     lambda w: {"version_id": reg_world(w)["version"].pk, "given_by": "parent", "given_by_name": "Отец",
                "given_on": "2023-01-10"}, _APPLICANT_WRITE),
    ("consent_withdraw", "post", lambda w: f"/consents/{reg_world(w)['consent'].pk}/withdraw",
     lambda w: {"note": "Заявление"}, {**_READ_APPLICATION}),
    ("substitution_request", "post", lambda w: f"/applications/{w.application.pk}/substitutions",
     lambda w: {"outgoing_id": reg_world(w)["pupil"].pk, "reason": "Болезнь",
                "incoming": {"last_name": "Петров", "first_name": "Пётр", "birth_date": "2015-02-02", "grade": 2,
                             "organisation_id": w.organisation.pk}},
     {**_READ_APPLICATION, "platform_directorate": 409, "directorate": 409, "mentor": 409}),
    ("substitution_decide", "post", lambda w: f"/substitutions/{reg_world(w)['substitution'].pk}/decide",
     lambda w: {"approve": False, "reason": "Нет справки"}, {**_READ_APPLICATION, "mentor": 403}),
    ("document_checks", "get", lambda w: f"/applications/{w.application.pk}/document-checks", None, _CHECKERS),
    ("document_check_record", "post",
     lambda w: f"/applications/{w.application.pk}/members/{reg_world(w)['pupil'].pk}/document-checks",
     lambda w: {"item": "identity", "outcome": "accepted"}, _CHECKERS),
    ("people_list", "get", lambda w: f"/championships/{w.a.pk}/people", None,
     {**_READ_APPLICATION, "chief_expert": 200, "expert": 403}),
]


def exam_world(w: Any) -> Any:
    """RM-1: a published exam of championship A's competency with an open attempt of a participant."""
    if not hasattr(w, "_exam"):
        from decimal import Decimal

        from profmaster.accounts.models import Role
        from profmaster.exams import domain as exams
        from profmaster.exams.models import Exam, ExamSection, Question, QuestionBank, QuestionCategory
        from tests.factories import UserFactory, give_role

        bank = QuestionBank.objects.create(championship=w.a, competency=w.competency, name="Банк")
        category = QuestionCategory.objects.create(bank=bank, name="Основы")
        question = Question(bank=bank, category=category, kind="single", name="Вопрос", text="?")
        exams.save_question(question, options=[exams.OptionData("Да", Decimal(1)), exams.OptionData("Нет")],
                            by=w.users["chief_expert"])
        exam = Exam.objects.create(championship=w.a, competency=w.competency, bank=bank, title="Теория",
                                   status=Exam.Status.PUBLISHED, time_limit_minutes=600)
        ExamSection.objects.create(exam=exam, category=category)
        examinee = UserFactory(email="examinee@example.ru")
        give_role(examinee, Role.PARTICIPANT, w.a)
        attempt, token = exams.start_attempt(exam, examinee)
        w._exam = {"bank": bank, "question": question, "exam": exam, "attempt": attempt, "token": token}
    return w._exam


def job_world(w: Any) -> Any:
    """X-5: an import job the chief expert started into championship A's bank."""
    if not hasattr(w, "_job"):
        from profmaster.jobs.models import Job

        bank = exam_world(w)["bank"]
        w._job = Job.objects.create(kind="exams.import_questions", title="Импорт", runner="profmaster.exams.importing.run_import",
                                    championship=w.a, competency=w.competency, view_permission="exams.manage_bank",
                                    created_by=w.users["chief_expert"], payload={"bank": bank.pk})
    return w._job


# Online exams (RM-1): the competency's panel and the Directorate keep banks and read results; an attempt is
# its examinee's (here a participant outside the role list): the panel reads it, nobody else writes into it.
_EXAM_PANEL = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
               "chief_expert": 200, "expert": 200, "mentor": 404, "no_role": 404}
_NOT_YOURS = {**_EXAM_PANEL, "platform_directorate": 403, "directorate": 403, "chief_expert": 403, "expert": 403}
CASES += [
    ("exam_bank_list", "get", lambda w: f"/championships/{w.a.pk}/question-banks", None, _EXAM_PANEL),
    ("exam_bank_questions", "get", lambda w: f"/question-banks/{exam_world(w)['bank'].pk}/questions", None,
     _EXAM_PANEL),
    ("exam_bank_import", "post", lambda w: f"/question-banks/{exam_world(w)['bank'].pk}/import",
     lambda w: {"file_format": "gift", "content": "Два плюс два? {=4 ~5}"},
     {**_EXAM_PANEL, "platform_directorate": 202, "directorate": 202, "chief_expert": 202, "expert": 202}),
    # a background job — its creator and whoever may keep the bank it imports into
    ("job_detail", "get", lambda w: f"/jobs/{job_world(w).pk}", None, _EXAM_PANEL),
    ("exam_list", "get", lambda w: f"/championships/{w.a.pk}/exams", None, {**_EXAM_PANEL, "mentor": 200}),
    ("exam_detail", "get", lambda w: f"/exams/{exam_world(w)['exam'].pk}", None, _EXAM_PANEL),
    ("exam_results", "get", lambda w: f"/exams/{exam_world(w)['exam'].pk}/results", None, _EXAM_PANEL),
    ("attempt_start", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/attempts", lambda w: {}, _NOT_YOURS),
    ("attempt_detail", "get", lambda w: f"/attempts/{exam_world(w)['attempt'].pk}", None, _EXAM_PANEL),
    # The attempt's token authorises a save (only the examinee's browser ever receives it): with any other
    # token the panel is told the attempt is held elsewhere, everyone else that it does not exist.
    ("attempt_save", "post", lambda w: f"/attempts/{exam_world(w)['attempt'].pk}/answers",
     lambda w: {"question_id": exam_world(w)["question"].pk, "response": None, "seq": 1,
                "token": "не-тот-токен"}, {**_NOT_YOURS, "anonymous": 404}),
    ("attempt_event", "post", lambda w: f"/attempts/{exam_world(w)['attempt'].pk}/events",
     lambda w: {"kind": "focus_lost", "token": exam_world(w)["token"]}, _NOT_YOURS),
    ("attempt_finish", "post", lambda w: f"/attempts/{exam_world(w)['attempt'].pk}/finish",
     lambda w: {"token": exam_world(w)["token"]}, _NOT_YOURS),
]

# --- Marks, panels and lock status (SC-2…SC-9) --------------------------------------------------------
_MARKS_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
               "chief_expert": 200, "expert": 200, "mentor": 403, "no_role": 404}


def _marks_write(ok: int, *, expert: int = 403) -> dict[str, int]:
    return {"anonymous": 401, "platform_directorate": 403, "directorate": 403, "other_directorate": 404,
            "chief_expert": ok, "expert": expert, "mentor": 403, "no_role": 404}


CASES += [
    ("panel_detail", "get", lambda w: f"/competencies/{w.competency.pk}/panel", None, _MARKS_READ),
    ("marks_list", "get", lambda w: f"/schemes/{scheme(w).pk}/marks", None, _MARKS_READ),
    ("marks_status", "get", lambda w: f"/schemes/{scheme(w).pk}/marks/status", None, _MARKS_READ),
    ("marks_results", "get", lambda w: f"/schemes/{scheme(w).pk}/results", None, _MARKS_READ),
    # the draft scheme has no such aspect: the panel gets the domain's 400, others are refused first
    ("mark_save", "put", lambda w: f"/schemes/{scheme(w).pk}/marks",
     lambda w: {"aspect_id": 999999, "team_id": 999999, "value": 1}, _marks_write(400, expert=400)),
    ("marks_lock", "post", lambda w: f"/schemes/{scheme(w).pk}/marks/lock", None, _marks_write(400)),
    # SC-1/SC-5: score sheets as PDF for whoever sees the marks (nothing is locked yet: the filled PDF is a 404)
    ("sheets_blank", "get", lambda w: f"/schemes/{scheme(w).pk}/sheets/blank", None, _MARKS_READ),
    ("sheets_locked", "get", lambda w: f"/schemes/{scheme(w).pk}/sheets/locked", None,
     {**_MARKS_READ, "platform_directorate": 404, "directorate": 404, "chief_expert": 404, "expert": 404}),
    # SC-10: the document package — the Directorate and the competency's chief expert read; only the Directorate
    # records receipts (the world's draft scheme has no teams: the domain's 400)
    ("package_detail", "get", lambda w: f"/competencies/{w.competency.pk}/document-package", None,
     {**_MARKS_READ, "expert": 403}),
    ("package_receive", "post", lambda w: f"/competencies/{w.competency.pk}/document-package/receipts",
     lambda w: {"scheme_id": scheme(w).pk, "team_id": 987654},
     {**_MARKS_READ, "platform_directorate": 400, "directorate": 400, "chief_expert": 403, "expert": 403}),
]

# Results and awards (AW-1…AW-7, SC-9): rankings go through the one visibility rule (everyone signed in gets a
# 200, with the ranking only when allowed); published versions and the medal table are public data; proposals
# and nominations are the panel's and the Directorate's; diploma verification needs no login.
_RESULTS_WORKING = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
                    "chief_expert": 200, "expert": 200, "mentor": 403, "no_role": 404}
CASES += [
    ("competency_results", "get", lambda w: f"/competencies/{w.competency.pk}/results", None, signed_in(200)),
    ("medal_table", "get", lambda w: f"/championships/{w.a.pk}/medal-table", None, signed_in(200)),
    ("results_versions", "get", lambda w: f"/championships/{w.a.pk}/results-versions", None, signed_in(200)),
    ("results_version", "get", lambda w: f"/championships/{w.a.pk}/results-versions/1", None, signed_in(404)),
    ("results_publish", "post", lambda w: f"/championships/{w.a.pk}/publish", lambda w: {},
     {**write_a(400)}),
    ("nomination_list", "get", lambda w: f"/competencies/{w.competency.pk}/nominations", None, _RESULTS_WORKING),
    ("nomination_propose", "post", lambda w: f"/competencies/{w.competency.pk}/nominations",
     lambda w: {"team_id": 987654, "title": "Аккуратность", "reason": "Чисто"},
     {**_RESULTS_WORKING, "platform_directorate": 403, "directorate": 403, "chief_expert": 422, "expert": 422}),
    ("my_diplomas", "get", lambda w: "/me/diplomas", None, signed_in(200)),
    ("diploma_verify", "get", lambda w: "/diplomas/verify/NOSUCHCODE12", None, {r: 404 for r in ROLES}),
]



def exam_answer(w: Any) -> Any:
    """An answer of the world's open attempt (grading it is refused while the attempt is open)."""
    if not hasattr(w, "_exam_answer"):
        from profmaster.exams import domain as exams
        from profmaster.exams.models import Answer

        world = exam_world(w)
        exams.save_answer(world["attempt"].pk, world["attempt"].user, question_id=world["question"].pk,
                          response=None, seq=1, token=world["token"])
        w._exam_answer = Answer.objects.get(attempt=world["attempt"])
    return w._exam_answer


def exam_body(w: Any) -> dict[str, Any]:
    return {"title": "Теория 2", "bank_id": exam_world(w)["bank"].pk, "competency_id": w.competency.pk}


# Panel operations on exams (RM-1): banks — the competency's panel; exams and protocols — its chief expert and
# the Directorate (the world's exam has an open attempt, so changing it is 409 for them); proctoring and
# grading — the panel (grading an open attempt's answer is 409).
_EXAM_CHIEF = {**_EXAM_PANEL, "expert": 403}
_EXAM_CHANGE = {**_EXAM_CHIEF, "platform_directorate": 409, "directorate": 409, "chief_expert": 409}
CASES += [
    ("exam_bank_create", "post", lambda w: f"/championships/{w.a.pk}/question-banks",
     lambda w: {"name": f"Банк {next(_edits)}", "competency_id": w.competency.pk},
     {**_EXAM_PANEL, "platform_directorate": 201, "directorate": 201, "chief_expert": 201, "expert": 201}),
    ("exam_create", "post", lambda w: f"/championships/{w.a.pk}/exams", exam_body,
     {**_EXAM_CHIEF, "platform_directorate": 201, "directorate": 201, "chief_expert": 201}),
    ("exam_update", "put", lambda w: f"/exams/{exam_world(w)['exam'].pk}", exam_body, _EXAM_CHANGE),
    ("exam_status", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/status", lambda w: {"to": "draft"},
     _EXAM_CHANGE),
    ("exam_precreate", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/precreate", lambda w: {},
     {**_EXAM_CHIEF, "platform_directorate": 202, "directorate": 202, "chief_expert": 202}),
    ("exam_section_add", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/sections",
     lambda w: {"category_id": exam_world(w)["question"].category_id}, {**_EXAM_CHANGE, "platform_directorate": 400,
                                                                       "directorate": 400, "chief_expert": 400}),
    ("exam_admit", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/admissions",
     lambda w: {"user_id": exam_world(w)["attempt"].user_id}, _EXAM_PANEL),
    ("attempt_unlock", "post", lambda w: f"/attempts/{exam_world(w)['attempt'].pk}/unlock", lambda w: {},
     _EXAM_PANEL),
    ("exam_grading_queue", "get", lambda w: f"/exams/{exam_world(w)['exam'].pk}/grading", None, _EXAM_PANEL),
    ("exam_answer_grade", "post", lambda w: f"/exam-answers/{exam_answer(w).pk}/grade", lambda w: {"points": "1"},
     {**_EXAM_PANEL, "platform_directorate": 409, "directorate": 409, "chief_expert": 409, "expert": 409}),
    ("exam_regrade", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/regrade", lambda w: {}, _EXAM_CHIEF),
    ("exam_results_protocol", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/results-protocol",
     lambda w: {"signers": [{"user_id": w.users["chief_expert"].pk, "role_label": "Главный эксперт"}]},
     _EXAM_CHANGE),
    ("exam_participant_list", "post", lambda w: f"/exams/{exam_world(w)['exam'].pk}/participant-list",
     lambda w: {"signers": [{"user_id": w.users["chief_expert"].pk, "role_label": "Главный эксперт"}]},
     {**_EXAM_CHIEF, "platform_directorate": 201, "directorate": 201, "chief_expert": 201}),
]

# The venue (OP-4…OP-7): check-in and badges are the chief expert's and the technical administrator's (the latter
# is tested in tests/checkin/test_venue_api.py); the Directorate reads; the competency's panel checks toolboxes
# and reports incidents; nobody else sees the venue (404).
_VENUE = {"anonymous": 401, "platform_directorate": 403, "directorate": 403, "other_directorate": 404,
          "chief_expert": 403, "expert": 403, "mentor": 404, "no_role": 404}
_VENUE_READ = {**_VENUE, "platform_directorate": 200, "directorate": 200, "chief_expert": 200}
CASES += [
    ("venue_check_in", "post", lambda w: f"/competencies/{w.competency.pk}/checkins",
     lambda w: {"code": "NOSUCHCODE234567"}, {**_VENUE, "chief_expert": 409}),
    ("venue_accreditations", "get", lambda w: f"/competencies/{w.competency.pk}/accreditations", None, _VENUE_READ),
    ("venue_toolbox_checks", "get", lambda w: f"/competencies/{w.competency.pk}/toolbox-checks", None,
     {**_VENUE_READ, "expert": 200}),
    ("venue_toolbox_check_create", "post", lambda w: f"/competencies/{w.competency.pk}/toolbox-checks",
     lambda w: {"team_id": 987654, "participant_present": "Орёл Семён"},
     {**_VENUE, "chief_expert": 404, "expert": 404}),
    ("incidents_list", "get", lambda w: f"/competencies/{w.competency.pk}/incidents", None,
     {**_VENUE_READ, "expert": 200}),
    ("incidents_create", "post", lambda w: f"/competencies/{w.competency.pk}/incidents",
     lambda w: {"kind": "fire", "description": "Дым", "occurred_at": "2023-04-01T10:00:00", "person_name": "Гость"},
     {**_VENUE, "chief_expert": 400, "expert": 400}),
    ("incidents_remove", "post", lambda w: "/incidents/987654/removals",
     lambda w: {"kind": "final", "reason": "Нарушение"}, signed_in(404)),
]


def upm_day(w: Any) -> dict[str, Any]:
    """A festival of championship A with a lesson and a delivery to the world's school (UPM-6), written directly."""
    if not hasattr(w, "_upm_day"):
        import datetime as dt

        from django.utils import timezone

        from profmaster.upm.models import EquipmentDelivery, Festival, Lesson

        festival = Festival.objects.create(championship=w.a, name="Фестиваль профессий", region="Москва")
        lesson = Lesson.objects.create(festival=festival, venue=w.venue, competency=w.competency,
                                       starts_at=timezone.now() + dt.timedelta(days=10), capacity=20, format="online",
                                       video_link="https://meet.example.ru/1", created_by=w.users["directorate"])
        delivery = EquipmentDelivery.objects.create(lesson=lesson, school=w.organisation, delivered_at=timezone.now(),
                                                    recorded_by=w.users["directorate"])
        w._upm_day = {"festival": festival, "lesson": lesson, "delivery": delivery}
    return w._upm_day


# The lesson's day (UPM-6, UPM-7): the Directorate follows the festival's lessons and reads its report; nobody of
# these roles is a venue's person or a coordinator, so writes are 403 to the Directorate and 404 to everyone else
# (the lesson is not theirs to know). The УПМ roles are in tests/upm/test_day_permissions.py.
_UPM_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
             "chief_expert": 404, "expert": 404, "mentor": 404, "no_role": 404}
_UPM_WRITE = {**_UPM_READ, "platform_directorate": 403, "directorate": 403}
CASES += [
    ("upm_lesson_day", "get", lambda w: f"/upm/lessons/{upm_day(w)['lesson'].pk}/day", None, _UPM_READ),
    ("upm_delivery_create", "post", lambda w: f"/upm/lessons/{upm_day(w)['lesson'].pk}/deliveries",
     lambda w: {"school_id": w.organisation.pk}, _UPM_WRITE),
    ("upm_delivery_receipt", "post", lambda w: f"/upm/deliveries/{upm_day(w)['delivery'].pk}/receipt", None,
     _UPM_WRITE),
    ("upm_check_create", "post", lambda w: f"/upm/lessons/{upm_day(w)['lesson'].pk}/checks",
     lambda w: {"item": "mentor_present"}, _UPM_WRITE),
    ("upm_attendance", "post", lambda w: f"/upm/lessons/{upm_day(w)['lesson'].pk}/attendance",
     lambda w: {"marks": [{"pupil_id": 987654, "present": True}]}, _UPM_WRITE),
    ("upm_report", "get", lambda w: f"/upm/festivals/{upm_day(w)['festival'].pk}/report", None, _UPM_READ),
]


def draw(w: Any) -> Any:
    """A prepared draw of the competency's flows (OP-1), recorded directly."""
    if not hasattr(w, "_draw"):
        from django.utils import timezone

        from profmaster.competition_day import draw as algorithm
        from profmaster.competition_day.models import Draw

        secret = algorithm.new_secret()
        w._draw = Draw.objects.create(
            championship=w.a, competency=w.competency, kind="flows", inputs_text='{"flows":[],"teams":[]}',
            commitment=algorithm.commitment(secret), secret=secret, algorithm=algorithm.FLOWS_ALGORITHM,
            algorithm_version=1, prepared_by=w.users["chief_expert"], prepared_at=timezone.now())
    return w._draw


# Draws (OP-1): the competency's panel and the Directorate follow them, its chief expert holds them (the world has
# no approved team, so preparing and performing are the domain's 400), verification needs no login.
_DRAW_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
              "chief_expert": 200, "expert": 200, "mentor": 403, "no_role": 404}
_DRAW_HOLD = {**_DRAW_READ, "platform_directorate": 403, "directorate": 403, "expert": 403, "chief_expert": 400}
CASES += [
    ("draws_list", "get", lambda w: f"/competencies/{w.competency.pk}/draws", None, _DRAW_READ),
    ("draws_prepare", "post", lambda w: f"/competencies/{w.competency.pk}/draws", lambda w: {"kind": "flows"},
     _DRAW_HOLD),
    ("draws_detail", "get", lambda w: f"/draws/{draw(w).pk}", None, _DRAW_READ),
    ("draws_contribute", "post", lambda w: f"/draws/{draw(w).pk}/contributions", lambda w: {"text": "берёза"},
     _DRAW_HOLD),
    ("draws_perform", "post", lambda w: f"/draws/{draw(w).pk}/perform", None, _DRAW_HOLD),
    ("draws_redraw", "post", lambda w: f"/draws/{draw(w).pk}/redraw", lambda w: {"reason": " "}, _DRAW_HOLD),
    ("draws_verification", "get", lambda w: f"/draws/{draw(w).pk}/verification", None, {r: 200 for r in ROLES}),
]


def tk_timer(w: Any) -> Any:
    """A task-familiarisation step of the world's flow, not started (OP-2, OP-3)."""
    if not hasattr(w, "_tk_timer"):
        from profmaster.timekeeping.models import Timer

        w._tk_timer = Timer.objects.create(flow=w.slot, competency=w.competency, kind="task", title="Задание",
                                           duration_minutes=15)
    return w._tk_timer


# The competition day's timers (OP-3): the panel, the Directorate and quality control read a flow's timers; the
# competency's chief expert and the Directorate add steps; only the chief expert (or the expert keeping time)
# gives commands — a command out of order is a 409 — and records extra time by the panel's decision.
_TK_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
            "chief_expert": 200, "expert": 200, "mentor": 404, "no_role": 404}
CASES += [
    ("timekeeping_flow_state", "get", lambda w: f"/timekeeping/flows/{w.slot.pk}/state", None, _TK_READ),
    ("timekeeping_timer_create", "post", lambda w: f"/timekeeping/flows/{w.slot.pk}/timers",
     lambda w: {"kind": "task", "duration_minutes": 10},
     {**_TK_READ, "platform_directorate": 400, "directorate": 400, "chief_expert": 400, "expert": 403}),
    ("timekeeping_timer_command", "post", lambda w: f"/timekeeping/timers/{tk_timer(w).pk}/commands",
     lambda w: {"command": "pause"},
     {**_TK_READ, "platform_directorate": 403, "directorate": 403, "chief_expert": 409, "expert": 403}),
    ("timekeeping_extra_time", "post", lambda w: f"/timekeeping/timers/{tk_timer(w).pk}/extra-time",
     lambda w: {"team_id": 987654, "minutes": 5, "reason": "Решение жюри"},
     {**_TK_READ, "platform_directorate": 403, "directorate": 403, "chief_expert": 422, "expert": 403}),
]


# УПМ (UPM-1…UPM-5): none of these roles holds an УПМ role; championship A's Directorate sees its festival, its
# venues and pupils; unknown venues are 404; a forged confirmation link is a 400 for anyone signed in. The УПМ
# roles' own matrix (coordinator: own school's pupils; parent: own children) is tests/upm/test_upm_api.py.


def upm_festival(w: Any) -> Any:
    if not hasattr(w, "_festival"):
        from profmaster.upm.models import Festival

        w._festival = Festival.objects.create(championship=w.a, name="Фестиваль профессий", region="Москва")
    return w._festival


_UPM_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
             "chief_expert": 404, "expert": 404, "mentor": 404, "no_role": 404}
_UPM_NONE = {**{r: 404 for r in ROLES}, "anonymous": 401}
CASES += [
    ("upm_festivals", "get", lambda w: "/upm/festivals", None, signed_in(200)),
    ("upm_festival", "get", lambda w: f"/upm/festivals/{upm_festival(w).pk}", None, _UPM_READ),
    ("upm_venues", "get", lambda w: f"/upm/festivals/{upm_festival(w).pk}/venues", None, _UPM_READ),
    ("upm_pupils", "get", lambda w: f"/upm/festivals/{upm_festival(w).pk}/pupils", None, _UPM_READ),
    ("upm_venue_schools", "get", lambda w: "/upm/venues/987654/schools", None, _UPM_NONE),
    ("upm_lessons", "get", lambda w: "/upm/venues/987654/lessons", None, _UPM_NONE),
    ("upm_lesson_create", "post", lambda w: "/upm/venues/987654/lessons",
     lambda w: {"competency_id": 1, "starts_at": "2030-11-20T10:00:00", "capacity": 10, "format": "in_person"},
     _UPM_NONE),
    ("upm_confirm", "post", lambda w: "/upm/confirmations", lambda w: {"token": "подделка", "pupil_id": 1},
     {**{r: 400 for r in ROLES}, "anonymous": 401}),
]

def appeal_world(w: Any) -> dict[str, Any]:
    """AP-2, AP-3: an approved commission of five of the Directorate's people (none of the matrix's roles; its
    members are tested in tests/appeals/test_appeals_api.py), the mentor's approved team, a decided dispute with its
    appeal under hearing and a second decided dispute not yet appealed."""
    if not hasattr(w, "_appeals"):
        import datetime as dt

        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.utils import timezone

        from profmaster.accounts.models import Role
        from profmaster.appeals import domain as appeals
        from profmaster.disputes.models import Dispute
        from profmaster.registration.models import Application, TeamMember

        from ..factories import OrganisationFactory, UserFactory, give_role

        staff = []
        for index in range(5):
            person = UserFactory(email=f"appeal-member{index}@example.ru")
            give_role(person, Role.APPEAL_MEMBER, w.a)
            appeals.add_member(w.a, user=person, by=w.users["directorate"])
            staff.append(person)
        appeals.approve_commission(w.a, by=w.users["directorate"],
                                   now=appeals.approval_deadline(w.a) - dt.timedelta(hours=1))
        appeals.open_election(w.a, by=staff[0])
        for voter in staff[:3]:
            appeals.cast_ballot(w.a, candidate=staff[0], by=voter)
        team = Application.objects.create(championship=w.a, competency=w.competency, age_category=w.category,
                                          organisation=OrganisationFactory(), created_by=w.users["mentor"],
                                          status="approved")
        TeamMember.objects.create(application=team, kind="mentor", last_name="Наставникова", first_name="Нина",
                                  email=w.users["mentor"].email, user=w.users["mentor"])
        disputes = [Dispute.objects.create(
            championship=w.a, competency=w.competency, number=n, raised_by=w.users["mentor"], team=team,
            concerns="Команда", question="Оценка занижена", arose_on=timezone.localdate(), state="decided",
            outcome="rejected", decision="Оставить", decided_at=timezone.now()) for n in (1, 2)]
        appeal = appeals.file_appeal(disputes[0], persons="Наставникова Н.", claim="Оценка занижена",
                                     scan=SimpleUploadedFile("a.pdf", b"%PDF-1.4 form"), by=w.users["mentor"])
        appeals.open_hearing(appeal, by=staff[0])
        w._appeals = {"appeal": appeal, "dispute": disputes[1], "staff": staff}
    return w._appeals


# AP-2, AP-3: the appellant's mentor reads their appeal (not the deliberation) and files the next one; the
# Directorate reads everything, composes the commission, but neither votes nor conducts the hearing (403); the panel
# does not see appeals at all (404); outside the championship everything is 404.
_APPEAL_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
                "chief_expert": 404, "expert": 404, "mentor": 200, "no_role": 404}
_HEARING = {**_APPEAL_READ, "platform_directorate": 403, "directorate": 403, "mentor": 404}
_COMMISSION = {**write_a(400)}
CASES += [
    ("appeals_list", "get", lambda w: (appeal_world(w), f"/championships/{w.a.pk}/appeals")[1], None, READ_A),
    ("appeals_create", "post", lambda w: f"/disputes/{appeal_world(w)['dispute'].pk}/appeals",
     lambda w: {"persons": "Наставникова Н.", "claim": "Оценка", "scan_name": "a.pdf", "scan_base64": "!!!"},
     {**write_a(403), "mentor": 400}),
    ("appeals_detail", "get", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}", None, _APPEAL_READ),
    ("appeals_commission", "get", lambda w: (appeal_world(w), f"/championships/{w.a.pk}/appeal-commission")[1],
     None, READ_A),
    ("appeals_commission_add", "post", lambda w: (appeal_world(w), f"/championships/{w.a.pk}/appeal-commission/"
                                                                    "members")[1],
     lambda w: {"user_id": 987654}, _COMMISSION),
    ("appeals_commission_approve", "post",
     lambda w: (appeal_world(w), f"/championships/{w.a.pk}/appeal-commission/approval")[1], lambda w: {},
     _COMMISSION),
    ("appeals_election_open", "post",
     lambda w: (appeal_world(w), f"/championships/{w.a.pk}/appeal-commission/elections")[1], None, write_a(409)),
    ("appeals_ballot", "post", lambda w: (appeal_world(w), f"/championships/{w.a.pk}/appeal-commission/ballots")[1],
     lambda w: {"candidate_id": 987654}, write_a(403)),
    ("appeals_hearing_open", "post", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}/hearing", None, _HEARING),
    ("appeals_hearing_note", "post", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}/hearing/notes",
     lambda w: {"kind": "witness", "person": "Орлов С.", "text": "Видел"}, _HEARING),
    ("appeals_vote", "post", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}/hearing/votes",
     lambda w: {"choice": "for"}, _HEARING),
    ("appeals_chair_vote", "post", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}/hearing/chair-vote",
     lambda w: {"choice": "for"}, _HEARING),
    ("appeals_decide", "post", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}/decision",
     lambda w: {"decision": "Отказать", "reasons": "Верно"}, _HEARING),
    ("appeals_suspend", "post", lambda w: f"/appeals/{appeal_world(w)['appeal'].pk}/suspension",
     lambda w: {"member_id": 987654, "reason": "До решения"}, _HEARING),
]


def video(w: Any) -> Any:
    """A contestant–expert session of the competency by plain link, opening now: the chief expert hosts, the
    expert and the mentor are invited (RM-3)."""
    if not hasattr(w, "_video"):
        import datetime as dt

        from django.utils import timezone

        from profmaster.video import domain as video_domain

        now = timezone.now()
        w._video = video_domain.schedule_session(
            w.a, kind="contestant_expert", competency=w.competency, title="Видеосвязь с экспертами",
            starts_at=now + dt.timedelta(minutes=5), ends_at=now + dt.timedelta(minutes=35), provider_kind="link",
            link_url="https://meet.example.ru/room", hosts=[w.users["chief_expert"]], by=w.users["directorate"])
        video_domain.invite(w._video, [w.users["expert"], w.users["mentor"]], by=w.users["chief_expert"])
    return w._video


def video_body(w: Any) -> dict[str, Any]:
    return {"kind": "instruction", "competency_id": w.competency.pk, "title": "Инструктаж",
            "starts_at": "2023-04-03T10:00", "ends_at": "2023-04-03T10:45", "provider_kind": "link",
            "link_url": "https://meet.example.ru/instr"}


# Video sessions (RM-3): the schedule is the Directorate's and the chief expert's; a session is seen by its planners,
# its invited and the competency's panel; only the invited get a join link (the Directorate too is refused unless
# invited); the host runs attendance; recordings are the panel's and the Directorate's only.
_VIDEO_SEE = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
              "chief_expert": 200, "expert": 200, "mentor": 200, "no_role": 404}
_VIDEO_MANAGE = {**_VIDEO_SEE, "expert": 403, "mentor": 403}
_VIDEO_PANEL = {**_VIDEO_SEE, "mentor": 403}
CASES += [
    ("video_sessions_list", "get", lambda w: f"/championships/{w.a.pk}/video-sessions", None, _VIDEO_MANAGE),
    ("video_sessions_create", "post", lambda w: f"/championships/{w.a.pk}/video-sessions", video_body,
     {**_VIDEO_MANAGE, "platform_directorate": 201, "directorate": 201, "chief_expert": 201}),
    ("video_sessions_mine", "get", lambda w: "/my/video-sessions", None, signed_in(200)),
    ("video_session_detail", "get", lambda w: f"/video-sessions/{video(w).pk}", None, _VIDEO_SEE),
    ("video_session_update", "put", lambda w: f"/video-sessions/{video(w).pk}", video_body, _VIDEO_MANAGE),
    ("video_session_cancel", "post", lambda w: f"/video-sessions/{video(w).pk}/cancel",
     lambda w: {"reason": "Перенос"}, _VIDEO_MANAGE),
    ("video_invitations_list", "get", lambda w: f"/video-sessions/{video(w).pk}/invitations", None, _VIDEO_PANEL),
    ("video_invitations_create", "post", lambda w: f"/video-sessions/{video(w).pk}/invitations",
     lambda w: {"group": "panel"}, {**_VIDEO_MANAGE, "platform_directorate": 201, "directorate": 201,
                                    "chief_expert": 201}),
    ("video_invitations_delete", "delete", lambda w: f"/video-sessions/{video(w).pk}/invitations/{w.users['mentor'].pk}",
     None, {**_VIDEO_MANAGE, "platform_directorate": 204, "directorate": 204, "chief_expert": 204}),
    ("video_attendance_list", "get", lambda w: f"/video-sessions/{video(w).pk}/attendance", None, _VIDEO_PANEL),
    ("video_attendance_mark", "post", lambda w: f"/video-sessions/{video(w).pk}/attendance",
     lambda w: {"user_id": w.users["mentor"].pk, "present": True}, _VIDEO_MANAGE),
    ("video_recordings_list", "get", lambda w: f"/video-sessions/{video(w).pk}/recordings", None, _VIDEO_PANEL),
    ("video_recordings_create", "post", lambda w: f"/video-sessions/{video(w).pk}/recordings",
     lambda w: {"url": "https://files.example.ru/rec.mp4"},
     {**_VIDEO_MANAGE, "platform_directorate": 201, "directorate": 201, "chief_expert": 201}),
    ("video_join", "get", lambda w: f"/video-sessions/{video(w).pk}/join", None,
     {**_VIDEO_SEE, "platform_directorate": 403, "directorate": 403}),
]


# «Лучший по профессии» (REG-1, RM-4, RM-7): nominations are read by anyone of the championship and kept by its
# Directorate; contestants' personal data reach the Directorate, the employer's side and the nomination's chief
# expert (the mentor filed the world's application: the applicant side); a venue's equipment checklist is read by
# the Directorate, quality control and the competency's panel and filled only by the venue's own administrator.
def lpp(w: Any) -> Any:
    """Championship A run by the contest's rules (set directly: the world's application already exists)."""
    from profmaster.championships.models import Championship

    if w.a.rules_profile != "best_in_profession":
        Championship.objects.filter(pk=w.a.pk).update(rules_profile="best_in_profession")
        w.a.refresh_from_db()
    return w.a


def lpp_nomination(w: Any) -> Any:
    if not hasattr(w, "_lpp_nomination"):
        from profmaster.best_in_profession import domain as contest
        from profmaster.best_in_profession.models import ProfessionNomination

        w._lpp_nomination = contest.save_nomination(ProfessionNomination(
            championship=lpp(w), competency=w.competency, name="Лучший кондитер"), by=w.users["directorate"])
    return w._lpp_nomination


def lpp_checklist(w: Any) -> Any:
    if not hasattr(w, "_lpp_checklist"):
        from profmaster.best_in_profession import domain as contest

        w._lpp_checklist = contest.open_checklists(w.stage, by=w.users["directorate"])[0]
    return w._lpp_checklist


def lpp_contestant(w: Any) -> dict[str, Any]:
    return {"nomination_id": lpp_nomination(w).pk, "organisation_id": w.organisation.pk, "last_name": "Орёл",
            "first_name": "Семён", "birth_date": "1990-01-01", "position": "Кондитер", "years_of_service": "5",
            "education": "higher", "email": "orel@example.ru"}


_CONTESTANTS = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
                "chief_expert": 200, "expert": 403, "mentor": 403, "no_role": 404}
_CHECKLIST_FILL = {**write_a(403), "platform_directorate": 403, "directorate": 403}
CASES += [
    ("contest_nominations", "get", lambda w: f"/championships/{lpp(w).pk}/nominations", None, READ_A),
    ("contest_nomination_create", "post", lambda w: f"/championships/{lpp(w).pk}/nominations",
     lambda w: {"name": "Лучший повар", "competency_id": w.competency.pk}, write_a(201)),
    ("contest_contestants", "get", lambda w: f"/championships/{lpp(w).pk}/contestants", None, _CONTESTANTS),
    # the Directorate may enter, but the world's organisation is a school, not an employer: a clear 400
    ("contest_contestant_create", "post", lambda w: f"/championships/{lpp(w).pk}/contestants", lpp_contestant,
     write_a(400)),
    ("contest_contestant", "get", lambda w: f"/contestants/{lpp(w) and w.application.pk}", None,
     {**_CONTESTANTS, "chief_expert": 403, "mentor": 200}),
    ("contest_checklists", "get", lambda w: f"/stages/{w.stage.pk}/checklists", None, _CONTESTANTS),
    ("contest_checklists_open", "post", lambda w: f"/stages/{w.stage.pk}/checklists", None, write_a(201)),
    ("contest_checklist", "get", lambda w: f"/checklists/{lpp_checklist(w).pk}", None,
     {**READ_A, "mentor": 403}),
    ("contest_checklist_item", "put", lambda w: f"/checklist-items/{lpp_checklist(w).items.get().pk}",
     lambda w: {"available_quantity": "1"}, _CHECKLIST_FILL),
    ("contest_checklist_confirm", "post", lambda w: f"/checklists/{lpp_checklist(w).pk}/confirm", None,
     _CHECKLIST_FILL),
]

def support(w: Any) -> Any:
    """RM-6: the expert is on championship A's support duty; the mentor opened a request."""
    if not hasattr(w, "_support"):
        from profmaster.support import domain as support_domain

        support_domain.set_duty(w.a, w.users["expert"], by=w.users["directorate"])
        w._support = support_domain.open_request(w.a, text="Не открывается экзамен", by=w.users["mentor"])
    return w._support


# Technical support (RM-6): anyone signed in opens a request of a running event; its author (the mentor) and the
# on-duty staff (the expert) and the Directorate read it; only the on-duty staff answer — the Directorate, not on
# duty, is refused 403 —, the author follows up; the Directorate or the on-duty staff assign; the FAQ is read by
# anyone signed in and written by the Directorate.
_SUPPORT_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
                 "chief_expert": 404, "expert": 200, "mentor": 200, "no_role": 404}
CASES += [
    ("support_requests_list", "get", lambda w: f"/championships/{support(w).championship_id}/support/requests", None,
     {**_SUPPORT_READ, "chief_expert": 403, "mentor": 403}),
    ("support_requests_open", "post", lambda w: f"/championships/{w.a.pk}/support/requests",
     lambda w: {"text": "Не приходит письмо", "page_url": "/cabinet/"}, signed_in(201)),
    ("support_my_requests", "get", lambda w: "/me/support/requests", None, signed_in(200)),
    ("support_request_detail", "get", lambda w: f"/support/requests/{support(w).pk}", None, _SUPPORT_READ),
    ("support_request_reply", "post", lambda w: f"/support/requests/{support(w).pk}/replies",
     lambda w: {"text": "Обновите страницу"},
     {**_SUPPORT_READ, "platform_directorate": 403, "directorate": 403, "expert": 201, "mentor": 201}),
    ("support_request_assign", "post", lambda w: f"/support/requests/{support(w).pk}/assign",
     lambda w: {"assignee_id": w.users["expert"].pk}, {**_SUPPORT_READ, "mentor": 403}),
    ("support_request_close", "post", lambda w: f"/support/requests/{support(w).pk}/close", None, _SUPPORT_READ),
    ("support_faq_list", "get", lambda w: f"/championships/{w.a.pk}/support/faq", None, signed_in(200)),
    ("support_faq_create", "post", lambda w: f"/championships/{w.a.pk}/support/faq",
     lambda w: {"question": "Как войти?", "answer": "Через личный кабинет."}, write_a(201)),
]

# The expert group's protocol and the regional commission (RM-5): the panel, the Directorate (and quality control)
# read the summary sheet — 400 here: the marks are not locked; the chief expert and the Directorate form and pass the
# protocol (400: not locked; 404: no protocol to pass yet); the commission's workspace (what it received) is the
# Directorate's here (the commission's own rows are in tests/regional_commission); forming its protocol without
# commission members is a 400.
_SUMMARY = {"anonymous": 401, "platform_directorate": 400, "directorate": 400, "other_directorate": 404,
            "chief_expert": 400, "expert": 400, "mentor": 404, "no_role": 404}
CASES += [
    ("commission_summary_sheet", "get", lambda w: f"/schemes/{scheme(w).pk}/summary-sheet", None, _SUMMARY),
    ("commission_group_protocol_create", "post", lambda w: f"/schemes/{scheme(w).pk}/expert-group-protocol", None,
     {**_SUMMARY, "expert": 403}),
    ("commission_group_protocol_transfer", "post",
     lambda w: f"/schemes/{scheme(w).pk}/expert-group-protocol/transfer", lambda w: {"note": ""},
     {**_SUMMARY, "platform_directorate": 404, "directorate": 404, "chief_expert": 404, "expert": 403}),
    ("commission_received", "get", lambda w: f"/championships/{w.a.pk}/commission/received", None,
     {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
      "chief_expert": 403, "expert": 403, "mentor": 403, "no_role": 404}),
    ("commission_protocol_create", "post", lambda w: f"/championships/{w.a.pk}/commission/protocol", None,
     {"anonymous": 401, "platform_directorate": 400, "directorate": 400, "other_directorate": 404,
      "chief_expert": 403, "expert": 403, "mentor": 403, "no_role": 404}),
]


def dispute(w: Any, *, voting: bool = False) -> Any:
    """A question about the world's competency (AP-1); with ``voting``, another one put to its expert's vote."""
    key = "_voting" if voting else "_dispute"
    if not hasattr(w, key):
        from django.utils import timezone

        from profmaster.disputes import domain as disputes
        from profmaster.disputes.models import Dispute

        found = Dispute.objects.create(championship=w.a, competency=w.competency, number=2 if voting else 1,
                                       raised_by=w.users["directorate"], raised_as="venue_admin",
                                       concerns="Команды потока 1", question="Погасло освещение",
                                       arose_on=timezone.localdate())
        if voting:
            disputes.put_to_vote(found, proposal="Добавить 15 минут", by=w.users["chief_expert"])
        setattr(w, key, found)
    return getattr(w, key)


# Disputes (AP-1, AP-4): the competency's panel and the Directorate read them (a mentor without a team there does
# not see the competency's questions: 404); the chief expert puts to the vote and takes sanctions; the experts
# vote; the Directorate investigates. Refusals of the rules are 400/409.
_DISPUTE_READ = {"anonymous": 401, "platform_directorate": 200, "directorate": 200, "other_directorate": 404,
                 "chief_expert": 200, "expert": 200, "mentor": 404, "no_role": 404}
_DISPUTE_CHIEF = {**_DISPUTE_READ, "platform_directorate": 403, "directorate": 403, "expert": 403}
_DISPUTE_DIRECTORATE = {**_DISPUTE_READ, "chief_expert": 403, "expert": 403}
CASES += [
    ("disputes_list", "get", lambda w: f"/competencies/{w.competency.pk}/disputes", None, _DISPUTE_READ),
    ("disputes_create", "post", lambda w: f"/competencies/{w.competency.pk}/disputes",
     lambda w: {"question": "Вопрос", "concerns": "Все"}, {**_DISPUTE_CHIEF, "chief_expert": 403}),
    ("disputes_detail", "get", lambda w: f"/disputes/{dispute(w).pk}", None, _DISPUTE_READ),
    ("disputes_put_to_vote", "post", lambda w: f"/disputes/{dispute(w).pk}/rounds",
     lambda w: {"proposal": "Добавить 15 минут"}, {**_DISPUTE_CHIEF, "chief_expert": 201}),
    ("disputes_close_round", "post", lambda w: f"/disputes/{dispute(w).pk}/rounds/close", None,
     {**_DISPUTE_CHIEF, "chief_expert": 409}),
    ("disputes_vote", "post", lambda w: f"/disputes/{dispute(w, voting=True).pk}/votes", lambda w: {"choice": "for"},
     {**_DISPUTE_CHIEF, "expert": 201, "chief_expert": 403}),
    ("disputes_sanction", "post", lambda w: f"/disputes/{dispute(w).pk}/sanctions",
     lambda w: {"kind": "bogus", "reason": "Нарушение"}, {**_DISPUTE_CHIEF, "chief_expert": 400}),
    ("disputes_investigation", "post", lambda w: f"/disputes/{dispute(w).pk}/investigation",
     lambda w: {"reason": "Причина"}, {**_DISPUTE_DIRECTORATE, "platform_directorate": 409, "directorate": 409}),
    ("disputes_explanations", "get", lambda w: f"/disputes/{dispute(w).pk}/explanations", None, _DISPUTE_READ),
    ("disputes_request_explanation", "post", lambda w: f"/disputes/{dispute(w).pk}/explanations",
     lambda w: {"person_id": w.users["expert"].pk, "question": "Когда погасло?"},
     {**_DISPUTE_DIRECTORATE, "platform_directorate": 409, "directorate": 409}),
    ("disputes_answer", "post", lambda w: "/disputes/explanations/987654/answer", lambda w: {"answer": "Ответ"},
     signed_in(404)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), CASES, ids=[c[0] for c in CASES])
def test_sc9_route_role_matrix(world, api_as, anonymous, role, name, method, path, body, expected):
    """§0, SC-9: who may read and change what, on the API channel."""
    api = anonymous if role == "anonymous" else api_as(world.users[role])
    if method == "get":
        response = api.get(path(world))
    elif method == "delete":
        response = api.delete(path(world))
    else:
        response = getattr(api, method)(path(world), body(world) if body else None)
    assert response.status_code == expected[role], response.content.decode()
    if response.status_code >= 400:
        assert isinstance(response.json()["detail"], str)


def test_every_api_route_has_an_entry():
    """A new API operation without a line in CASES fails here: every route decides who may call it."""
    schema = ninja_api.get_openapi_schema()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    covered = {case[0] for case in CASES}
    assert operations - covered == set(), "API routes without an entry in the permission table"
    assert covered - operations == set(), "entries for API routes that no longer exist"


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
def test_api_description_is_public(client, path):
    assert client.get(path).status_code == 200


def test_sc9_other_championship_object_answers_like_a_missing_one(world, api_as):
    """The 404 for a foreign championship's object is indistinguishable from an unknown id."""
    api = api_as(world.users["other_directorate"])
    foreign = api.get(f"/competencies/{world.competency.pk}")
    unknown = api.get("/competencies/987654321")
    assert (foreign.status_code, foreign.json()) == (unknown.status_code, unknown.json()) == (
        404, {"detail": "Компетенция не найдена."})


def test_sc9_expert_cannot_write_and_nothing_changes(world, api_as):
    api = api_as(world.users["expert"])
    response = api.put(f"/competencies/{world.competency.pk}", {"name": "Переименовано", "expert_count": 1})
    assert response.status_code == 403
    world.competency.refresh_from_db()
    assert (world.competency.name, world.competency.expert_count) == ("Кондитерское дело", 4)
