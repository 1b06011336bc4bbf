"""Digital signatures on a dossier's result and receipt (through ``cqs.signing``).

- The leader signs a result PDF (``dossier_result_sign``); the records clerk then adds the
  agency's seal signature (``dossier_result_seal``), as Decree 30/2020/NĐ-CP Appendix I
  requires for documents of the agency. Each signed version is stored as a new result
  ``DossierFile``: the unsigned original stays bit-exact beside it.
- With ``CQS_SIGNING_REQUIRED`` on, a result cannot be returned until it is sealed
  (``require_sealed_result``, called by the return action).
- The intake receipt is sealed by the agency automatically (``receipt_pdf``) the first time it
  is downloaded, and the sealed file is kept so later downloads are the same bytes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cqs.accounts.rules import Role
from cqs.audit.services import audit_record
from cqs.core.errors import NotFound, PermissionDenied, TransitionNotAllowed, ValidationError
from cqs.dossiers.models import Dossier, DossierEvent, DossierFile, FileKind
from cqs.dossiers.storage import Upload, store_file
from cqs.dossiers.workflow import Status
from cqs.signing import services as signing
from cqs.signing.selectors import register_share_source

SIGNABLE = {Status.PROCESSING, Status.RESULT_READY}
SIGNED_SUFFIX = " (đã ký số)"
SEALED_SUFFIX = " (đã ký số, đóng dấu)"


def _signing_state(dossier: Dossier) -> dict[str, Any]:
    state: dict[str, Any] = dossier.extra.setdefault("signing", {})
    state.setdefault("signed", {})  # original file id -> signed file id
    state.setdefault("sealed", {})  # signed file id -> sealed file id
    return state


def _result_file(dossier: Dossier, file_id: int) -> DossierFile:
    f = DossierFile.objects.filter(dossier=dossier, pk=file_id, kind=FileKind.RESULT).first()
    if f is None:
        raise NotFound("Không có tệp kết quả này trong hồ sơ.")
    if f.content_type != "application/pdf":
        raise ValidationError("Chỉ ký số được tệp kết quả dạng PDF.", details={"file": [f.name]})
    return f


def _roles(actor: Any, dossier: Dossier) -> set[str]:
    from cqs.dossiers.services import _roles_on

    return _roles_on(actor, dossier)


def _sign_step(
    *,
    actor: Any,
    code: str,
    file_id: int,
    expected_version: int | None,
    role: Role,
    step: str,
) -> DossierFile:
    from cqs.dossiers.services import _event, _lock

    now = timezone.now()
    with transaction.atomic():
        dossier = _lock(code, expected_version)
        if Status(dossier.status) not in SIGNABLE:
            raise TransitionNotAllowed("Chỉ ký số kết quả khi hồ sơ đang giải quyết hoặc chờ trả.")
        if role.value not in _roles(actor, dossier):
            raise PermissionDenied(
                "Chỉ lãnh đạo cơ quan được ký số kết quả."
                if step == "signed"
                else "Chỉ văn thư cơ quan được đóng dấu (ký số cơ quan) kết quả."
            )
        original = _result_file(dossier, file_id)
        state = _signing_state(dossier)
        if step == "sealed" and original.pk not in {int(v) for v in state["signed"].values()}:
            raise ValidationError(
                "Kết quả cần có chữ ký số của lãnh đạo trước khi đóng dấu.",
                details={"file": [original.name]},
            )
        if str(original.pk) in state[step]:
            raise ValidationError("Tệp này đã được ký số ở bước này.")
        with original.file.open("rb") as fh:
            content = fh.read()
        context = f"dossier:{dossier.code}"
        if step == "signed":
            signed = signing.pdf_sign(
                actor=actor, pdf=content, reason="Ký duyệt kết quả giải quyết", context=context
            )
            suffix = SIGNED_SUFFIX
        else:
            signed = signing.pdf_seal(
                actor=actor,
                pdf=content,
                agency=dossier.agency,
                reason="Đóng dấu kết quả giải quyết",
                context=context,
            )
            suffix = SEALED_SUFFIX
        base = original.name.removesuffix(SIGNED_SUFFIX)
        stored = store_file(
            dossier=dossier,
            upload=Upload(
                filename=original.original_filename or "ket-qua.pdf",
                content=signed,
                name=(base + suffix)[:255],
            ),
            kind=FileKind.RESULT,
            actor=actor,
        )
        state[step][str(original.pk)] = stored.pk
        dossier.version += 1
        dossier.save(update_fields=["extra", "version"])
        data = {
            "file": original.name,
            "sha256_in": original.sha256,
            "sha256_out": stored.sha256,
            "file_id": stored.pk,
        }
        _event(
            dossier,
            type=f"result_{step}",
            actor=actor,
            at=now,
            from_status=dossier.status,
            data=data,
        )
        audit_record(actor=actor, action=f"dossier.result_{step}", obj=dossier, changes=data)
    return stored


def dossier_result_sign(
    *, actor: Any, code: str, file_id: int, expected_version: int | None = None
) -> DossierFile:
    """The leader's PAdES signature on a result PDF; stored as a new result file."""
    return _sign_step(
        actor=actor,
        code=code,
        file_id=file_id,
        expected_version=expected_version,
        role=Role.LEADER,
        step="signed",
    )


def dossier_result_seal(
    *, actor: Any, code: str, file_id: int, expected_version: int | None = None
) -> DossierFile:
    """The records clerk adds the agency's seal signature to the leader-signed result."""
    return _sign_step(
        actor=actor,
        code=code,
        file_id=file_id,
        expected_version=expected_version,
        role=Role.RECORDS_CLERK,
        step="sealed",
    )


def signing_status(dossier: Dossier) -> dict[int, str]:
    """file id -> "signed" / "sealed" for the files the signing steps produced, and
    "awaiting_seal" / "signed_source" for the files they came from."""
    state = dossier.extra.get("signing") or {}
    out: dict[int, str] = {}
    for original, signed in (state.get("signed") or {}).items():
        out[int(original)] = "signed_source"
        out[int(signed)] = "signed"
    for signed, sealed in (state.get("sealed") or {}).items():
        out[int(signed)] = "sealed_source"
        out[int(sealed)] = "sealed"
    return out


def require_sealed_result(dossier: Dossier) -> None:
    """With ``CQS_SIGNING_REQUIRED`` on, a PDF result is returned only once it carries the
    leader's signature and the agency's seal."""
    if not settings.CQS_SIGNING_REQUIRED:
        return
    has_pdf_result = DossierFile.objects.filter(
        dossier=dossier, kind=FileKind.RESULT, content_type="application/pdf"
    ).exists()
    if has_pdf_result and "sealed" not in signing_status(dossier).values():
        raise ValidationError(
            "Kết quả chưa được lãnh đạo ký số và văn thư đóng dấu; chưa thể trả kết quả.",
            code="result_not_sealed",
        )


def receipt_pdf(dossier: Dossier, rendered: bytes) -> bytes:
    """The intake receipt sealed by the agency, kept as a form file after the first time."""
    existing = DossierFile.objects.filter(
        dossier=dossier, kind=FileKind.FORM, name=RECEIPT_NAME
    ).first()
    if existing is not None:
        with existing.file.open("rb") as fh:
            return bytes(fh.read())
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        existing = DossierFile.objects.filter(
            dossier=locked, kind=FileKind.FORM, name=RECEIPT_NAME
        ).first()
        if existing is not None:
            with existing.file.open("rb") as fh:
                return bytes(fh.read())
        sealed = signing.pdf_seal_system(
            pdf=rendered,
            agency=dossier.desk or dossier.agency,
            reason="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            context=f"receipt:{dossier.code}",
        )
        if sealed == rendered:
            return rendered  # the agency has no seal certificate: nothing to keep
        store_file(
            dossier=locked,
            upload=Upload(filename="giay-tiep-nhan.pdf", content=sealed, name=RECEIPT_NAME),
            kind=FileKind.FORM,
            actor=None,
        )
    return sealed


RECEIPT_NAME = "Giấy tiếp nhận và hẹn trả kết quả (đã ký số)"


def _results_due(agency_ids: Any, start: datetime, end: datetime) -> dict[int, int]:
    """Dashboard denominator: dossiers whose result was approved in the period, per agency."""
    rows = DossierEvent.objects.filter(type="result_ready", at__gte=start, at__lt=end)
    if agency_ids is not None:
        rows = rows.filter(dossier__agency_id__in=list(agency_ids))
    return {
        r["dossier__agency_id"]: r["n"]
        for r in rows.values("dossier__agency_id").annotate(n=Count("dossier_id", distinct=True))
    }


register_share_source("dossier", _results_due)


def signing_choices(actor: Any, dossier: Dossier) -> dict[str, set[int]]:
    """Result files ``actor`` may sign (leader) or seal (records clerk) now."""
    choices: dict[str, set[int]] = {"sign": set(), "seal": set()}
    if Status(dossier.status) not in SIGNABLE:
        return choices
    roles = _roles(actor, dossier)
    status = signing_status(dossier)
    if Role.LEADER.value in roles:
        choices["sign"] = {
            pk
            for pk in DossierFile.objects.filter(
                dossier=dossier, kind=FileKind.RESULT, content_type="application/pdf"
            ).values_list("pk", flat=True)
            if pk not in status
        }
    if Role.RECORDS_CLERK.value in roles:
        choices["seal"] = {pk for pk, s in status.items() if s == "signed"}
    return choices
