"""Reads over dossiers that apply visibility: an official sees the dossiers of the agencies
in their scope (including dossiers their agency once held); an applicant sees their own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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


PUBLIC_COLUMNS = (
    "code",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "applicant_name",
    "procedure__name",
    "shown__at",
    "shown__type",
    "shown__agency__name",
)
_PUBLIC_SQL: dict[str, tuple[str, list[Any], int]] = {}
_SENTINEL = "\x00code\x00"


def dossier_public_rows(code: str, event_types: list[str]) -> list[tuple[Any, ...]]:
    """The public page's facts in one query: the dossier joined to its shown events, in order.

    Rows are PUBLIC_COLUMNS (the event columns NULL when it has none); empty when there is no
    such dossier. The SQL is compiled once per database and event-type list, then only run:
    compiling the ORM query cost as much as running it.
    """
    key = f"{connection.alias}:{','.join(event_types)}"
    compiled = _PUBLIC_SQL.get(key)
    if compiled is None:
        qs = (
            Dossier.objects.filter(code=_SENTINEL)
            .annotate(shown=FilteredRelation("events", condition=Q(events__type__in=event_types)))
            .order_by("shown__seq")
            .values_list(*PUBLIC_COLUMNS)
        )
        compiled_sql, bound = qs.query.sql_with_params()
        compiled = _PUBLIC_SQL[key] = (compiled_sql, list(bound), list(bound).index(_SENTINEL))
    sql, template, at = compiled
    params = [*template]
    params[at] = code.strip()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [(*r[:2], *map(_aware, r[2:5]), *r[5:7], _aware(r[7]), *r[8:]) for r in rows]


def _aware(value: Any) -> Any:
    """A timestamp as the ORM would return it: aware (SQLite's cursor gives naive UTC)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if isinstance(value, datetime) and timezone.is_naive(value):
        return timezone.make_aware(value, UTC)
    return value


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
    # The open lists filter on is_open (status not final, computed by the database) as well:
    # the index (is_open, due_at, id) then gives the rows in due order, and the database
    # checks visibility row by row until the page is full, instead of sorting every row.
    # Written "IN (true)": Django turns is_open=True into a bare `WHERE is_open`, which
    # SQLite does not match against the index; `is_open IN (1)` is an equality it does.
    open_ = Q(is_open__in=[True])
    if box == "mine":
        qs = qs.filter(open_, assignee_id=user.pk)
    elif box == "unit":
        qs = qs.filter(open_)
    elif box == "due_soon":
        # Within one office day of the deadline (the exact per-dossier window is shown on
        # each row); the list is a working aid, not a statistic.
        qs = qs.filter(
            open_, status=Status.PROCESSING, due_at__gte=now, due_at__lte=now + timedelta(days=2)
        )
    elif box == "overdue":
        qs = qs.filter(open_, status=Status.PROCESSING, due_at__lt=now)
    elif box == "supplement":
        qs = qs.filter(open_, status=Status.SUPPLEMENT_REQUESTED)
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
    else:
        due, last_id = None, 0
    # Two ordered reads instead of one ORDER BY due_at NULLS LAST: the dated rows in
    # (due_at, id) order, which an index on (…, due_at, id) gives without sorting, then the
    # undated ones by id. Same order, same pages.
    qs = qs.order_by()
    rows: list[Dossier] = []
    if not after or due is not None:
        dated = qs.filter(due_at__isnull=False)
        if due is not None:
            dated = dated.filter(Q(due_at__gt=due) | Q(due_at=due, id__gt=last_id), due_at__gte=due)
        rows = list(dated.order_by("due_at", "id")[: limit + 1])
    if len(rows) <= limit:
        undated = qs.filter(due_at__isnull=True)
        if after and due is None:
            undated = undated.filter(id__gt=last_id)
        rows += list(undated.order_by("id")[: limit + 1 - len(rows)])
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


# --- The applicant's own dossiers (portal "Hồ sơ của tôi") --------------------------------------


def my_dossiers(user: Any, *, status: str = "") -> QuerySet[Dossier]:
    """The dossiers the signed-in citizen or business applied for, newest first (only the
    columns the list shows)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    qs = Dossier.objects.filter(applicant_user_id=user.pk)
    if status:
        qs = qs.filter(status=status)
    columns = ("id", "code", "status", "created_at", "received_at", "due_at", "finished_at",
               "fee_amount", "procedure__name", "procedure__code")  # fmt: skip
    return qs.select_related("procedure").only(*columns).order_by("-created_at", "-id")


def my_dossier(user: Any, code: str) -> Dossier:
    """One of the applicant's own dossiers; someone else's is "not found" (never 403, which
    would confirm the code exists)."""
    dossier = (
        Dossier.objects.select_related("procedure", "agency", "desk")
        .filter(code=code, applicant_user_id=getattr(user, "pk", None))
        .first()
    )
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ «{code}» của bạn.")
    return dossier


def dossier_timeline(dossier: Dossier) -> list[Any]:
    from cqs.dossiers.models import DossierEvent

    return list(
        DossierEvent.objects.filter(dossier=dossier).select_related("agency").order_by("seq")
    )


def dossier_file_for(user: Any, code: str, file_id: int) -> Any:
    """A file of a dossier the user may see (own dossier, or an official's scope)."""
    from cqs.dossiers.models import DossierFile

    dossier = dossier_for(user, code)
    found = DossierFile.objects.filter(dossier=dossier, pk=file_id).first()
    if found is None:
        raise NotFound("Không tìm thấy tệp.")
    return found


MY_DOSSIERS_PAGE = 20
_MINE_SQL: dict[str, tuple[str, list[Any]]] = {}
# Placeholders the ORM compiles into the parameter list, replaced by the real values per call.
_USER, _AFTER, _STATUS = -900_000_001, -900_000_002, "\x00status\x00"


def _compiled(key: str, build: Any) -> tuple[str, list[Any]]:
    """The SQL of ``build()`` compiled once per database (see dossier_public_rows: compiling
    these small ORM queries cost several times running them)."""
    key = f"{connection.alias}:{key}"
    found = _MINE_SQL.get(key)
    if found is None:
        sql, params = build().query.sql_with_params()
        found = _MINE_SQL[key] = (sql, list(params))
    return found


def _run(compiled: tuple[str, list[Any]], values: dict[Any, Any]) -> list[tuple[Any, ...]]:
    sql, template = compiled
    with connection.cursor() as cursor:
        cursor.execute(sql, [values.get(p, p) for p in template])
        return list(cursor.fetchall())


def my_dossier_rows(
    user: Any, *, status: str = "", after: int | None = None, limit: int = MY_DOSSIERS_PAGE
) -> tuple[list[tuple[Any, ...]], int | None]:
    """One page of the citizen's list, newest first: tuples (id, code, status, due_at,
    procedure name) and the id to continue after (None on the last page).

    Keyset pages on (created_at, id): no OFFSET, nothing skipped or repeated when a dossier
    arrives meanwhile. ``after`` is only ever compared with the user's own dossiers, so
    someone else's id gives an empty page, never their rows.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return [], None

    def build() -> QuerySet[Any]:
        qs = Dossier.objects.filter(applicant_user_id=_USER)
        if status:
            qs = qs.filter(status=_STATUS)
        if after is not None:
            anchor = Dossier.objects.filter(applicant_user_id=_USER, pk=_AFTER).values(
                "created_at"
            )[:1]
            qs = qs.filter(
                Q(created_at__lt=Subquery(anchor)) | Q(created_at=Subquery(anchor), pk__lt=_AFTER)
            )
        columns = ("id", "code", "status", "due_at", "procedure__name")
        return qs.order_by("-created_at", "-id").values_list(*columns)[: limit + 1]

    compiled = _compiled(f"mine:{bool(status)}:{after is not None}:{limit}", build)
    rows = _run(compiled, {_USER: user.pk, _AFTER: after, _STATUS: status})
    more = len(rows) > limit
    page = [(r[0], r[1], r[2], _aware(r[3]), r[4]) for r in rows[:limit]]
    return page, (page[-1][0] if more else None)


def my_draft_rows(user: Any, *, limit: int = 20) -> list[tuple[Any, ...]]:
    """The citizen's saved drafts, last edited first: (id, updated_at, procedure code, name)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    from cqs.dossiers.models import DossierDraft

    def build() -> QuerySet[Any]:
        return (
            DossierDraft.objects.filter(owner_id=_USER)
            .order_by("-updated_at")
            .values_list("id", "updated_at", "procedure__code", "procedure__name")[:limit]
        )

    rows = _run(_compiled(f"drafts:{limit}", build), {_USER: user.pk})
    return [(r[0], _aware(r[1]), r[2], r[3]) for r in rows]
