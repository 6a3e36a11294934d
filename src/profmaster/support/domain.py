"""Technical support of the contest's events (SPEC RM-6, 000 §13): one function per state change.

* :func:`set_duty` / :func:`remove_duty` — the Directorate keeps the event's duty roster.
* :func:`open_request` — anyone signed in, or a contestant who cannot sign in through the public form (a
  honeypot field and per-address, per-e-mail and per-person limits against a flood: over a limit nothing is
  written and :class:`Throttled` says when to try again). The on-duty staff are told by e-mail; the public
  form's author gets a signed link to the request's page.
* :func:`assign_request` — the Directorate or an on-duty person gives the request to someone on duty.
* :func:`answer_request` — only someone on the roster answers (checked here, so it holds on every channel);
  the first answer's time is kept; the author is told by e-mail.
* :func:`add_author_message`, :func:`close_request` — the author follows up or closes.
* :func:`save_faq` / :func:`delete_faq` — the event's short FAQ.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import delete_audited, record, save_audited, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.championships.models import Championship
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.links import absolute_url
from profmaster.core.text import clean_text
from profmaster.notifications.domain import clean_address, queue_email, usable_addresses

from . import throttle
from .models import DutyAssignment, FaqEntry, SupportReply, SupportRequest

SUBJECT_MAX = 200
TEXT_MAX = 5000
NAME_MAX = 300
PAGE_MAX = 500
NOTE_MAX = 200
#: Salt of the signed links that let a public form's author open their request without an account.
LINK_SALT = "profmaster.support.request"

Status = SupportRequest.Status
#: Which status may follow which (a closed request stays closed: a new problem is a new request).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.IN_WORK, Status.ANSWERED, Status.CLOSED}),
    Status.IN_WORK: frozenset({Status.NEW, Status.ANSWERED, Status.CLOSED}),
    Status.ANSWERED: frozenset({Status.NEW, Status.IN_WORK, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}


class Throttled(DomainError):
    """Too many requests from one address, e-mail or person: refused, nothing written (HTTP 429)."""

    status_code = 429

    def __init__(self, message: str) -> None:
        super().__init__(message, code="throttled")


# --- Helpers -------------------------------------------------------------------------------------------------


def clean_page_url(value: Any) -> str:
    """The page the request was opened from: a path of this site (never another site's address)."""
    raw = str(value or "").replace("\x00", "").strip()[:PAGE_MAX]
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return ""
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path[:PAGE_MAX]


def on_duty(championship: Any, user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return DutyAssignment.objects.filter(championship_id=championship.pk, user_id=user.pk).exists()


def duty_staff(championship: Any) -> list[Any]:
    return [d.user for d in DutyAssignment.objects.filter(championship=championship).select_related("user")
            if d.user.is_active]


def may_receive_requests(championship: Championship, by: Any) -> bool:
    """A running event takes requests from anyone; a draft or archived one only from people holding a role in it."""
    if championship.status == Championship.Status.ACTIVE:
        return True
    if not getattr(by, "is_authenticated", False):
        return False
    return RoleAssignment.objects.filter(user=by, championship=championship).exists()


def requests_during(user: Any, championship: Any, since: Any, until: Any = None) -> list[SupportRequest]:
    """The person's requests to the event's support opened between ``since`` and ``until`` (now when None) —
    during an exam attempt, so that the proctor can match «Открыл поддержку» in the attempt's log with a request
    actually sent (RM-1, RM-6). Only the number and the time are for the proctor, not the request's text."""
    if since is None or getattr(user, "pk", None) is None:
        return []
    found = SupportRequest.objects.filter(championship_id=championship.pk, author_id=user.pk, created_at__gte=since)
    if until is not None:
        found = found.filter(created_at__lte=until)
    return list(found.order_by("created_at", "pk"))


def request_link_token(request: SupportRequest) -> str:
    """The signed token of a public request's page (bound to the request and its author's e-mail)."""
    return signing.dumps({"r": request.pk, "e": request.author_email.lower()}, salt=LINK_SALT)


def request_from_token(token: str) -> SupportRequest | None:
    """The public request a signed link names, or None for a forged, altered or foreign link."""
    try:
        payload = signing.loads(str(token or ""), salt=LINK_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        return None
    found = (SupportRequest.objects.select_related("championship", "assignee")
             .filter(pk=payload["r"], author__isnull=True).first())
    if found is None or found.author_email.lower() != str(payload.get("e", "")):
        return None
    return found


def request_path(request: SupportRequest) -> str:
    """Where the author reads the request: their cabinet's page, or the signed link without an account."""
    if request.author_id is not None:
        return reverse("support:detail", args=[request.pk])
    return reverse("support:public_detail", args=[request_link_token(request)])


def _email_context(request: SupportRequest, **extra: Any) -> dict[str, Any]:
    return {"number": request.number, "subject": request.subject, "event": request.championship.name,
            "status": str(request.get_status_display()), **extra}


def _tell_staff(request: SupportRequest, what: str, *, only: Any = None) -> None:
    people = [only] if only is not None else duty_staff(request.championship)
    recipients = usable_addresses(u.email for u in people if u is not None)
    if recipients:
        queue_email("support_staff", _email_context(
            request, what=what, text=request.text, author=request.author_name,
            link=absolute_url(reverse("support:detail", args=[request.pk]))),
            recipients, championship=request.championship, related=request)


def _tell_author(request: SupportRequest, what: str, *, text: str = "") -> None:
    address = usable_addresses([request.reply_address])
    if address:
        queue_email("support_author", _email_context(request, what=what, text=text,
                                                     link=absolute_url(request_path(request))),
                    address, championship=request.championship, related=request,
                    language="ru" if request.author_id is None else None)


def _move(request: SupportRequest, to: str) -> None:
    if to != request.status and to not in TRANSITIONS[request.status]:
        raise TransitionError(_("Обращение «%(status)s»: так изменить его нельзя.")
                              % {"status": request.get_status_display()})
    request.status = to


def _locked(request: SupportRequest) -> SupportRequest:
    return (SupportRequest.objects.select_for_update(of=("self",)).select_related("championship", "author", "assignee")
            .get(pk=request.pk))


def _open_or_refuse(request: SupportRequest) -> None:
    if request.status == Status.CLOSED:
        raise TransitionError(_("Обращение № %(n)s закрыто. Если проблема не решена, откройте новое обращение.")
                              % {"n": request.number})


# --- The duty roster -----------------------------------------------------------------------------------------


def set_duty(championship: Championship, user: Any, *, note: str = "", by: Any) -> DutyAssignment:
    """Put a person on the event's support duty. They must hold a role in the event (staff, not outsiders)."""
    if user is None or not getattr(user, "is_active", False):
        raise DomainError(_("Выберите дежурного."), field="user")
    note = clean_text(note, field="note", what=_("Что ведёт"), max_length=NOTE_MAX, required=False)
    holds_role = RoleAssignment.objects.filter(user=user, championship=championship).exists() or \
        RoleAssignment.objects.filter(user=user, role=Role.DIRECTORATE, championship__isnull=True).exists()
    if not holds_role:
        raise DomainError(_("%(name)s не работает на этом чемпионате: назначьте ему роль, затем поставьте на "
                            "дежурство.") % {"name": user.full_name}, field="user")
    if DutyAssignment.objects.filter(championship=championship, user=user).exists():
        raise DomainError(_("%(name)s уже в графике дежурств.") % {"name": user.full_name}, field="user")
    duty = DutyAssignment(championship=championship, user=user, note=note, added_by=by)
    save_audited(duty, by=by)
    return duty


def remove_duty(duty: DutyAssignment, *, by: Any) -> None:
    """Take a person off duty; refused while open requests are assigned to them (nothing is left unowned)."""
    with transaction.atomic():
        open_requests = SupportRequest.objects.filter(championship_id=duty.championship_id, assignee_id=duty.user_id) \
            .exclude(status=Status.CLOSED).values_list("number", flat=True)
        numbers = sorted(open_requests)
        if numbers:
            raise DomainError(_("У дежурного есть незакрытые обращения (№ %(numbers)s): сначала передайте их "
                                "другому дежурному.") % {"numbers": ", ".join(map(str, numbers))})
        delete_audited(duty, by=by)


# --- Requests ------------------------------------------------------------------------------------------------


def open_request(championship: Championship, *, text: str, subject: str = "", page_url: str = "",
                 by: Any = None, name: str = "", email: str = "", client_ip: str = "", honeypot: str = "",
                 channel: str = "") -> SupportRequest:
    """Open a support request of the event (RM-6). Signed in (``by``): the author is that person. Without an
    account: ``name`` and ``email`` are required and the author gets a signed link to the request by e-mail.
    A filled honeypot or a flood is refused before anything is written."""
    signed_in = getattr(by, "is_authenticated", False)
    if str(honeypot or "").strip():
        raise DomainError(_("Обращение не принято. Если вы человек, оставьте скрытое поле пустым и отправьте "
                            "форму ещё раз."), code="spam")
    if not isinstance(championship, Championship):
        raise DomainError(_("Выберите мероприятие."), field="championship")
    if not may_receive_requests(championship, by):
        raise DomainError(_("Мероприятие «%(name)s» сейчас не принимает обращения.") % {"name": championship.name},
                          field="championship")
    text = clean_text(text, field="text", what=_("Описание проблемы"), max_length=TEXT_MAX)
    subject = clean_text(subject, field="subject", what=_("Тема"), max_length=SUBJECT_MAX, required=False) \
        or (text.splitlines()[0][:SUBJECT_MAX - 1] + ("…" if len(text.splitlines()[0]) >= SUBJECT_MAX else ""))
    page_url = clean_page_url(page_url)
    if signed_in:
        name, email = by.full_name, ""
    else:
        name = clean_text(name, field="name", what=_("Фамилия, имя"), max_length=NAME_MAX)
        try:
            email = clean_address(clean_text(email, field="email", what=_("E-mail"), max_length=254))
        except DomainError as exc:
            raise DomainError(exc.message, field="email") from exc
    exceeded = throttle.check_and_count({"ip": "" if signed_in else client_ip, "email": email,
                                         "user": str(by.pk) if signed_in else ""})
    if exceeded is not None:
        minutes = max(1, exceeded.window // 60)
        raise Throttled(_("Слишком много обращений подряд: не больше %(limit)s за %(minutes)s мин. Ничего не "
                          "сохранено. Подождите и отправьте снова или позвоните на линию поддержки мероприятия.")
                        % {"limit": exceeded.limit, "minutes": minutes})
    channel = channel or (SupportRequest.Channel.SIGNED_IN if signed_in else SupportRequest.Channel.PUBLIC)
    with transaction.atomic():
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)
        number = (SupportRequest.objects.filter(championship=championship).aggregate(m=Max("number"))["m"] or 0) + 1
        request = SupportRequest.objects.create(
            championship=championship, number=number, channel=channel, author=by if signed_in else None,
            author_name=name, author_email=email, subject=subject, text=text, page_url=page_url)
        record(actor=by, action=AuditEntry.Action.CREATE, instance=request, after=snapshot(request))
        _tell_staff(request, _("Новое обращение"))
        if not signed_in:
            _tell_author(request, _("Обращение принято"), text=text)
    return request


def assign_request(request: SupportRequest, assignee: Any, *, by: Any) -> SupportRequest:
    """Give the request to someone on the event's duty roster; a new request goes into work."""
    with transaction.atomic():
        locked = _locked(request)
        _open_or_refuse(locked)
        if assignee is None or not on_duty(locked.championship, assignee):
            raise DomainError(_("Ответственным назначают только дежурного поддержки этого мероприятия."),
                              field="assignee")
        if locked.assignee_id == assignee.pk:
            raise DomainError(_("Обращение уже у этого дежурного."), field="assignee")
        before = snapshot(locked)
        locked.assignee = assignee
        if locked.status == Status.NEW:
            _move(locked, Status.IN_WORK)
        locked.save(update_fields=["assignee", "status"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked))
        if assignee.pk != getattr(by, "pk", None):
            _tell_staff(locked, _("Обращение передано вам"), only=assignee)
    request.refresh_from_db()
    return request


def answer_request(request: SupportRequest, *, text: str, by: Any) -> SupportReply:
    """The on-duty staff's answer (on the page and by e-mail to the author). Only someone on the event's duty
    roster answers; the first answer's time is kept for the Directorate's figures."""
    text = clean_text(text, field="text", what=_("Ответ"), max_length=TEXT_MAX)
    with transaction.atomic():
        locked = _locked(request)
        if not on_duty(locked.championship, by):
            raise AccessDenied(_("Отвечают дежурные поддержки мероприятия: вас нет в графике дежурств. Ответ не "
                                 "сохранён."))
        _open_or_refuse(locked)
        before = snapshot(locked)
        now = timezone.now()
        reply = SupportReply.objects.create(request=locked, author=by, author_name=by.full_name, from_staff=True,
                                            text=text, created_at=now)
        if locked.first_answer_at is None:
            locked.first_answer_at = max(now, locked.created_at)
        if locked.assignee_id is None:
            locked.assignee = by
        _move(locked, Status.ANSWERED)
        locked.save(update_fields=["first_answer_at", "assignee", "status"])
        record(actor=by, action=AuditEntry.Action.CREATE, instance=reply, after=snapshot(reply),
               championship=locked.championship)
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked))
        _tell_author(locked, _("Ответ поддержки"), text=text)
    request.refresh_from_db()
    return reply


def add_author_message(request: SupportRequest, *, text: str, by: Any = None) -> SupportReply:
    """The author's follow-up (signed in, or through the signed link when ``by`` is None): an answered request
    goes back into work and its assignee (or the roster) is told."""
    text = clean_text(text, field="text", what=_("Сообщение"), max_length=TEXT_MAX)
    with transaction.atomic():
        locked = _locked(request)
        signed_in = getattr(by, "is_authenticated", False)
        if (locked.author_id is None) == signed_in or (signed_in and locked.author_id != by.pk):
            raise AccessDenied(_("Дополнить обращение может только его автор."))
        _open_or_refuse(locked)
        before = snapshot(locked)
        reply = SupportReply.objects.create(request=locked, author=by if signed_in else None,
                                            author_name=locked.author_name, from_staff=False, text=text)
        if locked.status == Status.ANSWERED:
            _move(locked, Status.IN_WORK if locked.assignee_id else Status.NEW)
            locked.save(update_fields=["status"])
        record(actor=by, action=AuditEntry.Action.CREATE, instance=reply, after=snapshot(reply),
               championship=locked.championship)
        if locked.status != before["status"]:
            record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before,
                   after=snapshot(locked))
        _tell_staff(locked, _("Автор дополнил обращение"), only=locked.assignee)
    request.refresh_from_db()
    return reply


def close_request(request: SupportRequest, *, by: Any = None) -> SupportRequest:
    """Close the request (its author, an on-duty person or the Directorate — the caller checks which)."""
    with transaction.atomic():
        locked = _locked(request)
        _open_or_refuse(locked)
        before = snapshot(locked)
        _move(locked, Status.CLOSED)
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        record(actor=by, action=AuditEntry.Action.TRANSITION, instance=locked, before=before, after=snapshot(locked))
        if locked.author_id is None or locked.author_id != getattr(by, "pk", None):
            _tell_author(locked, _("Обращение закрыто"))
    request.refresh_from_db()
    return request


# --- FAQ -----------------------------------------------------------------------------------------------------


def save_faq(entry: FaqEntry, *, question: str, answer: str, order: int = 0, by: Any) -> FaqEntry:
    entry.question = clean_text(question, field="question", what=_("Вопрос"), max_length=300)
    entry.answer = clean_text(answer, field="answer", what=_("Ответ"), max_length=TEXT_MAX)
    try:
        entry.order = max(0, min(int(order or 0), 32767))
    except (TypeError, ValueError):
        raise DomainError(_("Порядок — целое число."), field="order") from None
    entry.updated_by = by
    save_audited(entry, by=by)
    return entry


def delete_faq(entry: FaqEntry, *, by: Any) -> None:
    delete_audited(entry, by=by)
