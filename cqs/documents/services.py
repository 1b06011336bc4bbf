"""Every state change of a document: registering, routing, drafting, review, signing, issuing.

Each service checks permission and the document's status, writes in one transaction (row lock
and ``expected_version``: the loser of two simultaneous actions gets a Conflict), appends one
``DocumentEvent``, writes its audit row and, for documents that came through the exchange,
queues the status message for the sender in the same transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from cqs.accounts.models import User
from cqs.accounts.permissions import agency_scope
from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.core.text import fold, nfc
from cqs.documents import permissions as perms
from cqs.documents import render, rules, search, signatures
from cqs.documents.models import (
    AgencyProfile,
    Assignment,
    AssignmentRole,
    Document,
    DocumentEvent,
    DocumentFile,
    DocumentStatus,
    DocumentType,
    DraftVersion,
    Recipient,
    ReviewComment,
)
from cqs.dossiers.storage import Upload, check_upload  # the same upload rules as dossiers
from cqs.units.models import Agency, AgencyKind

S = DocumentStatus


# --- helpers --------------------------------------------------------------------------------


def agency_abbreviation(agency: Agency) -> str:
    """The agency's abbreviation in notations: its records profile, else from its kind."""
    profile = AgencyProfile.objects.filter(agency=agency).first()
    if profile is not None:
        return profile.abbreviation
    if agency.kind in {AgencyKind.PROVINCE_COMMITTEE, AgencyKind.COMMUNE_COMMITTEE}:
        return "UBND"
    if agency.short_name:
        return "".join(ch for ch in agency.short_name if ch.isalnum())[:20] or "CQ"
    return "".join(w[0] for w in fold(agency.name).split() if w).upper()[:10] or "CQ"


def next_register_number(agency: Agency, direction: str, year: int) -> int:
    """Take the next number of a register with one atomic upsert: never the same number twice,
    also when clerks issue at the same instant (row lock on PostgreSQL, write lock on SQLite).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO documents_registercounter (agency_id, direction, year, last) "
            "VALUES (%s, %s, %s, 1) ON CONFLICT (agency_id, direction, year) "
            "DO UPDATE SET last = documents_registercounter.last + 1 RETURNING last",
            [agency.pk, direction, year],
        )
        row = cursor.fetchone()
    return int(row[0])


def _local_today(now: datetime) -> date:
    return timezone.localtime(now).date()


def store_file(*, document: Document, upload: Upload, kind: str, actor: Any) -> DocumentFile:
    content_type, extension = check_upload(upload)
    digest = hashlib.sha256(upload.content).hexdigest()
    record = DocumentFile(
        document=document,
        kind=kind,
        name=nfc(upload.filename)[:255],
        content_type=content_type,
        extension=extension,
        size=len(upload.content),
        sha256=digest,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    existing = DocumentFile.objects.filter(sha256=digest).exclude(file="").first()
    if existing is not None and existing.file.storage.exists(existing.file.name):
        record.file.name = existing.file.name
    else:
        record.file.save(f"{digest}{extension}", ContentFile(upload.content), save=False)
    record.save()
    return record


def file_bytes(record: DocumentFile) -> bytes:
    with record.file.open("rb") as fh:
        data: bytes = fh.read()
    return data


def _event(
    document: Document,
    action: str,
    actor: Any,
    *,
    status_from: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> DocumentEvent:
    return DocumentEvent.objects.create(
        document=document,
        action=action,
        status_from=status_from,
        status_to=document.status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
        data=data or {},
        at=now or timezone.now(),
    )


_PDF_MARK = " \x1e "  # separates the metadata words from the words of the PDF text


def reindex(document: Document, pdf_text: str | None = None) -> None:
    """Refresh the search text: number and notation, summary, issuer, signer, body, and the
    PDF text (``None`` keeps the text extracted before)."""
    meta = search.normalize(
        " ".join(
            p
            for p in (
                document.display_number,
                document.notation,
                document.summary,
                document.issuer_name,
                document.signer_name,
                document.body,
            )
            if p
        )
    )
    if pdf_text is None:
        _, _, old = document.search_text.partition(_PDF_MARK)
        pdf_words = old
    else:
        pdf_words = search.normalize(pdf_text)
    text = f"{meta}{_PDF_MARK}{pdf_words}"[:1_000_000] if pdf_words else meta[:1_000_000]
    document.search_text = text
    Document.objects.filter(pk=document.pk).update(search_text=text)
    search.index_document(document.pk, text)


def _locked(document: Document, expected_version: int | None) -> Document:
    locked = Document.objects.select_for_update().get(pk=document.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(details={"version": locked.version})
    return locked


def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied()


def _require_status(document: Document, *allowed: str) -> None:
    if document.status not in allowed:
        raise TransitionNotAllowed(details={"status": document.status, "allowed": list(allowed)})


def _save(document: Document, *fields: str) -> None:
    document.version += 1
    document.save(update_fields=[*fields, "version", "updated_at"])


def _queue_status(document: Document, code: rules.StatusCode, description: str, actor: Any) -> None:
    """A document that came through the exchange tells its sender what happened to it."""
    if not document.external_message_id:
        return
    from cqs.documents.exchange import status_enqueue  # exchange imports services

    status_enqueue(document=document, code=code, description=description, actor=actor)


# --- incoming documents (văn bản đến) -------------------------------------------------------


def incoming_register(
    *,
    actor: Any,
    agency: Agency,
    doc_type: DocumentType,
    summary: str,
    issuer_name: str,
    issued_on: date | None,
    number: int | None = None,
    notation: str = "",
    issuer_code: str = "",
    signer_name: str = "",
    urgency: str = "normal",
    confidentiality: str = "normal",
    pages: int = 1,
    channel: str = "electronic",
    files: Sequence[Upload] = (),
    now: datetime | None = None,
    external_message_id: str = "",
    system: bool = False,
) -> Document:
    """Register an incoming document: arrival number in the year's incoming register
    (Decree 30/2020 Article 22, verify the clause), the Appendix VI metadata, its files; PDF signatures verified."""
    if not system:
        _require(perms.can_register_incoming(actor, agency))
    now = now or timezone.now()
    summary = nfc(summary).strip()
    errors: dict[str, str] = {}
    if not summary:
        errors["summary"] = "Vui lòng nhập trích yếu văn bản."
    if not nfc(issuer_name).strip():
        errors["issuer_name"] = "Vui lòng nhập cơ quan ban hành."
    if urgency not in dict(rules.URGENCY):
        errors["urgency"] = "Độ khẩn không hợp lệ."
    if confidentiality not in dict(rules.CONFIDENTIALITY):
        errors["confidentiality"] = "Độ mật không hợp lệ."
    if channel not in {"paper", "electronic"}:
        errors["channel"] = "Hình thức nhận không hợp lệ."
    if pages < 1 or pages > 10_000:
        errors["pages"] = "Số trang không hợp lệ."
    if issued_on is not None and issued_on > _local_today(now):
        errors["issued_on"] = "Ngày văn bản không được sau ngày hôm nay."
    if not files:
        errors["files"] = "Vui lòng đính kèm bản điện tử hoặc bản quét của văn bản."
    if errors:
        raise ValidationError(next(iter(errors.values())), details=errors)
    for f in files:
        check_upload(f)
    checks = [signatures.verify(f.content) for f in files if f.content.startswith(b"%PDF-")]
    signed = [c for c in checks if c["signatures"]]
    with transaction.atomic():
        year = rules.register_year(_local_today(now))
        doc = Document.objects.create(
            direction=rules.Direction.INCOMING,
            agency=agency,
            status=S.REGISTERED,
            doc_type=doc_type,
            number=None,
            notation=nfc(notation).strip()[:60],
            year=year,
            arrival_number=next_register_number(agency, rules.Direction.INCOMING, year),
            issued_on=issued_on,
            issuer_code=issuer_code,
            issuer_name=nfc(issuer_name).strip()[:255],
            summary=summary,
            signer_name=nfc(signer_name).strip()[:150],
            urgency=urgency,
            confidentiality=confidentiality,
            pages=pages,
            channel=channel,
            received_at=now,
            created_by=actor if getattr(actor, "pk", None) else None,
            signature_report={"files": checks},
            fully_signed=bool(signed) and all(c["valid"] for c in signed),
            external_message_id=external_message_id,
        )
        # The incoming number and notation are the sender's: kept as given in notation.
        if number is not None:
            doc.notation = f"{number:02d}/{doc.notation}" if doc.notation else str(number)
            doc.save(update_fields=["notation"])
        text = []
        for i, f in enumerate(files):
            store_file(document=doc, upload=f, kind="main" if i == 0 else "attachment", actor=actor)
            text.append(render.pdf_text(f.content))
        _event(doc, "registered", actor, now=now, data={"arrival_number": doc.arrival_number})
        reindex(doc, " ".join(text))
        audit_record(
            actor=actor,
            action="document.incoming_register",
            obj=doc,
            changes={"arrival_number": doc.arrival_number, "agency": agency.code},
        )
        _queue_status(doc, rules.StatusCode.ACCEPTED, "Đã vào sổ văn bản đến", actor)
    return doc


def ensure_document_types() -> int:
    """Create the Decree 30 Appendix III types (and công văn) that are missing; idempotent.
    Migration 0002 loads them too; seed_demo calls this so a flushed database has them."""
    created = 0
    types = [*rules.DOCUMENT_TYPES, (rules.OFFICIAL_LETTER, rules.OFFICIAL_LETTER_NAME)]
    for position, (abbr, name) in enumerate(types, start=1):
        _, new = DocumentType.objects.get_or_create(
            abbreviation=abbr,
            defaults={
                "name": name,
                "is_letter": abbr == rules.OFFICIAL_LETTER,
                "position": position,
                "template": rules.TEMPLATES.get(abbr, ""),
            },
        )
        created += new
    return created


def divisions_of(agency: Agency) -> list[Agency]:
    return list(Agency.objects.filter(parent=agency, is_active=True).order_by("code"))


def incoming_assign(
    *,
    actor: Any,
    document: Document,
    lead_division: Agency,
    cooperating: Sequence[Agency] = (),
    information: Sequence[Agency] = (),
    deadline: date | None = None,
    instructions: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Document:
    """The leader routes the document: lead division, co-operating ones, deadline, instructions."""
    now = now or timezone.now()
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(perms.can_assign_division(actor, doc))
        _require_status(doc, S.REGISTERED, S.ASSIGNED)
        allowed = {a.pk for a in divisions_of(doc.agency)} | {doc.agency_id}
        chosen = [lead_division, *cooperating, *information]
        if any(a.pk not in allowed for a in chosen):
            raise ValidationError(
                "Chỉ giao cho các phòng, ban thuộc cơ quan.", details={"lead_division": "invalid"}
            )
        if lead_division in cooperating or lead_division in information:
            raise ValidationError("Đơn vị chủ trì không được đồng thời là đơn vị phối hợp.")
        if deadline is not None and deadline < _local_today(now):
            raise ValidationError(
                "Hạn xử lý không được trước ngày hôm nay.", details={"deadline": "past"}
            )
        before = doc.status
        doc.assignments.filter(agency__isnull=False).delete()
        Assignment.objects.create(
            document=doc,
            role=AssignmentRole.LEAD,
            agency=lead_division,
            deadline=deadline,
            instructions=instructions,
            assigned_by=actor,
        )
        for a in cooperating:
            Assignment.objects.create(
                document=doc,
                role=AssignmentRole.COOPERATE,
                agency=a,
                deadline=deadline,
                assigned_by=actor,
            )
        for a in information:
            Assignment.objects.create(
                document=doc, role=AssignmentRole.INFORMATION, agency=a, assigned_by=actor
            )
        doc.lead_division = lead_division
        doc.deadline = deadline
        doc.instructions = nfc(instructions).strip()
        doc.status = S.ASSIGNED
        _save(doc, "lead_division", "deadline", "instructions", "status")
        _event(
            doc,
            "assigned",
            actor,
            status_from=before,
            note=doc.instructions,
            now=now,
            data={
                "lead": lead_division.code,
                "cooperating": [a.code for a in cooperating],
                "information": [a.code for a in information],
                "deadline": deadline.isoformat() if deadline else None,
            },
        )
        audit_record(
            actor=actor, action="document.assign", obj=doc, changes={"lead": lead_division.code}
        )
        _queue_status(
            doc, rules.StatusCode.ASSIGNED, f"Đã giao {lead_division.name} chủ trì xử lý", actor
        )
    return doc


def officers_for(document: Document) -> list[User]:
    agencies = [document.agency_id]
    if document.lead_division_id:
        agencies.append(document.lead_division_id)
    return list(
        User.objects.filter(
            role_assignments__role__in=[Role.PROCESSING_OFFICER, Role.HEAD_OF_DIVISION],
            role_assignments__agency_id__in=agencies,
            is_active=True,
        )
        .distinct()
        .order_by("full_name")
    )


def incoming_assign_officer(
    *,
    actor: Any,
    document: Document,
    officer: User,
    deadline: date | None = None,
    instructions: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Document:
    """The division head gives the document to an officer to process."""
    now = now or timezone.now()
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(perms.can_assign_officer(actor, doc))
        _require_status(doc, S.ASSIGNED, S.PROCESSING)
        if officer.pk not in {u.pk for u in officers_for(doc)}:
            raise ValidationError(
                "Cán bộ được giao không thuộc đơn vị xử lý văn bản.", details={"officer": "invalid"}
            )
        if deadline is not None and doc.deadline is not None and deadline > doc.deadline:
            raise ValidationError(
                "Hạn giao cán bộ không được sau hạn xử lý của lãnh đạo.",
                details={"deadline": "after_lead_deadline"},
            )
        before = doc.status
        Assignment.objects.create(
            document=doc,
            role=AssignmentRole.OFFICER,
            user=officer,
            deadline=deadline or doc.deadline,
            instructions=nfc(instructions).strip(),
            assigned_by=actor,
        )
        doc.officer = officer
        doc.status = S.PROCESSING
        _save(doc, "officer", "status")
        _event(
            doc,
            "officer_assigned",
            actor,
            status_from=before,
            note=instructions,
            now=now,
            data={"officer": officer.username},
        )
        audit_record(
            actor=actor,
            action="document.assign_officer",
            obj=doc,
            changes={"officer": officer.username},
        )
        _queue_status(doc, rules.StatusCode.PROCESSING, "Đang xử lý", actor)
    return doc


def incoming_complete(
    *,
    actor: Any,
    document: Document,
    note: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Document:
    now = now or timezone.now()
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(perms.can_complete_incoming(actor, doc))
        _require_status(doc, S.PROCESSING)
        if not nfc(note).strip():
            raise ValidationError("Vui lòng nhập kết quả xử lý.", details={"note": "required"})
        doc.status = S.DONE
        doc.done_at = now
        _save(doc, "status", "done_at")
        _event(doc, "completed", actor, status_from=S.PROCESSING, note=nfc(note).strip(), now=now)
        audit_record(actor=actor, action="document.complete", obj=doc)
        _queue_status(doc, rules.StatusCode.DONE, "Đã xử lý xong", actor)
    return doc


def document_mark_read(*, actor: Any, document: Document, now: datetime | None = None) -> int:
    """A 'for information' recipient has read the document."""
    now = now or timezone.now()
    scope = agency_scope(actor)
    with transaction.atomic():
        n = Assignment.objects.filter(
            document=document,
            role=AssignmentRole.INFORMATION,
            agency_id__in=scope,
            read_at__isnull=True,
        ).update(read_at=now)
        if n:
            audit_record(actor=actor, action="document.read", obj=document)
    return n


# --- outgoing documents (văn bản đi) --------------------------------------------------------


def template_body(doc_type: DocumentType, summary: str) -> str:
    if doc_type.template:
        return doc_type.template.replace("{trich_yeu}", summary)
    return (
        f"Căn cứ ...;\n\nXét đề nghị của ...,\n\nNội dung: {summary}.\n\nĐiều khoản thi hành: ..."
    )


def outgoing_draft(
    *,
    actor: Any,
    agency: Agency,
    doc_type: DocumentType,
    summary: str,
    body: str = "",
    drafting_unit: Agency | None = None,
    recipients: Sequence[Agency] = (),
    external_recipients: Sequence[tuple[str, str]] = (),
    urgency: str = "normal",
    confidentiality: str = "normal",
    now: datetime | None = None,
) -> Document:
    """A drafting officer starts an outgoing document from its type's template."""
    _require(perms.can_draft(actor, agency))
    summary = nfc(summary).strip()
    if not summary:
        raise ValidationError("Vui lòng nhập trích yếu văn bản.", details={"summary": "required"})
    if urgency not in dict(rules.URGENCY) or confidentiality not in dict(rules.CONFIDENTIALITY):
        raise ValidationError("Độ khẩn hoặc độ mật không hợp lệ.")
    if drafting_unit is not None and drafting_unit.parent_id != agency.pk:
        raise ValidationError("Đơn vị soạn thảo phải là phòng, ban của cơ quan.")
    now = now or timezone.now()
    body = nfc(body).strip() or template_body(doc_type, summary)
    with transaction.atomic():
        doc = Document.objects.create(
            direction=rules.Direction.OUTGOING,
            agency=agency,
            status=S.DRAFT,
            doc_type=doc_type,
            issuer_code=agency.code,
            issuer_name=agency.name,
            drafting_unit=drafting_unit,
            summary=summary,
            body=body,
            urgency=urgency,
            confidentiality=confidentiality,
            created_by=actor,
        )
        DraftVersion.objects.create(
            document=doc, number=1, summary=summary, body=body, author=actor
        )
        for r in recipients:
            Recipient.objects.create(
                document=doc, agency_code=r.code, agency_name=r.name, internal=True
            )
        for code, name in external_recipients:
            Recipient.objects.create(document=doc, agency_code=code, agency_name=name)
        _event(doc, "drafted", actor, now=now)
        reindex(doc)
        audit_record(actor=actor, action="document.draft", obj=doc)
    return doc


def outgoing_revise(
    *,
    actor: Any,
    document: Document,
    summary: str,
    body: str,
    expected_version: int | None = None,
) -> Document:
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(doc.created_by_id == getattr(actor, "pk", None))
        _require_status(doc, S.DRAFT)
        summary, body = nfc(summary).strip(), nfc(body).strip()
        if not summary or not body:
            raise ValidationError("Trích yếu và nội dung không được để trống.")
        n = (doc.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        DraftVersion.objects.create(
            document=doc, number=n, summary=summary, body=body, author=actor
        )
        doc.summary, doc.body = summary, body
        _save(doc, "summary", "body")
        _event(doc, "revised", actor, data={"version": n})
        reindex(doc)
        audit_record(actor=actor, action="document.revise", obj=doc, changes={"version": n})
    return doc


def _current_version(doc: Document) -> int:
    return doc.versions.order_by("-number").values_list("number", flat=True).first() or 1


def outgoing_submit(
    *, actor: Any, document: Document, expected_version: int | None = None
) -> Document:
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(doc.created_by_id == getattr(actor, "pk", None))
        _require_status(doc, S.DRAFT)
        doc.status = S.IN_REVIEW
        _save(doc, "status")
        _event(doc, "submitted", actor, status_from=S.DRAFT)
        audit_record(actor=actor, action="document.submit", obj=doc)
    return doc


def _comment(doc: Document, actor: Any, comment: str) -> None:
    if comment:
        ReviewComment.objects.create(
            document=doc, version=_current_version(doc), author=actor, text=comment
        )


def outgoing_review(
    *,
    actor: Any,
    document: Document,
    approve: bool,
    comment: str = "",
    expected_version: int | None = None,
) -> Document:
    """The head of division approves the draft (to the leader) or returns it with comments."""
    comment = nfc(comment).strip()
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(perms.can_review(actor, doc))
        _require_status(doc, S.IN_REVIEW)
        if not approve and not comment:
            raise ValidationError(
                "Vui lòng ghi ý kiến khi trả lại dự thảo.", details={"comment": "required"}
            )
        _comment(doc, actor, comment)
        doc.status = S.AWAITING_SIGNATURE if approve else S.DRAFT
        _save(doc, "status")
        _event(
            doc, "reviewed" if approve else "returned", actor, status_from=S.IN_REVIEW, note=comment
        )
        audit_record(actor=actor, action="document.review", obj=doc, changes={"approve": approve})
    return doc


def outgoing_sign(
    *,
    actor: Any,
    document: Document,
    approve: bool = True,
    comment: str = "",
    signer_position: str = "",
    expected_version: int | None = None,
) -> Document:
    """The leader approves and signs (PAdES), or returns the draft with comments."""
    comment = nfc(comment).strip()
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(perms.can_sign(actor, doc))
        _require_status(doc, S.AWAITING_SIGNATURE)
        if not approve:
            if not comment:
                raise ValidationError(
                    "Vui lòng ghi ý kiến khi trả lại dự thảo.", details={"comment": "required"}
                )
            _comment(doc, actor, comment)
            doc.status = S.DRAFT
            _save(doc, "status")
            _event(doc, "returned", actor, status_from=S.AWAITING_SIGNATURE, note=comment)
            audit_record(actor=actor, action="document.return", obj=doc)
            return doc
        _comment(doc, actor, comment)
        position = nfc(signer_position).strip() or "Chủ tịch"
        notation_text = _notation_for(doc)
        pdf = render.render_document_pdf(
            agency_name=doc.agency.name,
            parent_name=doc.agency.parent.name if doc.agency.parent else "",
            place=doc.agency.unit.name if doc.agency.unit_id else "",
            notation=notation_text,
            type_name=doc.doc_type.name,
            summary=doc.summary,
            body=doc.body,
            signer_position=f"TM. {doc.agency.name}\n{position}"
            if doc.agency.kind in {AgencyKind.PROVINCE_COMMITTEE, AgencyKind.COMMUNE_COMMITTEE}
            else position,
            signer_name=actor.full_name or actor.username,
            day=_local_today(timezone.now()),
            is_letter=doc.doc_type.is_letter,
        )
        signed = signatures.sign(
            actor=actor,
            pdf=pdf,
            reason=f"Ký ban hành: {doc.summary[:80]}",
            context=f"document:{doc.pk}",
        )
        store_file(
            document=doc, upload=Upload(f"van-ban-{doc.pk}.pdf", signed), kind="signed", actor=actor
        )
        doc.status = S.SIGNED
        doc.signer_name = actor.full_name or actor.username
        doc.signer_position = position
        doc.notation = notation_text
        _save(doc, "status", "signer_name", "signer_position", "notation")
        _event(doc, "signed", actor, status_from=S.AWAITING_SIGNATURE, note=comment)
        audit_record(actor=actor, action="document.sign", obj=doc)
    return doc


def _notation_for(doc: Document) -> str:
    unit_abbr = agency_abbreviation(doc.drafting_unit) if doc.drafting_unit else ""
    return rules.notation(
        type_abbr=rules.OFFICIAL_LETTER if doc.doc_type.is_letter else doc.doc_type.abbreviation,
        agency_abbr=agency_abbreviation(doc.agency),
        unit_abbr=unit_abbr,
    )


def signed_file(doc: Document) -> DocumentFile | None:
    return doc.files.filter(kind="signed").order_by("-id").first()


def outgoing_issue(
    *,
    actor: Any,
    document: Document,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Document:
    """The records clerk issues: number from the year's outgoing register, date, the agency's
    seal signature (Decree 30/2020 Articles 15-16, Appendix I), then sends to every recipient:
    internal ones are registered as their incoming documents, external ones get an edXML
    package queued in the outbox, all in this transaction."""
    from cqs.documents.exchange import document_enqueue

    now = now or timezone.now()
    with transaction.atomic():
        doc = _locked(document, expected_version)
        _require(perms.can_issue(actor, doc))
        _require_status(doc, S.SIGNED)
        source = signed_file(doc)
        if source is None:
            raise TransitionNotAllowed("Văn bản chưa có bản đã ký số.")
        today = _local_today(now)
        year = rules.register_year(today)
        number = next_register_number(doc.agency, rules.Direction.OUTGOING, year)
        label = rules.number_and_notation(number, doc.notation)
        sealed = signatures.seal(
            actor=actor,
            pdf=file_bytes(source),
            agency=doc.agency,
            reason=f"{label}, ngày {today:%d/%m/%Y}",
            context=f"document:{doc.pk}",
        )
        store_file(
            document=doc,
            upload=Upload(f"{number:02d}-{doc.notation}.pdf", sealed),
            kind="main",
            actor=actor,
        )
        doc.number, doc.year, doc.issued_on = number, year, today
        doc.fully_signed = True
        doc.status = S.SENT if doc.recipients.exists() else S.ISSUED
        _save(doc, "number", "year", "issued_on", "fully_signed", "status")
        _event(
            doc,
            "issued",
            actor,
            status_from=S.SIGNED,
            now=now,
            data={"number": number, "notation": doc.notation},
        )
        reindex(doc, render.pdf_text(sealed))
        audit_record(
            actor=actor,
            action="document.issue",
            obj=doc,
            changes={"number": number, "notation": doc.notation},
        )
        for r in doc.recipients.all():
            target = Agency.objects.filter(code=r.agency_code).first()
            if r.internal and target is not None:
                incoming = incoming_register(
                    actor=actor,
                    agency=target,
                    doc_type=doc.doc_type,
                    summary=doc.summary,
                    issuer_name=doc.agency.name,
                    issuer_code=doc.agency.code,
                    issued_on=today,
                    number=number,
                    notation=doc.notation,
                    signer_name=doc.signer_name,
                    urgency=doc.urgency,
                    confidentiality=doc.confidentiality,
                    pages=doc.pages,
                    files=[Upload(f"{number:02d}-{doc.notation}.pdf", sealed)],
                    now=now,
                    system=True,
                )
                r.incoming = incoming
                r.status_code = rules.StatusCode.ACCEPTED
                r.status_at = now
                r.save(update_fields=["incoming", "status_code", "status_at"])
            else:
                document_enqueue(document=doc, recipient=r, pdf=sealed, actor=actor)
    return doc


def document_comment(*, actor: Any, document: Document, text: str) -> ReviewComment:
    _require(perms.can_view_document(actor, document))
    text = nfc(text).strip()
    if not text:
        raise ValidationError("Vui lòng nhập ý kiến.", details={"text": "required"})
    with transaction.atomic():
        c = ReviewComment.objects.create(
            document=document, version=_current_version(document), author=actor, text=text
        )
        audit_record(actor=actor, action="document.comment", obj=document)
    return c


def document_get(*, actor: Any, pk: int) -> Document:
    doc = perms.visible_documents(actor).filter(pk=pk).first()
    if doc is None:
        raise NotFound("Không tìm thấy văn bản hoặc bạn không có quyền xem.")
    return doc


def agency_profile_set(*, actor: Any, agency: Agency, abbreviation: str) -> AgencyProfile:
    from cqs.accounts.permissions import can_manage_agency

    _require(can_manage_agency(actor, agency))
    abbreviation = nfc(abbreviation).strip()
    if not abbreviation or len(abbreviation) > 20 or "-" in abbreviation or "/" in abbreviation:
        raise ValidationError("Chữ viết tắt không hợp lệ (tối đa 20 ký tự, không có - hoặc /).")
    with transaction.atomic():
        profile, _ = AgencyProfile.objects.update_or_create(
            agency=agency, defaults={"abbreviation": abbreviation}
        )
        audit_record(
            actor=actor,
            action="documents.profile_set",
            obj=profile,
            changes={"abbreviation": abbreviation},
        )
    return profile
