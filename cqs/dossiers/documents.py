"""The one-stop forms of a dossier as PDFs, built from the dossier and its event log."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cqs.core.errors import NotFound
from cqs.dossiers import pdf_forms as pf
from cqs.dossiers.models import Delivery, Dossier, DossierEvent, IntakeNotice, IntakeNoticeKind
from cqs.dossiers.rules import OUTCOME_LABELS, Outcome
from cqs.units.models import Agency

FORM_KINDS = ("receipt", "supplement", "apology", "control-sheet")
_PREFIXES = ("Phường ", "Xã ", "Đặc khu ", "Thành phố ", "Tỉnh ")


def _place(agency: Agency) -> str:
    name = agency.unit.name
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def lookup_url(code: str) -> str:
    return settings.CQS_PUBLIC_BASE_URL.rstrip("/") + reverse("portal:lookup") + f"?ma={code}"


def _context(dossier: Dossier, *, officer: str, issued_at: datetime) -> pf.FormContext:
    desk = dossier.desk or dossier.agency
    return pf.FormContext(
        agency=pf.AgencyInfo(
            name=desk.name,
            parent_name=(desk.parent.name if desk.parent else dossier.agency.name),
            place=_place(desk),
        ),
        dossier_code=dossier.code,
        procedure_name=dossier.procedure.name,
        procedure_code=dossier.procedure.code,
        applicant=pf.ApplicantInfo(
            name=dossier.applicant_name,
            id_number=dossier.applicant_id_number,
            phone=dossier.applicant_phone,
            email=dossier.applicant_email,
            address=dossier.applicant_address,
        ),
        officer_name=officer,
        issued_at=issued_at,
        tz=_tz(),
        lookup_url=lookup_url(dossier.code),
    )


def _last(dossier: Dossier, type_: str) -> DossierEvent:
    event = dossier.events.filter(type=type_).order_by("-seq").first()
    if event is None:
        raise NotFound("Hồ sơ chưa có phiếu này.")
    return event


def _time_limit_text(dossier: Dossier) -> str:
    p = dossier.procedure
    value = p.time_limit_value.normalize()
    return f"{value:f} {p.get_time_limit_unit_display()}"


def render_form(dossier: Dossier, kind: str) -> bytes:
    font_dir = settings.CQS_PDF_FONT_DIR
    if kind == "receipt":
        event = _last(dossier, "received")
        ctx = _context(dossier, officer=event.actor_name, issued_at=event.at)
        docs = [
            pf.DocumentLine(d.name, d.originals, d.copies, "" if d.mandatory else "nếu có")
            for d in dossier.procedure.documents.filter(
                pk__in=dossier.files.values("requirement_id")
            )
        ]
        return pf.render_intake_receipt(
            ctx,
            documents=docs,
            received_at=dossier.received_at or event.at,
            due_at=datetime.fromisoformat(event.data.get("due_at"))
            if event.data.get("due_at")
            else dossier.due_at,  # type: ignore[arg-type]
            result_delivery=Delivery(dossier.result_delivery).label,
            time_limit_text=_time_limit_text(dossier),
            font_dir=font_dir,
        )
    if kind == "supplement":
        event = _last(dossier, "supplement_requested")
        ctx = _context(dossier, officer=event.actor_name, issued_at=event.at)
        return pf.render_supplement_request(
            ctx,
            missing=list(event.data.get("missing", [])),
            reason=event.data.get("reason", ""),
            font_dir=font_dir,
        )
    if kind == "apology":
        event = _last(dossier, "extended")
        ctx = _context(dossier, officer=event.actor_name, issued_at=event.at)
        return pf.render_apology(
            ctx,
            old_due_at=datetime.fromisoformat(event.data["old_due_at"]),
            new_due_at=datetime.fromisoformat(event.data["new_due_at"]),
            reason=event.data.get("reason", ""),
            font_dir=font_dir,
        )
    if kind == "control-sheet":
        ctx = _context(dossier, officer="", issued_at=timezone.now())
        return pf.render_control_sheet(
            ctx,
            received_at=dossier.received_at or timezone.now(),
            due_at=dossier.due_at or timezone.now(),
            steps=control_sheet_lines(dossier),
            font_dir=font_dir,
        )
    raise NotFound(f"Không có loại phiếu «{kind}».")


def control_sheet_lines(dossier: Dossier) -> list[pf.StepLine]:
    """Each hand-over: who held the dossier at which step, from when, until when, on time?"""
    steps = {s.position: s for s in dossier.procedure.steps.all()}
    deadlines = [datetime.fromisoformat(d) for d in dossier.extra.get("step_deadlines", [])]
    events = list(dossier.events.select_related("agency").order_by("seq"))
    lines: list[pf.StepLine] = []
    holders = [
        e
        for e in events
        if e.type
        in {
            "received",
            "forwarded",
            "returned_step",
            "transferred",
            "supplement_received",
            "result_ready",
            "returned",
        }
    ]
    for i, event in enumerate(holders):
        following = holders[i + 1] if i + 1 < len(holders) else None
        position = event.step or 1
        step = steps.get(position)
        due = deadlines[position - 1] if 0 < position <= len(deadlines) else dossier.due_at
        done = following.at if following else None
        outcome = ""
        if done is not None and due is not None:
            outcome = (
                OUTCOME_LABELS[Outcome.LATE] if done > due else OUTCOME_LABELS[Outcome.ON_TIME]
            )
        lines.append(
            pf.StepLine(
                name=step.name if step else event.type,
                agency=event.agency.name if event.agency else "",
                officer=(following.actor_name if following else "") or event.actor_name,
                received_at=event.at,
                due_at=due,
                done_at=done,
                outcome=outcome,
            )
        )
    return lines


def render_intake_notice(notice: IntakeNotice) -> bytes:
    desk = notice.desk
    ctx = pf.FormContext(
        agency=pf.AgencyInfo(
            name=desk.name, parent_name=desk.parent.name if desk.parent else "", place=_place(desk)
        ),
        dossier_code="",
        procedure_name=notice.procedure.name,
        procedure_code=notice.procedure.code,
        applicant=pf.ApplicantInfo(
            name=notice.applicant_name,
            id_number=notice.applicant_id_number,
            phone=notice.applicant_phone,
            email=notice.applicant_email,
            address=notice.applicant_address,
        ),
        officer_name=notice.officer.full_name or notice.officer.username,
        issued_at=notice.issued_at,
        tz=_tz(),
        lookup_url="",
    )
    if notice.kind == IntakeNoticeKind.SUPPLEMENT:
        return pf.render_supplement_request(
            ctx,
            missing=list(notice.missing),
            reason=notice.reason,
            font_dir=settings.CQS_PDF_FONT_DIR,
        )
    return pf.render_refusal(ctx, reason=notice.reason, font_dir=settings.CQS_PDF_FONT_DIR)


__all__ = ["FORM_KINDS", "render_form", "render_intake_notice"]
