"""«Уроки профессионального мастерства» (SPEC UPM-1…UPM-5, seed 001): one function per state change.

* Stage I — :func:`create_festival`, :func:`add_competency` (whether equipment must be delivered follows the
  competency's infrastructure list unless the operator says otherwise, :func:`set_delivery`), :func:`add_venue`,
  :func:`add_venue_person`.
* Stage II — :func:`add_venue_school` with the travel time and where it comes from; :func:`delivery_refusal` is
  the 30-minute rule.
* Stage III — :func:`propose_competency` / :func:`decide_agreement` (one side proposes, the other accepts),
  :func:`post_message` in the venue's shared channel (e-mailed to the others, read by the operator).
* Stage IV — :func:`create_lesson` at least 5 days before (in the festival's zone); :func:`confirmation_link`
  signs a link per lesson and school, :func:`read_confirmation_link` refuses a forged or expired one.
* Stage V — families: :func:`request_family_link` (the parent), :func:`decide_family_link` (the child or the
  coordinator), :func:`create_family_link` and :func:`register_family` (the coordinator); and :func:`confirm`,
  the parent's confirmation of a child, which counts only when every condition of seed 001 holds
  (:func:`eligibility` says which one is missing, as the next thing to do).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts import domain as accounts_domain
from profmaster.accounts.models import Role, RoleAssignment, User
from profmaster.audit.domain import record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships import timezones
from profmaster.championships.models import Championship, Competency, InfrastructureItem
from profmaster.core.errors import DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.core.postgres import fetch_by_pk
from profmaster.core.text import clean_text
from profmaster.exams.models import Attempt
from profmaster.notifications.domain import queue_email, usable_addresses
from profmaster.organisations.models import Organisation, Venue

from . import notify, stages
from .models import (
    Agreement,
    ChannelMessage,
    Confirmation,
    FamilyLink,
    Festival,
    FestivalCompetency,
    FestivalVenue,
    Lesson,
    ProfessionalTrial,
    VenueSchool,
)

TEXT_MAX = 4000
LINK_SALT = "profmaster.upm.confirmation"


def _date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def zone_of(festival: Festival) -> Any:
    return timezones.zone_of(festival.championship)


def local_today(festival: Festival, now: dt.datetime | None = None) -> dt.date:
    return timezones.local_date(now or timezone.now(), festival.championship)


# --- Stage I: the festival, its competencies and venues ---------------------------------------------------------


def create_festival(championship: Championship, *, name: str, region: str, stages_deadline: dt.date | None = None,
                    by: Any) -> Festival:
    """A region's festival of professions in a championship (the scope of the УПМ roles and its time zone)."""
    name, region = (name or "").strip(), (region or "").strip()
    if not name:
        raise DomainError(_("Укажите название фестиваля."), field="name")
    if Festival.objects.filter(championship=championship).exists():
        raise DomainError(_("У этого чемпионата уже есть фестиваль профессий."), field="championship")
    festival = Festival(championship=championship, name=name[:300], region=region[:100] or championship.name[:100])
    if stages_deadline is not None:
        festival.stages_deadline = stages_deadline
    save_audited(festival, by=by, championship=championship)
    return festival


def infrastructure_needs_delivery(competency: Competency) -> bool:
    """Seed 001, stage II: the competency's infrastructure list names equipment or consumables to bring."""
    return InfrastructureItem.objects.filter(competency=competency).exists()


def add_competency(festival: Festival, competency: Competency, *, needs_delivery: bool | None = None,
                   by: Any) -> FestivalCompetency:
    """Stage I: the operator chooses a competency. Without ``needs_delivery`` it follows the infrastructure list."""
    if competency.championship_id != festival.championship_id:
        raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
    if FestivalCompetency.objects.filter(festival=festival, competency=competency).exists():
        raise DomainError(_("Эта компетенция уже есть в фестивале."), field="competency")
    derived = needs_delivery is None
    item = FestivalCompetency(
        festival=festival, competency=competency,
        needs_delivery=infrastructure_needs_delivery(competency) if derived else bool(needs_delivery),
        delivery_source=(FestivalCompetency.DeliverySource.INFRASTRUCTURE if derived
                         else FestivalCompetency.DeliverySource.OPERATOR))
    save_audited(item, by=by, championship=festival.championship)
    return item


def set_delivery(item: FestivalCompetency, *, needs_delivery: bool, by: Any) -> FestivalCompetency:
    """The operator's own answer to «is equipment delivered to the school?» replaces the derived one."""
    item.needs_delivery = bool(needs_delivery)
    item.delivery_source = FestivalCompetency.DeliverySource.OPERATOR
    save_audited(item, by=by, championship=item.festival.championship)
    return item


def add_venue(festival: Festival, venue: Venue, *, competencies: Iterable[FestivalCompetency] = (),
              by: Any) -> FestivalVenue:
    """Stage I: a venue takes part in the festival, holding lessons in some of its competencies."""
    chosen = list(competencies)
    if any(c.festival_id != festival.pk for c in chosen):
        raise DomainError(_("Компетенция не из этого фестиваля."), field="competencies")
    if FestivalVenue.objects.filter(festival=festival, venue=venue).exists():
        raise DomainError(_("Эта площадка уже участвует в фестивале."), field="venue")
    item = FestivalVenue(festival=festival, venue=venue)
    save_audited(item, by=by, championship=festival.championship, m2m={"competencies": chosen})
    return item


def set_venue_competencies(item: FestivalVenue, competencies: Iterable[FestivalCompetency], *,
                           by: Any) -> FestivalVenue:
    chosen = list(competencies)
    if any(c.festival_id != item.festival_id for c in chosen):
        raise DomainError(_("Компетенция не из этого фестиваля."), field="competencies")
    save_audited(item, by=by, championship=item.festival.championship, m2m={"competencies": chosen})
    return item


def add_venue_person(item: FestivalVenue, user: User, *, by: Any) -> FestivalVenue:
    """A person represents the venue (Role.UPM_VENUE in the festival's championship, given if missing)."""
    championship = item.festival.championship
    with transaction.atomic():
        if not RoleAssignment.objects.filter(user=user, role=Role.UPM_VENUE, championship=championship).exists():
            accounts_domain.assign_role(user=user, role=Role.UPM_VENUE, championship=championship,
                                        organisation=item.venue.organisation, by=by)
        item.staff.add(user)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=item, after={"staff_added": user.pk},
               championship=championship)
    return item


# --- Stage II: the schools of a venue and the 30-minute rule ----------------------------------------------------


def add_venue_school(item: FestivalVenue, school: Organisation, *, travel_minutes: Any, travel_source: str,
                     travel_note: str = "", by: Any) -> VenueSchool:
    """Stage II: a school the venue may serve, with the travel time (entered or estimated, and how)."""
    if school.kind != Organisation.Kind.SCHOOL:
        raise DomainError(_("Уроки проводятся для школ: выберите школу."), field="school")
    if travel_source not in VenueSchool.TravelSource.values:
        raise DomainError(_("Укажите, откуда известно время в пути."), field="travel_source")
    try:
        minutes = int(travel_minutes)
    except (TypeError, ValueError):
        raise DomainError(_("Время в пути — целое число минут."), field="travel_minutes") from None
    if not 0 <= minutes <= 1000:
        raise DomainError(_("Время в пути — от 0 до 1000 минут."), field="travel_minutes")
    if VenueSchool.objects.filter(venue=item, school=school).exists():
        raise DomainError(_("Эта школа уже закреплена за площадкой."), field="school")
    link = VenueSchool(venue=item, school=school, travel_minutes=minutes, travel_source=travel_source,
                       travel_note=(travel_note or "").strip()[:300])
    save_audited(link, by=by, championship=item.festival.championship)
    return link


def delivery_refusal(link: VenueSchool, competency: FestivalCompetency) -> str | None:
    """Seed 001, stage II: why ``link.school`` may not have lessons in ``competency`` (None if it may)."""
    if not competency.needs_delivery or link.within_delivery_reach:
        return None
    return _("Школа «%(school)s» — в %(minutes)s мин. от площадки (%(source)s). Для компетенции «%(competency)s» "
             "оборудование или расходные материалы из инфраструктурного листа доставляют в школу, поэтому она "
             "должна быть не дальше %(limit)s минут езды.") % {
        "school": link.school.short_name or link.school.name, "minutes": link.travel_minutes,
        "source": link.get_travel_source_display(), "competency": competency.competency.name,
        "limit": VenueSchool.DELIVERY_LIMIT_MINUTES}


# --- Stage III: agreeing the competencies; the venue's channel --------------------------------------------------


def propose_competency(link: VenueSchool, competency: FestivalCompetency, *, side: str, by: Any) -> Agreement:
    """One side (the venue or the school) proposes a competency; the other accepts. The 30-minute rule refuses a
    competency that needs delivery to a school too far away, with the reason."""
    if side not in Agreement.Side.values:
        raise DomainError(_("Неизвестная сторона."), field="side")
    if competency.festival_id != link.venue.festival_id:
        raise DomainError(_("Компетенция не из этого фестиваля."), field="competency")
    if not link.venue.competencies.filter(pk=competency.pk).exists():
        raise DomainError(_("Площадка не проводит уроки по компетенции «%(c)s».") % {"c": competency},
                          field="competency")
    refusal = delivery_refusal(link, competency)
    if refusal:
        raise DomainError(refusal, field="competency", code="too_far")
    if Agreement.objects.filter(venue_school=link, competency=competency).exists():
        raise DomainError(_("Эта компетенция уже предложена этой школе."), field="competency")
    agreement = Agreement(venue_school=link, competency=competency, proposed_by_side=side, proposed_by=by)
    save_audited(agreement, by=by, championship=link.venue.festival.championship)
    return agreement


def decide_agreement(agreement: Agreement, *, accept: bool, side: str, by: Any) -> Agreement:
    """The other side accepts or declines a proposed competency."""
    if agreement.status != Agreement.Status.PROPOSED:
        raise TransitionError(_("Решение по этой компетенции уже принято."))
    if side == agreement.proposed_by_side:
        raise DomainError(_("Предложение принимает другая сторона: %(side)s.") % {
            "side": _("школа") if side == Agreement.Side.VENUE else _("площадка")})
    if accept:
        refusal = delivery_refusal(agreement.venue_school, agreement.competency)
        if refusal:
            raise DomainError(refusal, code="too_far")
    agreement.status = Agreement.Status.ACCEPTED if accept else Agreement.Status.DECLINED
    agreement.decided_by, agreement.decided_at = by, timezone.now()
    save_audited(agreement, by=by, championship=agreement.venue_school.venue.festival.championship)
    return agreement


def coordinators_of(festival: Festival, school_ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.SCHOOL_COORDINATOR,
                               role_assignments__championship_id=festival.championship_id,
                               role_assignments__organisation_id__in=list(school_ids)).distinct()


def channel_members(item: FestivalVenue) -> list[User]:
    """Who the venue's channel reaches: the venue's people and its schools' coordinators."""
    school_ids = VenueSchool.objects.filter(venue=item).values_list("school_id", flat=True)
    members = {u.pk: u for u in item.staff.filter(is_active=True)}
    members.update({u.pk: u for u in coordinators_of(item.festival, school_ids)})
    return list(members.values())


def post_message(item: FestivalVenue, *, text: str, by: Any) -> ChannelMessage:
    """A message in the venue's shared channel (stage III), e-mailed to the channel's other members."""
    text = clean_text(text, field="text", what=_("Сообщение"), missing=_("Напишите сообщение."), max_length=TEXT_MAX)
    festival = item.festival
    with transaction.atomic():
        message = ChannelMessage.objects.create(venue=item, author=by, text=text)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=message, after=snapshot(message),
               championship=festival.championship)
        recipients = [u for u in channel_members(item) if u.pk != by.pk]
        addresses = usable_addresses(u.email for u in recipients)
        if addresses:
            queue_email("upm_channel_message", {
                "venue": str(item.venue), "festival": festival.name, "author": by.full_name, "text": text,
                "url": absolute_url(reverse("upm:channel", args=[item.pk]))},
                addresses, championship=festival.championship, related=message)
    return message


# --- Stage IV: lessons and their confirmation links ------------------------------------------------------------


def lesson_schools(lesson: Lesson) -> QuerySet[VenueSchool]:
    """The schools a lesson is for: those that agreed its competency with its venue."""
    return VenueSchool.objects.filter(
        venue__festival_id=lesson.festival_id, venue__venue_id=lesson.venue_id,
        agreements__competency__competency_id=lesson.competency_id,
        agreements__status=Agreement.Status.ACCEPTED).select_related("school").distinct()


def lesson_due(festival: Festival, starts_at: dt.datetime) -> dt.date:
    """The last day (festival zone) a lesson starting at ``starts_at`` may be created or confirmed."""
    return stages.last_day(timezones.local_date(starts_at, festival.championship), stages.LESSON_LEAD_DAYS)


def create_lesson(item: FestivalVenue, *, competency: FestivalCompetency, starts_at: dt.datetime, capacity: Any,
                  format: str, video_link: str = "", duration_minutes: Any = 45, by: Any,
                  now: dt.datetime | None = None) -> Lesson:
    """Stage IV: the venue creates a lesson in an agreed competency at least 5 days before its date (the festival's
    calendar); later it is refused with the day by which it was due."""
    festival = item.festival
    if competency.festival_id != festival.pk:
        raise DomainError(_("Компетенция не из этого фестиваля."), field="competency")
    if not Agreement.objects.filter(venue_school__venue=item, competency=competency,
                                    status=Agreement.Status.ACCEPTED).exists():
        raise DomainError(_("Компетенция «%(c)s» ещё не согласована ни с одной школой: сначала согласуйте её "
                            "с координатором школы.") % {"c": competency}, field="competency")
    if not isinstance(starts_at, dt.datetime):
        raise DomainError(_("Укажите дату и время урока."), field="starts_at")
    zone = zone_of(festival)
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=zone)
    if format not in Lesson.Format.values:
        raise DomainError(_("Укажите формат: онлайн или очно."), field="format")
    try:
        capacity = int(capacity)
        duration = int(duration_minutes)
    except (TypeError, ValueError):
        raise DomainError(_("Число мест и длительность — целые числа."), field="capacity") from None
    if not 1 <= capacity <= 10000:
        raise DomainError(_("Число мест — от 1 до 10 000."), field="capacity")
    if not 10 <= duration <= 480:
        raise DomainError(_("Длительность урока — от 10 до 480 минут."), field="duration_minutes")
    video_link = (video_link or "").strip()
    if video_link and not video_link.startswith(("https://", "http://")):
        raise DomainError(_("Ссылка на видеосвязь начинается с https://"), field="video_link")
    if format == Lesson.Format.ONLINE and not video_link:
        raise DomainError(_("Для онлайн-урока укажите ссылку на видеосвязь."), field="video_link")
    today = local_today(festival, now)
    day = timezones.local_date(starts_at, zone)
    if not stages.in_time(today, day, stages.LESSON_LEAD_DAYS):
        raise DomainError(_("Урок %(day)s нужно было создать не позже %(due)s — не менее чем за %(n)s дней до "
                            "урока (время — %(zone)s). Выберите более позднюю дату.") % {
            "day": _date(day), "due": _date(stages.last_day(day, stages.LESSON_LEAD_DAYS)),
            "n": stages.LESSON_LEAD_DAYS, "zone": timezones.zone_label(zone, starts_at)},
            field="starts_at", code="too_late")
    lesson = Lesson(festival=festival, venue=item.venue, competency=competency.competency, starts_at=starts_at,
                    duration_minutes=duration, capacity=capacity, format=format, video_link=video_link[:200],
                    created_by=by)
    save_audited(lesson, by=by, championship=festival.championship)
    return lesson


def confirmation_token(lesson: Lesson, school: Organisation, *, expires_at: dt.datetime | None = None) -> str:
    """A signed token naming the lesson and the school; it expires when the lesson starts."""
    expires = expires_at or lesson.starts_at
    return signing.dumps({"l": lesson.pk, "s": school.pk, "e": int(expires.timestamp())}, salt=LINK_SALT,
                         compress=True)


def confirmation_link(lesson: Lesson, school: Organisation) -> str:
    return absolute_url(reverse("upm:confirm", args=[confirmation_token(lesson, school)]))


class BadLink(DomainError):
    """A confirmation link that is not ours or no longer valid; the message says what to do."""


def read_confirmation_link(token: str, *, now: dt.datetime | None = None) -> tuple[Lesson, Organisation]:
    """The lesson and school of a link, or :class:`BadLink` (forged, broken or expired)."""
    try:
        data = signing.loads(token, salt=LINK_SALT)
        lesson_id, school_id, expires = int(data["l"]), int(data["s"]), int(data["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadLink(_("Ссылка повреждена или создана не на нашей платформе. Попросите координатора школы "
                        "прислать ссылку ещё раз."), code="forged") from None
    moment = now or timezone.now()
    if moment.timestamp() > expires:
        raise BadLink(_("Срок действия ссылки истёк: урок уже начался или прошёл. Узнайте у координатора школы о "
                        "других уроках фестиваля."), code="expired")
    lesson = lesson_for_confirmation(lesson_id)
    school = fetch_by_pk(Organisation, school_id)
    if lesson is None or school is None:
        raise BadLink(_("Урок по этой ссылке больше не найден. Попросите координатора школы прислать новую "
                        "ссылку."), code="missing")
    return lesson, school


def send_confirmation_link(lesson: Lesson, school: Organisation, *, by: Any,
                           now: dt.datetime | None = None) -> int:
    """Stage IV: the venue sends the school's confirmation link to the school's coordinators (e-mail queue), who
    pass it on to the parents. Refused for a school the lesson is not for, a cancelled lesson or one whose
    confirmations are closed. Returns how many coordinators were written to."""
    festival = lesson.festival
    if Lesson.objects.filter(pk=lesson.pk, cancelled_at__isnull=False).exists():
        raise TransitionError(_("Урок отменён: ссылку не отправить."))
    if not lesson_schools(lesson).filter(school=school).exists():
        raise DomainError(_("Эта школа не согласовала компетенцию урока с площадкой."), field="school")
    today = local_today(festival, now)
    zone = zone_of(festival)
    day = timezones.local_date(lesson.starts_at, zone)
    if not stages.in_time(today, day, stages.LESSON_LEAD_DAYS):
        raise TransitionError(_("Подтверждения на урок %(day)s принимались до %(due)s: ссылку отправлять поздно "
                                "(время — %(zone)s).") % {
            "day": _date(day), "due": _date(lesson_due(festival, lesson.starts_at)),
            "zone": timezones.zone_label(zone, lesson.starts_at)})
    people = list(coordinators_of(festival, [school.pk]))
    if not people:
        raise DomainError(_("У школы нет координатора на платформе: добавьте его, прежде чем отправлять ссылку."),
                          field="school")
    with transaction.atomic():
        sent = notify.link_sent(lesson, school, confirmation_link(lesson, school), to=people)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=lesson, championship=festival.championship,
               after={"link_sent_to_school": school.pk, "coordinators": sent},
               reason=_("Ссылка для подтверждения отправлена координатору школы"))
    return sent


def cancel_lesson(lesson: Lesson, *, reason: str, by: Any, now: dt.datetime | None = None) -> Lesson:
    """The venue cancels a lesson that has not ended: its links stop counting confirmations, and every confirmed
    child's parent and the schools' coordinators are told why (UPM-4, X-6). Confirmations stay as the record."""
    reason = clean_text(reason, field="reason", what=_("Причина отмены"), max_length=1000,
                        missing=_("Укажите причину отмены: её получат родители и координаторы."))
    moment = now or timezone.now()
    with transaction.atomic():
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        if locked.cancelled_at is not None:
            raise TransitionError(_("Урок уже отменён."))
        if locked.starts_at + dt.timedelta(minutes=locked.duration_minutes) <= moment:
            raise TransitionError(_("Урок уже прошёл: отменить его нельзя."))
        before = snapshot(locked)
        locked.cancelled_at = moment
        locked.save(update_fields=["cancelled_at"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked),
               reason=reason, championship=locked.festival.championship)
        notify.lesson_cancelled(locked, reason=reason)
    lesson.cancelled_at = locked.cancelled_at
    return locked


# --- Stage V: families -------------------------------------------------------------------------------------------


def pupil_school_id(festival: Festival, pupil: User) -> int | None:
    return (RoleAssignment.objects.filter(user=pupil, role=Role.PUPIL, championship_id=festival.championship_id)
            .values_list("organisation_id", flat=True).first())


def request_family_link(parent: User, *, child_email: str, by: Any) -> FamilyLink:
    """The parent asks to link their account with their child's; the child or the coordinator confirms."""
    email = (child_email or "").strip().lower()
    child = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if child is None:
        raise DomainError(_("Кабинет ребёнка с адресом «%(email)s» не найден. Если ребёнок ещё не "
                            "зарегистрирован, попросите координатора школы — он зарегистрирует и сразу свяжет "
                            "кабинеты.") % {"email": email}, field="child_email")
    if child.pk == parent.pk:
        raise DomainError(_("Укажите адрес кабинета ребёнка, а не свой."), field="child_email")
    existing = FamilyLink.objects.filter(parent=parent, child=child).first()
    if existing is not None and existing.status != FamilyLink.Status.DECLINED:
        raise DomainError(_("Запрос уже отправлен или кабинеты уже связаны."), field="child_email")
    with transaction.atomic():
        if existing is not None:  # a declined link may be asked for again
            existing.delete()
        link = FamilyLink.objects.create(parent=parent, child=child, requested_by=by)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=link, after=snapshot(link))
    return link


def decide_family_link(link: FamilyLink, *, accept: bool, by: Any) -> FamilyLink:
    """The child (or the child's school coordinator) confirms or declines a parent's request."""
    if link.status != FamilyLink.Status.REQUESTED:
        raise TransitionError(_("Этот запрос уже рассмотрен."))
    before = snapshot(link)
    link.status = FamilyLink.Status.CONFIRMED if accept else FamilyLink.Status.DECLINED
    link.decided_by, link.decided_at = by, timezone.now()
    with transaction.atomic():
        link.save(update_fields=["status", "decided_by", "decided_at"])
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=link, before=before, after=snapshot(link))
    return link


def create_family_link(parent: User, child: User, *, by: Any) -> FamilyLink:
    """The coordinator links a parent and a child of their school: confirmed at once, recorded as theirs."""
    if parent.pk == child.pk:
        raise DomainError(_("Нельзя связать кабинет с самим собой."), field="parent")
    with transaction.atomic():
        link = FamilyLink.objects.select_for_update().filter(parent=parent, child=child).first()
        if link is not None and link.status == FamilyLink.Status.CONFIRMED:
            raise DomainError(_("Эти кабинеты уже связаны."), field="parent")
        before = snapshot(link) if link else None
        if link is None:
            link = FamilyLink(parent=parent, child=child, requested_by=by)
        link.status, link.decided_by, link.decided_at = FamilyLink.Status.CONFIRMED, by, timezone.now()
        link.save()
        record(actor=by, action=AuditEntry.Action.UPDATE if before else AuditEntry.Action.CREATE, instance=link,
               before=before, after=snapshot(link))
    return link


@dataclass
class Person:
    email: str
    last_name: str
    first_name: str
    patronymic: str = ""


def _person(festival: Festival, data: Person, role: str, school: Organisation | None, by: Any) -> User:
    email = (data.email or "").strip().lower()
    if not email or "@" not in email:
        raise DomainError(_("Укажите e-mail — по нему человек войдёт в кабинет."), field="email")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        if not data.last_name.strip() or not data.first_name.strip():
            raise DomainError(_("Укажите фамилию и имя."), field="last_name")
        user = accounts_domain.create_user(email=email, last_name=data.last_name, first_name=data.first_name,
                                           patronymic=data.patronymic, by=by, championship=festival.championship)
    held = RoleAssignment.objects.filter(user=user, role=role, championship_id=festival.championship_id).first()
    if held is None:
        accounts_domain.assign_role(user=user, role=role, championship=festival.championship, organisation=school,
                                    by=by)
    elif role == Role.PUPIL and school is not None and held.organisation_id not in (None, school.pk):
        raise DomainError(_("%(name)s уже записан(а) учеником другой школы.") % {"name": user.full_name},
                          field="email")
    return user


def register_family(festival: Festival, school: Organisation, *, parent: Person, child: Person,
                    by: Any) -> FamilyLink:
    """The coordinator registers a parent and a child of the school (or finds their accounts) and links them.
    The new accounts have no password: their owners set one through «Забыли пароль?» with their e-mail."""
    with transaction.atomic():
        parent_user = _person(festival, parent, Role.PARENT, None, by)
        child_user = _person(festival, child, Role.PUPIL, school, by)
        existing = FamilyLink.objects.filter(parent=parent_user, child=child_user,
                                             status=FamilyLink.Status.CONFIRMED).first()
        return existing or create_family_link(parent_user, child_user, by=by)


# --- Stage V: eligibility and the confirmation itself ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One unmet condition, told as the next thing to do."""

    code: str
    message: str
    url: str = ""
    link_text: str = ""


class NotEligible(DomainError):
    """A confirmation that would not count; ``steps`` say what to do first."""

    def __init__(self, steps: Sequence[Step]) -> None:
        super().__init__(" ".join(s.message for s in steps), code=steps[0].code if steps else "not_eligible")
        self.steps = list(steps)


@dataclass
class Eligibility:
    pupil: User
    steps: list[Step] = field(default_factory=list)
    confirmed: bool = False

    @property
    def ok(self) -> bool:
        return not self.steps


def children_with_conditions(festival: Festival, parent: User, *, lesson: Lesson | None = None,
                             pupil_ids: Iterable[int] | None = None) -> QuerySet[Any]:
    """The parent's linked (or requested) children, each annotated in one query with what seed 001 asks: the link's
    status, the child's school in the festival, a passed diagnostic test, an earlier professional trial and (for a
    lesson) an existing confirmation."""
    championship_id = festival.championship_id
    link = FamilyLink.objects.filter(parent=parent, child=OuterRef("pk")).exclude(status=FamilyLink.Status.DECLINED)
    queryset: QuerySet[Any] = (User.objects.filter(Exists(link)) if pupil_ids is None
                               else User.objects.filter(pk__in=list(pupil_ids)))
    queryset = queryset.annotate(
        link_status=Subquery(FamilyLink.objects.filter(parent=parent, child=OuterRef("pk"))
                             .values("status")[:1]),
        pupil_school=Subquery(RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.PUPIL,
                                                            championship_id=championship_id)
                              .values("organisation_id")[:1]),
        is_pupil=Exists(RoleAssignment.objects.filter(user=OuterRef("pk"), role=Role.PUPIL,
                                                      championship_id=championship_id)),
        diagnostic_passed=Exists(Attempt.all_objects.filter(
            user=OuterRef("pk"), exam__upm_festivals=festival, status=Attempt.Status.FINISHED, passed=True)),
        had_trial=Exists(ProfessionalTrial.objects.filter(pupil=OuterRef("pk"))),
    )
    if lesson is not None:
        queryset = queryset.annotate(already=Exists(Confirmation.objects.filter(lesson=lesson, pupil=OuterRef("pk"))))
    return queryset.only("pk", "last_name", "first_name", "patronymic", "email").order_by("last_name", "first_name")


def diagnostic_url(festival: Festival) -> str:
    exam_id = festival.diagnostic_exams.filter(status="published").values_list("pk", flat=True).first()
    return reverse("exams:take", args=[exam_id]) if exam_id else ""


def _steps(child: Any, *, festival: Festival, school: Organisation | None, parent_registered: bool,
           diagnostic: str) -> list[Step]:
    steps: list[Step] = []
    if not parent_registered:
        steps.append(Step("parent_not_registered", _(
            "Ваш кабинет ещё не зарегистрирован как кабинет родителя в фестивале. Попросите координатора школы "
            "зарегистрировать вас — это займёт минуту.")))
    if not child.is_pupil:
        steps.append(Step("child_not_registered", _(
            "%(name)s ещё не зарегистрирован(а) на платформе как школьник. Попросите координатора школы "
            "зарегистрировать ребёнка.") % {"name": child.first_name}))
    elif school is not None and child.pupil_school not in (None, school.pk):
        steps.append(Step("other_school", _(
            "Эта ссылка — для учеников школы «%(school)s». Попросите ссылку у координатора школы, где учится "
            "%(name)s.") % {"school": school.short_name or school.name, "name": child.first_name}))
    if child.link_status != FamilyLink.Status.CONFIRMED:
        if child.link_status == FamilyLink.Status.REQUESTED:
            steps.append(Step("link_pending", _(
                "Запрос на связь с кабинетом ребёнка ждёт подтверждения: %(name)s может подтвердить его в своём "
                "кабинете, или это сделает координатор школы.") % {"name": child.first_name},
                reverse("upm:family"), _("Мои дети")))
        else:
            steps.append(Step("not_linked", _(
                "Этот ребёнок не связан с вашим кабинетом. Отправьте запрос на связь — его подтвердит ребёнок или "
                "координатор школы."), reverse("upm:family"), _("Связать кабинеты")))
    if not child.diagnostic_passed:
        steps.append(Step("no_diagnostic", _(
            "Сначала ребёнку нужно пройти онлайн-диагностику — вот ссылка. После неё вернитесь по этой же ссылке и "
            "подтвердите участие."), diagnostic, _("Пройти онлайн-диагностику")))
    if child.had_trial:
        steps.append(Step("had_trial", _(
            "%(name)s уже проходил(а) профессиональную пробу в проекте. По правилам фестиваля урок засчитывается "
            "ребёнку один раз — выберите для него другие мероприятия фестиваля.") % {"name": child.first_name}))
    return steps


def parent_registered(festival: Festival, parent: User) -> bool:
    return RoleAssignment.objects.filter(user=parent, role=Role.PARENT,
                                         championship_id=festival.championship_id).exists()


def lesson_refusal(lesson: Lesson, *, now: dt.datetime | None = None) -> Step | None:
    """Why nobody may confirm for this lesson now (cancelled, too late), or None."""
    if lesson.cancelled_at is not None:
        return Step("cancelled", _("Урок отменён. Узнайте у координатора школы о других уроках фестиваля."))
    festival = lesson.festival
    due = lesson_due(festival, lesson.starts_at)
    if local_today(festival, now) > due:
        zone = zone_of(festival)
        return Step("too_late", _("Подтвердить участие в этом уроке можно было до %(due)s включительно — не менее "
                                  "чем за %(n)s дней до урока (время — %(zone)s).") % {
            "due": _date(due), "n": stages.LESSON_LEAD_DAYS, "zone": timezones.zone_label(zone, lesson.starts_at)})
    return None


def eligibility(lesson: Lesson, school: Organisation | None, parent: User) -> list[Eligibility]:
    """The parent's children for a lesson, each with what is still missing (two queries)."""
    festival = lesson.festival
    registered = parent_registered(festival, parent)
    diagnostic = ""
    result = []
    child: Any
    for child in children_with_conditions(festival, parent, lesson=lesson):
        if not child.diagnostic_passed and not diagnostic:
            diagnostic = diagnostic_url(festival)
        steps = _steps(child, festival=festival, school=school, parent_registered=registered, diagnostic=diagnostic)
        result.append(Eligibility(pupil=child, steps=[] if child.already else steps, confirmed=child.already))
    return result


@dataclass
class ChildConditions:
    """One child's conditions for one lesson, as :func:`children_with_conditions` annotates them (the confirmation's
    read: one statement), with the child as the user read with only their names and e-mail."""

    user: User
    link_status: str | None
    pupil_school: int | None
    is_pupil: bool
    diagnostic_passed: bool
    had_trial: bool
    already: bool
    parent_ok: bool

    @property
    def pk(self) -> int:
        return int(self.user.pk)

    @property
    def first_name(self) -> str:
        return self.user.first_name

    @property
    def full_name(self) -> str:
        return self.user.full_name

    def as_user(self) -> User:
        """The child as the user read with only a few fields (as ``.only()`` gives it: the others deferred, so a
        save would write only those): a confirmation's ``pupil`` without another query."""
        return self.user


def child_conditions(festival: Festival, parent: User, lesson: Lesson, pupil_id: int) -> ChildConditions | None:
    """What :func:`children_with_conditions` says of one child for ``lesson`` (and whether ``parent`` is registered
    as a parent of the festival), in one plain statement: the parents' confirmations are the festival's busiest
    request, and building the annotated query cost more than the database spent answering it. Tested to agree
    with :func:`children_with_conditions` for every kind of child (``tests/upm``). None: no such person."""
    tables = {"user": User._meta.db_table, "link": FamilyLink._meta.db_table, "role": RoleAssignment._meta.db_table,
              "attempt": Attempt._meta.db_table, "trial": ProfessionalTrial._meta.db_table,
              "confirmation": Confirmation._meta.db_table,
              "diagnostic": Festival.diagnostic_exams.through._meta.db_table}
    sql = """
        SELECT u.id, u.last_name, u.first_name, u.patronymic, u.email,
          (SELECT l.status FROM {link} l WHERE l.parent_id = %s AND l.child_id = u.id LIMIT 1),
          (SELECT r.organisation_id FROM {role} r
            WHERE r.user_id = u.id AND r.role = %s AND r.championship_id = %s LIMIT 1),
          EXISTS (SELECT 1 FROM {role} r WHERE r.user_id = u.id AND r.role = %s AND r.championship_id = %s),
          EXISTS (SELECT 1 FROM {attempt} a INNER JOIN {diagnostic} d ON d.exam_id = a.exam_id
            WHERE d.festival_id = %s AND a.user_id = u.id AND a.status = %s AND a.passed),
          EXISTS (SELECT 1 FROM {trial} t WHERE t.pupil_id = u.id),
          EXISTS (SELECT 1 FROM {confirmation} c WHERE c.lesson_id = %s AND c.pupil_id = u.id),
          EXISTS (SELECT 1 FROM {role} r WHERE r.user_id = %s AND r.role = %s AND r.championship_id = %s)
        FROM {user} u WHERE u.id = %s""".format(**tables)  # noqa: S608 - the models' own table names
    championship_id = festival.championship_id
    params: list[Any] = [parent.pk, Role.PUPIL.value, championship_id, Role.PUPIL.value, championship_id, festival.pk,
              Attempt.Status.FINISHED.value, lesson.pk, parent.pk, Role.PARENT.value, championship_id, pupil_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    read = {"id": row[0], "last_name": row[1], "first_name": row[2], "patronymic": row[3] or "", "email": row[4]}
    order = [f.attname for f in User._meta.concrete_fields if f.attname in read]  # from_db takes the model's order
    return ChildConditions(user=User.from_db(connection.alias, order, [read[name] for name in order]),
                           link_status=row[5], pupil_school=row[6], is_pupil=bool(row[7]),
                           diagnostic_passed=bool(row[8]), had_trial=bool(row[9]), already=bool(row[10]),
                           parent_ok=bool(row[11]))


def _integrity_refusal(exc: IntegrityError) -> DomainError:
    text = str(exc)
    if "upm_lesson_not_overfull" in text or "confirmed_count" in text:
        return DomainError(_("Все места заняты."), code="full")
    return DomainError(_("Участие этого ребёнка в уроке уже подтверждено."), code="duplicate")


def confirm(lesson: Lesson, *, school: Organisation, pupil: User | int, parent: User,
            now: dt.datetime | None = None) -> Confirmation:
    """Stage V: the parent confirms their child for the lesson. It counts only when seed 001's conditions hold —
    both registered, accounts linked, a diagnostic test passed, no earlier professional trial — and at least 5 days
    before (festival zone). Otherwise :class:`NotEligible` with the next steps — for the parent's own child also
    e-mailed to the parent (X-6), nothing else written — or a :class:`DomainError`, nothing written. The lesson's
    capacity (a check on ``confirmed_count``) and one confirmation per child (a unique constraint) are the
    database's. ``lesson`` should come with ``festival__championship`` read.

    Queries: one read of every condition, then the insert, the counter's update and the audit entry."""
    refusal = lesson_refusal(lesson, now=now)
    if refusal is not None:
        raise DomainError(refusal.message, code=refusal.code)
    festival = lesson.festival
    pupil_id = pupil if isinstance(pupil, int) else pupil.pk
    child = child_conditions(festival, parent, lesson, pupil_id)
    if child is None or child.link_status is None:
        raise NotEligible([Step("not_linked", _("Этот ребёнок не связан с вашим кабинетом. Отправьте запрос на "
                                                "связь — его подтвердит ребёнок или координатор школы."),
                                reverse("upm:family"), _("Связать кабинеты"))])
    if child.already:
        raise DomainError(_("Участие этого ребёнка в уроке уже подтверждено."), code="duplicate")
    steps = _steps(child, festival=festival, school=school, parent_registered=child.parent_ok,
                   diagnostic=diagnostic_url(festival) if not child.diagnostic_passed else "")
    if steps:
        # the parent's own child — the next steps by e-mail too, with the link to come back to. (A child not
        # linked to this parent gets none: that e-mail would name another family's child.)
        notify.confirmation_refused(lesson, parent=parent, pupil_name=child.full_name,
                                    reasons=[step.message for step in steps],
                                    path=confirmation_link(lesson, school))
        raise NotEligible(steps)
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(lesson=lesson, pupil=child.as_user(), parent=parent,
                                                       school=school)
            updated = Lesson.objects.filter(pk=lesson.pk, cancelled_at__isnull=True).update(
                confirmed_count=F("confirmed_count") + 1)
            if not updated:
                raise DomainError(_("Урок отменён. Узнайте у координатора школы о других уроках фестиваля."),
                                  code="cancelled")
            notify.confirmation_counted(confirmation, pupil_name=child.full_name)
            # Last: the audit chain's lock is held from here to the commit, so nothing else runs inside it.
            AuditEntry.objects.create(
                actor=parent, championship_id=festival.championship_id, action=AuditEntry.Action.CREATE,
                object_type=Confirmation._meta.label, object_id=str(confirmation.pk),
                object_repr=f"{child.full_name} — {lesson.pk}"[:300],
                after={"lesson": lesson.pk, "pupil": pupil_id, "parent": parent.pk, "school": school.pk})
    except IntegrityError as exc:
        raise _integrity_refusal(exc) from exc
    lesson.confirmed_count += 1
    return confirmation


def lesson_for_confirmation(pk: int) -> Lesson | None:
    """A lesson read the way :func:`confirm` wants it (its festival and zone in the same query; on PostgreSQL a
    prepared statement: every parent's page and confirmation reads it)."""
    return fetch_by_pk(Lesson, pk, related=("festival__championship", "competency", "venue"))
