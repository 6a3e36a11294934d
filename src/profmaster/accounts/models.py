"""People, their scoped roles (SPEC §0) and their API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class Language(models.TextChoices):
    """The language a person gets the platform's e-mails in (X-6): Russian unless they choose English."""

    RU = "ru", "Русский"
    EN = "en", "English"


class Gender(models.TextChoices):
    """A person's gender where their name's declension needs it (AW-6): asked when the patronymic does
    not tell. The codes are the grammatical ones of ``results.declension``."""

    MALE = "masc", _("мужской")
    FEMALE = "femn", _("женский")


class NameFormsMixin(models.Model):
    """What diplomas and protocols need to print a person's name in the right case (AW-6, DOC-3): the
    gender, and the organiser's correction of the dative form, kept with the nominative it was made for
    (a correction of a name that has since been changed no longer applies)."""

    gender = models.CharField(_("пол"), max_length=8, choices=Gender.choices, blank=True,
                              help_text=_("Нужен, чтобы верно склонять ФИО в дипломах, если нет отчества."))
    name_dative = models.CharField(_("ФИО в дательном падеже (исправлено)"), max_length=450, blank=True)
    name_dative_for = models.CharField(_("исправление сделано для ФИО"), max_length=450, blank=True)

    class Meta:
        abstract = True

    @property
    def dative_correction(self) -> str:
        """The corrected dative form, if it was made for the name as it is now."""
        full = " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)  # type: ignore[attr-defined]
        return self.name_dative if self.name_dative and self.name_dative_for == full else ""


class User(NameFormsMixin, AbstractBaseUser, PermissionsMixin):
    """A person. Logs in by e-mail; Russian names have a patronymic."""

    email = models.EmailField(_("e-mail"), max_length=254, unique=True)
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    patronymic = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=32, blank=True)
    is_active = models.BooleanField(_("активен"), default=True)
    is_staff = models.BooleanField(_("доступ к администрированию"), default=False)
    date_joined = models.DateTimeField(_("дата регистрации"), default=timezone.now)
    #: X-6: e-mails to this person are written in this language (notifications.domain.queue_email).
    language = models.CharField(_("язык писем"), max_length=8, choices=Language.choices, default=Language.RU)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["last_name", "first_name"]

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(condition=Q(gender__in=["", "masc", "femn"]), name="user_gender_valid"),
            models.CheckConstraint(condition=Q(language__in=["ru", "en"]), name="user_language_valid"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{self.last_name} {initials}".strip()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.short_name


class Role(models.TextChoices):
    """The roles of SPEC §0. Every assignment is scoped to a championship (and maybe a competency)."""

    DIRECTORATE = "directorate", _("Дирекция")
    REGIONAL_COMMISSION = "regional_commission", _("Региональная конкурсная комиссия")
    CHIEF_EXPERT = "chief_expert", _("Главный эксперт")
    EXPERT = "expert", _("Эксперт")
    VENUE_ADMIN = "venue_admin", _("Технический администратор площадки")
    MENTOR = "mentor", _("Наставник")
    PARTICIPANT = "participant", _("Участник")
    RELATIVE = "relative", _("Близкий родственник")
    ORG_REPRESENTATIVE = "org_representative", _("Ответственное лицо организации")
    APPEAL_MEMBER = "appeal_member", _("Член апелляционной комиссии")
    APPEAL_CHAIR = "appeal_chair", _("Председатель апелляционной комиссии")
    QUALITY_CONTROL = "quality_control", _("Эксперт контроля качества")
    UPM_OPERATOR = "upm_operator", _("Региональный оператор УПМ")
    UPM_VENUE = "upm_venue", _("Площадка УПМ")
    SCHOOL_COORDINATOR = "school_coordinator", _("Координатор школы")
    PARENT = "parent", _("Родитель")
    PUPIL = "pupil", _("Школьник")


#: Roles whose assignment names a competency (the panel works per competency).
COMPETENCY_ROLES = frozenset({Role.CHIEF_EXPERT, Role.EXPERT})


class RoleAssignment(models.Model):
    """A person holds a role in one championship, optionally limited to one competency.

    A Directorate assignment without a championship is platform-wide: it may create championships
    and acts as the Directorate in all of them. No other role exists outside a championship.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("пользователь"))
    role = models.CharField(_("роль"), max_length=32, choices=Role.choices)
    championship = models.ForeignKey(
        "championships.Championship",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("чемпионат"),
    )
    competency = models.ForeignKey(
        "championships.Competency",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("компетенция"),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("организация"),
    )
    created_at = models.DateTimeField(_("назначена"), auto_now_add=True)

    class Meta:
        verbose_name = _("назначение роли")
        verbose_name_plural = _("назначения ролей")
        constraints = [
            models.CheckConstraint(
                condition=Q(championship__isnull=False) | Q(role="directorate", competency__isnull=True),
                name="role_scoped_to_championship",
                violation_error_message=_("Роль назначается в рамках чемпионата."),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "championship", "competency"],
                name="role_assignment_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "championship"],
                condition=Q(competency__isnull=True),
                name="role_assignment_unique_without_competency",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(championship__isnull=True),
                name="role_assignment_unique_platform",
            ),
            # One chief expert per competency (SPEC §0).
            models.UniqueConstraint(
                fields=["competency"],
                condition=Q(role="chief_expert"),
                name="one_chief_expert_per_competency",
                violation_error_message=_("У компетенции уже есть главный эксперт."),
            ),
        ]

    def __str__(self) -> str:
        scope = str(self.competency or self.championship or _("вся платформа"))
        return f"{self.user} — {self.get_role_display()} ({scope})"


class ApiToken(models.Model):
    """A revocable token a person creates for an integration. Only a hash of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("пользователь"))
    name = models.CharField(_("название"), max_length=100)
    prefix = models.CharField(_("начало ключа"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("использован"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-токен")
        verbose_name_plural = _("API-токены")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
