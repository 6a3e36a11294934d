"""State changes of the «Лучший по профессии» regional stage (REG-1, RM-4, RM-7; 000 §1, §9, §14).

One function per change: validate, write inside one transaction, audit, and (through the registration
workflow) notify. Pages, the API and commands call these. The contestant's application is an ordinary
``registration.Application`` (one participant, the employer as the organisation, the nomination's category):
:func:`enter_contestant` creates it and submits it through ``registration.domain`` — the same workflow, the
same audit and e-mails, the Directorate reviews it on the same page. Permission to *reach* a function is the
caller's check; what follows from the objects (scope, state, rules) is checked here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts import domain as accounts_domain
from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.audit.domain import record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import AgeCategory, BaseVenue, Championship, InfrastructureItem, Stage
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.text import clean_text
from profmaster.organisations.models import Organisation
from profmaster.permissions import holds
from profmaster.registration import domain as registration
from profmaster.registration import workflow
from profmaster.registration.models import Application, TeamMember
from profmaster.timekeeping.domain import check_photo

from .models import (
    ContestantDocument,
    ContestantProfile,
    Education,
    ProfessionNomination,
    VenueChecklist,
    VenueChecklistItem,
    VenueGroup,
    VenueGroupMember,
)
from .rules import record_access

#: RM-7: a contestant's scans are kept this many days after the championship ends, then erased.
SCAN_RETENTION_DAYS = 30

PROFILE = Championship.RulesProfile.BEST_IN_PROFESSION
#: The contestant's names go to the account (``User.first_name`` / ``last_name``: 150 characters).
NAME_MAX = 150


def is_contest(championship: Championship) -> bool:
    return championship.rules_profile == PROFILE


def _require_contest(championship: Championship) -> None:
    if not is_contest(championship):
        raise DomainError(_("Это действие — для чемпионата по правилам конкурса «Лучший по профессии»; у чемпионата "
                            "«%(name)s» правила «%(profile)s».")
                          % {"name": championship.name, "profile": championship.get_rules_profile_display()})


# --- Nominations (REG-1, 000 §1) -------------------------------------------------------------------------


def save_nomination(nomination: ProfessionNomination, *, by: Any, reason: str = "") -> ProfessionNomination:
    """Create or change a nomination with its admission conditions. A new one gets the category row its
    applications are filed under (one contestant, no mentor, no relative), offered by its competency."""
    championship = nomination.championship
    _require_contest(championship)
    if nomination.competency.championship_id != championship.pk:
        raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
    nomination.name = clean_text(nomination.name, field="name", what=_("Номинация"), missing=_("Укажите название номинации."),
                                 max_length=200)
    if nomination.min_education and nomination.min_education not in Education.values:
        raise DomainError(_("Неизвестный уровень образования."), field="min_education")
    with transaction.atomic():
        if nomination.pk is None:
            category = AgeCategory(championship=championship, code=f"nom-{uuid.uuid4().hex[:12]}",
                                   name=nomination.name[:200], order=championship.age_categories.count() + 1,
                                   grade_min=1, grade_max=11, participants_per_team=1, relatives_per_team=0,
                                   mentors_per_team=0, moscow_school_required=False)
            save_audited(category, by=by, reason=reason)
            nomination.category = category
        else:
            stored = ProfessionNomination.objects.select_for_update().get(pk=nomination.pk)
            if stored.competency_id != nomination.competency_id and Application.objects.filter(
                    age_category_id=stored.category_id).exists():
                raise TransitionError(_("По номинации уже есть заявки: её компетенцию изменить нельзя."))
            category = nomination.category
            if category.name != nomination.name:
                category.name = nomination.name[:200]
                save_audited(category, by=by, reason=reason)
        save_audited(nomination, by=by, reason=reason)
        nomination.competency.age_categories.add(nomination.category)
    return nomination


def nominations(championship: Championship) -> list[ProfessionNomination]:
    return list(championship.profession_nominations.select_related("competency", "category").order_by("name"))


def nomination_of(application: Application) -> ProfessionNomination | None:
    return ProfessionNomination.objects.filter(category_id=application.age_category_id).first()


# --- Contestants (REG-1, REG-5) --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ContestantData:
    """What the employer enters for one contestant (000 §1)."""

    last_name: str
    first_name: str
    birth_date: dt.date | None
    position: str
    years_of_service: Decimal | None
    education: str
    email: str
    patronymic: str = ""
    phone: str = ""
    gender: str = ""
    conditions_confirmed: bool = False


def employers_of(user: Any, championship: Championship) -> list[Organisation]:
    """The employers this person enters contestants for: those they represent in the championship (the
    Directorate: every employer)."""
    if holds(user, {Role.DIRECTORATE}, championship.pk):
        return list(Organisation.objects.filter(kind=Organisation.Kind.EMPLOYER).order_by("short_name", "name"))
    ids = RoleAssignment.objects.filter(user=user, championship=championship, role=Role.ORG_REPRESENTATIVE,
                                        organisation__isnull=False).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.EMPLOYER).order_by("short_name", "name"))


def _clean(data: ContestantData) -> ContestantData:
    email = clean_text(data.email, field="email", what=_("E-mail"), max_length=254,
                       missing=_("Укажите e-mail участника: по нему он входит в личный кабинет."))
    email = User.objects.normalize_email(email).lower()
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise DomainError(_("E-mail участника указан неверно: %(email)s.") % {"email": email}, field="email")
    if data.education not in Education.values:
        raise DomainError(_("Укажите образование участника."), field="education")
    years = data.years_of_service
    try:
        years = Decimal(years) if years is not None else None
    except (InvalidOperation, TypeError, ValueError):
        years = None
    if years is None or not years.is_finite() or years < 0 or years > 70:
        raise DomainError(_("Стаж по профессии — число лет от 0 до 70."), field="years_of_service")
    return dataclasses.replace(
        data, email=email, years_of_service=years.quantize(Decimal("0.1")),
        last_name=clean_text(data.last_name, field="last_name", what=_("Фамилия"), max_length=NAME_MAX,
                             missing=_("Укажите фамилию участника.")),
        first_name=clean_text(data.first_name, field="first_name", what=_("Имя"), max_length=NAME_MAX,
                              missing=_("Укажите имя участника.")),
        patronymic=clean_text(data.patronymic, field="patronymic", what=_("Отчество"), required=False, max_length=NAME_MAX),
        position=clean_text(data.position, field="position", what=_("Должность"), max_length=200,
                            missing=_("Укажите должность участника.")),
        phone=clean_text(data.phone, field="phone", what=_("Телефон"), required=False, max_length=32),
        gender=data.gender if data.gender in ("", "masc", "femn") else "")


def _account(data: ContestantData, *, by: Any, championship: Championship) -> User:
    """The contestant's account (found by e-mail, else created without a password: they set it by the e-mail
    link «Забыли пароль?»), so the approved contestant reaches the exam and the task."""
    user = User.objects.filter(email__iexact=data.email).first()
    if user is not None:
        return user
    return accounts_domain.create_user(email=data.email, last_name=data.last_name, first_name=data.first_name,
                                       patronymic=data.patronymic, phone=data.phone, by=by, championship=championship)


def _fill(member: TeamMember, data: ContestantData, organisation: Organisation) -> None:
    member.kind = TeamMember.Kind.PARTICIPANT
    member.last_name, member.first_name, member.patronymic = data.last_name, data.first_name, data.patronymic
    member.birth_date, member.position, member.phone, member.email = (data.birth_date, data.position, data.phone,
                                                                      data.email)
    member.gender = data.gender
    member.organisation = organisation


def _save_profile(member: TeamMember, data: ContestantData, *, by: Any) -> ContestantProfile:
    profile = ContestantProfile.objects.filter(member=member).first() or ContestantProfile(member=member)
    profile.years_of_service = data.years_of_service  # type: ignore[assignment]
    profile.education = data.education
    profile.conditions_confirmed = data.conditions_confirmed
    save_audited(profile, by=by, championship=member.application.championship)
    return profile


def enter_contestant(championship: Championship, *, nomination: ProfessionNomination, organisation: Organisation,
                     data: ContestantData, by: Any, consent_given: bool = False) -> Application:
    """An employer enters one worker in a nomination and submits the application (REG-1, 000 §1): the draft,
    the person, their data, their consents and the submission in one transaction — a refused condition leaves
    nothing behind. The Directorate then registers and reviews it in the one registration workflow."""
    _require_contest(championship)
    if nomination.championship_id != championship.pk:
        raise DomainError(_("Номинация относится к другому чемпионату."), field="nomination")
    if organisation.kind != Organisation.Kind.EMPLOYER:
        raise DomainError(_("Участника конкурса заявляет организация-работодатель; «%(org)s» — не работодатель.")
                          % {"org": organisation}, field="organisation")
    if organisation.pk not in {o.pk for o in employers_of(by, championship)}:
        raise AccessDenied(_("Вы не представляете организацию «%(org)s» в этом чемпионате.") % {"org": organisation})
    data = _clean(data)
    versions = registration.current_consent_versions(championship)
    if versions and not consent_given:
        raise DomainError(_("Отметьте, что участник дал согласия: %(forms)s.")
                          % {"forms": ", ".join(f"«{v.form.title}»" for v in versions)}, field="consent_given")
    with transaction.atomic():
        application = registration.create_application(championship=championship, competency=nomination.competency,
                                                      age_category=nomination.category, organisation=organisation,
                                                      by=by)
        member = TeamMember(application=application)
        _fill(member, data, organisation)
        member.user = _account(data, by=by, championship=championship)
        registration.save_member(member, by=by)
        _save_profile(member, data, by=by)
        if versions:
            registration.record_consents(application, [registration.ConsentEntry(
                member=member, versions=versions, given_by="self", given_by_name=member.full_name)], by=by)
        registration.submit_application(application, by=by)
    return application


def contestant_member(application: Application) -> TeamMember | None:
    return (application.members.filter(kind=TeamMember.Kind.PARTICIPANT)
            .exclude(state=TeamMember.State.PROPOSED).order_by("pk").first())


def update_contestant(application: Application, *, data: ContestantData, by: Any) -> Application:
    """The employer corrects the contestant's data (a draft or an application returned with remarks; the
    Directorate any live one); an application that holds a place must still meet the conditions."""
    _require_contest(application.championship)
    member = contestant_member(application)
    if member is None:
        raise DomainError(_("В заявке нет участника."))
    data = _clean(data)
    with transaction.atomic():
        _save_profile(member, data, by=by)
        _fill(member, data, application.organisation)
        if member.user_id is None:
            member.user = _account(data, by=by, championship=application.championship)
        registration.save_member(member, by=by)
    return application


def contestant_applications(user: Any, championship: Championship) -> Any:
    """The applications of this contest whose contestant's data ``user`` may read (X-1), with what the list shows."""
    return (registration.applications_visible_to(user, championship)
            .select_related("organisation", "competency", "age_category__profession_nomination")
            .prefetch_related("members__contestant_profile").order_by("age_category__name", "pk"))


# --- Scans and their retention (RM-7, X-1) ---------------------------------------------------------------


def retention_date(championship: Championship) -> dt.date:
    return championship.ends_on + dt.timedelta(days=SCAN_RETENTION_DAYS)


def upload_contestant_document(application: Application, *, kind: str, upload: Any, by: Any) -> ContestantDocument:
    """A scan for a contestant: PDF, PNG or JPEG up to 5 MB by its content, kept privately until its retention
    date (the championship's end + :data:`SCAN_RETENTION_DAYS`)."""
    if kind not in ContestantDocument.Kind.values:
        raise DomainError(_("Выберите вид документа."), field="kind")
    if upload is None:
        raise DomainError(_("Выберите файл скана."), field="file")
    suffix = registration.check_scan(upload)
    member = contestant_member(application)
    if member is None:
        raise DomainError(_("В заявке нет участника."))
    profile = ContestantProfile.objects.filter(member=member).first()
    if profile is None:
        raise DomainError(_("Сначала заполните данные участника."))
    content_type = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}[suffix]
    document = ContestantDocument(profile=profile, kind=kind, content_type=content_type, size=upload.size or 0,
                                  retain_until=retention_date(application.championship), uploaded_by=by)
    with transaction.atomic():
        document.file.save(f"scan.{suffix}", upload, save=False)
        save_audited(document, by=by, championship=application.championship)
    return document


def erase_expired_documents(*, today: dt.date | None = None, by: Any = None) -> list[ContestantDocument]:
    """Erase every contestant scan past its retention date; each row stays as the record of the erasure (who —
    the scheduled job —, when, which scan of whom), with an audit entry. Returns the erased ones."""
    erased = []
    due = (ContestantDocument.objects.filter(erased_at__isnull=True)
           .select_related("profile__member__application__championship"))
    for document in due:
        championship = document.championship
        day = today or timezone.localdate(timezone=timezones.zone_of(championship))
        if document.retain_until >= day:
            continue
        with transaction.atomic():
            locked = ContestantDocument.objects.select_for_update().get(pk=document.pk)
            if locked.erased_at is not None:
                continue
            before = snapshot(locked)
            if locked.file:
                locked.file.delete(save=False)
            locked.file = ""
            locked.erased_at = timezone.now()
            locked.save(update_fields=["file", "erased_at"])
            record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before=before, after=snapshot(locked),
                   reason=_("Срок хранения скана истёк %(date)s: файл удалён")
                   % {"date": locked.retain_until.strftime("%d.%m.%Y")}, championship=championship)
        erased.append(locked)
    return erased


def log_access(user: Any, applications: Any, *, what: str, channel: str = "page") -> int:
    """RM-7: the access to the contestants of these applications (pages, API, files) is logged."""
    members = []
    for application in applications:
        member = contestant_member(application)
        if member is not None:
            members.append(member)
    return record_access(user, members, what=what, channel=channel)


# --- RM-4: equipment checklists per venue ------------------------------------------------------------------


def required_quantity(item: InfrastructureItem, base_venue: BaseVenue) -> Decimal:
    """What one venue needs of an item: per workplace (or team) times the venue's workplaces of the competency
    (at least one); per expert or per venue, the listed quantity (experts assess remotely, 000 §10)."""
    if item.per in (InfrastructureItem.Per.WORKPLACE, InfrastructureItem.Per.TEAM):
        places = base_venue.workplaces.filter(competency_id=item.competency_id).count() or 1
        return item.quantity * places
    return item.quantity


def open_checklists(stage: Stage, *, by: Any) -> list[VenueChecklist]:
    """Each venue of the stage gets a checklist per competency it hosts, from the competency's infrastructure
    list; calling again adds items added to the list since (a confirmed checklist is left as confirmed)."""
    championship = stage.championship
    checklists = []
    with transaction.atomic():
        for base in championship.base_venues.select_related("venue").prefetch_related("competencies"):
            for competency in base.competencies.all():
                checklist = VenueChecklist.objects.filter(stage=stage, base_venue=base, competency=competency).first()
                if checklist is None:
                    checklist = VenueChecklist(stage=stage, base_venue=base, competency=competency)
                    save_audited(checklist, by=by, championship=championship)
                have = set(checklist.items.values_list("item_id", flat=True))
                if checklist.status == VenueChecklist.Status.OPEN:
                    for item in competency.infrastructure.exclude(pk__in=have):
                        line = VenueChecklistItem(checklist=checklist, item=item,
                                                  required_quantity=required_quantity(item, base))
                        save_audited(line, by=by, championship=championship)
                checklists.append(checklist)
    if not checklists:
        raise DomainError(_("У чемпионата нет площадок с компетенциями: назначьте базовые площадки и их компетенции."))
    return checklists


def record_checklist_item(line: VenueChecklistItem, *, available_quantity: Any, by: Any, photo: Any = None,
                          note: str = "") -> VenueChecklistItem:
    """The venue records how many of an item it has, with a photo where the item asks for one."""
    try:
        quantity = Decimal(str(available_quantity).replace(",", ".").strip())
    except (InvalidOperation, ValueError):
        quantity = None
    if quantity is None or not quantity.is_finite() or quantity < 0 or quantity >= Decimal("1e8"):
        raise DomainError(_("Укажите, сколько есть на площадке: число от 0."), field="available_quantity")
    note = clean_text(note, field="note", what=_("Примечание"), required=False, max_length=500)
    content_type = ""
    if photo is not None:
        suffix, content_type = check_photo(photo)
    with transaction.atomic():
        locked = VenueChecklistItem.objects.select_for_update().select_related("checklist", "item").get(pk=line.pk)
        if locked.checklist.status != VenueChecklist.Status.OPEN:
            raise TransitionError(_("Чек-лист площадки уже подтверждён: изменить позицию нельзя."))
        locked.available_quantity = quantity.quantize(Decimal("0.01"))
        locked.note = note
        locked.checked_by, locked.checked_at = by, timezone.now()
        if photo is not None:
            if locked.photo:
                locked.photo.delete(save=False)
            locked.photo.save(f"photo.{suffix}", photo, save=False)
            locked.photo_content_type = content_type
        save_audited(locked, by=by, championship=locked.checklist.stage.championship)
    return locked


def missing_items(checklist: VenueChecklist) -> list[tuple[VenueChecklistItem, list[str]]]:
    lines = checklist.items.select_related("item")
    return [(line, line.missing) for line in lines if line.missing]


def confirm_checklist(checklist: VenueChecklist, *, by: Any) -> VenueChecklist:
    """The venue confirms it is equipped (000 §9): refused, naming each item, while anything is missing."""
    with transaction.atomic():
        locked = VenueChecklist.objects.select_for_update().select_related("stage__championship").get(pk=checklist.pk)
        if locked.status == VenueChecklist.Status.CONFIRMED:
            raise TransitionError(_("Чек-лист площадки уже подтверждён."))
        if not locked.items.exists():
            raise DomainError(_("В чек-листе нет позиций: инфраструктурный лист компетенции пуст."))
        missing = missing_items(locked)
        if missing:
            raise DomainError(_("Площадку нельзя подтвердить, пока не хватает оснащения: %(items)s.")
                              % {"items": "; ".join(f"«{line.item.name}» — {', '.join(problems)}"
                                                    for line, problems in missing)}, code="missing_items")
        before = snapshot(locked)
        locked.status = VenueChecklist.Status.CONFIRMED
        locked.confirmed_by, locked.confirmed_at = by, timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               championship=locked.stage.championship)
    checklist.refresh_from_db()
    return checklist


def readiness(stage: Stage) -> list[dict[str, Any]]:
    """The Directorate's view: every venue's checklist of the stage, confirmed or what it still lacks."""
    rows = []
    for checklist in (stage.venue_checklists.select_related("base_venue__venue", "competency", "confirmed_by")
                      .annotate(group_count=Count("groups", distinct=True))):
        missing = missing_items(checklist) if checklist.status == VenueChecklist.Status.OPEN else []
        rows.append({"checklist": checklist, "missing": missing,
                     "ready": checklist.status == VenueChecklist.Status.CONFIRMED})
    return rows


# --- RM-4: small groups per venue with their own schedule ----------------------------------------------------


def save_group(checklist: VenueChecklist, *, name: str, starts_at: dt.datetime, ends_at: dt.datetime,
               capacity: int, by: Any) -> VenueGroup:
    """A small group at a venue with its own time, within the stage's days on the venue's calendar (X-6)."""
    name = clean_text(name, field="name", what=_("Название группы"), missing=_("Укажите название группы."), max_length=100)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_("Окончание группы должно быть позже начала."), field="ends_at")
    if not capacity or capacity < 1 or capacity > 500:
        raise DomainError(_("Мест в группе — от 1 до 500."), field="capacity")
    stage = checklist.stage
    zone = timezones.zone_of(checklist.base_venue)
    first, last = timezones.start_of_local_day(stage.starts_on, zone), timezones.end_of_local_day(stage.ends_on, zone)
    if starts_at < first or ends_at > last:
        raise DomainError(_("Группа работает в дни этапа: с %(first)s по %(last)s.")
                          % {"first": timezones.format_local(first, zone), "last": timezones.format_local(last, zone)},
                          field="starts_at")
    group = VenueGroup(checklist=checklist, name=name, starts_at=starts_at, ends_at=ends_at, capacity=capacity)
    try:
        with transaction.atomic():
            save_audited(group, by=by, championship=stage.championship)
    except IntegrityError:
        raise DomainError(_("Группа «%(name)s» на этой площадке уже есть.") % {"name": name}, field="name") from None
    return group


def assign_to_group(group: VenueGroup, application: Application, *, by: Any) -> VenueGroupMember:
    """An approved contestant of the group's competency joins the group; one group per contestant and stage."""
    checklist = group.checklist
    if application.championship_id != checklist.stage.championship_id or application.competency_id != checklist.competency_id:
        raise DomainError(_("Участник заявлен по другой компетенции или в другом чемпионате."), field="application")
    if application.status != workflow.APPROVED:
        raise TransitionError(_("В группу включают только участника с одобренной заявкой."))
    with transaction.atomic():
        locked = VenueGroup.objects.select_for_update().get(pk=group.pk)
        if locked.members.count() >= locked.capacity:
            raise DomainError(_("В группе «%(name)s» нет свободных мест (%(capacity)s).")
                              % {"name": locked.name, "capacity": locked.capacity}, field="group")
        existing = VenueGroupMember.objects.filter(stage=checklist.stage, application=application).select_related(
            "group").first()
        if existing is not None:
            raise DomainError(_("Участник уже в группе «%(name)s» этого этапа.") % {"name": existing.group.name},
                              field="application")
        membership = VenueGroupMember(group=locked, stage=checklist.stage, application=application, assigned_by=by)
        save_audited(membership, by=by, championship=checklist.stage.championship)
    return membership


def groups_of_contestant(application: Application) -> list[VenueGroupMember]:
    return list(VenueGroupMember.objects.filter(application=application)
                .select_related("group__checklist__base_venue__venue", "group__checklist__stage"))


def checklists_visible_to(user: Any, stage: Stage) -> Any:
    """The checklists of a stage this person works with: a venue's administrator their venue's."""
    queryset = stage.venue_checklists.select_related("base_venue__venue", "competency")
    if holds(user, {Role.DIRECTORATE, Role.QUALITY_CONTROL}, stage.championship_id):
        return queryset
    return queryset.filter(Q(base_venue__technical_administrator=user))
