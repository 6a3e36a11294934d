"""Task hand-outs (RM-2): the task text published at a time, and each recipient's first opening recorded
with the server's time, once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.audit.domain import record, save_audited
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import AccessDenied, DomainError, TransitionError

from ..models import TaskAccess, TaskHandout


def save_handout(handout: TaskHandout, *, recipients: Sequence[Any], by: Any) -> TaskHandout:
    if handout.created_by_id is None:
        handout.created_by = by
    if not (handout.text or "").strip() and not handout.file:
        raise DomainError(_("Добавьте текст задания или файл."), field="text")
    if handout.pk and handout.accesses.exists():
        raise TransitionError(_("Задание уже открывали: изменить его нельзя, создайте новое."))
    save_audited(handout, by=by, m2m={"recipients": list(recipients)})
    return handout


def open_handout(handout: TaskHandout, user: Any, *, ip: str | None = None,
                 now: dt.datetime | None = None) -> TaskAccess:
    """The participant opens the task: before publication nobody sees it; the first opening is
    recorded with the server's time, once, and never overwritten."""
    now = now or timezone.now()
    if now < handout.publish_at:
        raise AccessDenied(_("Задание ещё не опубликовано."))
    if not handout.recipients.filter(pk=user.pk).exists():
        raise AccessDenied(_("Это задание выдано не вам."))
    access = TaskAccess.objects.filter(handout=handout, user=user).first()
    if access is not None:
        return access
    try:
        with transaction.atomic():
            access = TaskAccess.objects.create(handout=handout, user=user, first_opened_at=now, client_ip=ip or None)
            record(actor=user, action=AuditEntry.Action.CREATE, instance=access, championship=handout.championship,
                   after={"handout": handout.pk, "user": user.pk, "first_opened_at": now.isoformat()})
    except IntegrityError:  # the same person opened it in two tabs at once: the first one counts
        access = TaskAccess.objects.get(handout=handout, user=user)
    return access
