"""State changes of documents and simple electronic signatures (SPEC DOC-2).

Every function here validates, writes inside one transaction, records the audit entry and queues
the PDF rendering for after the commit. Pages, the API and the protocols of other apps call these;
none re-implements them. Permission to *reach* a function (e.g. ``documents.add_document``) is
checked by the caller; what follows from the document itself (only a required signer signs, with
their own password) is checked here, because it holds on every channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from profmaster.accounts.models import Role, RoleAssignment
from profmaster.audit.domain import record, snapshot
from profmaster.audit.models import AuditEntry
from profmaster.core.errors import AccessDenied, DomainError, TransitionError
from profmaster.core.queue import enqueue_on_commit

from . import generators, hashing
from .models import GENERATED_TYPES, Document, DocumentRevision, DocumentType, RequiredSigner, Signature

TITLE_MAX = 300
ROLE_LABEL_MAX = 200
REASON_MAX = 2000
DATA_MAX_CHARS = 1_000_000
#: Wrong passwords allowed per person on signature confirmations before a pause (as for the login).
SIGN_FAILURE_LIMIT = int(getattr(settings, "AXES_FAILURE_LIMIT", 5))
SIGN_FAILURE_WINDOW = 15 * 60

Signers = Sequence[tuple[Any, str]]


# --- Validation helpers ---------------------------------------------------------------------------


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if "\x00" in title or not _encodable(title):
        raise DomainError(_("Заголовок содержит недопустимый символ."), field="title")
    if not title:
        raise DomainError(_("Укажите заголовок документа."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_("Заголовок длиннее %(max)s символов.") % {"max": TITLE_MAX}, field="title")
    return title


def _check_data(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise DomainError(_("Содержание документа должно быть объектом JSON (набором полей)."), field="data")
    try:
        # Encoding finds lone surrogates, which no database column (nor the hash) can take.
        size = len(hashing.canonical_json(data).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        raise DomainError(_("Содержание документа содержит значения, которые нельзя сохранить."),
                          field="data") from exc
    if size > DATA_MAX_CHARS:
        raise DomainError(_("Содержание документа слишком велико."), field="data")
    if _has_nul(data):
        raise DomainError(_("Содержание документа содержит недопустимый символ (NUL)."), field="data")
    return data


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise DomainError(_("Причина содержит недопустимый символ."), field="reason")
    if not reason:
        raise DomainError(_("Укажите причину изменения."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_("Причина длиннее %(max)s символов.") % {"max": REASON_MAX}, field="reason")
    return reason


def _clean_signers(signers: Signers, championship: Any) -> list[tuple[Any, str]]:
    """At least one signer, each an active person named once who holds a role in the championship
    (or in the platform's Directorate), each with the capacity they sign in."""
    cleaned: list[tuple[Any, str]] = []
    seen: set[int] = set()
    for user, label in signers:
        if user is None or getattr(user, "pk", None) is None:
            raise DomainError(_("Подписант не найден."), field="signers")
        if user.pk in seen:
            raise DomainError(_("%(name)s указан(а) среди подписантов дважды.") % {"name": user}, field="signers")
        if not RoleAssignment.objects.filter(
                Q(championship_id=championship.pk) | Q(championship__isnull=True, role=Role.DIRECTORATE),
                user=user).exists():
            raise DomainError(_("%(name)s не участвует в этом чемпионате и не может подписывать его документы.")
                              % {"name": user}, field="signers")
        if not user.is_active:
            raise DomainError(_("%(name)s не может подписывать: учётная запись отключена.") % {"name": user},
                              field="signers")
        label = (label or "").strip()
        if "\x00" in label:
            raise DomainError(_("Описание роли подписанта содержит недопустимый символ."), field="signers")
        if not label:
            raise DomainError(_("Укажите, в качестве кого подписывает %(name)s.") % {"name": user}, field="signers")
        if len(label) > ROLE_LABEL_MAX:
            raise DomainError(_("Описание роли подписанта длиннее %(max)s символов.") % {"max": ROLE_LABEL_MAX},
                              field="signers")
        seen.add(user.pk)
        cleaned.append((user, label))
    if not cleaned:
        raise DomainError(_("Укажите хотя бы одного подписанта."), field="signers")
    return cleaned


def _signers_snapshot(document: Document) -> list[dict[str, Any]]:
    return [{"user": r.user_id, "name": r.user.full_name, "role_label": r.role_label, "order": r.order}
            for r in document.required_signers.select_related("user").order_by("order", "pk")]


def _queue_render(document: Document) -> None:
    """Render the PDF once the change is committed; a failed queue never fails the change itself."""
    enqueue_on_commit("documents.render_document_pdf", document.pk)


# --- Creating and changing documents --------------------------------------------------------------


def create_document(
    *,
    championship: Any,
    doc_type: str,
    title: str,
    data: Any,
    signers: Signers,
    competency: Any = None,
    by: Any,
) -> Document:
    """Create a document a person typed in, numbered next in its championship, with its required signers
    (DOC-2). A kind the platform forms from its records (a protocol of locks, results, roles…) is refused:
    such a document comes only from :func:`create_generated_document`."""
    if doc_type not in DocumentType.values:
        raise DomainError(_("Неизвестный вид документа."), field="doc_type")
    if doc_type in GENERATED_TYPES:
        raise DomainError(_("Документ вида «%(kind)s» формируется системой из записей; создать его вручную "
                            "нельзя.") % {"kind": DocumentType(doc_type).label}, field="doc_type")
    return _create(championship=championship, doc_type=doc_type, title=title, data=data, signers=signers,
                   competency=competency, by=by, generator="", source={})


def create_generated_document(
    *,
    championship: Any,
    doc_type: str,
    title: str,
    data: Any,
    signers: Signers,
    generator: str,
    source: dict[str, Any] | None = None,
    competency: Any = None,
    by: Any,
) -> Document:
    """Create a document whose content the platform formed from its records (DOC-2). ``generator`` names
    where it came from (:mod:`.generators`); ``source`` holds the ids the generator reads again. Its content
    is read-only afterwards: :func:`regenerate_document` is the only way to replace it."""
    if doc_type not in DocumentType.values:
        raise DomainError(_("Неизвестный вид документа."), field="doc_type")
    if not generators.is_known(generator):
        raise DomainError(_("Неизвестный источник содержания документа."), field="generator")
    return _create(championship=championship, doc_type=doc_type, title=title, data=data, signers=signers,
                   competency=competency, by=by, generator=generator, source=dict(source or {}))


def _create(*, championship: Any, doc_type: str, title: str, data: Any, signers: Signers, competency: Any,
            by: Any, generator: str, source: dict[str, Any]) -> Document:
    title = _clean_title(title)
    data = _check_data(data)
    if competency is not None and competency.championship_id != championship.pk:
        raise DomainError(_("Компетенция относится к другому чемпионату."), field="competency")
    cleaned = _clean_signers(signers, championship)
    from profmaster.championships.models import Championship

    with transaction.atomic():
        # The lock on the championship row serialises numbering; the unique constraint backs it up.
        Championship.objects.select_for_update().only("pk").get(pk=championship.pk)
        last = (Document.objects.filter(championship_id=championship.pk).order_by("-number")
                .values_list("number", flat=True).first())
        document = Document(
            championship=championship, competency=competency, doc_type=doc_type, number=(last or 0) + 1,
            title=title, data=data, content_hash=hashing.content_hash(title, doc_type, data), version=1,
            created_by=by, render_status=Document.RenderStatus.PENDING, generator=generator, source=source,
        )
        try:
            with transaction.atomic():
                document.save()
        except IntegrityError as exc:
            raise DomainError(_("Документ с этим номером только что создан другим пользователем. Повторите.")) from exc
        RequiredSigner.objects.bulk_create(
            RequiredSigner(document=document, user=user, role_label=label, order=index)
            for index, (user, label) in enumerate(cleaned, start=1)
        )
        record(actor=by, action=AuditEntry.Action.CREATE, instance=document,
               after={**snapshot(document), "signers": _signers_snapshot(document)})
        _queue_render(document)
    return document


def update_document_content(
    document: Document,
    *,
    title: str | None = None,
    data: Any,
    by: Any,
    reason: str,
) -> Document:
    """Change the content of a document a person typed in: a new редакция whose hash differs, the old
    one kept, and every valid signature voided.

    The voided signatures stay (with when and why) so the history of approvals is kept; the signers have
    to sign the new content again. A generated document's content is not edited (DOC-2): it is formed
    again from the records by :func:`regenerate_document`.
    """
    data = _check_data(data)
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        if locked.is_generated:
            raise TransitionError(_("Содержание этого документа формируется из записей системы и не изменяется "
                                    "вручную. Исправьте записи и сформируйте документ заново."))
        new_title = _clean_title(title) if title is not None else locked.title
        _replace_content(locked, title=new_title, data=data, by=by, reason=reason, regenerated=False)
    document.refresh_from_db()
    return document


def regenerate_document(document: Document, *, by: Any, reason: str) -> Document:
    """Form a generated document's content again from the records, with a reason (DOC-2): a new редакция,
    the old one kept, every valid signature voided, audited."""
    reason = _clean_reason(reason)
    if not document.is_generated:
        raise TransitionError(_("Этот документ составлен вручную: его содержание изменяют на странице "
                                "изменения."))
    generate = generators.generator_for(document.generator)
    if generate is None:
        raise TransitionError(_("Этот документ фиксирует однократное действие и заново не формируется; при "
                                "необходимости повторите само действие."))
    with transaction.atomic():
        locked = Document.objects.select_for_update(of=("self",)).select_related("championship", "competency").get(
            pk=document.pk)
        title, data = generate(locked, by)
        data = _check_data(data)
        _replace_content(locked, title=_clean_title(title), data=data, by=by, reason=reason, regenerated=True)
    document.refresh_from_db()
    return document


def _replace_content(locked: Document, *, title: str, data: dict[str, Any], by: Any, reason: str,
                     regenerated: bool) -> None:
    """The shared step of editing and forming again: keep the old редакция, write the new, void signatures."""
    new_hash = hashing.content_hash(title, locked.doc_type, data)
    if new_hash == locked.content_hash:
        raise DomainError(_("Записи не изменились: содержание совпадает с текущей редакцией.") if regenerated
                          else _("Содержание не изменилось"))
    before = snapshot(locked)
    DocumentRevision.objects.create(document=locked, version=locked.version, title=locked.title, data=locked.data,
                                    content_hash=locked.content_hash, replaced_at=timezone.now(), replaced_by=by,
                                    reason=reason, regenerated=regenerated)
    locked.title = title
    locked.data = data
    locked.content_hash = new_hash
    locked.version += 1
    locked.render_status = Document.RenderStatus.PENDING
    locked.save(update_fields=["title", "data", "content_hash", "version", "render_status", "updated_at"])
    template = (_("Документ сформирован заново из записей в редакции %(version)s. Причина: %(reason)s")
                if regenerated else _("Содержание документа изменено в редакции %(version)s. Причина: %(reason)s"))
    void_reason = template % {"version": locked.version, "reason": reason}
    voided = list(Signature.objects.filter(document=locked, voided_at__isnull=True).values_list("pk", flat=True))
    Signature.objects.filter(pk__in=voided).update(voided_at=timezone.now(), void_reason=void_reason)
    record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before=before,
           after={**snapshot(locked), "voided_signatures": voided, "regenerated": regenerated}, reason=reason)
    _queue_render(locked)


def set_signers(document: Document, signers: Signers, *, by: Any, reason: str = "") -> list[RequiredSigner]:
    """Change who has to sign. Someone who has already signed the current content cannot be removed."""
    with transaction.atomic():
        locked = Document.objects.select_for_update(of=("self",)).select_related("championship").get(pk=document.pk)
        cleaned = _clean_signers(signers, locked.championship)
        before = _signers_snapshot(locked)
        current = {r.user_id: r for r in locked.required_signers.select_related("user")}
        wanted = {user.pk for user, _label in cleaned}
        signed = set(Signature.objects.filter(document=locked, voided_at__isnull=True)
                     .values_list("signer_id", flat=True))
        refused = [current[pk].user for pk in current if pk not in wanted and pk in signed]
        if refused:
            raise DomainError(
                _("Нельзя исключить из подписантов тех, кто уже подписал документ: %(names)s.")
                % {"names": ", ".join(u.full_name for u in refused)}, field="signers")
        RequiredSigner.objects.filter(document=locked).exclude(user_id__in=wanted).delete()
        for order, (user, label) in enumerate(cleaned, start=1):
            existing = current.get(user.pk)
            if existing is None:
                RequiredSigner.objects.create(document=locked, user=user, role_label=label, order=order)
            elif (existing.role_label, existing.order) != (label, order):
                existing.role_label, existing.order = label, order
                existing.save(update_fields=["role_label", "order"])
        after = _signers_snapshot(locked)
        if after == before:
            raise DomainError(_("Состав подписантов не изменился."), field="signers")
        # The stamped PDF lists who has yet to sign, which the version key does not capture.
        Document.objects.filter(pk=locked.pk).update(pdf_version="", render_status=Document.RenderStatus.PENDING)
        record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, before={"signers": before},
               after={"signers": after}, reason=(reason or "").strip())
        _queue_render(locked)
    return list(document.required_signers.select_related("user").order_by("order", "pk"))


# --- Signing ---------------------------------------------------------------------------------------


def _failures_key(user: Any) -> str:
    return f"documents:sign-failures:{user.pk}"


def sign_document(document: Document, *, signer: Any, password: str, by: Any = None) -> Signature:
    """Sign the document's current content with a simple electronic signature (DOC-2).

    The signer confirms who they are by entering their password again; the signature records the
    content hash and редакция it was given for and the time. Nobody signs for someone else.
    """
    if by is not None and getattr(by, "pk", None) != getattr(signer, "pk", None):
        raise AccessDenied(_("Подписать документ может только сам подписант."))
    if signer is None or not getattr(signer, "is_authenticated", False) or not signer.is_active:
        raise AccessDenied(_("Подписать документ может только сам подписант."))
    with transaction.atomic():
        locked = Document.objects.select_for_update(of=("self",)).select_related("championship").get(pk=document.pk)
        required = RequiredSigner.objects.filter(document=locked, user=signer).first()
        if required is None:
            raise AccessDenied(_("Вы не входите в число подписантов этого документа."))
        existing = Signature.objects.filter(document=locked, signer=signer, voided_at__isnull=True).first()
        if existing is not None:
            raise TransitionError(_("Вы уже подписали этот документ (редакция %(version)s).")
                                  % {"version": existing.document_version})
        # the counter is in the cache every worker shares, so the limit holds across processes.
        failures = caches["shared"]
        if failures.get(_failures_key(signer), 0) >= SIGN_FAILURE_LIMIT:
            raise DomainError(_("Слишком много неверных попыток ввода пароля. Повторите через 15 минут."),
                              field="password", code="throttled")
        if not password or not signer.check_password(password):
            if not failures.add(_failures_key(signer), 1, SIGN_FAILURE_WINDOW):
                try:
                    failures.incr(_failures_key(signer))
                except ValueError:  # expired between add and incr
                    failures.set(_failures_key(signer), 1, SIGN_FAILURE_WINDOW)
            raise DomainError(_("Неверный пароль. Подпись не поставлена."), field="password")
        failures.delete(_failures_key(signer))
        signature = Signature(document=locked, signer=signer, role_label=required.role_label,
                              signed_at=timezone.now(), content_hash=locked.content_hash,
                              document_version=locked.version)
        try:
            with transaction.atomic():
                signature.save()
        except IntegrityError as exc:  # a second tab signed at the same moment
            raise TransitionError(_("Вы уже подписали этот документ.")) from exc
        Document.objects.filter(pk=locked.pk).update(render_status=Document.RenderStatus.PENDING)
        record(actor=signer, action=AuditEntry.Action.SIGN, instance=locked, championship=locked.championship,
               after={"signature": signature.pk, "signer": signer.pk, "signer_name": signer.full_name,
                      "role_label": signature.role_label, "content_hash": signature.content_hash,
                      "version": signature.document_version, "signed_at": signature.signed_at.isoformat()})
        _queue_render(locked)
    return signature
