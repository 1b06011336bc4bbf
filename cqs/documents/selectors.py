"""Reads of documents and tasks, always through the viewer's visibility."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from cqs.accounts.permissions import agency_scope
from cqs.accounts.rules import Role
from cqs.documents import rules, search
from cqs.documents.models import (
    Assignment,
    AssignmentRole,
    Document,
    DocumentStatus,
    DocumentType,
    ExchangePeer,
    OutboxMessage,
    Task,
    TaskStatus,
)
from cqs.documents.permissions import visible_documents, visible_tasks
from cqs.units.models import Agency, UnitLevel
from cqs.workdays.selectors import work_calendar

S = DocumentStatus
DUE_SOON_WORKING_DAYS = 2  # 'due soon' within two working days of the deadline


def soon_from(deadline: date | None) -> date | None:
    """The first day on which a deadline counts as due soon (two working days before it)."""
    if deadline is None:
        return None
    cal = work_calendar()
    day, counted = deadline, 0
    for _ in range(30):
        if counted >= DUE_SOON_WORKING_DAYS:
            break
        day = day.fromordinal(day.toordinal() - 1)
        counted += cal.is_working_day(day)
    return day


def due_state(
    deadline: date | None, *, done_on: date | None = None, today: date | None = None
) -> rules.DueState:
    return rules.due_state(
        today=today or timezone.localdate(),
        deadline=deadline,
        soon_from=soon_from(deadline),
        done_on=done_on,
    )


def document_types() -> QuerySet[DocumentType]:
    return DocumentType.objects.all()


@dataclass
class Inbox:
    to_assign: list[Document] = field(default_factory=list)  # leader: route to a division
    to_assign_officer: list[Document] = field(default_factory=list)  # head: give an officer
    processing: list[Document] = field(default_factory=list)  # officer: mine
    for_information: list[Document] = field(default_factory=list)
    to_review: list[Document] = field(default_factory=list)  # head: drafts
    to_sign: list[Document] = field(default_factory=list)  # leader
    to_issue: list[Document] = field(default_factory=list)  # clerk
    my_drafts: list[Document] = field(default_factory=list)
    due_soon: int = 0
    overdue: int = 0


def _scope(user: Any, role: Role) -> frozenset[int]:
    return agency_scope(user, [role])


def inbox(user: Any, *, limit: int = 50) -> Inbox:
    box = Inbox()
    base = visible_documents(user).select_related("doc_type", "lead_division", "officer")
    leader = _scope(user, Role.LEADER)
    head = _scope(user, Role.HEAD_OF_DIVISION)
    clerk = _scope(user, Role.RECORDS_CLERK)
    if leader:
        box.to_assign = list(base.filter(status=S.REGISTERED, agency_id__in=leader)[:limit])
        box.to_sign = list(base.filter(status=S.AWAITING_SIGNATURE, agency_id__in=leader)[:limit])
    if head:
        box.to_assign_officer = list(
            base.filter(Q(agency_id__in=head) | Q(lead_division_id__in=head), status=S.ASSIGNED)[
                :limit
            ]
        )
        box.to_review = list(
            base.filter(Q(agency_id__in=head) | Q(drafting_unit_id__in=head), status=S.IN_REVIEW)[
                :limit
            ]
        )
    if clerk:
        box.to_issue = list(base.filter(status=S.SIGNED, agency_id__in=clerk)[:limit])
    box.processing = list(base.filter(status=S.PROCESSING, officer_id=user.pk)[:limit])
    box.my_drafts = list(base.filter(status=S.DRAFT, created_by_id=user.pk)[:limit])
    info_ids = Assignment.objects.filter(
        role=AssignmentRole.INFORMATION, agency_id__in=agency_scope(user), read_at__isnull=True
    ).values("document_id")
    box.for_information = list(base.filter(pk__in=info_ids)[:limit])
    today = timezone.localdate()
    open_docs = base.filter(direction="incoming", deadline__isnull=False).exclude(status=S.DONE)
    box.overdue = open_docs.filter(deadline__lt=today).count()
    box.due_soon = sum(
        1
        for d in open_docs.filter(deadline__gte=today).values_list("deadline", flat=True)[:1000]
        if due_state(d, today=today) == rules.DueState.DUE_SOON
    )
    return box


def document_list(
    user: Any,
    *,
    direction: str | None = None,
    status: str | None = None,
    query: str = "",
    due: str = "",
    limit: int = 100,
) -> list[Document]:
    qs = visible_documents(user).select_related("doc_type", "agency")
    if direction:
        qs = qs.filter(direction=direction)
    if status:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    if due == "overdue":
        qs = qs.filter(deadline__lt=today).exclude(status=S.DONE)
    elif due == "open":
        qs = qs.filter(deadline__isnull=False).exclude(status=S.DONE)
    if query:
        sql = search.matching_ids_sql(query)
        if sql is not None:
            qs = qs.extra(where=[f"documents_document.id IN ({sql[0]})"], params=sql[1])  # noqa: S610
    docs = list(qs.order_by("-created_at", "-id")[:limit])
    if due == "soon":
        docs = [d for d in docs if due_state(d.deadline, today=today) == rules.DueState.DUE_SOON]
    return docs


def document_detail(document: Document) -> dict[str, Any]:
    return {
        "files": list(document.files.all()),
        "events": [
            (e, rules.ACTION_LABELS.get(e.action, e.action))
            for e in document.events.select_related("actor").order_by("id")
        ],
        "urgency_label": rules.URGENCY_LABELS.get(document.urgency, document.urgency),
        "confidentiality_label": rules.CONFIDENTIALITY_LABELS.get(
            document.confidentiality, document.confidentiality
        ),
        "assignments": list(document.assignments.select_related("agency", "user")),
        "versions": list(document.versions.order_by("-number")),
        "comments": list(document.comments.select_related("author").order_by("id")),
        "recipients": list(document.recipients.all()),
        "due": due_state(
            document.deadline,
            done_on=timezone.localtime(document.done_at).date() if document.done_at else None,
        ),
    }


def task_list(user: Any, *, status: str | None = None) -> list[Task]:
    qs = visible_tasks(user).select_related("owner", "source_document")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("deadline", "id")[:500])


@dataclass
class TaskStats:
    agency: Agency
    done_on_time: int = 0
    done_late: int = 0
    open_on_track: int = 0
    open_overdue: int = 0

    @property
    def open(self) -> int:
        return self.open_on_track + self.open_overdue


def task_stats(user: Any, *, today: date | None = None) -> list[TaskStats]:
    """Per owner agency: done on time, done late, open (within time / overdue)."""
    today = today or timezone.localdate()
    stats: dict[int, TaskStats] = {}
    for t in visible_tasks(user).select_related("owner"):
        s = stats.setdefault(t.owner_id, TaskStats(agency=t.owner))
        if t.status == TaskStatus.DONE and t.done_on is not None:
            if t.done_on <= t.deadline:
                s.done_on_time += 1
            else:
                s.done_late += 1
        elif t.deadline < today:
            s.open_overdue += 1
        else:
            s.open_on_track += 1
    return sorted(stats.values(), key=lambda s: s.agency.code)


def peers() -> QuerySet[ExchangePeer]:
    return ExchangePeer.objects.all()


def outbox_pending() -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(delivered_at__isnull=True).order_by("next_attempt_at")


def document_stats(
    agency_ids: Iterable[int] | None, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Dashboard feed: work files processed online and documents fully signed, per agency.

    Documents created in ``[start, end)`` are counted at their owning agency (``agency_ids``
    None = every agency). Returns one dict per agency that has documents, sorted by code::

        {"agency_id": int, "agency_code": str, "agency_name": str,
         "level": "province" | "commune",          # the agency's unit level
         "documents": int,                         # incoming + outgoing
         "processed_online": int,                  # incoming routed & handled in the system
                                                   # (assigned/processing/done) + outgoing
                                                   # drafted, reviewed and signed in the system
         "online_share": float | None,             # processed_online / documents
         "outgoing_issued": int,                   # outgoing issued (numbered)
         "fully_signed": int,                      # issued with leader + seal signatures
         "signed_share": float | None}             # fully_signed / outgoing_issued
    """
    qs = Document.objects.filter(created_at__gte=start, created_at__lt=end)
    if agency_ids is not None:
        qs = qs.filter(agency_id__in=list(agency_ids))
    rows: dict[int, dict[str, Any]] = {}
    agencies = {
        a.pk: a for a in Agency.objects.filter(pk__in=qs.values("agency_id")).select_related("unit")
    }
    online_incoming = {S.ASSIGNED, S.PROCESSING, S.DONE}
    for agency_id, direction, status, number, fully_signed in qs.values_list(
        "agency_id", "direction", "status", "number", "fully_signed"
    ):
        a = agencies[agency_id]
        row = rows.setdefault(
            agency_id,
            {
                "agency_id": agency_id,
                "agency_code": a.code,
                "agency_name": a.name,
                "level": a.unit.level if a.unit_id else UnitLevel.COMMUNE,
                "documents": 0,
                "processed_online": 0,
                "outgoing_issued": 0,
                "fully_signed": 0,
            },
        )
        row["documents"] += 1
        if direction == "incoming":
            row["processed_online"] += status in online_incoming
        else:
            row["processed_online"] += status not in {S.DRAFT, S.IN_REVIEW}
            if number is not None:
                row["outgoing_issued"] += 1
                row["fully_signed"] += bool(fully_signed)
    out = []
    for row in sorted(rows.values(), key=lambda r: r["agency_code"]):
        row["online_share"] = rules.ShareFigure(row["processed_online"], row["documents"]).share
        row["signed_share"] = rules.ShareFigure(row["fully_signed"], row["outgoing_issued"]).share
        out.append(row)
    return out
