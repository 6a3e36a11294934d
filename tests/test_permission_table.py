"""Every page and API route × every role: allowed, denied, or anonymous redirected (SPEC §0, X-1).

The table must name every route the project serves: a new route without an entry fails
``test_every_route_has_an_entry``. Each role below holds its assignment in championship A only;
"outsider" is the Directorate of another championship, "nobody" has an account and no role.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from profmaster.accounts.domain import create_api_token
from profmaster.accounts.models import Role
from profmaster.championships.models import (
    CompetencyDocument,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
)
from profmaster.organisations.models import ContactPerson

from .factories import (
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

ROLES = ("platform", "directorate", "chief", "expert", "expert_other", "mentor", "participant", "quality",
         "venue_admin", "appeal", "commission", "outsider", "nobody")
EVERYONE = frozenset(ROLES)
IN_CHAMPIONSHIP = EVERYONE - {"outsider", "nobody"}
MANAGERS = frozenset({"platform", "directorate"})
ANY_DIRECTORATE = frozenset({"platform", "directorate", "outsider"})
AUDITORS = MANAGERS | {"quality"}
REGISTER = AUDITORS | {"chief"}
DOC_READERS = REGISTER | {"expert"}  # the expert is a required signer of the document
DOC_SIGNERS = frozenset({"chief", "expert"})
DOC_EDITORS = MANAGERS | {"chief"}
APPLICANTS = MANAGERS | {"mentor"}
APPLICATION_READERS = APPLICANTS | {"chief", "quality"}  # quality control reads every record (DOC-4)
APPLICATION_LISTERS = APPLICATION_READERS


@dataclass
class World:
    users: dict[str, Any] = field(default_factory=dict)
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.objects[name]
        except KeyError as exc:
            raise AttributeError(name) from exc


@pytest.fixture
def world(db) -> World:
    w = World()
    champ = ChampionshipFactory()
    other = ChampionshipFactory(name="Другой чемпионат")
    c1 = CompetencyFactory(championship=champ, name="Кондитерское дело")
    c2 = CompetencyFactory(championship=champ, name="Электроника")
    w.users = {role: UserFactory(email=f"{role}@example.ru") for role in ROLES}
    give_role(w.users["platform"], Role.DIRECTORATE, None)
    give_role(w.users["directorate"], Role.DIRECTORATE, champ)
    give_role(w.users["chief"], Role.CHIEF_EXPERT, champ, c1)
    give_role(w.users["expert"], Role.EXPERT, champ, c1)
    give_role(w.users["expert_other"], Role.EXPERT, champ, c2)
    give_role(w.users["mentor"], Role.MENTOR, champ)
    give_role(w.users["participant"], Role.PARTICIPANT, champ)
    give_role(w.users["quality"], Role.QUALITY_CONTROL, champ)
    give_role(w.users["venue_admin"], Role.VENUE_ADMIN, champ)
    give_role(w.users["appeal"], Role.APPEAL_MEMBER, champ)  # on the approved commission once _appeals(w) runs
    give_role(w.users["commission"], Role.REGIONAL_COMMISSION, champ)
    give_role(w.users["outsider"], Role.DIRECTORATE, other)
    stage = StageFactory(championship=champ)
    base_venue = BaseVenueFactory(championship=champ, venue=VenueFactory())
    organisation = OrganisationFactory()
    w.objects = {
        "championship": champ, "competency": c1, "stage": stage, "base_venue": base_venue,
        "age_category": AgeCategoryFactory(championship=champ),
        "workplace": WorkplaceFactory(base_venue=base_venue, competency=c1),
        "skill_section": SkillSection.objects.create(competency=c1, number=1, title="Раздел"),
        "infrastructure": InfrastructureItem.objects.create(competency=c1, name="Миксер", quantity=Decimal(1)),
        "competency_document": _competency_document(c1, w.users["directorate"]),
        "programme_slot": ProgrammeSlot.objects.create(
            championship=champ, stage=stage, title="Поток 1", starts_at=timezone.now(),
            ends_at=timezone.now() + dt.timedelta(hours=2)),
        "organisation": organisation,
        "contact": ContactPerson.objects.create(organisation=organisation, full_name="Контактов К. К."),
        "venue": VenueFactory(),
        "document": _document(champ, c1, w.users),
        **_exams(champ, c1, w.users),
        "application": _application(champ, c1, w.users),
        **_scheme(stage, c1),
    }
    for role, user in w.users.items():
        w.objects[f"token_{role}"] = create_api_token(user, name="таблица прав")[0]
    return w


def _competency_document(competency: Any, user: Any) -> CompetencyDocument:
    from django.core.files.base import ContentFile

    doc = CompetencyDocument(competency=competency, kind=CompetencyDocument.Kind.TASK, title="Задание",
                             uploaded_by=user)
    doc.file.save("task.pdf", ContentFile(b"%PDF-1.4 demo"), save=True)
    return doc


def _scheme(stage: Any, competency: Any) -> dict[str, Any]:
    from profmaster.marking.models import Aspect, Criterion, MarkingScheme, SubCriterion

    scheme = MarkingScheme.objects.create(competency=competency, stage=stage, title="Схема оценки")
    criterion = Criterion.objects.create(scheme=scheme, code="A", title="Критерий")
    sub = SubCriterion.objects.create(criterion=criterion, code="A1", title="Субкритерий")
    aspect = Aspect.objects.create(sub_criterion=sub, code="A1.1", kind="binary", description="Есть",
                                   max_points=Decimal(1))
    return {"scheme": scheme, "criterion": criterion, "sub_criterion": sub, "aspect": aspect}


def _application(championship: Any, competency: Any, users: dict[str, Any]) -> Any:
    """A draft application of the mentor with one participant (registration, X-1)."""
    from profmaster.registration.models import Application, TeamMember

    organisation = OrganisationFactory()
    category = AgeCategoryFactory(championship=championship, code="reg-1-2")
    application = Application.objects.create(championship=championship, competency=competency, age_category=category,
                                             organisation=organisation, created_by=users["mentor"])
    TeamMember.objects.create(application=application, kind="participant", last_name="Алексеев", first_name="Алёша",
                              grade=1, birth_date=dt.date(2015, 5, 1), organisation=organisation)
    return application


def _member(w: World) -> Any:
    from profmaster.registration.models import TeamMember

    return TeamMember.objects.create(application=w.application, kind="relative", last_name="Родная", first_name="Мария",
                                     relation="mother")


def _exams(championship: Any, competency: Any, users: dict[str, Any]) -> dict[str, Any]:
    """A published exam of competency 1 with an open and a finished attempt of the participant, and a
    published task hand-out to the participant (RM-1, RM-2)."""
    from django.core.files.base import ContentFile

    from profmaster.exams import domain as exams
    from profmaster.exams.models import Attempt, Exam, ExamSection, Question, QuestionBank, QuestionCategory, TaskHandout

    bank = QuestionBank.objects.create(championship=championship, competency=competency, name="Банк")
    category = QuestionCategory.objects.create(bank=bank, name="Основы")
    question = Question(bank=bank, category=category, kind="single", name="Вопрос", text="?")
    question.image.save("q.png", ContentFile(b"\x89PNG\r\n"), save=False)
    exams.save_question(question, options=[exams.OptionData("Да", Decimal(1)), exams.OptionData("Нет")],
                        by=users["chief"])
    essay = Question(bank=bank, category=category, kind="essay", name="Эссе", text="Опишите")
    exams.save_question(essay, options=[], by=users["chief"])
    exam = Exam.objects.create(championship=championship, competency=competency, bank=bank, title="Теория",
                               status=Exam.Status.PUBLISHED, max_attempts=2, time_limit_minutes=600)
    ExamSection.objects.create(exam=exam, category=category)
    done, token = exams.start_attempt(exam, users["participant"])
    exams.save_answer(done.pk, users["participant"], question_id=essay.pk, response="Ответ", seq=1, token=token)
    exams.finish_attempt(done, by=users["participant"])
    attempt, _ = exams.start_attempt(exam, users["participant"])
    Attempt.objects.filter(pk=attempt.pk).update(lock_token="")  # free, so the page opens in the test client
    handout = TaskHandout(championship=championship, competency=competency, title="Задание", text="Текст",
                          publish_at=timezone.now() - dt.timedelta(hours=1), created_by=users["chief"])
    handout.file.save("task.pdf", ContentFile(b"%PDF-1.4"), save=True)
    handout.recipients.add(users["participant"])
    from profmaster.exams.models import QuestionImage
    from profmaster.jobs.models import Job

    embedded = QuestionImage(question=question, name="image.png")
    embedded.file.save("image.png", ContentFile(b"\x89PNG\r\n"), save=True)
    # an import job the expert started into the bank, failed (so its creator may retry it)
    job = Job(kind="exams.import_questions", title="Импорт", runner="profmaster.exams.importing.run_import",
              championship=championship, competency=competency, view_permission="exams.manage_bank",
              created_by=users["expert"], status=Job.Status.FAILED, started_at=timezone.now(),
              finished_at=timezone.now(), message="Файл не прочитан", payload={"bank": bank.pk, "file_format": "gift"})
    job.upload.save("bank.txt", ContentFile(b"nonsense"), save=True)
    return {"bank": bank, "question": question, "exam": exam, "attempt": attempt, "done": done,
            "essay_answer": done.answers.get(question=essay), "handout": handout, "embedded_image": embedded,
            "job": job}


def _document(championship: Any, competency: Any, users: dict[str, Any]) -> Any:
    from profmaster.documents.domain import create_generated_document
    from profmaster.documents.models import DocumentType

    return create_generated_document(generator="marking.judging_roles", source={"competency": competency.pk},
                           championship=championship, competency=competency, doc_type=DocumentType.JUDGING_ROLES,
                           title="Протокол распределения судейских ролей", data={"text": "Роли распределены."},
                           signers=[(users["chief"], "Главный эксперт"), (users["expert"], "Эксперт")],
                           by=users["chief"])


def _failed_email(w: World) -> Any:
    """An e-mail of the championship that failed (X-6): its resend is the Directorate's."""
    from profmaster.notifications.models import OutboundEmail

    if "failed_email" not in w.objects:
        w.objects["failed_email"] = OutboundEmail.objects.create(
            championship=w.championship, to="mentor@example.ru", template="application_submitted",
            subject="Заявка подана", body_text="Заявка подана.", status="failed", attempts=5,
            last_error="SMTPRecipientsRefused")
    return w.objects["failed_email"]


@dataclass(frozen=True)
class Page:
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    public: bool = False  # anonymous may open it too
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    query: Callable[[World], str] = lambda w: ""


def ch(w: World) -> dict[str, Any]:
    return {"pk": w.championship.pk}


def kind(name: str, obj: str | None = None) -> Callable[[World], dict[str, Any]]:
    def kwargs(w: World) -> dict[str, Any]:
        result = {"pk": w.championship.pk, "kind": name}
        if obj:
            result["object_pk"] = w.objects[obj].pk
        return result
    return kwargs


PAGES: dict[str, Page] = {
    "home": Page(EVERYONE, public=True),
    "cabinet": Page(EVERYONE),
    "set_language": Page(EVERYONE, method="post", public=True, data=lambda w: {"language": "ru", "next": "/"}),
    "accounts:login": Page(EVERYONE, public=True),
    "accounts:logout": Page(EVERYONE, method="post", public=True),
    "accounts:password_reset": Page(EVERYONE, public=True),
    "accounts:password_reset_done": Page(EVERYONE, public=True),
    "accounts:password_reset_confirm": Page(EVERYONE, public=True,
                                            kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"}),
    "accounts:password_reset_complete": Page(EVERYONE, public=True),
    "accounts:profile": Page(EVERYONE),
    "accounts:revoke_token": Page(frozenset({"directorate"}), method="post",
                                  kwargs=lambda w: {"pk": w.token_directorate.pk}),
    "organisations:list": Page(ANY_DIRECTORATE),
    "organisations:create": Page(ANY_DIRECTORATE),
    "organisations:detail": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:edit": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:delete": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:contact_create": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.organisation.pk}),
    "organisations:contact_edit": Page(ANY_DIRECTORATE,
                                       kwargs=lambda w: {"pk": w.organisation.pk, "contact_pk": w.contact.pk}),
    "organisations:contact_delete": Page(ANY_DIRECTORATE,
                                         kwargs=lambda w: {"pk": w.organisation.pk, "contact_pk": w.contact.pk}),
    "organisations:venue_create": Page(ANY_DIRECTORATE),
    "organisations:venue_edit": Page(ANY_DIRECTORATE, kwargs=lambda w: {"pk": w.venue.pk}),
    "championships:list": Page(EVERYONE),
    "championships:create": Page(frozenset({"platform"})),
    "championships:detail": Page(IN_CHAMPIONSHIP, kwargs=ch),
    "championships:edit": Page(MANAGERS, kwargs=ch),
    "championships:status": Page(MANAGERS, kwargs=ch, method="post"),
    "championships:stage_phase": Page(MANAGERS, method="post",
                                      kwargs=lambda w: {"pk": w.championship.pk, "stage_pk": w.stage.pk}),
    "championships:competency": Page(IN_CHAMPIONSHIP,
                                     kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk}),
    "championships:competency_document_download": Page(
        IN_CHAMPIONSHIP, kwargs=lambda w: {"pk": w.championship.pk, "document_pk": w.competency_document.pk}),
    "championships:roles": Page(MANAGERS, kwargs=ch),
    # a fresh assignment for every try, so one role's successful revoke does not hide the next one's
    "championships:role_revoke": Page(MANAGERS, method="post", kwargs=lambda w: {
        "pk": w.championship.pk, "assignment_pk": give_role(UserFactory(), Role.MENTOR, w.championship).pk}),
    "audit:log": Page(AUDITORS, kwargs=ch),
    "notifications:list": Page(MANAGERS, kwargs=ch),
    "notifications:resend_failed": Page(MANAGERS, kwargs=ch, method="post"),
    "notifications:resend": Page(MANAGERS, method="post", kwargs=lambda w: {"pk": w.championship.pk,
                                                                          "email_pk": _failed_email(w).pk}),
    # the regional commission's register lists only what is addressed to it (RM-5, DOC-2)
    "documents:register": Page(REGISTER | {"commission"}, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "documents:create": Page(DOC_EDITORS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "documents:detail": Page(DOC_READERS, kwargs=lambda w: {"pk": w.document.pk}),
    "documents:sign": Page(DOC_SIGNERS, method="post", kwargs=lambda w: {"pk": w.document.pk},
                           data=lambda w: {"password": "неверный"}),
    "documents:edit": Page(DOC_EDITORS, kwargs=lambda w: {"pk": w.document.pk}),
    # DOC-2: a generated protocol is formed again from the records (the Directorate, the competency's chief)
    "documents:regenerate": Page(DOC_EDITORS, kwargs=lambda w: {"pk": w.document.pk}),
    "documents:pdf": Page(DOC_READERS, kwargs=lambda w: {"pk": w.document.pk}),
    # Registration (REG-1…REG-5, X-1): the applicant (here the mentor who filed it), the Directorate, and the
    # competency's chief expert reading; nobody else sees an application's people.
    "registration:list": Page(APPLICATION_LISTERS, kwargs=ch),
    "registration:create": Page(APPLICANTS, kwargs=ch),
    "registration:bulk_approve": Page(MANAGERS, kwargs=ch, method="post"),
    "registration:detail": Page(APPLICATION_READERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:edit": Page(APPLICANTS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:submit": Page(APPLICANTS, kwargs=lambda w: {"pk": w.application.pk}, method="post"),
    "registration:withdraw": Page(APPLICANTS, kwargs=lambda w: {"pk": w.application.pk}, method="post"),
    "registration:approve": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk}, method="post"),
    "registration:return": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:reject": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:reopen": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:out_of_competition": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:member_create": Page(APPLICANTS, kwargs=lambda w: {"pk": w.application.pk, "kind": "participant"}),
    "registration:member_edit": Page(APPLICANTS, kwargs=lambda w: {
        "pk": w.application.pk, "member_pk": w.application.members.get(kind="participant").pk}),
    # a fresh member for every try, so one role's successful delete does not hide the next one's
    "registration:member_delete": Page(APPLICANTS, method="post", kwargs=lambda w: {
        "pk": w.application.pk, "member_pk": _member(w).pk}),
}


def _reg(w: World) -> dict[str, Any]:
    """Consent, substitution and document-check objects of the world's application (REG-6…REG-8, REG-13)."""
    if "_reg" not in w.objects:
        from django.core.files.base import ContentFile

        from profmaster.registration.domain import publish_consent_version
        from profmaster.registration.models import Consent, DocumentCheck, SubstitutionRequest, TeamMember

        pupil = w.application.members.get(kind="participant")
        version = publish_consent_version(championship=w.championship, kind="personal_data", title="Согласие",
                                          text="Текст", by=w.users["directorate"])
        consent = Consent.objects.create(member=pupil, version=version, given_by="parent", given_by_name="Мать",
                                         given_at=timezone.now(), recorded_by=w.users["mentor"])
        incoming = TeamMember.objects.create(application=w.application, kind="participant", state="proposed",
                                             last_name="Новикова", first_name="Оля", grade=1,
                                             birth_date=dt.date(2015, 1, 1))
        substitution = SubstitutionRequest.objects.create(application=w.application, outgoing=pupil,
                                                          incoming=incoming, reason="Болезнь",
                                                          requested_by=w.users["mentor"])
        check = DocumentCheck(member=pupil, item="identity", outcome="accepted", checked_by=w.users["chief"])
        check.scan.save("p.pdf", ContentFile(b"%PDF-1.4 scan"), save=True)
        w.objects["_reg"] = {"pupil": pupil, "version": version, "consent": consent, "substitution": substitution,
                             "check": check}
    return w.objects["_reg"]


DOCUMENT_CHECKERS = MANAGERS | {"chief"}
PAGES.update({
    "registration:consent_forms": Page(MANAGERS, kwargs=ch),
    "registration:consent_version": Page(APPLICATION_LISTERS, kwargs=lambda w: {"pk": _reg(w)["version"].pk}),
    "registration:member_consents": Page(APPLICATION_READERS, kwargs=lambda w: {
        "pk": w.application.pk, "member_pk": _reg(w)["pupil"].pk}),
    "registration:application_consents": Page(APPLICANTS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:consent_withdraw": Page(APPLICANTS, kwargs=lambda w: {"consent_pk": _reg(w)["consent"].pk}),
    "registration:member_end": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk,
                                                                "member_pk": _reg(w)["pupil"].pk}),
    "registration:substitution_create": Page(APPLICANTS, kwargs=lambda w: {"pk": w.application.pk,
                                                                           "member_pk": _reg(w)["pupil"].pk}),
    "registration:substitution_decide": Page(MANAGERS, kwargs=lambda w: {
        "substitution_pk": _reg(w)["substitution"].pk}),
    "registration:incomplete": Page(MANAGERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:documents": Page(DOCUMENT_CHECKERS, kwargs=lambda w: {"pk": w.application.pk}),
    "registration:document_check": Page(DOCUMENT_CHECKERS, kwargs=lambda w: {
        "pk": w.application.pk, "member_pk": _reg(w)["pupil"].pk, "item": "identity"}),
    "registration:document_scan": Page(DOCUMENT_CHECKERS, kwargs=lambda w: {"check_pk": _reg(w)["check"].pk}),
    "registration:people": Page(APPLICATION_LISTERS, kwargs=ch),
    "registration:protocol": Page(MANAGERS, kwargs=ch, method="post"),
    "registration:rules": Page(MANAGERS, kwargs=ch),
    "registration:import": Page(MANAGERS, kwargs=ch),
    "registration:import_template": Page(MANAGERS, kwargs=lambda w: {"pk": w.championship.pk,
                                                                     "kind": "organisations"}),
})
STRUCTURE_OBJECTS = {
    "stage": "stage", "age-category": "age_category", "competency": "competency", "skill-section": "skill_section",
    "infrastructure": "infrastructure", "competency-document": "competency_document", "base-venue": "base_venue",
    "workplace": "workplace", "programme-slot": "programme_slot",
}
SCHEME_READERS = AUDITORS | {"chief", "expert"}  # the competency's panel, the Directorate, quality control
SCHEME_EDITORS = DOC_EDITORS


def scheme_kw(w: World) -> dict[str, Any]:
    return {"scheme_pk": w.scheme.pk}


PAGES.update({
    "marking:list": Page(SCHEME_READERS, kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk}),
    "marking:detail": Page(SCHEME_READERS, kwargs=scheme_kw),
    "marking:export": Page(SCHEME_READERS, kwargs=scheme_kw),
    "marking:export_csv": Page(SCHEME_READERS, kwargs=scheme_kw),
    "marking:import": Page(SCHEME_EDITORS, kwargs=scheme_kw, method="post"),
    "marking:lock": Page(SCHEME_EDITORS, kwargs=scheme_kw, method="post"),
    "marking:unlock_request": Page(SCHEME_EDITORS, kwargs=scheme_kw, method="post"),
    "marking:unlock": Page(SCHEME_EDITORS, kwargs=scheme_kw, method="post"),
})
for _part, _obj in {"criterion": "criterion", "sub-criterion": "sub_criterion", "aspect": "aspect"}.items():
    PAGES[f"marking:part_create[{_part}]"] = Page(
        SCHEME_EDITORS, kwargs=lambda w, k=_part: {"scheme_pk": w.scheme.pk, "kind": k},
        query=lambda w, k=_part: {"criterion": "", "sub-criterion": f"?parent={w.criterion.pk}",
                                  "aspect": f"?parent={w.sub_criterion.pk}"}[k])
    for _name in ("part_edit", "part_delete"):
        PAGES[f"marking:{_name}[{_part}]"] = Page(SCHEME_EDITORS, kwargs=lambda w, k=_part, o=_obj: {
            "scheme_pk": w.scheme.pk, "kind": k, "part_pk": w.objects[o].pk})

# --- Marks, panels and the assessment (SC-1…SC-9) ---------------------------------------------------
MARKS_READERS = AUDITORS | {"chief", "expert"}  # the competency's panel, the Directorate, quality control
MARKS_ENTRY = frozenset({"chief", "expert"})  # the domain refines by mode (in-person: the chief expert only)


def _marked_team(w: World) -> Any:
    """An approved application of competency 1: a team of the world's scheme (created once)."""
    from profmaster.registration.models import Application

    if "marked_team" not in w.objects:
        w.objects["marked_team"] = Application.objects.create(
            championship=w.championship, competency=w.competency, age_category=w.age_category,
            organisation=OrganisationFactory(), created_by=w.users["directorate"], status="approved")
    return w.objects["marked_team"]


def team_kw(w: World) -> dict[str, Any]:
    return {"scheme_pk": w.scheme.pk, "team_pk": _marked_team(w).pk}


PAGES.update({
    "marking:panel": Page(MARKS_READERS, kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk}),
    "marking:my_marks": Page(IN_CHAMPIONSHIP, kwargs=ch),
    "marking:board": Page(MARKS_READERS, kwargs=scheme_kw),
    "marking:pdf_status": Page(MARKS_READERS, kwargs=scheme_kw),
    "marking:sheets_pdf": Page(frozenset(), kwargs=scheme_kw),  # nothing locked yet: 404 for everyone
    "marking:blank_sheets": Page(MARKS_READERS, kwargs=scheme_kw),
    "marking:lock_marks": Page(frozenset({"chief"}), kwargs=scheme_kw, method="post"),
    "marking:unlock_marks_request": Page(frozenset({"chief"}), kwargs=scheme_kw, method="post"),
    "marking:unlock_marks": Page(MANAGERS, kwargs=scheme_kw, method="post"),
    "marking:resolve": Page(frozenset({"chief"}), kwargs=scheme_kw, method="post"),
    "marking:entry": Page(MARKS_ENTRY, kwargs=team_kw),
    "marking:save": Page(MARKS_ENTRY, kwargs=team_kw, method="post"),
    "marking:complete": Page(MARKS_ENTRY, kwargs=team_kw, method="post"),
    "marking:team_marks": Page(MARKS_READERS, kwargs=team_kw),
    # SC-10: the document package — the Directorate, and the competency's chief expert and quality control
    # (003 §10.2) reading
    "marking:package": Page(AUDITORS | {"chief"},
                            kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk}),
    "marking:package_export": Page(AUDITORS | {"chief"},
                                   kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk}),
    "marking:package_receive": Page(MANAGERS, method="post",
                                    kwargs=lambda w: {"pk": w.championship.pk, "competency_pk": w.competency.pk},
                                    data=lambda w: {"scheme": w.scheme.pk, "team": _marked_team(w).pk}),
    "marking:packages": Page(AUDITORS, kwargs=ch),
})

for _kind, _obj in STRUCTURE_OBJECTS.items():
    PAGES[f"championships:structure_create[{_kind}]"] = Page(MANAGERS, kwargs=kind(_kind))
    PAGES[f"championships:structure_edit[{_kind}]"] = Page(MANAGERS, kwargs=kind(_kind, _obj))
    PAGES[f"championships:structure_delete[{_kind}]"] = Page(MANAGERS, kwargs=kind(_kind, _obj))

# --- Online exams and task hand-out (RM-1, RM-2) -------------------------------------------------
EXAM_VIEWERS = AUDITORS | {"chief", "expert", "expert_other"}
EXAM_MANAGERS = MANAGERS | {"chief"}
BANK_KEEPERS = MANAGERS | {"chief", "expert"}
RESULT_READERS = AUDITORS | {"chief", "expert"}
ATTEMPT_READERS = RESULT_READERS | {"participant"}
EXAMINEE = frozenset({"participant"})


def exam_kw(w: World) -> dict[str, Any]:
    return {"exam_pk": w.exam.pk}


def bank_kw(w: World) -> dict[str, Any]:
    return {"bank_pk": w.bank.pk}


PAGES.update({
    "exams:index": Page(EXAM_VIEWERS, kwargs=ch),
    "exams:exam_create": Page(EXAM_MANAGERS, kwargs=ch),
    "exams:bank_create": Page(EXAM_VIEWERS - {"quality"}, kwargs=ch),
    "exams:handout_create": Page(EXAM_MANAGERS, kwargs=ch),
    "exams:bank_detail": Page(BANK_KEEPERS, kwargs=bank_kw),
    "exams:category_create": Page(BANK_KEEPERS, kwargs=bank_kw),
    "exams:question_create": Page(BANK_KEEPERS, kwargs=bank_kw),
    "exams:bank_import": Page(BANK_KEEPERS, kwargs=bank_kw),
    "exams:bank_export": Page(BANK_KEEPERS, kwargs=bank_kw),
    "exams:import_template": Page(BANK_KEEPERS, kwargs=bank_kw),
    "exams:question_edit": Page(BANK_KEEPERS, kwargs=lambda w: {"question_pk": w.question.pk}),
    "exams:question_image": Page(BANK_KEEPERS, kwargs=lambda w: {"question_pk": w.question.pk}),
    "exams:question_preview": Page(BANK_KEEPERS, kwargs=lambda w: {"question_pk": w.question.pk}),
    # RM-1: an embedded image — the bank's keepers and the examinee whose paper holds the question
    "exams:embedded_image": Page(BANK_KEEPERS | EXAMINEE, kwargs=lambda w: {"image_pk": w.embedded_image.pk}),
    # X-5: a background job — its creator (the expert) and whoever may keep the bank it imports into
    "jobs:detail": Page(BANK_KEEPERS, kwargs=lambda w: {"job_pk": w.job.pk}),
    "jobs:status": Page(BANK_KEEPERS, kwargs=lambda w: {"job_pk": w.job.pk}),
    "jobs:retry": Page(frozenset({"expert"}), kwargs=lambda w: {"job_pk": w.job.pk}, method="post"),
    "exams:exam_detail": Page(RESULT_READERS, kwargs=exam_kw),
    "exams:exam_edit": Page(EXAM_MANAGERS, kwargs=exam_kw),
    "exams:exam_status": Page(EXAM_MANAGERS, kwargs=exam_kw, method="post"),
    "exams:precreate": Page(EXAM_MANAGERS, kwargs=exam_kw, method="post"),
    "exams:section_create": Page(EXAM_MANAGERS, kwargs=exam_kw),
    "exams:override_create": Page(EXAM_MANAGERS, kwargs=exam_kw),
    "exams:admit": Page(BANK_KEEPERS, kwargs=exam_kw, method="post"),
    "exams:results": Page(RESULT_READERS, kwargs=exam_kw),
    "exams:regrade": Page(EXAM_MANAGERS, kwargs=exam_kw, method="post"),
    "exams:protocol": Page(EXAM_MANAGERS, kwargs=exam_kw, method="post"),
    "exams:participant_list": Page(EXAM_MANAGERS, kwargs=exam_kw, method="post"),
    "exams:grading": Page(BANK_KEEPERS, kwargs=exam_kw),
    "exams:statistics": Page(RESULT_READERS, kwargs=exam_kw),
    "exams:take": Page(EXAMINEE, kwargs=exam_kw),
    "exams:grade": Page(BANK_KEEPERS, kwargs=lambda w: {"answer_pk": w.essay_answer.pk}, method="post"),
    "exams:attempt": Page(EXAMINEE, kwargs=lambda w: {"attempt_pk": w.attempt.pk}),
    "exams:finish": Page(EXAMINEE, kwargs=lambda w: {"attempt_pk": w.attempt.pk}, method="post"),
    "exams:result": Page(ATTEMPT_READERS, kwargs=lambda w: {"attempt_pk": w.done.pk}),
    "exams:attempt_log": Page(RESULT_READERS, kwargs=lambda w: {"attempt_pk": w.done.pk}),
    "exams:unlock": Page(BANK_KEEPERS, kwargs=lambda w: {"attempt_pk": w.attempt.pk}, method="post"),
    "exams:attempt_image": Page(ATTEMPT_READERS, kwargs=lambda w: {"attempt_pk": w.done.pk,
                                                                    "question_pk": w.question.pk}),
    "exams:handout_detail": Page(EXAM_MANAGERS, kwargs=lambda w: {"handout_pk": w.handout.pk}),
    "exams:handout_open": Page(EXAMINEE, kwargs=lambda w: {"handout_pk": w.handout.pk}),
    "exams:handout_file": Page(EXAM_MANAGERS | EXAMINEE, kwargs=lambda w: {"handout_pk": w.handout.pk}),
    "exams:handout_protocol": Page(EXAM_MANAGERS, kwargs=lambda w: {"handout_pk": w.handout.pk}, method="post"),
})

# --- Results and awards (AW-1…AW-7, DOC-4) -------------------------------------------------------
# Results pages are public (what they show is decided by ``results.visibility.visible_results``: nothing before
# publication except to the Directorate, quality control and the competency's panel); decisions are the
# Directorate's, proposals the panel's; a diploma is its owner's (here the participant's) and the Directorate's.
RESULTS_QUALITY = AUDITORS


def _results_version(w: World) -> Any:
    from profmaster.results.models import ResultsVersion

    if "results_version" not in w.objects:
        w.objects["results_version"] = ResultsVersion.objects.create(
            championship=w.championship, number=1, content={"competencies": [], "medal_table": []},
            competency_ids=[], published_by=w.users["directorate"])
    return w.objects["results_version"]


def _nomination(w: World) -> Any:
    from profmaster.results.models import Nomination

    if "nomination" not in w.objects:
        w.objects["nomination"] = Nomination.objects.create(competency=w.competency, team=w.application,
                                                            title="Аккуратность", reason="Чисто",
                                                            proposed_by=w.users["expert"])
    return w.objects["nomination"]


def _quality_request(w: World) -> Any:
    from profmaster.results.models import QualityRequest

    if "quality_request" not in w.objects:
        w.objects["quality_request"] = QualityRequest.objects.create(
            competency=w.competency, text="Покажите журнал ОТ и ТБ", due_at=timezone.now() + dt.timedelta(days=1),
            asked_by=w.users["quality"])
    return w.objects["quality_request"]


def _register_entry(w: World) -> Any:
    from profmaster.results.models import UnscrupulousExpert

    if "register_entry" not in w.objects:
        w.objects["register_entry"] = UnscrupulousExpert.objects.create(
            championship=w.championship, expert=w.users["expert"], decision="Решение № 1",
            added_by=w.users["directorate"])
    return w.objects["register_entry"]


def _diploma(w: World) -> Any:
    from profmaster.results.models import Diploma

    if "diploma" not in w.objects:
        w.objects["diploma"] = Diploma.objects.create(
            championship=w.championship, competency=w.competency, kind="participant", code="TESTCODE2345",
            full_name="Участников Иван", declined_name="Участникову Ивану", user=w.users["participant"])
    return w.objects["diploma"]


def _batch(w: World) -> Any:
    from profmaster.results.models import DiplomaBatch

    if "batch" not in w.objects:
        w.objects["batch"] = DiplomaBatch.objects.create(championship=w.championship, status="done",
                                                         created_by=w.users["directorate"])
    return w.objects["batch"]


def comp_kw(w: World) -> dict[str, Any]:
    return {"competency_pk": w.competency.pk}


PAGES.update({
    "results:championship": Page(EVERYONE, kwargs=ch, public=True),
    "results:standings_export": Page(EVERYONE, kwargs=ch, public=True),
    "results:standings_csv": Page(EVERYONE, kwargs=ch, public=True),
    "results:version": Page(EVERYONE, public=True, kwargs=lambda w: {"pk": w.championship.pk,
                                                                     "number": _results_version(w).number}),
    "results:publish": Page(MANAGERS, kwargs=ch, method="post"),
    "results:quality": Page(RESULTS_QUALITY, kwargs=ch),
    "results:register_add": Page(MANAGERS, kwargs=ch, method="post"),
    "results:diplomas": Page(MANAGERS, kwargs=ch),
    "results:diploma_names": Page(MANAGERS, kwargs=ch),
    "results:competency": Page(EVERYONE, kwargs=comp_kw, public=True),
    "results:export": Page(EVERYONE, kwargs=comp_kw, public=True),
    "results:export_csv": Page(EVERYONE, kwargs=comp_kw, public=True),
    "results:propose_medals": Page(frozenset({"chief"}), kwargs=comp_kw, method="post"),
    "results:decide_medals": Page(MANAGERS, kwargs=comp_kw, method="post"),
    "results:decide_qualification": Page(MANAGERS, kwargs=comp_kw, method="post"),
    "results:quota": Page(MANAGERS, kwargs=comp_kw, method="post"),
    "results:propose_nomination": Page(frozenset({"chief", "expert"}), kwargs=comp_kw, method="post"),
    "results:decide_nomination": Page(MANAGERS, method="post",
                                      kwargs=lambda w: {"nomination_pk": _nomination(w).pk}),
    "results:protocol": Page(MANAGERS | {"chief"}, kwargs=comp_kw, method="post"),
    "results:quality_check": Page(RESULTS_QUALITY, kwargs=comp_kw, method="post"),
    # DOC-4 (003 §10.3): quality control asks; the competency's chief expert answers; either records a refusal
    "results:quality_request": Page(RESULTS_QUALITY, kwargs=comp_kw, method="post"),
    "results:quality_request_answer": Page(frozenset({"chief"}), method="post",
                                           kwargs=lambda w: {"request_pk": _quality_request(w).pk}),
    "results:quality_request_refuse": Page(RESULTS_QUALITY | {"chief"}, method="post",
                                           kwargs=lambda w: {"request_pk": _quality_request(w).pk}),
    "results:quality_report": Page(RESULTS_QUALITY, kwargs=ch, method="post"),
    "results:invalidate": Page(MANAGERS, kwargs=comp_kw),
    "results:register_lift": Page(MANAGERS, method="post", kwargs=lambda w: {"entry_pk": _register_entry(w).pk}),
    "results:diploma_revoke": Page(MANAGERS, method="post", kwargs=lambda w: {"diploma_pk": _diploma(w).pk}),
    "results:batch_progress": Page(MANAGERS, kwargs=lambda w: {"batch_pk": _batch(w).pk}),
    "results:diploma_pdf": Page(MANAGERS | {"participant"}, kwargs=lambda w: {"diploma_pk": _diploma(w).pk}),
    "results:my_diplomas": Page(EVERYONE),
    "results:verify": Page(EVERYONE, public=True, kwargs=lambda w: {"code": _diploma(w).code}),
})

# --- The venue: check-in, badges, toolbox checks, incidents (OP-4…OP-7) --------------------------------------
# The technical administrator checks people in and prints badges but decides nothing on points or removals
# (003 §23.3); the chief expert admits staff and press and decides; the competency's panel checks toolboxes.
VENUE_STAFF = frozenset({"chief", "venue_admin"})
VENUE_READERS = AUDITORS | VENUE_STAFF
BADGE_PRINTERS = MANAGERS | VENUE_STAFF
TOOLBOX_READERS = AUDITORS | {"chief", "expert"}
INCIDENT_READERS = AUDITORS | {"chief", "expert", "venue_admin"}


def _venue(w: World) -> dict[str, Any]:
    """An accreditation, a toolbox-allowing competency and an incident with a photo of competency 1."""
    if "_venue" not in w.objects:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from profmaster.checkin.domain import admit_individually
        from profmaster.incidents import domain as incidents

        w.competency.toolbox_allowed = True
        w.competency.save(update_fields=["toolbox_allowed"])
        accreditation = admit_individually(w.competency, kind="press", full_name="Корреспондентова Жанна",
                                           valid_from=dt.date(2023, 4, 1), valid_to=dt.date(2023, 4, 2),
                                           by=w.users["chief"])
        incident = incidents.report_incident(w.competency, kind="other", description="Пролит сироп",
                                             occurred_at=timezone.now(), person_name="Гость", by=w.users["expert"])
        evidence = incidents.add_evidence(incident, SimpleUploadedFile("p.png", b"\x89PNG\r\n", "image/png"),
                                          by=w.users["expert"])
        w.objects["_venue"] = {"accreditation": accreditation, "incident": incident, "evidence": evidence}
    return w.objects["_venue"]


def venue_kw(w: World) -> dict[str, Any]:
    _venue(w)
    return {"competency_pk": w.competency.pk}


def incident_kw(w: World) -> dict[str, Any]:
    return {"pk": _venue(w)["incident"].pk}


PAGES.update({
    "checkin:venue": Page(VENUE_READERS, kwargs=venue_kw),
    "checkin:accreditations": Page(BADGE_PRINTERS, kwargs=venue_kw),
    "checkin:issue": Page(BADGE_PRINTERS, kwargs=venue_kw, method="post"),
    "checkin:admit": Page(frozenset({"chief"}), kwargs=venue_kw),
    "checkin:badges_pdf": Page(BADGE_PRINTERS, kwargs=venue_kw),
    "checkin:badge_pdf": Page(BADGE_PRINTERS, kwargs=lambda w: {"pk": _venue(w)["accreditation"].pk}),
    "checkin:briefing": Page(VENUE_STAFF, method="post", kwargs=lambda w: {"pk": _venue(w)["accreditation"].pk}),
    "checkin:non_appearance": Page(frozenset({"chief"}), kwargs=venue_kw, method="post"),
    "checkin:toolbox": Page(TOOLBOX_READERS, kwargs=venue_kw),
    # the badge's QR link: whoever may check people in lands on the check-in page; to anyone else it is unknown
    "checkin:badge_link": Page(VENUE_STAFF, kwargs=lambda w: {"code": _venue(w)["accreditation"].code}),
    "incidents:list": Page(INCIDENT_READERS, kwargs=venue_kw),
    "incidents:detail": Page(INCIDENT_READERS, kwargs=incident_kw),
    "incidents:upload": Page(frozenset({"chief", "expert", "venue_admin"}), kwargs=incident_kw, method="post"),
    "incidents:remove": Page(frozenset({"chief"}), kwargs=incident_kw, method="post"),
    "incidents:readiness": Page(frozenset({"chief"}), kwargs=incident_kw, method="post"),
    "incidents:decide_points": Page(frozenset({"chief"}), kwargs=incident_kw, method="post"),
    "incidents:protocol": Page(frozenset({"chief"}), kwargs=incident_kw, method="post"),
    # evidence is streamed to the panel, the Directorate and quality control; not to the venue's administrator
    "incidents:evidence": Page(TOOLBOX_READERS, kwargs=lambda w: {"pk": _venue(w)["evidence"].pk}),
})


# --- Disputes and sanctions (AP-1, AP-4) ---------------------------------------------------------------------
# A question raised by the venue's administrator about competency 1, decided by its one expert's vote, with an
# investigation asking the expert to explain; the removed expert's marks flagged for the chief expert's review.
DISPUTE_READERS = AUDITORS | {"chief", "expert", "venue_admin"}


def _dispute(w: World) -> dict[str, Any]:
    if "_dispute" not in w.objects:
        from profmaster.disputes import domain as disputes
        from profmaster.marking.models import MarksReview

        dispute = disputes.raise_dispute(w.competency, question="Погасло освещение на 15 минут",
                                         concerns="Команды потока 1", by=w.users["venue_admin"])
        disputes.put_to_vote(dispute, proposal="Добавить 15 минут", by=w.users["chief"])
        disputes.cast_vote(dispute, choice="for", by=w.users["expert"])
        disputes.open_investigation(dispute, reason="Причина отключения", by=w.users["directorate"])
        explanation = disputes.request_explanation(dispute, person=w.users["expert"], question="Когда погасло?",
                                                   by=w.users["directorate"])
        review = MarksReview.objects.create(competency=w.competency, expert=w.users["expert_other"],
                                            reason="Удалён с площадки", marks_count=1)
        w.objects["_dispute"] = {"dispute": dispute, "explanation": explanation, "review": review}
    return w.objects["_dispute"]


def dispute_kw(w: World) -> dict[str, Any]:
    return {"pk": _dispute(w)["dispute"].pk}


PAGES.update({
    "disputes:list": Page(DISPUTE_READERS, kwargs=lambda w: {"competency_pk": w.competency.pk}),
    "disputes:register": Page(AUDITORS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "disputes:detail": Page(DISPUTE_READERS, kwargs=dispute_kw),
    "disputes:vote": Page(DISPUTE_READERS, kwargs=dispute_kw),
    "disputes:put_to_vote": Page(frozenset({"chief"}), kwargs=dispute_kw, method="post"),
    "disputes:close_round": Page(frozenset({"chief"}), kwargs=dispute_kw, method="post"),
    "disputes:sanction": Page(frozenset({"chief"}), kwargs=dispute_kw, method="post"),
    "disputes:investigation": Page(MANAGERS, kwargs=dispute_kw, method="post"),
    "disputes:request_explanation": Page(MANAGERS, kwargs=dispute_kw, method="post"),
    "disputes:answer": Page(frozenset({"expert"}), kwargs=lambda w: {"pk": _dispute(w)["explanation"].pk},
                            method="post"),
    "disputes:marks_review": Page(frozenset({"chief"}), kwargs=lambda w: {"pk": _dispute(w)["review"].pk},
                                  method="post"),
})


def _draw(w: World) -> Any:
    """A prepared draw of competency 1's flows (OP-1), recorded directly: the pages only read or refuse it."""
    from profmaster.competition_day import draw as algorithm
    from profmaster.competition_day.models import Draw

    if "draw" not in w.objects:
        secret = algorithm.new_secret()
        w.objects["draw"] = Draw.objects.create(
            championship=w.championship, competency=w.competency, kind="flows", inputs_text='{"flows":[],"teams":[]}',
            commitment=algorithm.commitment(secret), secret=secret, algorithm=algorithm.FLOWS_ALGORITHM,
            algorithm_version=1, prepared_by=w.users["chief"], prepared_at=timezone.now())
    return w.objects["draw"]


# OP-1: the competency's panel, the Directorate and quality control follow its draws; its chief expert holds them;
# anyone (anonymous too) opens a draw's verification page
DRAW_READERS = AUDITORS | {"chief", "expert"}
DRAW_HOLDERS = frozenset({"chief"})
PAGES.update({
    "competition_day:draws": Page(DRAW_READERS, kwargs=lambda w: {"competency_pk": w.competency.pk}),
    "competition_day:prepare": Page(DRAW_HOLDERS, method="post", kwargs=lambda w: {"competency_pk": w.competency.pk},
                                    data=lambda w: {"kind": "flows"}),
    "competition_day:contribute": Page(DRAW_HOLDERS, method="post", kwargs=lambda w: {"pk": _draw(w).pk},
                                       data=lambda w: {"text": ""}),
    "competition_day:perform": Page(DRAW_HOLDERS, method="post", kwargs=lambda w: {"pk": _draw(w).pk}),
    "competition_day:redraw": Page(DRAW_HOLDERS, method="post", kwargs=lambda w: {"pk": _draw(w).pk},
                                   data=lambda w: {"reason": ""}),
    "competition_day:verify": Page(EVERYONE, public=True, kwargs=lambda w: {"pk": _draw(w).pk}),
})


# --- The competition day: timekeeping, familiarisation, evidence (OP-2, OP-3, OP-7) ---------------------------
# The day board is the competency's panel's, the Directorate's and quality control's; steps and protocols are
# the chief expert's and the Directorate's; commands and extra time the chief expert's (or the expert keeping
# time); the venue's technical administrator records the video stream and confirmations on the venue's device,
# with no scoring right; participants and mentors confirm on their own device; the countdown screen is public by
# its signed link.
BOARD_READERS = AUDITORS | {"chief", "expert"}
DAY_EDITORS = MANAGERS | {"chief"}


def _tk(w: World) -> dict[str, Any]:
    if "_tk" not in w.objects:
        from django.core.files.base import ContentFile

        from profmaster.timekeeping.models import Timer, WorkPhoto
        from profmaster.timekeeping.selectors import screen_token

        flow = ProgrammeSlot.objects.create(
            championship=w.championship, stage=w.stage, competency=w.competency, title="Поток 2",
            starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(hours=2))
        timer = Timer.objects.create(flow=flow, competency=w.competency, kind="module", module=w.criterion,
                                     title="Модуль A", duration_minutes=60)
        photo = WorkPhoto(competency=w.competency, day=dt.date(2023, 4, 21), content_type="image/png", size=8,
                          uploaded_by=w.users["chief"])
        photo.file.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
        w.objects["_tk"] = {"flow": flow, "timer": timer, "photo": photo, "token": screen_token(flow)}
    return w.objects["_tk"]


def tk_day(w: World) -> dict[str, Any]:
    return {"competency_pk": w.competency.pk, "day": "2023-04-21"}


def tk_flow(w: World) -> dict[str, Any]:
    return {"flow_pk": _tk(w)["flow"].pk}


PAGES.update({
    "timekeeping:board_today": Page(BOARD_READERS, kwargs=lambda w: {"competency_pk": w.competency.pk}),
    "timekeeping:board": Page(BOARD_READERS, kwargs=tk_day),
    "timekeeping:board_live": Page(BOARD_READERS, kwargs=tk_day),
    "timekeeping:evidence": Page(DAY_EDITORS | {"venue_admin"}, kwargs=tk_day),
    "timekeeping:photo_upload": Page(frozenset({"chief"}), kwargs=tk_day, method="post"),
    "timekeeping:photo": Page(BOARD_READERS, kwargs=lambda w: {"photo_pk": _tk(w)["photo"].pk}),
    "timekeeping:timer_create": Page(DAY_EDITORS, kwargs=tk_flow, method="post"),
    "timekeeping:protocol": Page(DAY_EDITORS, method="post",
                                 kwargs=lambda w: {"flow_pk": _tk(w)["flow"].pk, "kind": "timekeeping"}),
    "timekeeping:exception_protocol": Page(DAY_EDITORS, kwargs=tk_flow, method="post"),
    "timekeeping:familiarisation": Page(frozenset({"chief", "venue_admin"}), kwargs=tk_flow),
    "timekeeping:confirm_own": Page(frozenset({"mentor", "participant"}), kwargs=tk_flow),
    "timekeeping:extra_time": Page(frozenset({"chief"}), method="post",
                                   kwargs=lambda w: {"timer_pk": _tk(w)["timer"].pk}),
    # a command out of order (pause before the start) is refused on the board: the same answer on every try
    "timekeeping:timer_command": Page(frozenset({"chief"}), method="post",
                                      kwargs=lambda w: {"timer_pk": _tk(w)["timer"].pk, "command": "pause"}),
    "timekeeping:settings": Page(MANAGERS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "timekeeping:screen": Page(EVERYONE, public=True, kwargs=lambda w: {"token": _tk(w)["token"]}),
    "timekeeping:screen_state": Page(EVERYONE, public=True, kwargs=lambda w: {"token": _tk(w)["token"]}),
})

# --- Appeals and the appeal commission (AP-2, AP-3) -------------------------------------------------------------
# The team's mentor files and follows an appeal; the deliberation (case file, evidence, votes) is the commission's
# members' and the Directorate's; the chair conducts the hearing; the Directorate composes the commission and keeps
# the register (a Directorate of another championship opens the register and sees only its own rows); the
# composition is public on «Регламентирующие документы».
APPEAL_READERS = MANAGERS | {"appeal", "mentor"}
COMMISSION = MANAGERS | {"appeal"}


def _appeals(w: World) -> dict[str, Any]:
    """An approved commission (the «appeal» user its elected chair, four more of the Directorate's people), an
    approved team of the mentor, a decided dispute with its appeal under hearing, a second decided dispute not yet
    appealed, and an incident of the team with a photo."""
    if "_appeals" not in w.objects:
        from django.core.files.base import ContentFile
        from django.core.files.uploadedfile import SimpleUploadedFile

        from profmaster.appeals import domain as appeals
        from profmaster.disputes.models import Dispute
        from profmaster.incidents.models import Evidence, Incident
        from profmaster.registration.models import Application, TeamMember

        champ, users = w.championship, w.users
        staff = [users["appeal"]]
        for index in range(4):
            person = UserFactory(email=f"appeal-staff{index}@example.ru")
            give_role(person, Role.APPEAL_MEMBER, champ)
            staff.append(person)
        for person in staff:
            appeals.add_member(champ, user=person, by=users["directorate"])
        appeals.approve_commission(champ, by=users["directorate"],
                                   now=appeals.approval_deadline(champ) - dt.timedelta(hours=1))
        appeals.open_election(champ, by=users["directorate"])
        for voter in staff[:3]:
            appeals.cast_ballot(champ, candidate=users["appeal"], by=voter)
        team = Application.objects.create(championship=champ, competency=w.competency, status="approved",
                                          age_category=w.age_category, organisation=OrganisationFactory(),
                                          created_by=users["mentor"])
        TeamMember.objects.create(application=team, kind="mentor", last_name="Наставникова", first_name="Нина",
                                  email=users["mentor"].email, user=users["mentor"])
        today = timezone.localdate()
        disputes = [Dispute.objects.create(
            championship=champ, competency=w.competency, number=n, raised_by=users["mentor"], team=team,
            concerns="Команда", question="Оценка занижена", arose_on=today, state="decided", outcome="rejected",
            decision="Оставить", decided_at=timezone.now()) for n in (1, 2)]
        appeal = appeals.file_appeal(disputes[0], persons="Наставникова Н.", claim="Оценка занижена",
                                     scan=SimpleUploadedFile("a.pdf", b"%PDF-1.4 form", "application/pdf"),
                                     by=users["mentor"])
        appeals.open_hearing(appeal, by=users["appeal"])
        incident = Incident.objects.create(championship=champ, competency=w.competency, number=99, kind="other",
                                           application=team, person_name="Участник", occurred_at=timezone.now(),
                                           description="Пролит сироп", reported_by=users["chief"])
        evidence = Evidence(incident=incident, original_name="p.png", content_type="image/png", size=8,
                            uploaded_by=users["chief"])
        evidence.file.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
        w.objects["_appeals"] = {"appeal": appeal, "dispute": disputes[1], "evidence": evidence,
                                 "member": appeal.championship.appeal_commission.members.first()}
    return w.objects["_appeals"]


def appeal_kw(w: World) -> dict[str, Any]:
    return {"pk": _appeals(w)["appeal"].pk}


def appeal_ch(w: World) -> dict[str, Any]:
    _appeals(w)
    return {"pk": w.championship.pk}


PAGES.update({
    "appeals:file": Page(frozenset({"mentor"}), kwargs=lambda w: {"dispute_pk": _appeals(w)["dispute"].pk}),
    "appeals:detail": Page(APPEAL_READERS, kwargs=appeal_kw),
    "appeals:scan": Page(APPEAL_READERS, kwargs=appeal_kw),
    "appeals:evidence": Page(COMMISSION, kwargs=lambda w: {"pk": _appeals(w)["appeal"].pk,
                                                          "evidence_pk": _appeals(w)["evidence"].pk}),
    "appeals:hearing_open": Page(frozenset({"appeal"}), kwargs=appeal_kw, method="post"),
    "appeals:note": Page(frozenset({"appeal"}), kwargs=appeal_kw, method="post"),
    "appeals:vote": Page(frozenset({"appeal"}), kwargs=appeal_kw, method="post"),
    "appeals:chair_vote": Page(frozenset({"appeal"}), kwargs=appeal_kw, method="post"),
    "appeals:decide": Page(frozenset({"appeal"}), kwargs=appeal_kw, method="post"),
    "appeals:suspend": Page(frozenset({"appeal"}), kwargs=appeal_kw, method="post"),
    "appeals:workspace": Page(COMMISSION, kwargs=appeal_ch),
    "appeals:commission": Page(MANAGERS, kwargs=appeal_ch),
    "appeals:member_remove": Page(MANAGERS, method="post", kwargs=lambda w: {
        "pk": w.championship.pk, "member_pk": _appeals(w)["member"].pk}),
    "appeals:approve": Page(MANAGERS, kwargs=appeal_ch, method="post"),
    "appeals:election_open": Page(COMMISSION, kwargs=appeal_ch, method="post"),
    "appeals:ballot": Page(frozenset({"appeal"}), kwargs=appeal_ch, method="post"),
    "appeals:regulations": Page(EVERYONE, public=True, kwargs=appeal_ch),
    "appeals:register": Page(ANY_DIRECTORATE, query=lambda w: f"?championship={w.championship.pk}&state=appeal_pending"),
    "appeals:register_xlsx": Page(ANY_DIRECTORATE, query=lambda w: f"?championship={w.championship.pk}"),
})

# --- Video sessions (RM-3): the Directorate and the competency's chief expert plan and invite; only the invited
# join (the Directorate too is refused unless invited); the host (here the chief) runs the session; recordings are
# the competency's panel's and the Directorate's only — not the contestant's, not another competency's expert's.
# BBB's recording-ready callback needs no login: its JWT signed with the shared secret is the authorisation.
VIDEO_MANAGERS = MANAGERS | {"chief"}
VIDEO_INVITED = frozenset({"chief", "expert", "participant"})


def _video(w: World) -> dict[str, Any]:
    if "_video" not in w.objects:
        import jwt
        from django.core.files.base import ContentFile

        from profmaster.video import domain as video
        from profmaster.video.models import Recording, VideoProvider

        now = timezone.now()
        session = video.schedule_session(
            w.championship, kind="contestant_expert", competency=w.competency, title="Видеосвязь с экспертами",
            starts_at=now + dt.timedelta(minutes=5), ends_at=now + dt.timedelta(minutes=35), provider_kind="link",
            link_url="https://meet.example.ru/room", hosts=[w.users["chief"]], by=w.users["directorate"])
        video.invite(session, [w.users["expert"], w.users["participant"]], by=w.users["chief"])
        recording = Recording(session=session, provider_record_id="rec-1", state="stored", size=8,
                              content_type="video/mp4", retention_until=dt.date(2030, 1, 1))
        recording.file.save("rec.mp4", ContentFile(b"\x00\x00\x00\x18ftyp"), save=False)
        recording.save()
        provider = VideoProvider.objects.create(championship=w.championship, kind="bbb", name="BBB",
                                                server_url="http://127.0.0.1:9/bigbluebutton/",
                                                secret="the-regions-shared-secret-0123456789")
        bbb = video.schedule_session(
            w.championship, kind="expert_group", competency=w.competency, title="Заседание экспертной группы",
            starts_at=now + dt.timedelta(days=1), ends_at=now + dt.timedelta(days=1, hours=1), provider_kind="bbb",
            provider=provider, by=w.users["directorate"])
        token = jwt.encode({"meeting_id": bbb.room, "record_id": "rec-2"}, provider.secret, algorithm="HS256")
        w.objects["_video"] = {"session": session, "recording": recording, "bbb": bbb, "token": token}
    return w.objects["_video"]


def video_kw(w: World) -> dict[str, Any]:
    return {"pk": _video(w)["session"].pk}


def _video_invitation(w: World) -> dict[str, Any]:
    """A fresh invitation for every try, so one role's removal does not hide the next one's."""
    from profmaster.video import domain as video

    session = _video(w)["session"]
    guest = UserFactory()
    give_role(guest, Role.MENTOR, w.championship)
    [invitation] = video.invite(session, [guest], by=w.users["directorate"])
    return {"pk": session.pk, "invitation_pk": invitation.pk}


PAGES.update({
    "video:my": Page(EVERYONE),
    "video:schedule": Page(VIDEO_MANAGERS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "video:create": Page(VIDEO_MANAGERS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "video:detail": Page(VIDEO_MANAGERS | VIDEO_INVITED, kwargs=video_kw),
    "video:edit": Page(VIDEO_MANAGERS, kwargs=video_kw),
    "video:cancel": Page(VIDEO_MANAGERS, kwargs=video_kw, method="post", data=lambda w: {"reason": ""}),
    "video:invite": Page(VIDEO_MANAGERS, kwargs=video_kw, method="post"),
    "video:uninvite": Page(VIDEO_MANAGERS, kwargs=_video_invitation, method="post"),
    "video:join": Page(VIDEO_INVITED, kwargs=video_kw),
    "video:attendance": Page(VIDEO_MANAGERS, kwargs=video_kw, method="post"),
    "video:sync": Page(VIDEO_MANAGERS, kwargs=video_kw, method="post"),
    "video:end": Page(VIDEO_MANAGERS, kwargs=video_kw, method="post"),
    "video:recording_add": Page(VIDEO_MANAGERS, kwargs=video_kw, method="post", data=lambda w: {"url": ""}),
    "video:recording": Page(MANAGERS | {"chief", "expert"}, kwargs=lambda w: {"pk": _video(w)["recording"].pk}),
    "video:retention": Page(VIDEO_MANAGERS, kwargs=lambda w: {"pk": _video(w)["recording"].pk}, method="post"),
    "video:bbb_recording_ready": Page(EVERYONE, public=True, method="post",
                                      kwargs=lambda w: {"pk": _video(w)["bbb"].pk},
                                      data=lambda w: {"signed_parameters": _video(w)["token"]}),
})

def _lpp(w: World) -> dict[str, Any]:
    """Championship A by the «Лучший по профессии» rules (set directly: the world's application exists), its
    nomination, the base venue's checklist (its administrator: venue_admin) with a group, and a scan of the
    world application's participant (REG-1, RM-4, RM-7)."""
    if "lpp" not in w.objects:
        from django.core.files.base import ContentFile

        from profmaster.best_in_profession import domain as contest
        from profmaster.best_in_profession.models import ContestantDocument, ContestantProfile, ProfessionNomination
        from profmaster.championships.models import Championship

        Championship.objects.filter(pk=w.championship.pk).update(rules_profile="best_in_profession")
        w.championship.refresh_from_db()
        by = w.users["directorate"]
        nomination = contest.save_nomination(ProfessionNomination(
            championship=w.championship, competency=w.competency, name="Лучший кондитер"), by=by)
        w.base_venue.technical_administrator = w.users["venue_admin"]
        w.base_venue.save()
        w.base_venue.competencies.add(w.competency)
        [checklist] = contest.open_checklists(w.stage, by=by)
        line = checklist.items.get()
        line.photo.save("p.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=True)
        start = timezone.now()
        group = checklist.groups.create(name="Группа 1", starts_at=start, ends_at=start + dt.timedelta(hours=1))
        member = w.application.members.get()
        profile = ContestantProfile.objects.create(member=member, years_of_service=Decimal(1), education="higher")
        scan = ContestantDocument(profile=profile, kind="education", content_type="application/pdf",
                                  retain_until=dt.date(2030, 1, 1), uploaded_by=by)
        scan.file.save("s.pdf", ContentFile(b"%PDF-1.4"), save=True)
        w.objects["lpp"] = {"nomination": nomination, "checklist": checklist, "line": line, "group": group,
                            "scan": scan}
    return w.objects["lpp"]


def lpp_ch(w: World) -> dict[str, Any]:
    _lpp(w)
    return {"championship_pk": w.championship.pk}


def lpp_app(w: World) -> dict[str, Any]:
    _lpp(w)
    return {"application_id": w.application.pk}


CONTESTANT_READERS = MANAGERS | {"quality", "chief", "mentor"}  # the mentor filed the world's application
CHECKLIST_READERS = MANAGERS | {"quality", "chief", "expert", "venue_admin"}
PAGES.update({
    "best_in_profession:overview": Page(IN_CHAMPIONSHIP, kwargs=lpp_ch),
    "best_in_profession:nomination_create": Page(MANAGERS, kwargs=lpp_ch),
    "best_in_profession:nomination_edit": Page(MANAGERS, kwargs=lambda w: {"nomination_id": _lpp(w)["nomination"].pk}),
    "best_in_profession:contestants": Page(MANAGERS | {"quality", "chief"}, kwargs=lpp_ch),
    "best_in_profession:contestant_create": Page(MANAGERS, kwargs=lpp_ch),
    "best_in_profession:contestant": Page(CONTESTANT_READERS, kwargs=lpp_app),
    "best_in_profession:contestant_edit": Page(MANAGERS | {"mentor"}, kwargs=lpp_app),
    "best_in_profession:document_upload": Page(MANAGERS | {"mentor"}, kwargs=lpp_app, method="post"),
    "best_in_profession:document": Page(MANAGERS | {"mentor", "chief"}, kwargs=lambda w: {"scan_pk": _lpp(w)["scan"].pk}),
    "best_in_profession:access_log": Page(MANAGERS, kwargs=lpp_ch),
    "best_in_profession:readiness": Page(MANAGERS | {"quality", "chief"},
                                         kwargs=lambda w: {"stage_pk": w.stage.pk}),
    "best_in_profession:checklists_open": Page(MANAGERS, method="post", kwargs=lambda w: {"stage_pk": w.stage.pk}),
    "best_in_profession:checklist": Page(CHECKLIST_READERS,
                                         kwargs=lambda w: {"checklist_pk": _lpp(w)["checklist"].pk}),
    "best_in_profession:checklist_confirm": Page(frozenset({"venue_admin"}), method="post",
                                                 kwargs=lambda w: {"checklist_pk": _lpp(w)["checklist"].pk}),
    "best_in_profession:group_create": Page(MANAGERS | {"chief"}, method="post",
                                            kwargs=lambda w: {"checklist_pk": _lpp(w)["checklist"].pk}),
    "best_in_profession:checklist_item": Page(frozenset({"venue_admin"}), method="post",
                                              kwargs=lambda w: {"line_pk": _lpp(w)["line"].pk}),
    "best_in_profession:checklist_photo": Page(CHECKLIST_READERS, kwargs=lambda w: {"line_pk": _lpp(w)["line"].pk}),
    "best_in_profession:group_assign": Page(MANAGERS | {"chief"}, method="post",
                                            kwargs=lambda w: {"group_pk": _lpp(w)["group"].pk}),
})
# --- Technical support (RM-6): anyone signed in opens a request (the public form and the FAQ are open to all);
# its author (here the participant) follows it; the event's on-duty staff (here the venue's administrator) answer;
# the Directorate assigns, keeps the roster and the FAQ and reads the times.
SUPPORT_STAFF = MANAGERS | {"venue_admin"}


def _support(w: World) -> dict[str, Any]:
    if "_support" not in w.objects:
        from profmaster.support import domain as support

        support.set_duty(w.championship, w.users["venue_admin"], by=w.users["directorate"])
        item = support.open_request(w.championship, text="Не открывается экзамен", by=w.users["participant"])
        public = support.open_request(w.championship, text="Не могу войти", name="Орёл Пётр",
                                      email="orel@example.ru", client_ip="203.0.113.1")
        from profmaster.support.models import FaqEntry

        faq = support.save_faq(FaqEntry(championship=w.championship), question="Как войти?", answer="Так.",
                               by=w.users["directorate"])
        w.objects["_support"] = {"request": item, "token": support.request_link_token(public), "faq": faq}
    return w.objects["_support"]


def support_kw(w: World) -> dict[str, Any]:
    return {"pk": _support(w)["request"].pk}


def _fresh_duty(w: World) -> Any:
    from profmaster.support.models import DutyAssignment

    _support(w)
    person = UserFactory()
    give_role(person, Role.VENUE_ADMIN, w.championship)
    return DutyAssignment.objects.create(championship=w.championship, user=person, added_by=w.users["directorate"])


PAGES.update({
    "support:new": Page(EVERYONE),
    "support:public": Page(EVERYONE, public=True),
    "support:mine": Page(EVERYONE),
    "support:detail": Page(SUPPORT_STAFF | {"participant"}, kwargs=support_kw),
    "support:answer": Page(frozenset({"venue_admin"}), method="post", kwargs=support_kw,
                           data=lambda w: {"text": "Обновите страницу"}),
    "support:follow_up": Page(frozenset({"participant"}), method="post", kwargs=support_kw,
                              data=lambda w: {"text": "Не помогло"}),
    "support:assign": Page(SUPPORT_STAFF, method="post", kwargs=support_kw,
                           data=lambda w: {"assignee": w.users["venue_admin"].pk}),
    "support:close": Page(SUPPORT_STAFF | {"participant"}, method="post", kwargs=support_kw),
    "support:public_detail": Page(EVERYONE, public=True, kwargs=lambda w: {"token": _support(w)["token"]}),
    "support:desk": Page(SUPPORT_STAFF, kwargs=lambda w: {"championship_pk": _support(w)["request"].championship_id}),
    "support:roster": Page(MANAGERS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "support:roster_remove": Page(MANAGERS, method="post", kwargs=lambda w: {"pk": _fresh_duty(w).pk}),
    "support:faq": Page(EVERYONE, public=True, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "support:faq_create": Page(MANAGERS, kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "support:faq_edit": Page(MANAGERS, kwargs=lambda w: {"championship_pk": w.championship.pk,
                                                         "pk": _support(w)["faq"].pk}),
})

# --- The expert group's protocol and the regional commission (RM-5): the panel reads the stage's summary sheet
# (here the marks are not locked: the page says why); the chief expert and the Directorate form and pass the
# protocol (refused here, redirected with the reason); the commission's workspace is its own, the Directorate's and
# quality control's; the commission or the Directorate forms its protocol.
PAGES.update({
    "regional_commission:summary": Page(AUDITORS | {"chief", "expert"}, kwargs=scheme_kw),
    "regional_commission:create_group_protocol": Page(DOC_EDITORS, method="post", kwargs=scheme_kw),
    "regional_commission:transfer": Page(DOC_EDITORS, method="post", kwargs=scheme_kw),
    "regional_commission:workspace": Page(AUDITORS | {"commission"},
                                          kwargs=lambda w: {"championship_pk": w.championship.pk}),
    "regional_commission:create_commission_protocol": Page(MANAGERS | {"commission"}, method="post",
                                                           kwargs=lambda w: {"championship_pk": w.championship.pk}),
})


# --- «Уроки профессионального мастерства»: the lesson's day and the report (UPM-6, UPM-7) --------------------------
# Of these roles only the Directorate follows a festival's lessons and reads its report; nobody here is a venue's
# person or a school's coordinator, so recording deliveries, checks and attendance is refused to all. The УПМ roles
# (operator, venues, coordinators, parents) are in tests/upm/test_day_permissions.py.


def _upm_day(w: World) -> dict[str, Any]:
    """A festival of championship A with a lesson of competency 1 and a delivery to a school, written directly."""
    if "_upm_day" not in w.objects:
        from profmaster.upm.models import EquipmentDelivery, Festival, Lesson

        festival = Festival.objects.create(championship=w.championship, name="Фестиваль профессий", region="Москва")
        lesson = Lesson.objects.create(festival=festival, venue=w.venue, competency=w.competency,
                                       starts_at=timezone.now() + dt.timedelta(days=10), capacity=20, format="online",
                                       video_link="https://meet.example.ru/1", created_by=w.users["platform"])
        delivery = EquipmentDelivery.objects.create(lesson=lesson, school=w.organisation, delivered_at=timezone.now(),
                                                    recorded_by=w.users["platform"])
        w.objects["_upm_day"] = {"festival": festival, "lesson": lesson, "delivery": delivery}
    return w.objects["_upm_day"]


def upm_festival_kw(w: World) -> dict[str, Any]:
    return {"festival_pk": _upm_day(w)["festival"].pk}


def upm_lesson_kw(w: World) -> dict[str, Any]:
    return {"pk": _upm_day(w)["lesson"].pk}


PAGES.update({
    "upm_day:lessons": Page(MANAGERS, kwargs=upm_festival_kw),
    "upm_day:report": Page(MANAGERS, kwargs=upm_festival_kw),
    "upm_day:report_export[xlsx]": Page(MANAGERS, kwargs=lambda w: {**upm_festival_kw(w), "fmt": "xlsx"}),
    "upm_day:report_export[csv]": Page(MANAGERS, kwargs=lambda w: {**upm_festival_kw(w), "fmt": "csv"}),
    "upm_day:lesson": Page(MANAGERS, kwargs=upm_lesson_kw),
    "upm_day:attendance": Page(MANAGERS, kwargs=upm_lesson_kw),
    "upm_day:delivery": Page(frozenset(), kwargs=upm_lesson_kw, method="post",
                             data=lambda w: {"school": w.organisation.pk}),
    "upm_day:check": Page(frozenset(), kwargs=upm_lesson_kw, method="post", data=lambda w: {"item": "mentor_present"}),
    "upm_day:receipt": Page(frozenset(), kwargs=lambda w: {"pk": _upm_day(w)["delivery"].pk}, method="post"),
})

#: Django's admin is guarded by its own staff check; one entry stands for the whole namespace.
EXCLUDED_NAMESPACES = {"admin", "api", "upm"}  # upm: tests/upm/test_upm_pages.py holds its table


def _walk(patterns: list[Any], namespace: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            names.extend(_walk(entry.url_patterns, full))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


def test_every_route_has_an_entry():
    """A new page without a line in PAGES fails here, so nobody forgets to decide who may open it."""
    from profmaster.championships.views import KINDS

    served = {name for name in _walk(get_resolver().url_patterns)
              if name.split(":")[0] not in EXCLUDED_NAMESPACES}
    covered = {name.split("[")[0] for name in PAGES}
    assert served - covered == set(), "routes without an entry in the permission table"
    assert covered - served == set(), "entries for routes that no longer exist"
    assert set(STRUCTURE_OBJECTS) == set(KINDS)


def _url(name: str, page: Page, w: World) -> str:
    return reverse(name.split("[")[0], kwargs=page.kwargs(w)) + page.query(w)


def _request(client: Client, page: Page, url: str, w: World) -> Any:
    if page.method == "post":
        return client.post(url, page.data(w))
    return client.get(url)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_permissions(name, world):
    """Every role gets exactly the access the table says; anonymous visitors are sent to log in."""
    page = PAGES[name]
    outcome = {}
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        response = _request(client, page, _url(name, page, world), world)
        sent_to_login = "/accounts/login/?next=" in response.get("Location", "")
        outcome[role] = response.status_code not in (403, 404) and not sent_to_login
    expected = {role: role in page.allowed for role in ROLES}
    assert outcome == expected

    anonymous = _request(Client(), page, _url(name, page, world), world)
    if page.public:
        assert anonymous.status_code in (200, 302)
        assert "/accounts/login/?next=" not in anonymous.get("Location", "")
    else:
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/?next=")


def test_admin_is_staff_only(world):
    for role in ROLES:
        client = Client()
        client.force_login(world.users[role])
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
