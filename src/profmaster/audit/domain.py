"""Recording audit entries. Every domain function of every app calls :func:`record` inside its
transaction, so a change and its trace commit or roll back together."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext

from profmaster.core.errors import DomainError

from .models import AuditEntry

_MAX_TEXT = 2000


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        if isinstance(value, str) and len(value) > _MAX_TEXT:
            return value[:_MAX_TEXT] + "…"
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    return str(value)


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe picture of a model instance's concrete fields and many-to-many ids."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in {"password", "key_hash"}:
            continue
        data[field.attname] = _json_value(field.value_from_object(instance))
    if instance.pk is not None:
        for m2m in instance._meta.many_to_many:
            data[m2m.name] = sorted(obj.pk for obj in getattr(instance, m2m.name).all())
    return data


def championship_of(instance: Any) -> Any:
    """The championship an object belongs to, or None for platform-wide objects."""
    return getattr(instance, "championship", None)


def record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    championship: Any = None,
    object_id: Any = None,
) -> AuditEntry:
    """Append one audit entry. ``championship`` defaults to the object's own championship."""
    if championship is None:
        championship = championship_of(instance)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        championship=championship,
        action=action,
        object_type=instance._meta.label,
        object_id=str(object_id if object_id is not None else instance.pk),
        object_repr=str(instance)[:300],
        before=before,
        after=after,
        reason=reason or "",
    )


def save_audited(
    instance: models.Model,
    *,
    by: Any,
    reason: str = "",
    m2m: dict[str, Any] | None = None,
    championship: Any = None,
) -> models.Model:
    """Validate and save one object with its many-to-many values, recording create or update.

    The building block of the create/update domain functions of every app: call it inside their
    own transaction when they also do more. Raises ``ValidationError`` (field messages) for bad data.
    """
    creating = instance._state.adding
    with transaction.atomic():
        before = None
        if not creating:
            stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
            before = snapshot(stored)
        instance.full_clean()
        try:
            with transaction.atomic():
                instance.save()
        except IntegrityError as exc:  # a concurrent writer won the race the validation checked
            raise DomainError(
                gettext("Данные изменились одновременно с вашим сохранением. Обновите страницу и повторите.")
            ) from exc
        for name, values in (m2m or {}).items():
            getattr(instance, name).set(values)
        record(
            actor=by,
            action=AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE,
            instance=instance,
            before=before,
            after=snapshot(instance),
            reason=reason,
            championship=championship,
        )
    return instance


def delete_audited(instance: models.Model, *, by: Any, reason: str = "", championship: Any = None) -> None:
    """Delete one object, recording what it was. Refuses when other records still depend on it."""
    with transaction.atomic():
        before = snapshot(instance)
        pk = instance.pk
        if championship is None:
            championship = championship_of(instance)
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise DomainError(gettext("Нельзя удалить: на этот объект ссылаются другие записи.")) from exc
        record(actor=by, action=AuditEntry.Action.DELETE, instance=instance, before=before, after=None,
               reason=reason, championship=championship, object_id=pk)

