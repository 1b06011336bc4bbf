"""Online submission (nộp hồ sơ trực tuyến): drafts, the citizen's e-repository, submission
into the one-stop desk's queue, and the applicant's satisfaction rating.

Decree 45/2020/NĐ-CP on electronic administrative procedures: an online dossier is received
by the one-stop desk of the competent agency, which checks it and either accepts it — the time
limit then starts from that acceptance (``Action.ACCEPT_ONLINE``; after 15:00 from the next
working day as for the counter) — or asks for a supplement. Papers already digitized for the
same person (earlier uploads and results) are reused from the e-repository instead of being
asked for again: by reference to the same bytes (SHA-256), never re-uploaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cqs.audit.services import audit_record
from cqs.catalogue.form_schema import declared_data_validate
from cqs.catalogue.models import OnlineLevel, Procedure
from cqs.core.errors import (
    AuthenticationRequired,
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from cqs.dossiers import rules
from cqs.dossiers.models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierDraft,
    DossierFile,
    DossierParticipant,
    DossierRating,
    FileKind,
)
from cqs.dossiers.services import (
    DESK_KINDS,
    Applicant,
    _Errors,
    _event,
    _fee,
    _lock,
    _next_sequence,
    _notify_applicant,
    _search_text,
    _validate_applicant,
)
from cqs.dossiers.signals import dossier_state, send_changed
from cqs.dossiers.storage import Upload, _put, check_upload
from cqs.dossiers.workflow import Status
from cqs.units.models import Agency, AgencyKind

REPOSITORY_KINDS = (FileKind.INTAKE, FileKind.SUPPLEMENT, FileKind.RESULT)
MAX_DRAFT_FILES = 30


def is_online(procedure: Procedure) -> bool:
    """Decree 42/2022/NĐ-CP: full-online and partial-online services accept online filing."""
    return (
        procedure.is_active
        and procedure.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)
        and "online" in (procedure.submission_channels or [])
    )


def _require_citizen(actor: Any) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise AuthenticationRequired("Vui lòng đăng nhập để nộp hồ sơ trực tuyến.")
    if actor.kind not in (ApplicantKind.CITIZEN, ApplicantKind.BUSINESS):
        raise PermissionDenied("Tài khoản cán bộ không nộp hồ sơ trực tuyến thay công dân.")


def _require_online(procedure: Procedure) -> None:
    if not is_online(procedure):
        raise ValidationError(
            f"Thủ tục «{procedure.name}» không cung cấp dịch vụ công trực tuyến. Vui lòng nộp "
            "hồ sơ trực tiếp tại Bộ phận Một cửa hoặc qua bưu chính.",
            code="not_online",
            details={"procedure": procedure.code, "online_level": procedure.online_level},
        )


# --- The citizen's e-repository (kho dữ liệu) ---------------------------------------------------


def repository_files(user: Any) -> QuerySet[DossierFile]:
    """Papers already digitized for ``user``: their dossiers' uploads and results, one row per
    distinct content (the latest), newest first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return DossierFile.objects.none()
    latest: dict[str, int] = {}
    for pk, sha in (
        DossierFile.objects.filter(dossier__applicant_user_id=user.pk, kind__in=REPOSITORY_KINDS)
        .order_by("-id")
        .values_list("id", "sha256")
    ):
        latest.setdefault(sha, pk)
    return (
        DossierFile.objects.filter(pk__in=latest.values())
        .select_related("dossier__procedure")
        .order_by("-id")
    )


def _repository_entry(user: Any, sha256: str) -> DossierFile:
    found = repository_files(user).filter(sha256=sha256).first()
    if found is None:
        raise NotFound(
            "Không tìm thấy giấy tờ này trong kho dữ liệu của bạn.", details={"sha256": sha256}
        )
    return found


# --- Drafts -----------------------------------------------------------------------------------


def draft_for(user: Any, draft_id: int) -> DossierDraft:
    draft = (
        DossierDraft.objects.select_related("procedure", "agency")
        .filter(pk=draft_id, owner_id=getattr(user, "pk", None))
        .first()
    )
    if draft is None:
        raise NotFound("Không tìm thấy hồ sơ nháp.")
    return draft


def drafts_of(user: Any) -> QuerySet[DossierDraft]:
    return (
        DossierDraft.objects.filter(owner_id=getattr(user, "pk", None))
        .select_related("procedure")
        .only("id", "updated_at", "procedure__code", "procedure__name")
        .order_by("-updated_at")
    )


def online_agencies(procedure: Procedure) -> QuerySet[Agency]:
    """The agencies that decide this procedure and have a desk to receive online dossiers."""
    return procedure.agencies.filter(is_active=True).order_by("name")


def _desk_of(agency: Agency) -> Agency:
    """The one-stop desk under the agency's committee (a commune's desk, or the province's
    public-service centre for a department)."""
    desk = (
        Agency.objects.filter(
            parent_id=agency.pk, kind=AgencyKind.ONE_STOP_DESK, is_active=True
        ).first()
        or Agency.objects.filter(
            parent_id=agency.parent_id, kind__in=list(DESK_KINDS), is_active=True
        )
        .order_by("kind")
        .first()
    )
    if desk is None:
        raise ValidationError(
            f"{agency.name} chưa có Bộ phận Một cửa tiếp nhận hồ sơ trực tuyến.",
            details={"agency": agency.code},
        )
    return desk


@dataclass(frozen=True)
class DraftInput:
    """What the online form sends: declared fields as typed, the chosen agency and delivery,
    new uploads (each for a document position) and reused repository papers (position ->
    SHA-256), and positions whose attached paper the citizen removed."""

    agency_code: str = ""
    data: dict[str, Any] | None = None
    result_delivery: str = Delivery.ONLINE
    uploads: tuple[Upload, ...] = ()
    reuse: tuple[tuple[int, str], ...] = ()
    remove: tuple[int, ...] = ()


def dossier_draft_save(
    *, actor: Any, procedure: Procedure, form: DraftInput, draft: DossierDraft | None = None
) -> DossierDraft:
    """Create or update a draft. Files are checked (type, size) and stored at once; declared
    fields are kept as typed and validated only on submission."""
    _require_citizen(actor)
    _require_online(procedure)
    if draft is not None and (draft.owner_id != actor.pk or draft.procedure_id != procedure.pk):
        raise NotFound("Không tìm thấy hồ sơ nháp.")
    errors = _Errors()
    positions = {d.position: d for d in procedure.documents.all()}
    agency = None
    if form.agency_code:
        agency = online_agencies(procedure).filter(code=form.agency_code).first()
        if agency is None:
            errors.add("agency", "Cơ quan đã chọn không giải quyết thủ tục này.")
    if form.result_delivery not in Delivery.values:
        errors.add("result_delivery", "Hình thức nhận kết quả không hợp lệ.")
    checked: list[tuple[Upload, tuple[str, str]]] = []
    for i, upload in enumerate(form.uploads):
        if upload.requirement is not None and upload.requirement not in positions:
            errors.add(f"files.{i}", f"Thủ tục không có thành phần hồ sơ số {upload.requirement}.")
            continue
        try:
            checked.append((upload, check_upload(upload)))
        except (ValidationError, PayloadTooLarge) as exc:
            errors.add(f"files.{upload.requirement or i}", exc.message)
    reused: list[tuple[int, DossierFile]] = []
    for position, sha in form.reuse:
        if position not in positions:
            errors.add(f"files.{position}", f"Thủ tục không có thành phần hồ sơ số {position}.")
            continue
        try:
            reused.append((position, _repository_entry(actor, sha)))
        except NotFound as exc:
            errors.add(f"files.{position}", exc.message)
    # A too-large or wrong-type paper: the whole save is refused, nothing is stored.
    if errors.fields:
        first = next(iter(errors.fields.values()))[0]
        raise ValidationError(first, details=errors.fields)
    files = [f for f in (draft.files if draft else []) if f["requirement"] not in form.remove]
    for upload, (content_type, extension) in checked:
        digest = hashlib.sha256(upload.content).hexdigest()
        path = _put(upload.content, digest, extension)
        files.append(
            {
                "requirement": upload.requirement,
                "name": (upload.name or upload.filename)[:255],
                "original_filename": upload.filename[:255],
                "sha256": digest,
                "size": len(upload.content),
                "content_type": content_type,
                "extension": extension,
                "path": path,
                "reused": False,
            }
        )
    for position, entry in reused:
        files.append(
            {
                "requirement": position,
                "name": entry.name,
                "original_filename": entry.original_filename,
                "sha256": entry.sha256,
                "size": entry.size,
                "content_type": entry.content_type,
                "extension": entry.extension,
                "path": entry.file.name,
                "reused": True,
            }
        )
    if len(files) > MAX_DRAFT_FILES:
        raise ValidationError(f"Một hồ sơ đính kèm tối đa {MAX_DRAFT_FILES} tệp.")
    with transaction.atomic():
        if draft is None:
            draft = DossierDraft(owner=actor, procedure=procedure)
        draft.agency = agency or draft.agency
        draft.data = {k: v for k, v in (form.data or {}).items() if isinstance(v, str | int | bool)}
        draft.result_delivery = form.result_delivery
        draft.files = files
        draft.save()
        audit_record(
            actor=actor,
            action="dossier_draft.save",
            obj=draft,
            changes={"procedure": procedure.code, "files": len(files)},
        )
    return draft


def dossier_draft_delete(*, actor: Any, draft: DossierDraft) -> None:
    if draft.owner_id != getattr(actor, "pk", None):
        raise NotFound("Không tìm thấy hồ sơ nháp.")
    with transaction.atomic():
        audit_record(actor=actor, action="dossier_draft.delete", obj=draft)
        draft.delete()


def _applicant_of(user: Any) -> Applicant:
    if user.kind == ApplicantKind.BUSINESS:
        return Applicant(
            kind=ApplicantKind.BUSINESS,
            name=user.organization_name or user.full_name,
            id_number=user.tax_code,
            phone=user.phone,
            email=user.email,
            user=user,
        )
    return Applicant(
        kind=ApplicantKind.CITIZEN,
        name=user.full_name or user.username,
        id_number=user.id_number or "",
        phone=user.phone,
        email=user.email,
        user=user,
    )


def dossier_submit_online(
    *, actor: Any, draft: DossierDraft, now: datetime | None = None
) -> Dossier:
    """Submit a draft: the dossier gets its code and waits in the desk's queue (SUBMITTED).

    The code's date is the submission date (the day the desk's system registers the
    dossier, Circular 01/2018/TT-VPCP art. 9); the clock starts only at acceptance.
    """
    _require_citizen(actor)
    if draft.owner_id != actor.pk:
        raise NotFound("Không tìm thấy hồ sơ nháp.")
    procedure = draft.procedure
    _require_online(procedure)
    errors = _Errors()
    applicant = _applicant_of(actor)
    _validate_applicant(applicant, errors)
    for key in list(errors.fields):
        if key.startswith("applicant.id_number"):
            errors.fields[key] = [
                "Tài khoản chưa có số định danh hoặc mã số thuế hợp lệ: " + errors.fields[key][0]
            ]
    declared: dict[str, Any] = {}
    try:
        declared = declared_data_validate(procedure.form_schema, draft.data)
    except ValidationError as exc:
        for key, messages in exc.details.items():
            for m in messages:
                errors.add(key, m)
    if draft.agency is None:
        errors.add("agency", "Vui lòng chọn cơ quan giải quyết.")
    elif not online_agencies(procedure).filter(pk=draft.agency.pk).exists():
        errors.add("agency", "Cơ quan đã chọn không giải quyết thủ tục này.")
    requirements = {d.position: d for d in procedure.documents.all()}
    provided = {f["requirement"] for f in draft.files}
    for position, requirement in requirements.items():
        if requirement.mandatory and position not in provided:
            errors.add(f"documents.{position}", f"Thiếu thành phần bắt buộc: {requirement.name}.")
    errors.raise_if_any("Hồ sơ chưa đầy đủ, hợp lệ. Vui lòng kiểm tra các mục được đánh dấu.")
    agency = draft.agency
    if agency is None:  # reported above; keeps the type checker informed
        raise ValidationError("Vui lòng chọn cơ quan giải quyết.")
    desk = _desk_of(agency)
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the draft: a double click submits it once; the second finds it gone.
        if not DossierDraft.objects.select_for_update().filter(pk=draft.pk).exists():
            raise Conflict("Hồ sơ nháp này đã được nộp.")
        local_day = timezone.localtime(now).date()
        code = rules.dossier_code(agency.code, local_day, _next_sequence(agency.code, local_day))
        dossier = Dossier(
            code=code,
            procedure=procedure,
            agency=agency,
            desk=desk,
            receiving_agency=agency,
            unit_id=agency.unit_id,
            channel=Channel.ONLINE,
            applicant_kind=applicant.kind,
            applicant_name=applicant.name.strip(),
            applicant_id_number=applicant.id_number,
            applicant_phone=applicant.phone.replace(" ", ""),
            applicant_email=applicant.email,
            applicant_user=actor,
            search_text=_search_text(code, applicant),
            status=Status.SUBMITTED,
            step=1,
            result_delivery=draft.result_delivery,
            fee_amount=_fee(procedure),
            extra={"declared": declared, "submitted_at": now.isoformat()},
        )
        dossier.save()
        DossierParticipant.objects.create(dossier=dossier, agency=agency)
        DossierFile.objects.bulk_create(
            DossierFile(
                dossier=dossier,
                requirement=requirements.get(f["requirement"]),
                kind=FileKind.INTAKE,
                name=f["name"],
                original_filename=f["original_filename"],
                content_type=f["content_type"],
                extension=f["extension"],
                size=f["size"],
                sha256=f["sha256"],
                file=f["path"],
                uploaded_by=actor,
            )
            for f in draft.files
        )
        _event(
            dossier,
            type="submitted",
            actor=actor,
            at=now,
            seq=1,
            data={
                "channel": Channel.ONLINE,
                "desk": desk.code,
                "files": len(draft.files),
                "reused": sum(1 for f in draft.files if f.get("reused")),
            },
        )
        send_changed(None, dossier_state(dossier))
        audit_record(
            actor=actor,
            action="dossier.submit_online",
            obj=dossier,
            changes={"procedure": procedure.code, "files": len(draft.files), "draft": draft.pk},
        )
        _notify_applicant(
            dossier,
            f"Hồ sơ {code} đã được nộp trực tuyến",
            f"Hồ sơ «{procedure.name}» đã gửi tới {desk.name}. Bộ phận Một cửa sẽ kiểm tra và "
            "tiếp nhận; thời hạn giải quyết tính từ khi tiếp nhận.",
        )
        DossierDraft.objects.filter(pk=draft.pk).delete()
    return dossier


# --- Satisfaction rating ------------------------------------------------------------------------

RATING_CRITERIA: tuple[tuple[str, str], ...] = (
    ("access", "Tiếp cận dịch vụ (thông tin, hướng dẫn, nộp hồ sơ)"),
    ("procedure_clarity", "Thủ tục hành chính (thành phần, biểu mẫu, phí)"),
    ("officers", "Công chức giải quyết (thái độ, hướng dẫn)"),
    ("result", "Kết quả giải quyết (đúng, đầy đủ)"),
    ("timeliness", "Thời gian giải quyết (đúng hẹn)"),
)
RATING_LABELS = {
    1: "Rất không hài lòng",
    2: "Không hài lòng",
    3: "Bình thường",
    4: "Hài lòng",
    5: "Rất hài lòng",
}
RATABLE = frozenset({Status.RETURNED})


def dossier_rate(
    *,
    actor: Any,
    code: str,
    scores: dict[str, Any],
    comment: str = "",
    now: datetime | None = None,
) -> DossierRating:
    """The applicant rates a dossier once, after its result was returned. The overall score
    (the rounded mean) goes to ``extra.rating.score``, which Decision 766's satisfaction
    indicator reads (4-5 satisfied)."""
    errors = _Errors()
    clean: dict[str, int] = {}
    for key, label in RATING_CRITERIA:
        try:
            value = int(scores.get(key))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            errors.add(key, f"Vui lòng chọn mức đánh giá cho «{label}».")
        clean[key] = value
    errors.raise_if_any("Vui lòng đánh giá đủ các tiêu chí.")
    now = now or timezone.now()
    with transaction.atomic():
        dossier = _lock(code, None)
        if actor is None or dossier.applicant_user_id != actor.pk:
            raise NotFound(f"Không tìm thấy hồ sơ «{code}» trong phạm vi của bạn.")
        if dossier.status not in RATABLE:
            raise TransitionNotAllowed(
                "Chỉ đánh giá được sau khi hồ sơ đã trả kết quả.",
                details={"status": dossier.status},
            )
        if DossierRating.objects.filter(dossier=dossier).exists():
            raise Conflict("Bạn đã đánh giá hồ sơ này. Mỗi hồ sơ chỉ đánh giá một lần.")
        before = dossier_state(dossier)
        score = round(sum(clean.values()) / len(clean))
        rating = DossierRating.objects.create(
            dossier=dossier,
            rated_by=actor,
            score=score,
            comment=comment.strip()[:2000],
            created_at=now,
            **clean,
        )
        dossier.extra["rating"] = {"score": score, "at": now.isoformat(), **clean}
        dossier.save(update_fields=["extra", "updated_at"])
        send_changed(before, dossier_state(dossier))
        audit_record(
            actor=actor, action="dossier.rate", obj=dossier, changes={"score": score, **clean}
        )
    return rating
