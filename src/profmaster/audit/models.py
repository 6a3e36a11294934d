"""The audit trail (SPEC X-2): who changed what, when, before → after, and why.

Entries are only ever inserted. The application offers no way to edit or delete them; on
PostgreSQL a trigger refuses UPDATE and DELETE on the table (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("Создание")
        UPDATE = "update", _("Изменение")
        DELETE = "delete", _("Удаление")
        TRANSITION = "transition", _("Смена состояния")
        SIGN = "sign", _("Подписание")
        ACCESS = "access", _("Доступ к данным")

    at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)
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

    class Meta:
        verbose_name = _("запись журнала аудита")
        verbose_name_plural = _("журнал аудита")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["championship", "-at"], name="audit_championship_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("Audit entries are append-only")

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Fields whose value differs between before and after, as (field, old, new)."""
        before = self.before or {}
        after = self.after or {}
        keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
