"""Forms of the document pages. They only collect input; the rules live in :mod:`.domain`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.accounts.models import RoleAssignment
from profmaster.core.forms import BootstrapFormMixin

from .content import is_text_document, payload_to_text, text_to_payload
from .domain import REASON_MAX, TITLE_MAX
from .models import GENERATED_TYPES, DocumentType
from .selectors import RegisterState, role_label

TEXT_MAX = 100_000
TEXT_HELP = _("Строка, начинающаяся с «## », начинает раздел с таким заголовком.")


class SignerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: RoleAssignment) -> str:
        return f"{obj.user.short_name} — {role_label(obj)}"


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes laid out as Bootstrap ``form-check`` rows in a scrolling box."""

    template_name = "documents/widgets/checkbox_list.html"


class RegisterFilterForm(BootstrapFormMixin, forms.Form):
    doc_type = forms.ChoiceField(label=_("Вид"), required=False,
                                 choices=[("", _("Все виды")), *DocumentType.choices])
    competency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Компетенция"), required=False, queryset=None, empty_label=_("Все компетенции"))
    state = forms.ChoiceField(label=_("Состояние"), required=False, choices=[
        ("", _("Любое")), (RegisterState.COMPLETE, _("Подписан всеми")),
        (RegisterState.AWAITING, _("Ожидает подписей"))])

    def __init__(self, *args: Any, competencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one (a stale link) is ignored rather than failing the page."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        competency = data.get("competency")
        return {"doc_type": data.get("doc_type") or "", "state": data.get("state") or "",
                "competency_id": competency.pk if competency else None}


#: What a person may type in: every kind except those the platform forms from its records (DOC-2).
TYPED_CHOICES = [(value, label) for value, label in DocumentType.choices if value not in GENERATED_TYPES]


class DocumentCreateForm(BootstrapFormMixin, forms.Form):
    doc_type = forms.ChoiceField(label=_("Вид документа"), choices=TYPED_CHOICES,
                                 help_text=_("Протоколы блокировок, результатов, ролей и регистрации система "
                                             "формирует сама из записей."))
    competency: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Компетенция"), queryset=None, required=False, empty_label=_("— весь чемпионат —"))
    title = forms.CharField(label=_("Заголовок"), max_length=TITLE_MAX)
    text = forms.CharField(label=_("Текст документа"), max_length=TEXT_MAX, help_text=TEXT_HELP,
                           widget=forms.Textarea(attrs={"rows": 12}))
    signers = SignerChoiceField(label=_("Подписанты"), queryset=None, widget=CheckboxList,
                                help_text=_("Каждый выбранный человек подписывает документ в указанной роли."))

    def __init__(self, *args: Any, competencies: Any, whole_championship: bool, candidates: Any,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        competency = self.fields["competency"]
        competency.queryset = competencies  # type: ignore[attr-defined]
        if not whole_championship:
            competency.required = True
            competency.empty_label = None  # type: ignore[attr-defined]
        self.fields["signers"].queryset = candidates  # type: ignore[attr-defined]

    def chosen_signers(self) -> list[tuple[Any, str]]:
        return [(a.user, role_label(a)) for a in self.cleaned_data["signers"]]

    def payload(self) -> dict[str, Any]:
        return text_to_payload(self.cleaned_data["text"])


class DocumentEditForm(BootstrapFormMixin, forms.Form):
    """A typed-in document is edited as text. No page edits raw JSON (DOC-2): a typed-in document whose
    content has another shape (sent through the API) keeps its content here, and only its title changes.
    Generated documents never reach this form (their content is formed again from the records)."""

    title = forms.CharField(label=_("Заголовок"), max_length=TITLE_MAX)
    text = forms.CharField(label=_("Текст документа"), max_length=TEXT_MAX, help_text=TEXT_HELP,
                           widget=forms.Textarea(attrs={"rows": 14}))
    reason = forms.CharField(label=_("Причина изменения"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Причина попадёт в журнал аудита и в отметку об аннулировании подписей."))

    def __init__(self, *args: Any, document: Any, **kwargs: Any) -> None:
        self.document = document
        self.as_text = is_text_document(document.data)
        initial = {"title": document.title, "reason": ""}
        if self.as_text:
            initial["text"] = payload_to_text(document.data)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if not self.as_text:
            del self.fields["text"]

    def payload(self) -> dict[str, Any]:
        if self.as_text:
            return text_to_payload(self.cleaned_data["text"])
        return dict(self.document.data)


class RegenerateForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=_("Причина"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Что изменилось в записях. Причина попадёт в журнал аудита и в отметку об "
                                         "аннулировании подписей."))


class SignForm(BootstrapFormMixin, forms.Form):
    password = forms.CharField(label=_("Пароль для подтверждения"), strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
