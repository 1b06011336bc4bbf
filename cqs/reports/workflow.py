"""The transition table of a field report: state × action → who may act, next state.

"Staff" roles act at the report's agency; REPORTER is the citizen who sent it (logged in, or
holding the private tracking key); SYSTEM is a scheduled command.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cqs.accounts.rules import Role


class Status(StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    REOPENED = "reopened"
    DISPUTED = "disputed"


STATUS_LABELS: dict[Status, str] = {
    Status.RECEIVED: "Đã tiếp nhận",
    Status.VERIFIED: "Đã xác minh",
    Status.ASSIGNED: "Đã giao xử lý",
    Status.IN_PROGRESS: "Đang xử lý",
    Status.RESOLVED: "Đã xử lý xong",
    Status.CLOSED: "Đã đóng",
    Status.REJECTED: "Không xử lý",
    Status.REOPENED: "Mở lại",
    Status.DISPUTED: "Người dân chưa đồng ý",
}

# Open311 knows only open/closed; the rich state travels as the extended status.
CLOSED_STATES = frozenset({Status.RESOLVED, Status.CLOSED, Status.REJECTED})
FINAL_STATES = frozenset({Status.CLOSED, Status.REJECTED})
# States in which the clock runs and the agency must act (the queue).
ACTIVE_STATES = frozenset(
    {
        Status.RECEIVED,
        Status.VERIFIED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.REOPENED,
        Status.DISPUTED,
    }
)


class Action(StrEnum):
    VERIFY = "verify"
    ASSIGN = "assign"
    START = "start"
    RESOLVE = "resolve"
    REJECT = "reject"
    TRANSFER = "transfer"
    CLOSE = "close"
    REOPEN = "reopen"
    DISPUTE = "dispute"


ACTION_LABELS: dict[Action, str] = {
    Action.VERIFY: "Xác minh, tiếp nhận xử lý",
    Action.ASSIGN: "Giao cán bộ xử lý",
    Action.START: "Bắt đầu xử lý",
    Action.RESOLVE: "Trả lời, báo xử lý xong",
    Action.REJECT: "Không xử lý (trùng hoặc không thuộc phạm vi)",
    Action.TRANSFER: "Chuyển cơ quan khác",
    Action.CLOSE: "Đóng phản ánh",
    Action.REOPEN: "Mở lại phản ánh",
    Action.DISPUTE: "Không đồng ý với kết quả",
}

REPORTER = "reporter"
SYSTEM = "system"

RO, PO, HD, LD = (
    Role.RECEIVING_OFFICER,
    Role.PROCESSING_OFFICER,
    Role.HEAD_OF_DIVISION,
    Role.LEADER,
)
STAFF = frozenset({RO, PO, HD, LD})
MANAGERS = frozenset({HD, LD})


@dataclass(frozen=True)
class Transition:
    roles: frozenset[str]
    to: Status | None  # None: the state does not change (a transfer keeps its stage)


def _t(roles: frozenset[str] | set[str], to: Status | None) -> Transition:
    return Transition(frozenset(roles), to)


_REWORK = (Status.REOPENED, Status.DISPUTED)
TRANSITIONS: dict[tuple[Status, Action], Transition] = {}
for _s in (Status.RECEIVED,):
    TRANSITIONS[_s, Action.VERIFY] = _t(STAFF, Status.VERIFIED)
for _s in (Status.RECEIVED, Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, *_REWORK):
    TRANSITIONS[_s, Action.ASSIGN] = _t(MANAGERS, Status.ASSIGNED)
    TRANSITIONS[_s, Action.TRANSFER] = _t(MANAGERS | {RO}, None)
    TRANSITIONS[_s, Action.REJECT] = _t(MANAGERS | {RO}, Status.REJECTED)
for _s in (Status.VERIFIED, Status.ASSIGNED, *_REWORK):
    TRANSITIONS[_s, Action.START] = _t(MANAGERS | {PO}, Status.IN_PROGRESS)
for _s in (Status.VERIFIED, Status.ASSIGNED, Status.IN_PROGRESS, *_REWORK):
    TRANSITIONS[_s, Action.RESOLVE] = _t(MANAGERS | {PO}, Status.RESOLVED)
TRANSITIONS[Status.RESOLVED, Action.REOPEN] = _t({REPORTER}, Status.REOPENED)
TRANSITIONS[Status.RESOLVED, Action.DISPUTE] = _t({REPORTER}, Status.DISPUTED)
TRANSITIONS[Status.RESOLVED, Action.CLOSE] = _t({REPORTER, SYSTEM, HD, LD}, Status.CLOSED)


def transition(status: str, action: str) -> Transition | None:
    try:
        return TRANSITIONS.get((Status(status), Action(action)))
    except ValueError:
        return None


def allowed_actions(status: str, roles: set[str]) -> list[Action]:
    """Actions the holder of ``roles`` may take now, in the table's order."""
    return [a for (s, a), t in TRANSITIONS.items() if s == status and t.roles & roles]
