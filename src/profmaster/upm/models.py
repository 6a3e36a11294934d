"""«Уроки профессионального мастерства» (SPEC UPM-1…UPM-7, seed 001): a regional festival of professions, the
lessons its venues hold for schools, parents' confirmations of their children and the professional trial
(профпроба) a taken lesson counts as."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def _default_stages_deadline() -> dt.date:
    """Stages I–III of the algorithm end on 31 October (seed 001) of the current year unless the festival says."""
    return dt.date(dt.date.today().year, 10, 31)


class Festival(models.Model):
    """A region's festival of professions. Its championship is the scope of the УПМ roles (operator, venue,
    school coordinator, parent, pupil) and gives the festival its time zone."""

    championship = models.OneToOneField("championships.Championship", on_delete=models.PROTECT,
                                        related_name="festival", verbose_name=_("чемпионат (рамка ролей)"))
    name = models.CharField(_("название"), max_length=300)
    region = models.CharField(_("регион"), max_length=100)
    #: Stages I–III (competencies, venues, schools, agreements) end on this day, in the festival's zone.
    stages_deadline = models.DateField(_("срок этапов I–III"), default=_default_stages_deadline)
    #: The online diagnostic tests of the festival (the platform's own exams): a child must have passed one.
    diagnostic_exams = models.ManyToManyField("exams.Exam", blank=True, related_name="upm_festivals",
                                              verbose_name=_("онлайн-диагностика"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("фестиваль профессий")
        verbose_name_plural = _("фестивали профессий")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def time_zone(self) -> str:
        return self.championship.time_zone


class Lesson(models.Model):
    """A lesson (УПМ) a venue holds in one competency for the schools it serves (UPM-4)."""

    class Format(models.TextChoices):
        ONLINE = "online", _("Онлайн")
        IN_PERSON = "in_person", _("Очно")

    festival = models.ForeignKey(Festival, on_delete=models.PROTECT, related_name="lessons",
                                 verbose_name=_("фестиваль"))
    venue = models.ForeignKey("organisations.Venue", on_delete=models.PROTECT, related_name="upm_lessons",
                              verbose_name=_("площадка"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="upm_lessons",
                                   verbose_name=_("компетенция"))
    starts_at = models.DateTimeField(_("начало"))
    duration_minutes = models.PositiveSmallIntegerField(_("длительность, минут"), default=45)
    capacity = models.PositiveIntegerField(_("мест"))
    #: Confirmations counted so far; kept with the capacity so that the database refuses an overfull lesson.
    confirmed_count = models.PositiveIntegerField(_("подтверждено"), default=0)
    format = models.CharField(_("формат"), max_length=16, choices=Format.choices)
    video_link = models.URLField(_("ссылка на видеосвязь"), blank=True)
    cancelled_at = models.DateTimeField(_("отменён"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("создал"))
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("урок профессионального мастерства")
        verbose_name_plural = _("уроки профессионального мастерства")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="upm_lesson_capacity_positive",
                                   violation_error_message=_("Укажите число мест.")),
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("capacity")), name="upm_lesson_not_overfull",
                                   violation_error_message=_("Все места на уроке заняты.")),
        ]

    def __str__(self) -> str:
        return f"{self.competency} — {self.venue}"

    @property
    def championship_id(self) -> int:
        return self.festival.championship_id


class Confirmation(models.Model):
    """A parent's confirmation of their child for a lesson (UPM-5); it exists only once it counts."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="confirmations",
                               verbose_name=_("урок"))
    pupil = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upm_confirmations",
                              verbose_name=_("школьник"))
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("родитель"))
    school = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("школа"))
    confirmed_at = models.DateTimeField(_("подтверждено"), auto_now_add=True)

    class Meta:
        verbose_name = _("подтверждение участия")
        verbose_name_plural = _("подтверждения участия")
        ordering = ["lesson", "confirmed_at"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "pupil"], name="upm_confirmation_once_per_lesson",
                                    violation_error_message=_("Участие этого ребёнка в уроке уже подтверждено.")),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} — {self.lesson}"


class ProfessionalTrial(models.Model):
    """A professional trial (профпроба) a pupil has taken in the project: a confirmation counts only for a
    pupil who has none (UPM-5). A taken lesson records one (UPM-7); an earlier one is entered with its source."""

    pupil = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="upm_trial",
                                 verbose_name=_("школьник"))
    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, null=True, blank=True, related_name="trials",
                               verbose_name=_("урок"))
    taken_on = models.DateField(_("дата"))
    source = models.CharField(_("откуда известно"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("записал"))
    recorded_at = models.DateTimeField(_("записано"), auto_now_add=True)

    class Meta:
        verbose_name = _("профессиональная проба")
        verbose_name_plural = _("профессиональные пробы")
        constraints = [
            models.CheckConstraint(condition=Q(lesson__isnull=False) | ~Q(source=""), name="upm_trial_has_source",
                                   violation_error_message=_("Укажите, где и когда ребёнок проходил профпробу.")),
        ]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.taken_on}"


class FestivalCompetency(models.Model):
    """A competency the operator chose for the festival (stage I). ``needs_delivery``: equipment or consumables of
    its infrastructure list must be brought to the school, so only schools within 30 minutes may have it (II)."""

    class DeliverySource(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", _("по инфраструктурному листу")
        OPERATOR = "operator", _("указал оператор")

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="competencies",
                                 verbose_name=_("фестиваль"))
    competency = models.ForeignKey("championships.Competency", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("компетенция"))
    needs_delivery = models.BooleanField(_("нужна доставка оборудования в школу"), default=False)
    delivery_source = models.CharField(_("откуда известно"), max_length=16, choices=DeliverySource.choices,
                                       default=DeliverySource.INFRASTRUCTURE)

    class Meta:
        verbose_name = _("компетенция фестиваля")
        verbose_name_plural = _("компетенции фестиваля")
        ordering = ["competency__name"]
        constraints = [
            models.UniqueConstraint(fields=["festival", "competency"], name="upm_festival_competency_once",
                                    violation_error_message=_("Эта компетенция уже есть в фестивале.")),
        ]

    def __str__(self) -> str:
        return str(self.competency)

    @property
    def championship_id(self) -> int:
        return self.festival.championship_id


class FestivalVenue(models.Model):
    """A venue the operator chose for the festival (stage I), with its people (Role.UPM_VENUE) and the festival's
    competencies it holds lessons in."""

    festival = models.ForeignKey(Festival, on_delete=models.CASCADE, related_name="venues",
                                 verbose_name=_("фестиваль"))
    venue = models.ForeignKey("organisations.Venue", on_delete=models.PROTECT, related_name="upm_festivals",
                              verbose_name=_("площадка"))
    competencies = models.ManyToManyField(FestivalCompetency, blank=True, related_name="venues",
                                          verbose_name=_("компетенции"))
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="upm_venues",
                                   verbose_name=_("представители площадки"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("площадка фестиваля")
        verbose_name_plural = _("площадки фестиваля")
        ordering = ["venue__name"]
        constraints = [
            models.UniqueConstraint(fields=["festival", "venue"], name="upm_festival_venue_once",
                                    violation_error_message=_("Эта площадка уже участвует в фестивале.")),
        ]

    def __str__(self) -> str:
        return str(self.venue)

    @property
    def championship_id(self) -> int:
        return self.festival.championship_id


class VenueSchool(models.Model):
    """A school a venue may serve (stage II), with the travel time between them and where that figure comes from."""

    class TravelSource(models.TextChoices):
        ENTERED = "entered", _("указано оператором")
        ESTIMATED = "estimated", _("оценка по карте")

    #: Seed 001, stage II: a school beyond this many minutes' travel cannot get equipment delivered.
    DELIVERY_LIMIT_MINUTES = 30

    venue = models.ForeignKey(FestivalVenue, on_delete=models.CASCADE, related_name="schools",
                              verbose_name=_("площадка"))
    school = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="upm_venues",
                               verbose_name=_("школа"))
    travel_minutes = models.PositiveSmallIntegerField(_("время в пути, минут"))
    travel_source = models.CharField(_("источник времени в пути"), max_length=16, choices=TravelSource.choices,
                                     default=TravelSource.ENTERED)
    travel_note = models.CharField(_("как получено"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("школа площадки")
        verbose_name_plural = _("школы площадки")
        ordering = ["venue", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["venue", "school"], name="upm_venue_school_once",
                                    violation_error_message=_("Эта школа уже закреплена за площадкой.")),
        ]

    def __str__(self) -> str:
        return f"{self.school} — {self.venue}"

    @property
    def championship_id(self) -> int:
        return self.venue.festival.championship_id

    @property
    def within_delivery_reach(self) -> bool:
        return self.travel_minutes <= self.DELIVERY_LIMIT_MINUTES


class Agreement(models.Model):
    """A competency a venue and a school's coordinator agree to hold lessons in (stage III): one side proposes,
    the other accepts or declines."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("предложена")
        ACCEPTED = "accepted", _("согласована")
        DECLINED = "declined", _("отклонена")

    class Side(models.TextChoices):
        VENUE = "venue", _("площадка")
        SCHOOL = "school", _("школа")

    venue_school = models.ForeignKey(VenueSchool, on_delete=models.CASCADE, related_name="agreements",
                                     verbose_name=_("площадка и школа"))
    competency = models.ForeignKey(FestivalCompetency, on_delete=models.PROTECT, related_name="agreements",
                                   verbose_name=_("компетенция"))
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    proposed_by_side = models.CharField(_("предложила"), max_length=8, choices=Side.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("предложил"))
    proposed_at = models.DateTimeField(_("предложено"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("решил"))
    decided_at = models.DateTimeField(_("решено"), null=True, blank=True)

    class Meta:
        verbose_name = _("согласование компетенции")
        verbose_name_plural = _("согласования компетенций")
        ordering = ["venue_school", "competency"]
        constraints = [
            models.UniqueConstraint(fields=["venue_school", "competency"], name="upm_agreement_once",
                                    violation_error_message=_("Эта компетенция уже предложена этой школе.")),
            models.CheckConstraint(condition=Q(status="proposed") | Q(decided_at__isnull=False),
                                   name="upm_agreement_decided_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.competency} — {self.venue_school}"

    @property
    def championship_id(self) -> int:
        return self.venue_school.venue.festival.championship_id


class ChannelMessage(models.Model):
    """A message in a venue's shared channel with its schools' coordinators (stage III); the operator reads it."""

    venue = models.ForeignKey(FestivalVenue, on_delete=models.CASCADE, related_name="messages",
                              verbose_name=_("площадка"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("автор"))
    text = models.TextField(_("сообщение"), max_length=4000)
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True)

    class Meta:
        verbose_name = _("сообщение канала площадки")
        verbose_name_plural = _("сообщения канала площадки")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:50]}"


class FamilyLink(models.Model):
    """A parent's and a child's accounts linked (UPM-5, condition 2). Never silent: the parent requests and the
    child or the school's coordinator confirms, or the coordinator creates it confirmed."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("ждёт подтверждения")
        CONFIRMED = "confirmed", _("подтверждена")
        DECLINED = "declined", _("отклонена")

    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upm_children_links",
                               verbose_name=_("родитель"))
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="upm_parent_links",
                              verbose_name=_("ребёнок"))
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("запросил"))
    created_at = models.DateTimeField(_("запрошено"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("подтвердил"))
    decided_at = models.DateTimeField(_("подтверждено"), null=True, blank=True)

    class Meta:
        verbose_name = _("связь родителя и ребёнка")
        verbose_name_plural = _("связи родителей и детей")
        ordering = ["parent", "child"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="upm_family_link_once",
                                    violation_error_message=_("Эти кабинеты уже связаны или связь ждёт "
                                                              "подтверждения.")),
            models.CheckConstraint(condition=~Q(parent=F("child")), name="upm_family_link_two_people",
                                   violation_error_message=_("Нельзя связать кабинет с самим собой.")),
            models.CheckConstraint(condition=Q(status="requested") | Q(decided_by__isnull=False),
                                   name="upm_family_link_decided_by_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.parent} — {self.child}"


class SchoolInFestival:
    """A school as one festival sees it: the object the coordinator's permissions are checked on."""

    def __init__(self, festival: Festival, school: Any) -> None:
        self.festival = festival
        self.school = school
        self.championship_id = festival.championship_id
        self.school_id = school.pk

# --- Equipment and the day (UPM-6, UPM-7) ------------------------------------------------------------------


class EquipmentDelivery(models.Model):
    """The venue's record that the infrastructure-list items reached a school for a lesson (UPM-6, seed 001 VI),
    at least two days before it; the school's coordinator then confirms receipt."""

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="deliveries",
                               verbose_name=_("урок"))
    school = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("школа"))
    items = models.TextField(_("что доставлено"), blank=True)
    delivered_at = models.DateTimeField(_("доставлено"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("записал"))
    received_at = models.DateTimeField(_("получение подтверждено"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("подтвердил получение"))

    class Meta:
        verbose_name = _("доставка оборудования")
        verbose_name_plural = _("доставки оборудования")
        ordering = ["lesson", "school"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "school"], name="upm_delivery_once_per_school",
                                    violation_error_message=_("Доставка в эту школу к этому уроку уже записана.")),
            models.CheckConstraint(condition=Q(received_at__isnull=True) | Q(received_by__isnull=False),
                                   name="upm_delivery_receipt_has_person",
                                   violation_error_message=_("Укажите, кто подтвердил получение.")),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} → {self.school}"


class LessonCheck(models.Model):
    """One item of a lesson's checklist for the day (UPM-7, seed 001 VII): the mentor at the venue, the video
    link with a school tested in advance (when and by whom), the school's representative in the class."""

    class Item(models.TextChoices):
        MENTOR_PRESENT = "mentor_present", _("Наставник на площадке")
        LINK_TESTED = "link_tested", _("Видеосвязь со школой проверена")
        SCHOOL_REPRESENTATIVE = "school_representative", _("Представитель школы в классе")

    #: Items checked per school; the mentor is the venue's, one per lesson.
    PER_SCHOOL = frozenset({Item.LINK_TESTED, Item.SCHOOL_REPRESENTATIVE})

    lesson = models.ForeignKey(Lesson, on_delete=models.PROTECT, related_name="checks", verbose_name=_("урок"))
    item = models.CharField(_("пункт"), max_length=32, choices=Item.choices)
    school = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("школа"))
    done_at = models.DateTimeField(_("когда"))
    note = models.CharField(_("примечание"), max_length=300, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("кто"))
    recorded_at = models.DateTimeField(_("записано"), auto_now_add=True)

    class Meta:
        verbose_name = _("пункт чек-листа урока")
        verbose_name_plural = _("чек-лист урока")
        ordering = ["lesson", "item", "school"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "item"], condition=Q(school__isnull=True),
                                    name="upm_check_once_per_lesson",
                                    violation_error_message=_("Этот пункт чек-листа уже отмечен.")),
            models.UniqueConstraint(fields=["lesson", "item", "school"], condition=Q(school__isnull=False),
                                    name="upm_check_once_per_school",
                                    violation_error_message=_("Этот пункт чек-листа для школы уже отмечен.")),
            models.CheckConstraint(
                condition=(Q(item="mentor_present", school__isnull=True)
                           | Q(item__in=["link_tested", "school_representative"], school__isnull=False)),
                name="upm_check_school_matches_item",
                violation_error_message=_("Наставник отмечается для урока, связь и представитель — для школы.")),
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.get_item_display()}"


class Attendance(models.Model):
    """Whether a confirmed pupil was at the lesson, taken by the venue or the school (UPM-7). Present: the lesson
    counts as the pupil's professional trial (:class:`ProfessionalTrial`)."""

    confirmation = models.OneToOneField(Confirmation, on_delete=models.PROTECT, related_name="attendance",
                                        verbose_name=_("подтверждение"))
    present = models.BooleanField(_("присутствовал"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("отметил"))
    recorded_at = models.DateTimeField(_("отмечено"))

    class Meta:
        verbose_name = _("посещение урока")
        verbose_name_plural = _("посещаемость уроков")

    def __str__(self) -> str:
        return f"{self.confirmation}: {'+' if self.present else '−'}"


class LessonNotice(models.Model):
    """A notice about a lesson that goes out once: the reminder the day before (X-6), the flag of a delivery not
    confirmed two days before (UPM-6). The unique row is written with the e-mails in one transaction."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Напоминание накануне урока")
        DELIVERY_OVERDUE = "delivery_overdue", _("Доставка оборудования не подтверждена")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="notices", verbose_name=_("урок"))
    kind = models.CharField(_("что"), max_length=32, choices=Kind.choices)
    sent_at = models.DateTimeField(_("отправлено"), auto_now_add=True)

    class Meta:
        verbose_name = _("уведомление об уроке")
        verbose_name_plural = _("уведомления об уроках")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "kind"], name="upm_notice_once",
                                    violation_error_message=_("Это уведомление об уроке уже отправлено.")),
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.get_kind_display()}"
