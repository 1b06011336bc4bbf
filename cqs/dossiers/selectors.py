"""Reads over dossiers that apply visibility: an official sees the dossiers of the agencies
in their scope (including dossiers their agency once held); an applicant sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from cqs.accounts.permissions import agency_scope
from cqs.core.errors import NotFound
from cqs.dossiers.models import Dossier, DossierParticipant


def visible_dossiers(user: Any) -> QuerySet[Dossier]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    scope = agency_scope(user)
    own = Q(applicant_user_id=user.pk)
    if not scope:
        return Dossier.objects.filter(own)
    held = Exists(DossierParticipant.objects.filter(dossier=OuterRef("pk"), agency_id__in=scope))
    return Dossier.objects.filter(own | Q(agency_id__in=scope) | Q(desk_id__in=scope) | Q(held))


def dossier_for(user: Any, code: str) -> Dossier:
    dossier = (
        visible_dossiers(user)
        .select_related("procedure", "agency", "desk", "assignee", "unit")
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ «{code}» trong phạm vi của bạn.")
    return dossier


PUBLIC_FIELDS = ("id", "code", "status", "received_at", "due_at", "finished_at",
                 "applicant_name", "procedure__name")  # fmt: skip


def dossier_public(code: str) -> Dossier:
    """Only what the public page shows: the procedure's large JSON fields stay unread."""
    dossier = (
        Dossier.objects.select_related("procedure")
        .only(*PUBLIC_FIELDS)
        .filter(code=code.strip())
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ có mã «{code}».")
    return dossier


# --- Inbox ----------------------------------------------------------------------------------

INBOXES = ("mine", "unit", "due_soon", "overdue", "supplement", "done", "all")


def inbox(
    user: Any,
    *,
    box: str = "unit",
    q: str = "",
    status: str = "",
    procedure: str = "",
    now: Any = None,
) -> QuerySet[Dossier]:
    """The officer's working lists. Ordered by due date, most urgent first."""
    from datetime import timedelta

    from django.utils import timezone

    from cqs.core.text import fold
    from cqs.dossiers.workflow import FINAL, Status

    now = now or timezone.now()
    qs = visible_dossiers(user).select_related("procedure", "agency", "assignee")
    open_statuses = [s.value for s in Status if s not in FINAL]
    if box == "mine":
        qs = qs.filter(assignee_id=user.pk, status__in=open_statuses)
    elif box == "unit":
        qs = qs.filter(status__in=open_statuses)
    elif box == "due_soon":
        # Within one office day of the deadline (the exact per-dossier window is shown on
        # each row); the list is a working aid, not a statistic.
        qs = qs.filter(
            status=Status.PROCESSING, due_at__gte=now, due_at__lte=now + timedelta(days=2)
        )
    elif box == "overdue":
        qs = qs.filter(status=Status.PROCESSING, due_at__lt=now)
    elif box == "supplement":
        qs = qs.filter(status=Status.SUPPLEMENT_REQUESTED)
    elif box == "done":
        qs = qs.filter(status__in=[s.value for s in FINAL])
    if status:
        qs = qs.filter(status=status)
    if procedure:
        qs = qs.filter(procedure__code=procedure)
    for word in fold(q).split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by(F("due_at").asc(nulls_last=True), "id")


def keyset_page(
    qs: QuerySet[Dossier], *, after: str = "", limit: int = 20
) -> tuple[list[Dossier], str]:
    """One page ordered by (due_at, id) after the opaque cursor ``after``; returns the next cursor.

    Keyset pagination stays fast on page 1,000 (no OFFSET) and never skips or repeats a row
    when dossiers are added meanwhile.
    """
    import base64
    from datetime import datetime

    if after:
        try:
            raw = base64.urlsafe_b64decode(after.encode()).decode()
            due_text, id_text = raw.split("|")
            last_id = int(id_text)
            due = datetime.fromisoformat(due_text) if due_text else None
        except (ValueError, UnicodeDecodeError) as exc:
            from cqs.core.errors import ValidationError

            raise ValidationError(
                "Con trỏ phân trang không hợp lệ.", details={"after": [after]}
            ) from exc
        if due is None:
            qs = qs.filter(due_at__isnull=True, id__gt=last_id)
        else:
            qs = qs.filter(
                Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id) | Q(due_at__isnull=True)
            )
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = ""
    if more and rows:
        last = rows[-1]
        token = f"{last.due_at.isoformat() if last.due_at else ''}|{last.pk}"
        cursor = base64.urlsafe_b64encode(token.encode()).decode()
    return rows, cursor


# --- Back-office helpers --------------------------------------------------------------------


def receiving_desks(user: Any) -> list[Any]:
    """The one-stop desks where ``user`` is a receiving officer."""
    from cqs.accounts.rules import Role
    from cqs.units.models import Agency, AgencyKind

    scope = agency_scope(user, [Role.RECEIVING_OFFICER])
    return list(
        Agency.objects.filter(
            pk__in=scope, kind__in=[AgencyKind.ONE_STOP_DESK, AgencyKind.PUBLIC_SERVICE_CENTER]
        ).select_related("parent")
    )


def intake_procedures(desk: Any) -> QuerySet[Any]:
    """Procedures the desk may receive: those of its committee (and, at a public-service
    centre, of the departments under the same committee)."""
    from cqs.catalogue.models import Procedure
    from cqs.units.models import Agency, AgencyKind

    competent = {desk.parent_id}
    if desk.kind == AgencyKind.PUBLIC_SERVICE_CENTER:
        competent |= set(
            Agency.objects.filter(parent_id=desk.parent_id).values_list("id", flat=True)
        )
    return Procedure.objects.filter(agencies__in=competent, is_active=True).distinct()


def transfer_targets(dossier: Dossier) -> QuerySet[Any]:
    from cqs.units.models import Agency, AgencyKind

    return (
        Agency.objects.filter(is_active=True)
        .exclude(kind__in=[AgencyKind.ONE_STOP_DESK, AgencyKind.PUBLIC_SERVICE_CENTER])
        .exclude(pk=dossier.agency_id)
        .order_by("code")
    )


def intake_notice_for(user: Any, notice_id: int) -> Any:
    from cqs.dossiers.models import IntakeNotice

    notice = (
        IntakeNotice.objects.select_related("desk__parent", "desk__unit", "procedure", "officer")
        .filter(pk=notice_id, desk_id__in=agency_scope(user))
        .first()
    )
    if notice is None:
        raise NotFound("Không tìm thấy phiếu.")
    return notice
