"""Forms of the day board: a timer, extra time, the evidence of the day, a photo, a confirmation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from profmaster.marking.models import Criterion
from profmaster.registration.models import Application

from .models import Timer


class TimerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Этап"), choices=Timer.Kind.choices)
    module = forms.ModelChoiceField(label=_("Модуль"), queryset=Criterion.objects.none(), required=False)
    duration_minutes = forms.IntegerField(label=_("Продолжительность, минут"), min_value=1, max_value=24 * 60)
    title = forms.CharField(label=_("Название (необязательно)"), max_length=200, required=False)

    def __init__(self, *args: Any, competency: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Criterion.objects.filter(scheme__competency=competency).order_by(
            "scheme__stage__order", "order", "code")


class ExtraTimeForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Команда"), queryset=Application.objects.none())
    minutes = forms.IntegerField(label=_("Минут"), min_value=1, max_value=240)
    reason = forms.CharField(label=_("Решение жюри и основание"), widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=2000)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda team: str(team.organisation)  # type: ignore[attr-defined]


class ExceptionForm(forms.Form):
    minutes = forms.IntegerField(label=_("Минут на знакомство с рабочим местом"), min_value=1, max_value=24 * 60)
    reason = forms.CharField(label=_("Основание"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class EvidenceForm(forms.Form):
    stream_url = forms.URLField(label=_("Адрес видеотрансляции"), max_length=500, required=False,
                                assume_scheme="https")
    recording_location = forms.CharField(label=_("Где хранится запись"), max_length=500, required=False)
    retention_until = forms.DateField(label=_("Хранить запись до"), required=False,
                                      help_text=_("Не меньше года после дня соревнований; пусто — ровно год."),
                                      widget=forms.DateInput(attrs={"type": "date"}))


class PhotoForm(forms.Form):
    file = forms.FileField(label=_("Фото выполненной работы (JPEG или PNG, до 10 МБ)"))
    caption = forms.CharField(label=_("Подпись"), max_length=300, required=False)
    team = forms.ModelChoiceField(label=_("Команда"), queryset=Application.objects.none(), required=False)

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda team: str(team.organisation)  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    workplace_familiarisation_minutes = forms.IntegerField(
        label=_("Знакомство с рабочим местом, минут"), min_value=1, max_value=30,
        help_text=_("Не больше 30 минут (003 §13.3); больше — только по протоколу, подписанному всеми экспертами."))
