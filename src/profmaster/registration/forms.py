"""Forms of the registration pages. Choices are always limited to one championship."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.championships.models import AgeCategory, Championship, Competency
from profmaster.core.forms import DATE_WIDGET, BootstrapFormMixin
from profmaster.organisations.models import Organisation

from . import team_rules
from .models import Application, Consent, ConsentForm, ConsentVersion, DocumentCheck, RegistrationRules, TeamMember

# The kinds of relatives are marked with gettext_noop in the Django-free team_rules; translated here, when shown.
RELATIVE_CHOICES = [(kind, _(label)) for kind, label in team_rules.RELATIVE_KINDS.items()]


def applicant_organisations(user: Any, championship: Championship, *, directorate: bool) -> Any:
    """Organisations a person may apply for: those of their mentor/representative assignments; when an
    assignment names none (or for the Directorate), any organisation."""
    if directorate:
        return Organisation.objects.all()
    ids = list(RoleAssignment.objects.filter(user=user, championship=championship,
                                             role__in=[Role.MENTOR, Role.ORG_REPRESENTATIVE])
               .values_list("organisation_id", flat=True))
    if any(i is None for i in ids) or not ids:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=ids)


class ApplicationForm(BootstrapFormMixin, forms.Form):
    competency = forms.ModelChoiceField(label=_("Компетенция"), queryset=Competency.objects.none())
    age_category = forms.ModelChoiceField(label=_("Возрастная категория"), queryset=AgeCategory.objects.none())
    organisation = forms.ModelChoiceField(label=_("Организация"), queryset=Organisation.objects.none())
    participants_are_siblings = forms.BooleanField(
        label=_("Участники — родные братья и сёстры"), required=False,
        help_text=_("Для категории «3–4 класс»: один из братьев и сестёр может учиться в 1–2 классе."))

    def __init__(self, *args: Any, championship: Championship, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = Competency.objects.filter(championship=championship)
        self.fields["age_category"].queryset = AgeCategory.objects.filter(championship=championship)
        self.fields["organisation"].queryset = organisations


class ApplicationEditForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Application
        fields = ["participants_are_siblings"]


class MemberForm(BootstrapFormMixin, forms.ModelForm):
    """One team member; the fields shown depend on the member's role in the team (REG-5)."""

    FIELDS = {
        team_rules.PARTICIPANT: ["last_name", "first_name", "patronymic", "gender", "birth_date", "grade", "organisation",
                                 "clothing_size"],
        team_rules.RELATIVE: ["last_name", "first_name", "patronymic", "gender", "relation", "clothing_size"],
        team_rules.MENTOR: ["last_name", "first_name", "patronymic", "gender", "organisation", "position", "phone", "email",
                            "clothing_size"],
    }

    relation = forms.ChoiceField(label=_("Родство с участником"), required=False,
                                 choices=[("", "—"), *RELATIVE_CHOICES])

    class Meta:
        model = TeamMember
        fields = ["last_name", "first_name", "patronymic", "gender", "birth_date", "grade", "organisation",
                  "position", "phone", "email", "clothing_size", "relation"]
        widgets = {"birth_date": DATE_WIDGET, "grade": forms.NumberInput(attrs={"min": 1, "max": 11})}

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name in list(self.fields):
            if name in self.Meta.fields and name not in self.FIELDS[kind]:
                del self.fields[name]
        if "grade" in self.fields:
            self.fields["grade"].required = True
            self.fields["grade"].error_messages.update({
                "min_value": _("Класс — от 1 до 11."), "max_value": _("Класс — от 1 до 11.")})
        for name in ("birth_date", "organisation", "position", "phone", "email", "relation"):
            if name in self.fields:
                self.fields[name].required = True
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = Organisation.objects.all()
        if "clothing_size" in self.fields:
            # Issue 13 §3: participants are children — their heights (122–164) first, then the small adult
            # sizes a 5–8 grader may wear; adults (mentor, relative) get adult sizes only.
            sizes = TeamMember.ClothingSize
            children = [c for c in sizes.choices if c[0].isdigit()]
            adults = [c for c in sizes.choices if not c[0].isdigit()]
            offered = children + adults[:3] if kind == team_rules.PARTICIPANT else adults
            current = getattr(self.instance, "clothing_size", "")
            if current and current not in {v for v, _label in offered}:  # never lose a size entered earlier
                offered = offered + [c for c in sizes.choices if c[0] == current]
            self.fields["clothing_size"].choices = [("", "—"), *offered]


class RemarksForm(BootstrapFormMixin, forms.Form):
    """Return with remarks: one on the whole team and one per person."""

    general = forms.CharField(label=_("Замечание по заявке в целом"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, members: list[TeamMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[f"member_{member.pk}"] = forms.CharField(
                label=_("Замечание: %(name)s (%(kind)s)") % {"name": member.full_name, "kind": member.get_kind_display()},
                required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1, "class": "form-control"}))

    def remarks(self) -> list[tuple[TeamMember | None, str, str]]:
        result: list[tuple[TeamMember | None, str, str]] = [(None, "", self.cleaned_data.get("general", ""))]
        result += [(m, "", self.cleaned_data.get(f"member_{m.pk}", "")) for m in self.members]
        return result


class RequiredReasonForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Причина"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OutOfCompetitionForm(BootstrapFormMixin, forms.Form):
    out_of_competition = forms.BooleanField(label=_("Вне зачёта"), required=False)
    barred = forms.BooleanField(label=_("Не допускается к следующему этапу"), required=False)
    reason = forms.CharField(label=_("Основание"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    competency = forms.ModelChoiceField(label=_("Компетенция"), required=False, queryset=Competency.objects.none())
    age_category = forms.ModelChoiceField(label=_("Категория"), required=False, queryset=AgeCategory.objects.none())
    organisation = forms.ModelChoiceField(label=_("Организация"), required=False, queryset=Organisation.objects.none())
    status = forms.ChoiceField(label=_("Состояние"), required=False, choices=[("", "—"), *Application.Status.choices])

    def __init__(self, *args: Any, championship: Championship, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = Competency.objects.filter(championship=championship)
        self.fields["age_category"].queryset = AgeCategory.objects.filter(championship=championship)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            applications__championship=championship).distinct()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


# --- Consents, substitutions, document checks, lists (REG-6…REG-8, REG-13, REG-14) ----------------


class ConsentVersionForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Вид согласия"), choices=ConsentForm.Kind.choices)
    title = forms.CharField(label=_("Название"), max_length=300)
    text = forms.CharField(label=_("Текст согласия"), max_length=50_000, widget=forms.Textarea(attrs={"rows": 8}))


class ConsentRecordForm(BootstrapFormMixin, forms.Form):
    version = forms.ModelChoiceField(label=_("Согласие (версия текста)"), queryset=ConsentVersion.objects.none())
    given_by = forms.ChoiceField(label=_("Кем дано"), choices=Consent.GivenBy.choices)
    given_by_name = forms.CharField(label=_("ФИО давшего согласие"), max_length=300)
    given_on = forms.DateField(label=_("Дата согласия"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, championship: Championship, minor: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = (ConsentVersion.objects.filter(form__championship=championship)
                                           .select_related("form").order_by("form__kind", "-number"))
        if minor:
            self.fields["given_by"].choices = [c for c in Consent.GivenBy.choices if c[0] != Consent.GivenBy.SELF]

    def clean_given_on(self) -> Any:
        value = self.cleaned_data["given_on"]
        from django.utils import timezone

        if value > timezone.localdate():
            raise forms.ValidationError(_("Дата согласия не может быть в будущем."))
        return value


class PersonConsentsForm(BootstrapFormMixin, forms.Form):
    """REG-6: every consent of one person given in one act (a block of the team's consents page).

    ``versions`` are the consent forms still missing for this person; ticking none leaves the person as is."""

    versions = forms.MultipleChoiceField(label=_("Согласия получены"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    given_by = forms.ChoiceField(label=_("Кем дано"), choices=Consent.GivenBy.choices)
    given_by_name = forms.CharField(label=_("ФИО давшего согласие"), max_length=300, required=False)
    given_on = forms.DateField(label=_("Дата согласия"), widget=DATE_WIDGET)

    def __init__(self, *args: Any, member: TeamMember, missing: list[ConsentVersion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        self.missing = {str(v.pk): v for v in missing}
        self.fields["versions"].choices = [(str(v.pk), v.form.title) for v in missing]
        self.fields["versions"].widget.attrs["class"] = "form-check-input"
        if member.is_minor_record:
            self.fields["given_by"].choices = [c for c in Consent.GivenBy.choices if c[0] != Consent.GivenBy.SELF]

    def clean_given_on(self) -> Any:
        return ConsentRecordForm.clean_given_on(self)  # type: ignore[arg-type]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("versions") and not (data.get("given_by_name") or "").strip():
            self.add_error("given_by_name", _("Укажите ФИО того, кто дал согласие."))
        return data

    def chosen_versions(self) -> list[ConsentVersion]:
        return [self.missing[pk] for pk in self.cleaned_data.get("versions", []) if pk in self.missing]


class NoteForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("Основание (как и когда получен отзыв)"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class SubstitutionForm(MemberForm):
    """The replacement's data (as for any team member) and the good reason (REG-13)."""

    reason = forms.CharField(label=_("Уважительная причина замены"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


class DecisionForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Решение"), widget=forms.RadioSelect,
                                 choices=[("approve", _("Одобрить замену")), ("refuse", _("Отказать"))])
    reason = forms.CharField(label=_("Основание (обязательно при отказе)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class DocumentCheckForm(BootstrapFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Результат"), choices=DocumentCheck.Outcome.choices)
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    scan = forms.FileField(label=_("Скан (необязательно): PDF, PNG или JPEG до 5 МБ"), required=False)


class PeopleFilterForm(forms.Form):
    KINDS = [("participant", _("Участники")), ("mentor", _("Наставники")), ("expert", _("Эксперты"))]
    kind = forms.ChoiceField(label=_("Список"), required=False, choices=KINDS)
    competency = forms.ModelChoiceField(label=_("Компетенция"), required=False, queryset=Competency.objects.none())
    age_category = forms.ModelChoiceField(label=_("Категория"), required=False, queryset=AgeCategory.objects.none())
    organisation = forms.ModelChoiceField(label=_("Организация"), required=False, queryset=Organisation.objects.none())
    status = forms.ChoiceField(label=_("Состояние заявки"), required=False,
                               choices=[("", "—"), *Application.Status.choices])

    def __init__(self, *args: Any, championship: Championship, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = Competency.objects.filter(championship=championship)
        self.fields["age_category"].queryset = AgeCategory.objects.filter(championship=championship)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            applications__championship=championship).distinct()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class RulesForm(BootstrapFormMixin, forms.ModelForm):
    relative_kinds = forms.MultipleChoiceField(label=_("Виды близкого родства («Семья мастеров»)"),
                                               choices=RELATIVE_CHOICES,
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = RegistrationRules
        fields = ["relative_kinds", "same_organisation_required", "one_application_per_organisation",
                  "one_competency_per_participant", "mentor_single_organisation", "mentor_no_overlapping_dates",
                  "substitution_days_before", "central_registration"]


class ImportForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Что загружаем"), choices=[
        ("organisations", _("Организации")), ("experts", _("Эксперты")), ("applications", _("Заявки"))])
    file = forms.FileField(label=_("Файл xlsx (по шаблону)"))
