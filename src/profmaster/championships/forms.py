"""Forms of the championship structure pages. Querysets are always limited to one championship."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profmaster.accounts.models import Role, User
from profmaster.core.forms import DATE_WIDGET, DATETIME_WIDGET, BootstrapFormMixin
from profmaster.organisations.models import Organisation

from . import timezones
from .models import (
    AgeCategory,
    BaseVenue,
    Championship,
    Competency,
    CompetencyDocument,
    InfrastructureItem,
    ProgrammeSlot,
    SkillSection,
    Stage,
    Workplace,
)

ALLOWED_DOCUMENT_EXTENSIONS = {".pdf", ".docx", ".doc", ".xlsx", ".xls", ".odt", ".ods", ".png", ".jpg", ".jpeg", ".zip"}
MAX_DOCUMENT_SIZE = 20 * 1024 * 1024


def time_zone_field(*, blank_label: Any = None, **kwargs: Any) -> forms.ChoiceField:
    """A zone select: Russia's eleven zones first, then every other IANA zone (X-6)."""
    choices: list[Any] = timezones.zone_choices()
    if blank_label is not None:
        choices = [("", blank_label), *choices]
    return forms.ChoiceField(choices=choices, label=_("Часовой пояс"), required=blank_label is None, **kwargs)


class ChampionshipForm(BootstrapFormMixin, forms.ModelForm):
    time_zone = time_zone_field(
        initial=timezones.DEFAULT_ZONE,
        help_text=_("Все сроки, окна и протоколы чемпионата считаются и печатаются в этом поясе; "
                    "время в этой форме — тоже в нём."))

    class Meta:
        model = Championship
        fields = ["name", "slug", "season", "organiser", "rules_profile", "description", "starts_on", "ends_on",
                  "time_zone", "registration_deadline"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET, "registration_deadline": DATETIME_WIDGET,
                   "description": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        deadline, zone_name = data.get("registration_deadline"), data.get("time_zone")
        if deadline is not None and zone_name:
            # The typed deadline is a wall-clock time of the zone chosen in this same form.
            wall_clock = timezone.localtime(deadline).replace(tzinfo=None)
            data["registration_deadline"] = timezone.make_aware(wall_clock, timezones.zone(zone_name))
        return data


class ScopedForm(BootstrapFormMixin, forms.ModelForm):
    """A form for an object inside one championship: related choices come from that championship only."""

    def __init__(self, *args: Any, championship: Championship, **kwargs: Any) -> None:
        self.championship = championship
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None:
                continue
            model = queryset.model
            if model in {Competency, Stage, AgeCategory, BaseVenue}:
                field.queryset = model.objects.filter(championship=championship)
            elif model is User and name == "technical_administrator":
                field.queryset = User.objects.filter(
                    role_assignments__championship=championship,
                    role_assignments__role=Role.VENUE_ADMIN).distinct()

    def _post_clean(self) -> None:
        if hasattr(self.instance, "championship_id") and "championship" not in self._meta.fields:  # type: ignore[operator]
            self.instance.championship = self.championship
        super()._post_clean()


class StageForm(ScopedForm):
    class Meta:
        model = Stage
        fields = ["name", "kind", "form", "order", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE_WIDGET, "ends_on": DATE_WIDGET}


class AgeCategoryForm(ScopedForm):
    class Meta:
        model = AgeCategory
        fields = ["name", "code", "order", "grade_min", "grade_max", "participants_per_team", "relatives_per_team",
                  "mentors_per_team", "moscow_school_required", "sibling_exception_grade_min",
                  "sibling_exception_grade_max"]


class CompetencyForm(ScopedForm):
    expert_count = forms.IntegerField(
        label=_("Число экспертов"), required=False, min_value=1, max_value=100,
        help_text=_("Оставьте пустым — подставим по п. 6.4 методики: 4, 6 или 15."))

    class Meta:
        model = Competency
        fields = ["name", "code", "description", "evaluation_mode", "expert_count", "mark_entry_mode",
                  "toolbox_allowed", "age_categories"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "age_categories": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["age_categories"].widget.attrs.pop("class", None)

    def _post_clean(self) -> None:
        if self.cleaned_data.get("expert_count") is None:
            self.instance.expert_count = None  # the domain function fills the 003 §6.4 default
            self.cleaned_data.pop("expert_count", None)
        super()._post_clean()


class SkillSectionForm(ScopedForm):
    class Meta:
        model = SkillSection
        fields = ["competency", "number", "title", "description", "importance_percent"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class InfrastructureItemForm(ScopedForm):
    class Meta:
        model = InfrastructureItem
        fields = ["competency", "name", "specification", "quantity", "unit", "per", "is_consumable", "photo_required"]
        widgets = {"specification": forms.Textarea(attrs={"rows": 2})}


class CompetencyDocumentForm(ScopedForm):
    class Meta:
        model = CompetencyDocument
        fields = ["competency", "kind", "title", "file"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return upload
        name = upload.name.lower()
        if not any(name.endswith(ext) for ext in ALLOWED_DOCUMENT_EXTENSIONS):
            raise forms.ValidationError(_("Недопустимый тип файла. Разрешены: %(ext)s.")
                                        % {"ext": ", ".join(sorted(ALLOWED_DOCUMENT_EXTENSIONS))})
        if upload.size > MAX_DOCUMENT_SIZE:
            raise forms.ValidationError(_("Файл больше 20 МБ."))
        return upload


class BaseVenueForm(ScopedForm):
    class Meta:
        model = BaseVenue
        fields = ["venue", "technical_administrator", "competencies"]
        widgets = {"competencies": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].widget.attrs.pop("class", None)


class WorkplaceForm(ScopedForm):
    class Meta:
        model = Workplace
        fields = ["base_venue", "competency", "number", "note"]


class ProgrammeSlotForm(ScopedForm):
    class Meta:
        model = ProgrammeSlot
        fields = ["stage", "competency", "base_venue", "kind", "title", "starts_at", "ends_at"]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET}


class StatusForm(BootstrapFormMixin, forms.Form):
    to = forms.ChoiceField(label=_("Новый статус"), choices=Championship.Status.choices)
    reason = forms.CharField(label=_("Причина"), required=False, max_length=2000)


class PhaseForm(BootstrapFormMixin, forms.Form):
    to = forms.ChoiceField(label=_("Новая фаза"), choices=Stage.Phase.choices)
    reason = forms.CharField(label=_("Причина"), required=False, max_length=2000)


class RoleAssignmentForm(BootstrapFormMixin, forms.Form):
    """Give a role to a person found by e-mail; a new person is created when the e-mail is unknown."""

    email = forms.EmailField(label=_("E-mail"))
    last_name = forms.CharField(label=_("Фамилия (для нового пользователя)"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Имя (для нового пользователя)"), max_length=150, required=False)
    patronymic = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Роль"), choices=[(r.value, r.label) for r in Role if r != Role.DIRECTORATE]
                             + [(Role.DIRECTORATE.value, Role.DIRECTORATE.label)])
    competency = forms.ModelChoiceField(label=_("Компетенция"), queryset=Competency.objects.none(), required=False)
    organisation = forms.ModelChoiceField(label=_("Организация"), queryset=Organisation.objects.all(),
                                          required=False)

    def __init__(self, *args: Any, championship: Championship, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = championship.competencies.all()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = data.get("email")
        unknown = email and not User.objects.filter(email__iexact=email).exists()
        if unknown and (not data.get("last_name") or not data.get("first_name")):
            raise forms.ValidationError(
                _("Пользователя с таким e-mail нет: укажите фамилию и имя, чтобы создать учётную запись."))
        return data
