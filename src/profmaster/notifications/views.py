"""The e-mails of a championship for its Directorate (X-6): what was sent to whom and when, in the championship's
zone, what failed and why; a failed e-mail can be sent again. Nothing here composes or edits an e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.forms import BootstrapFormMixin
from profmaster.permissions import require

from . import domain
from .models import OutboundEmail


class EmailFilterForm(BootstrapFormMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Состояние"), required=False,
                               choices=[("", gettext_lazy("Все"))] + OutboundEmail.Status.choices)
    q = forms.CharField(label=gettext_lazy("Получатель или тема"), required=False, max_length=150)


@login_required
def email_list(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "notifications.view_emails", championship)
    emails = OutboundEmail.objects.filter(championship=championship).prefetch_related("attachments")
    counts = dict(emails.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    filters = EmailFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            emails = emails.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["q"]:
            text = filters.cleaned_data["q"].strip()
            emails = emails.filter(Q(to__icontains=text) | Q(subject__icontains=text))
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "notifications/list.html", {
        "championship": championship, "filters": filters, "page": page, "query": query.urlencode(),
        "counts": [(status, label, counts.get(status, 0)) for status, label in OutboundEmail.Status.choices],
        "failed": counts.get(OutboundEmail.Status.FAILED, 0),
        "breadcrumbs": [(_("Чемпионаты"), reverse("championships:list")),
                        (championship.name, reverse("championships:detail", args=[pk])),
                        (_("Письма"), None)],
    })


def _back(request: HttpRequest, pk: int) -> str:
    query = request.POST.get("query", "")
    return reverse("notifications:list", args=[pk]) + (f"?{query}" if query and "\n" not in query else "")


@login_required
@require_POST
def resend(request: HttpRequest, pk: int, email_pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "notifications.resend_email", championship)
    email = get_object_or_404(OutboundEmail, pk=email_pk, championship=championship)
    try:
        domain.resend_email(email, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Письмо для %(to)s поставлено в очередь на повторную отправку.") % {"to": email.to})
    return redirect(_back(request, pk))


@login_required
@require_POST
def resend_failed(request: HttpRequest, pk: int) -> HttpResponse:
    championship = get_object_or_404(Championship, pk=pk)
    require(request.user, "notifications.resend_email", championship)
    count = domain.resend_failed(championship, by=request.user)
    if count:
        messages.success(request, ngettext("%(n)d письмо поставлено в очередь на повторную отправку.",
                                           "%(n)d писем поставлено в очередь на повторную отправку.", count)
                         % {"n": count})
    else:
        messages.info(request, _("Неотправленных писем нет."))
    return redirect(_back(request, pk))
