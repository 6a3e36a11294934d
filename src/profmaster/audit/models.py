"""The audit trail (SPEC X-2): who changed what, when, before → after, and why.

Entries are only ever inserted. The application offers no way to edit or delete them; on
PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE on the table. The entries form one hash chain
(:mod:`profmaster.audit.chain`): each entry's hash covers its content and the previous entry's hash, so an
entry altered, removed or reordered behind the application's back — with the triggers dropped — is found by
``manage.py verify_audit``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from profmaster.core.postgres import prepared_cursor

from . import chain


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Создание")
        UPDATE = "update", _("Изменение")
        DELETE = "delete", _("Удаление")
        TRANSITION = "transition", _("Смена состояния")
        SIGN = "sign", _("Подписание")
        ACCESS = "access", _("Доступ к данным")
        ANCHOR = "anchor", _("Контрольные хеши")

    # Set on insert (not auto_now_add: the hash must cover the value that is stored).
    at = models.DateTimeField(_("когда"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("кто"))
    championship = models.ForeignKey("championships.Championship", on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+", verbose_name=_("чемпионат"))
    action = models.CharField(_("действие"), max_length=16, choices=Action.choices)
    object_type = models.CharField(_("тип объекта"), max_length=100, db_index=True)
    object_id = models.CharField(_("идентификатор"), max_length=64)
    object_repr = models.CharField(_("объект"), max_length=300)
    before = models.JSONField(_("было"), null=True, blank=True)
    after = models.JSONField(_("стало"), null=True, blank=True)
    reason = models.TextField(_("причина"), blank=True)
    # the entry's place in the one chain of the log, the previous entry's hash and its own.
    seq = models.PositiveBigIntegerField(_("номер записи"), editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("запись журнала аудита")
        verbose_name_plural = _("журнал аудита")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["championship", "-at"], name="audit_championship_at")]
        constraints = [models.UniqueConstraint(fields=["seq"], name="audit_entry_seq_unique")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only")
        using = kwargs.get("using") or "default"
        # No savepoint of its own (two round trips while the chain's lock is held by the caller's transaction): a
        # failure here fails the caller's whole transaction, as it must — a change never commits without its trace.
        with transaction.atomic(using=using, savepoint=False):
            # Serialise appenders until this transaction commits, so the chain has one order and no fork. The lock
            # and the head's read stay two statements: in READ COMMITTED a statement's snapshot is taken when it
            # starts, so a read in the locking statement would miss the entry of the writer it waited for.
            chain.lock(using)
            last = _chain_head(type(self), using)
            self.before, self.after = chain.stored_form(self.before), chain.stored_form(self.after)
            self.seq, self.prev_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
            self.hash = chain.entry_hash(self.prev_hash, chain.entry_fields(self))
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only")

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Fields whose value differs between before and after, as (field, old, new)."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


def _chain_head(model: type[AuditEntry], using: str) -> tuple[int, str] | None:
    """The newest entry's number and hash. On PostgreSQL one prepared statement (every audited change of the
    platform reads it, the exam's synchronised start thousands of times a minute), elsewhere the ORM's query."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return model._default_manager.using(using).order_by("-seq").values_list("seq", "hash").first()
    with prepared_cursor(connection) as cursor:
        cursor.execute(f"SELECT seq, hash FROM {connection.ops.quote_name(model._meta.db_table)} "  # noqa: S608
                       "ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None
