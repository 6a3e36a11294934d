"""Pages of the support desk (RM-6). Thin: permission, then :mod:`.domain`.

A signed-in person opens a request from the «Поддержка» link every page carries (the page and its event come
with it); a contestant who cannot sign in uses the public form; the author follows the request on «Мои
обращения» (or by the signed link of the e-mail); the event's on-duty staff work the desk; the Directorate
keeps the duty roster and the FAQ and reads the time to the first answer.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from profmaster.accounts.models import RoleAssignment
from profmaster.championships.models import Championship
from profmaster.core.errors import DomainError
from profmaster.core.forms import apply_error
from profmaster.permissions import has_perm, require, visible_championships
from profmaster.video.domain import coming_consultations

from . import domain, metrics
from .forms import DutyForm, FaqForm, MessageForm, PublicRequestForm, RequestForm
from .models import DutyAssignment, FaqEntry, SupportRequest


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def open_championships(user: Any = None) -> QuerySet[Championship]:
    """The events a request may be opened for: every running one, and those where the person holds a role."""
    query = Q(status=Championship.Status.ACTIVE)
    if getattr(user, "is_authenticated", False):
        query |= Q(pk__in=visible_championships(user).exclude(status=Championship.Status.ARCHIVED).values("pk"))
    return Championship.objects.filter(query).order_by("-starts_on", "name")


def _initial(request: HttpRequest, choices: QuerySet[Championship]) -> dict[str, Any]:
    initial: dict[str, Any] = {"page": domain.clean_page_url(request.GET.get("page", ""))}
    wanted = _int(request.GET.get("championship"))
    if wanted is not None and choices.filter(pk=wanted).exists():
        initial["championship"] = wanted
    elif choices.count() == 1:
        initial["championship"] = choices.first()
    return initial


def _throttled(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "support/throttled.html", {"message": message}, status=429)


def _crumbs(championship: Championship, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(championship.name, reverse("championships:detail", args=[championship.pk])),
            (_("Поддержка"), reverse("support:desk", args=[championship.pk])), *tail]


# --- Opening a request ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest) -> HttpResponse:
    """The form behind every page's «Поддержка» link: the page and its event are filled in already."""
    choices = open_championships(request.user)
    form = RequestForm(request.POST or None, championships=choices, initial=_initial(request, choices))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            championship = form.cleaned_data["championship"]
            require(request.user, "support.open_request", championship)
            try:
                created = domain.open_request(championship, text=form.cleaned_data["text"],
                                              subject=form.cleaned_data["subject"], page_url=form.cleaned_data["page"],
                                              by=request.user, client_ip=_client_ip(request))
            except domain.Throttled as exc:
                return _throttled(request, exc.message)
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Обращение № %(n)s отправлено в поддержку. Ответ появится здесь и "
                                            "придёт на e-mail.") % {"n": created.number})
                return redirect("support:detail", created.pk)
    faq = FaqEntry.objects.filter(championship_id=form["championship"].value() or 0)[:5] \
        if _int(form["championship"].value()) else []
    event_id = _int(form["championship"].value())
    event = Championship.objects.filter(pk=event_id).first() if event_id else None
    consultations = coming_consultations(event, request.user) if event is not None else []
    return render(request, "support/new.html", {"form": form, "faq": faq, "public": False,
                                                "consultations": consultations, "event": event,
                                                "breadcrumbs": [(_("Мои обращения"), reverse("support:mine")),
                                                                (_("Новое обращение"), None)]}, status=status)


@require_http_methods(["GET", "POST"])
def public_request(request: HttpRequest) -> HttpResponse:
    """For a contestant who cannot sign in: name, e-mail, event and text; a honeypot and flood limits."""
    if request.user.is_authenticated:
        query = request.GET.urlencode()
        return redirect(reverse("support:new") + (f"?{query}" if query else ""))
    choices = open_championships()
    form = PublicRequestForm(request.POST or None, championships=choices, initial=_initial(request, choices))
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = domain.open_request(data["championship"], text=data["text"], subject=data["subject"],
                                              page_url=data["page"], name=data["name"], email=data["email"],
                                              client_ip=_client_ip(request), honeypot=data["website"])
            except domain.Throttled as exc:
                return _throttled(request, exc.message)
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                return render(request, "support/public_sent.html", {"created": created})
        return render(request, "support/new.html", {"form": form, "public": True}, status=400)
    return render(request, "support/new.html", {"form": form, "public": True})


# --- The author's side ---------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """«Мои обращения»: the person's requests with their status and the latest answer."""
    requests = (SupportRequest.objects.filter(author_id=request.user.pk).select_related("championship", "assignee")
                .order_by("-created_at", "-pk"))
    return render(request, "support/mine.html", {"requests": requests,
                                                 "breadcrumbs": [(_("Мои обращения"), None)]})


def _request(pk: int) -> SupportRequest:
    return get_object_or_404(SupportRequest.objects.select_related("championship", "author", "assignee"), pk=pk)


def _detail_context(request: HttpRequest, item: SupportRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    staff = has_perm(user, "support.view_desk", item)
    wait = metrics.first_answer_wait(item.created_at, item.first_answer_at)
    return {
        "item": item, "replies": item.replies.select_related("author").order_by("created_at", "pk"),
        "is_staff": staff,
        "can_answer": has_perm(user, "support.answer_request", item),
        "can_assign": has_perm(user, "support.assign_request", item),
        "can_follow_up": has_perm(user, "support.follow_up_request", item),
        "can_close": has_perm(user, "support.close_request", item),
        "can_view_times": has_perm(user, "support.view_response_times", item),
        "wait": metrics.format_wait(wait),
        "duty": DutyAssignment.objects.filter(championship=item.championship).select_related("user") if staff else [],
        "form": MessageForm(), "closed": item.status == SupportRequest.Status.CLOSED,
        "breadcrumbs": (_crumbs(item.championship, (str(item), None)) if staff else
                        [(_("Мои обращения"), reverse("support:mine")), (str(item), None)]),
        **extra,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    require(request.user, "support.view_request", item)
    return render(request, "support/detail.html", _detail_context(request, item))


def _act(request: HttpRequest, item: Any, action: Any, success: str, target: str) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return redirect(target)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """An on-duty person's answer; anyone else is refused (403) and nothing is saved."""
    item = _request(pk)
    require(request.user, "support.view_request", item)
    require(request.user, "support.answer_request", item)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Напишите текст ответа (до %(max)s символов).") % {"max": domain.TEXT_MAX})
        return redirect("support:detail", item.pk)
    return _act(request, item, lambda: domain.answer_request(item, text=form.cleaned_data["text"], by=request.user),
                _("Ответ отправлен автору."), reverse("support:detail", args=[item.pk]))


@login_required
@require_POST
def follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    require(request.user, "support.follow_up_request", item)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Напишите текст сообщения (до %(max)s символов).") % {"max": domain.TEXT_MAX})
        return redirect("support:detail", item.pk)
    return _act(request, item,
                lambda: domain.add_author_message(item, text=form.cleaned_data["text"], by=request.user),
                _("Сообщение добавлено к обращению."), reverse("support:detail", args=[item.pk]))


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    require(request.user, "support.view_request", item)
    require(request.user, "support.assign_request", item)
    assignee = get_user_model().objects.filter(pk=_int(request.POST.get("assignee")) or 0).first()
    return _act(request, item, lambda: domain.assign_request(item, assignee, by=request.user),
                _("Ответственный назначен."), reverse("support:detail", args=[item.pk]))


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    item = _request(pk)
    require(request.user, "support.close_request", item)
    return _act(request, item, lambda: domain.close_request(item, by=request.user), _("Обращение закрыто."),
                reverse("support:detail", args=[item.pk]))


def _forged(request: HttpRequest) -> HttpResponse:
    return render(request, "core/error.html", {
        "title": _("Ссылка не действует"),
        "message": _("Ссылка на обращение неверна или изменена. Откройте ссылку из письма поддержки целиком или "
                     "отправьте новое обращение.")}, status=404)


@require_http_methods(["GET", "POST"])
def public_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The public form's author reads and follows up their request by the signed link of the e-mail."""
    item = domain.request_from_token(token)
    if item is None:
        return _forged(request)
    form = MessageForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        try:
            if request.POST.get("action") == "close":
                domain.close_request(item, by=None)
                messages.success(request, _("Обращение закрыто."))
                return redirect("support:public_detail", token)
            if form.is_valid():
                domain.add_author_message(item, text=form.cleaned_data["text"], by=None)
                messages.success(request, _("Сообщение добавлено к обращению."))
                return redirect("support:public_detail", token)
        except DomainError as exc:
            form.add_error(None, exc.message)
        item.refresh_from_db()
    return render(request, "support/public_detail.html", {
        "item": item, "replies": item.replies.order_by("created_at", "pk"), "form": form, "token": token,
        "closed": item.status == SupportRequest.Status.CLOSED}, status=status)


# --- The desk of an event ------------------------------------------------------------------------------------


def _championship(pk: int) -> Championship:
    return get_object_or_404(Championship, pk=pk)


@login_required
def desk(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The event's requests for its on-duty staff and the Directorate; the time to the first answer per request
    and the median for the Directorate."""
    championship = _championship(championship_pk)
    require(request.user, "support.view_desk", championship)
    wanted = request.GET.get("status", "")
    requests = SupportRequest.objects.filter(championship=championship).select_related("assignee", "author")
    if wanted in SupportRequest.Status.values:
        requests = requests.filter(status=wanted)
    elif wanted == "open":
        requests = requests.exclude(status=SupportRequest.Status.CLOSED)
    rows = [{"item": r, "wait": metrics.format_wait(metrics.first_answer_wait(r.created_at, r.first_answer_at))}
            for r in requests.order_by("-created_at", "-pk")[:500]]
    waits = [metrics.first_answer_wait(c, a) for c, a in SupportRequest.objects.filter(
        championship=championship, first_answer_at__isnull=False).values_list("created_at", "first_answer_at")]
    counts = dict.fromkeys(SupportRequest.Status.values, 0)
    for status in SupportRequest.objects.filter(championship=championship).values_list("status", flat=True):
        counts[status] += 1
    return render(request, "support/desk.html", {
        "championship": championship, "rows": rows, "wanted": wanted, "statuses": SupportRequest.Status.choices,
        "counts": counts, "answered": len(waits), "median": metrics.format_wait(metrics.median_wait(waits)),
        "can_view_times": has_perm(request.user, "support.view_response_times", championship),
        "can_manage_roster": has_perm(request.user, "support.manage_roster", championship),
        "can_manage_faq": has_perm(request.user, "support.manage_faq", championship),
        "duty": DutyAssignment.objects.filter(championship=championship).select_related("user"),
        "breadcrumbs": _crumbs(championship)[:1] + [(_("Поддержка"), None)],
    })


@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The Directorate's duty roster of the event: who answers its requests."""
    championship = _championship(championship_pk)
    require(request.user, "support.manage_roster", championship)
    people = RoleAssignment.objects.filter(championship=championship, user__is_active=True).values("user_id")
    candidates = get_user_model().objects.filter(pk__in=people).exclude(
        pk__in=DutyAssignment.objects.filter(championship=championship).values("user_id")).order_by(
        "last_name", "first_name")
    form = DutyForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                duty = domain.set_duty(championship, form.cleaned_data["user"], note=form.cleaned_data["note"],
                                       by=request.user)
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("%(name)s в графике дежурств.") % {"name": duty.user.full_name})
                return redirect("support:roster", championship.pk)
    return render(request, "support/roster.html", {
        "championship": championship, "form": form,
        "duty": DutyAssignment.objects.filter(championship=championship).select_related("user", "added_by"),
        "breadcrumbs": _crumbs(championship, (_("График дежурств"), None)),
    }, status=status)


@login_required
@require_POST
def roster_remove(request: HttpRequest, pk: int) -> HttpResponse:
    duty = get_object_or_404(DutyAssignment.objects.select_related("championship", "user"), pk=pk)
    require(request.user, "support.manage_roster", duty.championship)
    return _act(request, duty, lambda: domain.remove_duty(duty, by=request.user),
                _("%(name)s снят(а) с дежурства.") % {"name": duty.user.full_name},
                reverse("support:roster", args=[duty.championship_id]))


# --- FAQ -----------------------------------------------------------------------------------------------------


def faq(request: HttpRequest, championship_pk: int) -> HttpResponse:
    """The event's short FAQ: public (a contestant who cannot sign in reads it too)."""
    championship = _championship(championship_pk)
    if championship.status == Championship.Status.DRAFT and not has_perm(
            request.user, "championships.view_championship", championship):
        raise Http404
    return render(request, "support/faq.html", {
        "championship": championship, "entries": FaqEntry.objects.filter(championship=championship),
        "can_manage": has_perm(request.user, "support.manage_faq", championship),
        "consultations": coming_consultations(championship, request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def faq_edit(request: HttpRequest, championship_pk: int, pk: int | None = None) -> HttpResponse:
    championship = _championship(championship_pk)
    require(request.user, "support.manage_faq", championship)
    entry = get_object_or_404(FaqEntry, pk=pk, championship=championship) if pk else FaqEntry(championship=championship)
    initial = {"question": entry.question, "answer": entry.answer, "order": entry.order} if pk else {}
    form = FaqForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if request.POST.get("action") == "delete" and pk:
            domain.delete_faq(entry, by=request.user)
            messages.success(request, _("Вопрос удалён."))
            return redirect("support:faq", championship.pk)
        if form.is_valid():
            try:
                domain.save_faq(entry, question=form.cleaned_data["question"], answer=form.cleaned_data["answer"],
                                order=form.cleaned_data["order"] or 0, by=request.user)
            except (DomainError, ValidationError) as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Сохранено."))
                return redirect("support:faq", championship.pk)
    title = _("Изменить вопрос") if pk else _("Новый вопрос")
    return render(request, "core/form.html", {
        "form": form, "title": title, "cancel_url": reverse("support:faq", args=[championship.pk]),
        "breadcrumbs": [*_crumbs(championship), (_("Частые вопросы"), reverse("support:faq", args=[championship.pk])),
                        (title, None)],
    }, status=status)
