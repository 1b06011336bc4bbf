"""Document exchange between agencies (liên thông văn bản) in edXML over HTTP.

Sending is at-least-once: an issued document's package is written to ``OutboxMessage`` in the
issuing transaction; ``outbox_deliver`` (after commit, and ``manage.py send_edxml`` on a
timer) POSTs it to the recipient's endpoint — a peer CQS instance from ``ExchangePeer`` or the
hub ``CQS_EDXML_HUB_URL`` — and retries with back-off until the other side answers 2xx.
Receiving is idempotent by (sender, DocumentId): a duplicate is acknowledged, never registered
twice. Every message is authenticated with an HMAC-SHA256 of its body under the peer's shared
token (headers ``X-CQS-Edxml-From`` and ``X-CQS-Edxml-Signature``); an unknown sender is
refused. The receiver answers with status packages (03 accepted, 04 assigned, 05 processing,
06 done, 02 refused) that the sender records on the outgoing document.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.core.errors import ApplicationError, PermissionDenied, ValidationError
from cqs.core.text import nfc
from cqs.documents import edxml, rules, signatures, xmldsig
from cqs.documents.models import (
    Document,
    DocumentEvent,
    DocumentType,
    ExchangePeer,
    InboxMessage,
    OutboxMessage,
    Recipient,
)
from cqs.documents.permissions import can_manage_exchange
from cqs.signing import keys
from cqs.signing.errors import SigningError
from cqs.signing.models import CertificateKind, KeyKind
from cqs.signing.selectors import trust_roots
from cqs.signing.services import usable_certificate
from cqs.units.models import Agency

logger = logging.getLogger("cqs.documents.exchange")

FROM_HEADER = "X-CQS-Edxml-From"
SIGNATURE_HEADER = "X-CQS-Edxml-Signature"


class ExchangeRefused(ApplicationError):
    """A package we refuse; 4xx with a machine-readable code."""

    status = 422
    code = "edxml_refused"
    default_message = "Gói edXML bị từ chối."


class UnknownSender(ApplicationError):
    status = 401
    code = "unknown_sender"
    default_message = "Đơn vị gửi không có trong danh sách liên thông hoặc chữ ký HMAC sai."


def hmac_signature(token: str, body: bytes) -> str:
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def max_bytes() -> int:
    return int(settings.CQS_EDXML_MAX_MB * 1024 * 1024)


# --- sending --------------------------------------------------------------------------------


def _enqueue(
    *,
    kind: str,
    from_code: str,
    to_code: str,
    document: Document | None,
    package: edxml.Package,
    message_id: uuid.UUID,
) -> OutboxMessage:
    body, content_type = edxml.build(package, sign=_envelope_signer(from_code))
    msg = OutboxMessage.objects.create(
        message_id=message_id,
        kind=kind,
        from_code=from_code,
        to_code=to_code,
        document=document,
        payload=body,
        content_type=content_type,
        next_attempt_at=timezone.now(),
    )
    if settings.CQS_EDXML_SEND_ON_COMMIT:
        transaction.on_commit(lambda: outbox_deliver(ids=[msg.pk]))
    return msg


def _envelope_signer(from_code: str) -> Callable[[bytes], bytes] | None:
    """Sign with the sending agency's seal key (its committee's for a division without one).
    No seal certificate: unsigned, unless ``CQS_SIGNING_REQUIRED`` (then ``SigningError``).
    Only PKCS#12 seal keys can sign envelopes; a token/remote seal is treated as absent."""
    agency = Agency.objects.filter(code=from_code).select_related("parent").first()
    cert = None
    for candidate in (agency, agency.parent if agency else None):
        if candidate is not None and cert is None:
            cert = usable_certificate(kind=CertificateKind.SEAL, agency=candidate, required=False)
    if cert is None or cert.key_kind != KeyKind.PKCS12:
        if settings.CQS_SIGNING_REQUIRED:
            raise SigningError(
                "Cơ quan gửi chưa có chứng thư số (khóa PKCS#12) để ký gói edXML.",
                code="no_certificate",
                details={"agency": from_code},
            )
        return None
    pair, chain = keys.load_pkcs12_pair(cert.key_ref)
    certs = [pair.certificate] + [c for c in chain if c != pair.certificate]
    return lambda xml: xmldsig.sign(xml, pair.key, certs)


def document_package(
    *, document: Document, recipients: list[Recipient], pdf: bytes, message_id: uuid.UUID
) -> edxml.DocumentPackage:
    agency = document.agency
    now = timezone.now()
    number = document.number or 0
    return edxml.DocumentPackage(
        document_id=str(message_id),
        sender=edxml.Party(agency.code, agency.name),
        recipients=tuple(edxml.Party(r.agency_code, r.agency_name) for r in recipients),
        number=f"{number:02d}",
        notation=document.notation,
        place=agency.unit.name if agency.unit_id else "",
        promulgation_date=document.issued_on or timezone.localdate(),
        type_code=document.doc_type.abbreviation,
        type_name=document.doc_type.name,
        subject=document.summary,
        content="",
        competence=f"TM. {agency.name}",
        function=document.signer_position or "",
        signer=document.signer_name or "",
        priority=rules.URGENCY_PRIORITY.get(document.urgency, 0),
        promulgation_amount=1,
        pages=document.pages,
        trace=((agency.code, now.replace(microsecond=0)),),
        attachments=(
            edxml.Attachment(
                f"main-{message_id.hex[:12]}@cqs",
                f"{number:02d}-{document.notation}.pdf".replace("/", "-"),
                "application/pdf",
                pdf,
            ),
        ),
    )


def document_enqueue(
    *, document: Document, recipient: Recipient, pdf: bytes, actor: Any
) -> OutboxMessage:
    message_id = uuid.uuid4()
    package = document_package(
        document=document, recipients=[recipient], pdf=pdf, message_id=message_id
    )
    msg = _enqueue(
        kind="document",
        from_code=document.agency.code,
        to_code=recipient.agency_code,
        document=document,
        package=package,
        message_id=message_id,
    )
    audit_record(
        actor=actor,
        action="edxml.queue",
        obj=msg,
        changes={"to": recipient.agency_code, "document": document.pk},
    )
    return msg


def status_enqueue(
    *, document: Document, code: rules.StatusCode, description: str, actor: Any
) -> OutboxMessage | None:
    """Queue a status package about an incoming document for the agency that sent it."""
    sender, _, document_id = document.external_message_id.partition(":")
    if not document_id:
        return None
    now = timezone.now().replace(microsecond=0)
    package = edxml.StatusPackage(
        document_id=document_id,
        original_sender=sender,
        code=document.notation or "-",
        promulgation_date=document.issued_on,
        responder=edxml.Party(document.agency.code, document.agency.name),
        status_code=code,
        description=description,
        timestamp=now,
        department=document.lead_division.name if document.lead_division else "",
        staff=(actor.full_name or actor.username) if getattr(actor, "pk", None) else "",
    )
    msg = _enqueue(
        kind="status",
        from_code=document.agency.code,
        to_code=sender,
        document=None,
        package=package,
        message_id=uuid.uuid4(),
    )
    audit_record(
        actor=actor,
        action="edxml.status_queue",
        obj=msg,
        changes={"to": sender, "code": str(code), "document": document.pk},
    )
    return msg


def _endpoint(to_code: str) -> tuple[str, str] | None:
    peer = ExchangePeer.objects.filter(agency_code=to_code, is_active=True).first()
    if peer is not None and peer.url:
        return peer.url, peer.token
    if settings.CQS_EDXML_HUB_URL:
        return settings.CQS_EDXML_HUB_URL, settings.CQS_EDXML_HUB_TOKEN
    return None


@dataclass
class DeliveryCounts:
    delivered: int = 0
    retried: int = 0
    refused: int = 0


def _post(url: str, token: str, msg: OutboxMessage) -> tuple[int, bytes]:
    body = bytes(msg.payload)
    request = urllib.request.Request(  # noqa: S310 - the URL is configured by an admin
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": msg.content_type,
            FROM_HEADER: msg.from_code,
            SIGNATURE_HEADER: hmac_signature(token, body),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.CQS_EDXML_TIMEOUT) as resp:  # noqa: S310
            return int(resp.status), resp.read(4096)
    except urllib.error.HTTPError as exc:
        return int(exc.code), exc.read(4096)


def outbox_deliver(
    *, ids: list[int] | None = None, now: datetime | None = None, limit: int = 100
) -> DeliveryCounts:
    """Send due packages. A message is claimed with a conditional UPDATE (no two senders post
    it at once); 2xx delivers it, 5xx/timeouts/401/403/408/429 retry with back-off, any other
    4xx is a final refusal by the receiver."""
    now = now or timezone.now()
    counts = DeliveryCounts()
    due = OutboxMessage.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
    if ids is not None:
        due = due.filter(pk__in=ids)
    for msg in list(due.order_by("id")[:limit]):
        lease = now + timedelta(seconds=settings.CQS_EDXML_TIMEOUT * 2)
        claimed = OutboxMessage.objects.filter(
            pk=msg.pk, delivered_at__isnull=True, next_attempt_at=msg.next_attempt_at
        ).update(next_attempt_at=lease)
        if not claimed:
            continue
        target = _endpoint(msg.to_code)
        status, error = 0, ""
        if target is None:
            error = "Chưa cấu hình địa chỉ liên thông cho đơn vị nhận."
        else:
            try:
                status, answer = _post(target[0], target[1], msg)
                if not 200 <= status < 300:
                    error = f"HTTP {status}: {answer[:500].decode('utf-8', 'replace')}"
            except (OSError, ValueError) as exc:
                error = f"{type(exc).__name__}: {exc}"[:500]
        final_refusal = 400 <= status < 500 and status not in {401, 403, 408, 429}
        with transaction.atomic():
            attempts = msg.attempts + 1
            fields: dict[str, Any] = {"attempts": attempts, "last_error": error}
            if not error:
                fields["delivered_at"] = timezone.now()
                counts.delivered += 1
            elif final_refusal:
                fields["delivered_at"] = timezone.now()
                counts.refused += 1
            else:
                fields["next_attempt_at"] = timezone.now() + rules.retry_delay(attempts)
                counts.retried += 1
            OutboxMessage.objects.filter(pk=msg.pk).update(**fields)
            if (
                msg.kind == "document"
                and msg.document_id is not None
                and (not error or final_refusal)
            ):
                code = rules.StatusCode.ARRIVED if not error else rules.StatusCode.REFUSED
                _record_status(msg, code, error or "Đã gửi đến đơn vị nhận", timezone.now())
            audit_record(
                actor=None,
                action="edxml.deliver",
                obj=msg,
                changes={"attempts": attempts, "ok": not error, "error": error[:200]},
            )
        if error:
            logger.warning("edXML %s to %s: %s", msg.message_id, msg.to_code, error)
    return counts


def _record_status(msg: OutboxMessage, code: str, description: str, at: datetime) -> None:
    if msg.document_id is None:
        return
    recipient = Recipient.objects.filter(
        document_id=msg.document_id, agency_code=msg.to_code
    ).first()
    if recipient is None:
        return
    # Statuses only move forward (a late "01" never hides a "05"); 02 always shows.
    if (
        code == rules.StatusCode.REFUSED
        or not recipient.status_code
        or code >= recipient.status_code
    ):
        recipient.status_code = code
        recipient.status_at = at
        recipient.save(update_fields=["status_code", "status_at"])
    document = Document.objects.get(pk=msg.document_id)
    DocumentEvent.objects.create(
        document=document,
        action="exchange_status",
        status_from=document.status,
        status_to=document.status,
        actor=None,
        note=description,
        data={
            "agency": msg.to_code,
            "code": code,
            "label": rules.STATUS_LABELS.get(rules.StatusCode(code), code),
        },
        at=at,
    )


# --- receiving ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiveResult:
    status: str  # accepted | duplicate | status
    status_code: str
    document_id: int | None
    message: str


def authenticate(sender: str, signature: str, body: bytes) -> ExchangePeer:
    peer = ExchangePeer.objects.filter(agency_code=sender, is_active=True).first()
    if peer is None or not hmac.compare_digest(hmac_signature(peer.token, body), signature):
        logger.warning("edXML refused: unknown sender or bad HMAC (%r)", sender[:40])
        raise UnknownSender(details={"sender": sender[:40]})
    return peer


def exchange_receive(
    *, sender: str, signature: str, body: bytes, content_type: str
) -> ReceiveResult:
    """Authenticate, parse, validate and register one received package (one transaction)."""
    peer = authenticate(sender, signature, body)
    try:
        package, envelope = edxml.parse_with_envelope(body, content_type, max_bytes=max_bytes())
    except edxml.EdxmlError as exc:
        logger.warning("edXML from %s refused: %s %s", sender, exc.code, exc.details)
        err = ExchangeRefused(exc.message, code=exc.code, details=exc.details)
        if exc.code == "edxml_too_large":
            err.status = 413
        raise err from exc
    if isinstance(package, edxml.StatusPackage):
        if package.responder.code != peer.agency_code:
            raise ExchangeRefused(
                "Đơn vị trả trạng thái không khớp với đơn vị gửi.", code="edxml_sender_mismatch"
            )
        try:
            _check_envelope_signature(envelope)
        except edxml.EdxmlError as exc:
            logger.warning("edXML status from %s refused: %s", sender, exc.code)
            raise ExchangeRefused(exc.message, code=exc.code, details=exc.details) from exc
        return _receive_status(peer, package)
    return _receive_document(peer, package, body, envelope)


def _check_envelope_signature(envelope: bytes) -> None:
    """The envelope's XML-DSig must be intact and chain to a trust anchor; a missing one is
    refused only when ``CQS_SIGNING_REQUIRED`` is on. Raises ``edxml.EdxmlError``."""
    if xmldsig.has_signature(envelope):
        roots = [x509.load_der_x509_certificate(r.dump()) for r in trust_roots()]
        xmldsig.verify(envelope, roots)
    elif settings.CQS_SIGNING_REQUIRED:
        raise edxml.EdxmlError(
            "edxml_signature_missing",
            "Gói edXML không có chữ ký số (Signature) của cơ quan gửi; không được chấp nhận.",
        )


def _receive_status(peer: ExchangePeer, package: edxml.StatusPackage) -> ReceiveResult:
    if package.responder.code != peer.agency_code:
        raise ExchangeRefused(
            "Đơn vị trả trạng thái không khớp với đơn vị gửi.", code="edxml_sender_mismatch"
        )
    key = f"status:{peer.agency_code}:{package.document_id}:{package.status_code}"
    message_uuid = _uuid_or_none(package.document_id)
    msg = (
        OutboxMessage.objects.filter(
            message_id=message_uuid, to_code=peer.agency_code, kind="document"
        ).first()
        if message_uuid is not None
        else None
    )
    if msg is None:
        raise ExchangeRefused(
            "Trạng thái cho văn bản không do hệ thống này gửi.",
            code="edxml_unknown_document",
            details={"document_id": package.document_id},
        )
    try:
        with transaction.atomic():
            InboxMessage.objects.create(
                message_id=key[:64] if len(key) <= 64 else hashlib.sha256(key.encode()).hexdigest(),
                kind="status",
                from_code=peer.agency_code,
                sha256="",
                outcome="accepted",
                document=msg.document,
            )
            note = package.description
            if package.staff or package.department:
                note = f"{note} ({', '.join(x for x in (package.department, package.staff) if x)})"
            _record_status(msg, package.status_code, note, package.timestamp)
            audit_record(
                actor=None,
                action="edxml.status_receive",
                obj=msg,
                changes={"code": package.status_code, "from": peer.agency_code},
            )
    except IntegrityError:
        return ReceiveResult(
            "duplicate", package.status_code, msg.document_id, "Trạng thái đã nhận trước đó."
        )
    return ReceiveResult("status", package.status_code, msg.document_id, "Đã ghi nhận trạng thái.")


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _refuse(
    peer: ExchangePeer,
    package: edxml.DocumentPackage,
    *,
    key: str,
    digest: str,
    agency: Agency,
    reason: str,
) -> None:
    """Record a refused package (never registered) and queue status 02 for its sender."""
    logger.warning("edXML %s refused: %s", key, reason)
    with transaction.atomic():
        InboxMessage.objects.create(
            message_id=key,
            kind="document",
            from_code=peer.agency_code,
            sha256=digest,
            outcome="refused",
            reason=reason,
        )
        _refusal_enqueue(package, agency, reason)
        audit_record(
            actor=None,
            action="edxml.refuse",
            object_type="edxml",
            object_id=key,
            changes={"reason": reason},
        )


def _receive_document(
    peer: ExchangePeer, package: edxml.DocumentPackage, body: bytes, envelope: bytes
) -> ReceiveResult:
    if package.sender.code != peer.agency_code:
        raise ExchangeRefused(
            "Đơn vị gửi trong gói edXML không khớp với đơn vị xác thực.",
            code="edxml_sender_mismatch",
        )
    key = f"{peer.agency_code}:{package.document_id}"[:64]
    previous = InboxMessage.objects.filter(message_id=key).first()
    if previous is not None and previous.outcome == "refused":
        raise ExchangeRefused(previous.reason, code="signature_invalid")
    if previous is not None:
        logger.info("edXML duplicate %s acknowledged", key)
        return ReceiveResult(
            "duplicate",
            "01",
            previous.document_id,
            "Gói edXML đã nhận trước đó; không vào sổ lần nữa.",
        )
    local = [
        a for a in (Agency.objects.filter(code=p.code).first() for p in package.recipients) if a
    ]
    if not local:
        raise ExchangeRefused(
            "Đơn vị nhận trong gói edXML không có trên hệ thống này.",
            code="edxml_unknown_recipient",
            details={"to": [p.code for p in package.recipients]},
        )
    digest = hashlib.sha256(body).hexdigest()
    try:
        _check_envelope_signature(envelope)
    except edxml.EdxmlError as exc:
        _refuse(peer, package, key=key, digest=digest, agency=local[0], reason=exc.message)
        raise ExchangeRefused(exc.message, code=exc.code, details=exc.details) from exc
    pdfs = [a for a in package.attachments if a.data.startswith(b"%PDF-")]
    if not pdfs:
        raise ExchangeRefused("Gói edXML không có văn bản PDF đính kèm.", code="edxml_no_document")
    checks = [signatures.verify(a.data) for a in pdfs]
    bad = [a.name for a, c in zip(pdfs, checks, strict=True) if c["signatures"] and not c["intact"]]
    if bad:
        reason = (
            f"Chữ ký số trên tệp {', '.join(bad)} không hợp lệ (tệp đã bị thay đổi sau khi ký)."
        )
        _refuse(peer, package, key=key, digest=digest, agency=local[0], reason=reason)
        raise ExchangeRefused(reason, code="signature_invalid", details={"files": bad})
    doc_type = DocumentType.objects.filter(
        abbreviation=package.type_code
    ).first() or DocumentType.objects.get(abbreviation=rules.OFFICIAL_LETTER)
    from cqs.documents.services import incoming_register
    from cqs.dossiers.storage import Upload

    try:
        with transaction.atomic():
            inbox = InboxMessage.objects.create(
                message_id=key,
                kind="document",
                from_code=peer.agency_code,
                sha256=digest,
                outcome="accepted",
            )
            first = None
            for agency in local:
                doc = incoming_register(
                    actor=None,
                    agency=agency,
                    doc_type=doc_type,
                    summary=package.subject,
                    issuer_name=package.sender.name,
                    issuer_code=package.sender.code,
                    issued_on=min(package.promulgation_date, timezone.localdate()),
                    number=int(package.number) if package.number.isdigit() else None,
                    notation=package.notation,
                    signer_name=package.signer,
                    urgency=rules.PRIORITY_URGENCY.get(package.priority, "normal"),
                    pages=max(1, package.pages),
                    channel="electronic",
                    files=[Upload(a.name, a.data) for a in package.attachments],
                    external_message_id=f"{peer.agency_code}:{package.document_id}",
                    system=True,
                )
                first = first or doc
            inbox.document = first
            inbox.save(update_fields=["document"])
    except IntegrityError:
        previous = InboxMessage.objects.filter(message_id=key).first()
        return ReceiveResult(
            "duplicate",
            "01",
            previous.document_id if previous else None,
            "Gói edXML đã nhận trước đó; không vào sổ lần nữa.",
        )
    except ValidationError as exc:
        raise ExchangeRefused(
            exc.message, code="edxml_invalid_document", details=exc.details
        ) from exc
    if first is None:  # pragma: no cover - local is never empty here
        raise ExchangeRefused("Không vào sổ được văn bản.")
    return ReceiveResult("accepted", "01", first.pk, "Đã nhận và vào sổ văn bản đến.")


def _refusal_enqueue(package: edxml.DocumentPackage, agency: Agency, reason: str) -> None:
    status = edxml.StatusPackage(
        document_id=package.document_id,
        original_sender=package.sender.code,
        code=f"{package.number}/{package.notation}",
        promulgation_date=package.promulgation_date,
        responder=edxml.Party(agency.code, agency.name),
        status_code=rules.StatusCode.REFUSED,
        description=reason[:500],
        timestamp=timezone.now().replace(microsecond=0),
    )
    _enqueue(
        kind="status",
        from_code=agency.code,
        to_code=package.sender.code,
        document=None,
        package=status,
        message_id=uuid.uuid4(),
    )


# --- peers ----------------------------------------------------------------------------------


def peer_save(
    *, actor: Any, agency_code: str, name: str, url: str, token: str, is_active: bool = True
) -> ExchangePeer:
    if actor is not None and not can_manage_exchange(actor):
        raise PermissionDenied()
    agency_code, name = agency_code.strip(), nfc(name).strip()
    if not agency_code or not name or len(token) < 16:
        raise ValidationError("Mã cơ quan, tên và khóa chia sẻ (ít nhất 16 ký tự) là bắt buộc.")
    if url and not url.startswith(("http://", "https://")):
        raise ValidationError("Địa chỉ nhận edXML phải bắt đầu bằng http:// hoặc https://.")
    with transaction.atomic():
        peer, _ = ExchangePeer.objects.update_or_create(
            agency_code=agency_code,
            defaults={"name": name, "url": url, "token": token, "is_active": is_active},
        )
        audit_record(
            actor=actor,
            action="edxml.peer_save",
            obj=peer,
            changes={"agency_code": agency_code, "url": url},
        )
    return peer
