"""Forms of the exam pages. Querysets are limited to one championship."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.accounts.models import Role, User
from profmaster.core.forms import DATETIME_WIDGET, BootstrapFormMixin

from .domain import OptionData
from .models import Exam, ExamOverride, ExamSection, Question, QuestionBank, QuestionCategory, TaskHandout

MAX_IMPORT_BYTES = 10 * 1024 * 1024
MAX_IMAGE_BYTES = 2 * 1024 * 1024


def _participants(championship: Any) -> Any:
    return (User.objects.filter(role_assignments__championship=championship,
                                role_assignments__role__in=[Role.PARTICIPANT, Role.PUPIL])
            .distinct().order_by("last_name", "first_name"))


class BankForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = QuestionBank
        fields = ["name", "competency", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, championship: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.championship = championship
        self.fields["competency"].queryset = championship.competencies.all()  # type: ignore[attr-defined]


class CategoryForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = QuestionCategory
        fields = ["name"]


OPTIONS_HELP = _(
    "По одному варианту в строке: «доля | текст | соответствие или значение | допуск». Доля — от −1 до 1 "
    "(1 — полный балл). Соответствие: «| Мука | сыпучий». Число: «1 | 25 | 25 | 2». Порядок: элементы в "
    "правильном порядке. Анкета: «0 | Да | интерес=2; опыт=1».")


class QuestionForm(BootstrapFormMixin, forms.ModelForm):
    options_text = forms.CharField(label=_("Варианты ответа"), required=False, help_text=OPTIONS_HELP,
                                   widget=forms.Textarea(attrs={"rows": 6}), max_length=50_000)
    distractors_text = forms.CharField(label=_("Лишние ответы (соответствие), через «;»"), required=False,
                                       max_length=5_000)

    class Meta:
        model = Question
        fields = ["category", "kind", "name", "text", "points", "multiple_rule", "ordering_rule", "case_sensitive",
                  "image", "general_feedback"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "general_feedback": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, bank: QuestionBank, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.bank = bank
        self.fields["category"].queryset = bank.categories.all()  # type: ignore[attr-defined]
        if self.instance.pk and not self.is_bound:
            self.initial["options_text"] = "\n".join(_option_line(self.instance.kind, o)
                                                     for o in self.instance.options.all())
            self.initial["distractors_text"] = "; ".join(self.instance.distractors or [])

    def clean_image(self) -> Any:
        image = self.cleaned_data.get("image")
        if image and getattr(image, "size", 0) > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("Изображение больше 2 МБ."))
        return image

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        try:
            self.parsed_options = [parse_option_line(kind or "", line)
                                   for line in (data.get("options_text") or "").splitlines() if line.strip()]
        except ValueError as exc:
            self.add_error("options_text", str(exc))
            self.parsed_options = []
        self.instance.distractors = [d.strip() for d in (data.get("distractors_text") or "").split(";") if d.strip()]
        return data


def _option_line(kind: str, option: Any) -> str:
    fraction = format(option.fraction.normalize(), "f")
    if kind == "matching":
        return f"| {option.text} | {option.match}"
    if kind == "numeric":
        return f"{fraction} | {option.text} | {option.value.normalize() if option.value is not None else ''} | " \
               f"{option.tolerance.normalize()}"
    if kind == "questionnaire":
        return f"0 | {option.text} | " + "; ".join(f"{k}={v}" for k, v in (option.scales or {}).items())
    if kind == "ordering":
        return f"| {option.text}"
    return f"{fraction} | {option.text}"


def _number(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", ".").replace("%", ""))
    except InvalidOperation:
        raise ValueError(_("«%(v)s» — не число (%(what)s).") % {"v": text.strip()[:30], "what": what}) from None
    if not value.is_finite():
        raise ValueError(_("«%(v)s» — не число (%(what)s).") % {"v": text.strip()[:30], "what": what})
    return value


def parse_option_line(kind: str, line: str) -> OptionData:
    parts = [p.strip() for p in line.split("|")]
    fraction_text, text = (parts + ["", ""])[:2]
    rest = parts[2:]
    fraction = _number(fraction_text, str(_("доля"))) if fraction_text else Decimal(0)
    if not Decimal(-1) <= fraction <= Decimal(1):
        raise ValueError(_("Доля баллов — от −1 до 1: «%(line)s».") % {"line": line[:60]})
    if kind == "matching":
        return OptionData(text, Decimal(0), match=rest[0] if rest else "")
    if kind == "numeric":
        value = _number(rest[0] if rest and rest[0] else text, str(_("значение")))
        tolerance = abs(_number(rest[1], str(_("допуск")))) if len(rest) > 1 and rest[1] else Decimal(0)
        return OptionData(text or str(value), fraction, value=value, tolerance=tolerance)
    if kind == "questionnaire":
        scales: dict[str, str] = {}
        for pair in (rest[0] if rest else "").split(";"):
            if not pair.strip():
                continue
            name, _sep, value = pair.partition("=")
            scales[name.strip()[:50]] = str(_number(value, str(_("шкала"))))
        return OptionData(text, Decimal(0), scales=scales)
    return OptionData(text, fraction)


class ImportForm(BootstrapFormMixin, forms.Form):
    file_format = forms.ChoiceField(label=_("Формат"), choices=[("moodle_xml", "Moodle XML"), ("gift", "GIFT"),
                                                                      ("xlsx", _("Таблица xlsx"))])
    file = forms.FileField(label=_("Файл"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Файл больше 10 МБ."))
        return upload


class ExamForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Exam
        fields = ["title", "stage", "competency", "bank", "instructions", "time_limit_minutes", "opens_at", "closes_at",
                  "grace_seconds", "pass_mark", "max_attempts", "shuffle_questions", "shuffle_options", "access_code",
                  "allowed_networks", "requires_admission", "show_score"]
        widgets = {"opens_at": DATETIME_WIDGET, "closes_at": DATETIME_WIDGET,
                   "instructions": forms.Textarea(attrs={"rows": 3}),
                   "allowed_networks": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, championship: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.championship = championship
        self.fields["stage"].queryset = championship.stages.all()  # type: ignore[attr-defined]
        self.fields["competency"].queryset = championship.competencies.all()  # type: ignore[attr-defined]
        self.fields["bank"].queryset = championship.question_banks.all()  # type: ignore[attr-defined]


class SectionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ExamSection
        fields = ["category", "count"]

    def __init__(self, *args: Any, exam: Exam, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.exam = exam
        self.fields["category"].queryset = exam.bank.categories.all()  # type: ignore[attr-defined]


class OverrideForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = ExamOverride
        fields = ["user", "extra_minutes", "opens_at", "closes_at", "max_attempts", "reason"]
        widgets = {"opens_at": DATETIME_WIDGET, "closes_at": DATETIME_WIDGET}

    def __init__(self, *args: Any, exam: Exam, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.exam = exam
        self.fields["user"].queryset = _participants(exam.championship)  # type: ignore[attr-defined]


class StartForm(BootstrapFormMixin, forms.Form):
    access_code = forms.CharField(label=_("Код доступа"), required=False, max_length=64)


class GradeForm(BootstrapFormMixin, forms.Form):
    points = forms.DecimalField(label=_("Баллы"), min_value=0, max_digits=7, decimal_places=2)
    comment = forms.CharField(label=_("Комментарий"), required=False, max_length=2000)


class RegradeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Причина пересчёта"), max_length=2000)


class HandoutForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = TaskHandout
        fields = ["title", "competency", "text", "file", "publish_at", "recipients"]
        widgets = {"publish_at": DATETIME_WIDGET, "text": forms.Textarea(attrs={"rows": 5}),
                   "recipients": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, championship: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.championship = championship
        self.fields["competency"].queryset = championship.competencies.all()  # type: ignore[attr-defined]
        self.fields["recipients"].queryset = _participants(championship)  # type: ignore[attr-defined]
        self.fields["recipients"].widget.attrs.pop("class", None)
