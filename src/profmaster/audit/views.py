"""The audit log of a championship (X-2): read-only, with filters. Nothing here edits or deletes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from profmaster.championships.models import Championship
from profmaster.core.forms import DATE_WIDGET, BootstrapFormMixin
from profmaster.permissions import require

from .models import AuditEntry


def object_type_label(label: str) -> str:
    """The Russian name of an audited model («Заявка») from its stored label («registration.Application»)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return label
    return capfirst(str(model._meta.verbose_name))


class AuditFilterForm(BootstrapFormMixin, forms.Form):
    action = forms.ChoiceField(label=gettext_lazy("Действие"), required=False,
                               choices=[("", gettext_lazy("Все"))] + AuditEntry.Action.choices)
    object_type = forms.ChoiceField(label=gettext_lazy("Тип объекта"), required=False)
    actor = forms.CharField(label=gettext_lazy("Кто (фамилия или e-mail)"), required=False, max_length=150)
    date_from = forms.DateField(label=gettext_lazy("С"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=gettext_lazy("По"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args: object, object_types: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        named = sorted(((t, object_type_label(t)) for t in object_types), key=lambda pair: (pair[1], pair[0]))
        self.fields["object_type"].choices = [("", _("Все"))] + named


@login_required
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "audit.view_log", championship)
    entries = AuditEntry.objects.filter(championship=championship).select_related("actor")
    object_types = sorted(set(entries.values_list("object_type", flat=True).distinct()))
    filters = AuditFilterForm(request.GET or None, object_types=object_types)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["object_type"]:
            entries = entries.filter(object_type=data["object_type"])
        if data["actor"]:
            entries = entries.filter(Q(actor__last_name__icontains=data["actor"])
                                     | Q(actor__email__icontains=data["actor"]))
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            entries = entries.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=tz))
        if data["date_to"]:
            entries = entries.filter(at__lt=dt.datetime.combine(data["date_to"] + dt.timedelta(days=1),
                                                                dt.time.min, tzinfo=tz))
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page:
        entry.type_label = object_type_label(entry.object_type)  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/log.html", {
        "championship": championship, "filters": filters, "page": page, "query": query.urlencode(),
        "breadcrumbs": [(_("Чемпионаты"), reverse("championships:list")),
                        (championship.name, reverse("championships:detail", args=[pk])),
                        (_("Журнал аудита"), None)],
    })
