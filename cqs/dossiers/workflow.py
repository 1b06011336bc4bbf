"""The transition table of a dossier: state × action → roles allowed, next state.

Every action a service performs is looked up here first; an action missing for the current
state, or a role not listed, is refused with a Vietnamese message.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cqs.accounts.rules import Role


class Status(StrEnum):
    SUBMITTED = "submitted"  # online, waiting for the one-stop desk to accept (portal issue)
    PROCESSING = "processing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


STATUS_LABELS: dict[Status, str] = {
    Status.SUBMITTED: "Chờ tiếp nhận",
    Status.PROCESSING: "Đang giải quyết",
    Status.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
    Status.RESULT_READY: "Đã có kết quả, chờ trả",
    Status.RETURNED: "Đã trả kết quả",
    Status.REJECTED: "Từ chối giải quyết",
    Status.WITHDRAWN: "Đã rút hồ sơ",
}

# National public-service portal status codes (1 "new" … 10 "result returned"), for the sync
# adapter: Circular 03/2025/TT-VPCP data dictionary (verify codes 7-9 when the adapter lands).
PORTAL_STATUS: dict[Status, int] = {
    Status.SUBMITTED: 1,
    Status.PROCESSING: 2,
    Status.SUPPLEMENT_REQUESTED: 3,
    Status.RESULT_READY: 4,
    Status.REJECTED: 6,
    Status.WITHDRAWN: 7,
    Status.RETURNED: 10,
}

FINAL = frozenset({Status.RETURNED, Status.REJECTED, Status.WITHDRAWN})


class Action(StrEnum):
    RECEIVE = "receive"
    ACCEPT_ONLINE = "accept_online"
    FORWARD = "forward"
    RETURN_STEP = "return_step"
    REQUEST_SUPPLEMENT = "request_supplement"
    RECEIVE_SUPPLEMENT = "receive_supplement"
    TRANSFER = "transfer"
    EXTEND = "extend"
    REJECT = "reject"
    ATTACH_RESULT = "attach_result"
    APPROVE = "approve"
    RETURN_RESULT = "return_result"
    WITHDRAW = "withdraw"


ACTION_LABELS: dict[Action, str] = {
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.ACCEPT_ONLINE: "Tiếp nhận hồ sơ trực tuyến",
    Action.FORWARD: "Chuyển bước tiếp theo",
    Action.RETURN_STEP: "Trả lại bước trước",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung hồ sơ",
    Action.RECEIVE_SUPPLEMENT: "Nhận hồ sơ bổ sung",
    Action.TRANSFER: "Chuyển cơ quan khác (liên thông)",
    Action.EXTEND: "Gia hạn, xin lỗi hẹn lại",
    Action.REJECT: "Từ chối giải quyết",
    Action.ATTACH_RESULT: "Đính kèm kết quả",
    Action.APPROVE: "Phê duyệt kết quả",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.WITHDRAW: "Rút hồ sơ",
}

# "Applicant" is not an official role: the citizen who owns the dossier.
APPLICANT = "applicant"


@dataclass(frozen=True)
class Transition:
    roles: frozenset[str]
    to: Status | None  # None: the state does not change (e.g. forward to the next step)


def _t(*roles: str, to: Status | None = None) -> Transition:
    """Roles are checked at the dossier's competent agency and at its one-stop desk."""
    return Transition(frozenset(roles), to)


RO, PO, HD, LD, RC = (
    Role.RECEIVING_OFFICER,
    Role.PROCESSING_OFFICER,
    Role.HEAD_OF_DIVISION,
    Role.LEADER,
    Role.RECORDS_CLERK,
)

TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (Status.SUBMITTED, Action.ACCEPT_ONLINE): _t(RO, to=Status.PROCESSING),
    (Status.SUBMITTED, Action.REQUEST_SUPPLEMENT): _t(RO, to=Status.SUPPLEMENT_REQUESTED),
    (Status.SUBMITTED, Action.REJECT): _t(RO, to=Status.REJECTED),
    (Status.SUBMITTED, Action.WITHDRAW): _t(APPLICANT, RO, to=Status.WITHDRAWN),
    (Status.PROCESSING, Action.FORWARD): _t(PO, HD, LD, RC),
    (Status.PROCESSING, Action.RETURN_STEP): _t(PO, HD, LD, RC),
    (Status.PROCESSING, Action.REQUEST_SUPPLEMENT): _t(PO, HD, LD, to=Status.SUPPLEMENT_REQUESTED),
    (Status.PROCESSING, Action.TRANSFER): _t(HD, LD),
    (Status.PROCESSING, Action.EXTEND): _t(HD, LD),
    (Status.PROCESSING, Action.REJECT): _t(HD, LD, to=Status.REJECTED),
    (Status.PROCESSING, Action.ATTACH_RESULT): _t(PO, HD, LD, RC),
    (Status.PROCESSING, Action.APPROVE): _t(LD, to=Status.RESULT_READY),
    (Status.PROCESSING, Action.WITHDRAW): _t(APPLICANT, RO, to=Status.WITHDRAWN),
    # The applicant answers online by uploading the missing papers (portal); the desk
    # receives them at the counter.
    (Status.SUPPLEMENT_REQUESTED, Action.RECEIVE_SUPPLEMENT): _t(
        APPLICANT, RO, to=Status.PROCESSING
    ),
    (Status.SUPPLEMENT_REQUESTED, Action.WITHDRAW): _t(APPLICANT, RO, to=Status.WITHDRAWN),
    (Status.SUPPLEMENT_REQUESTED, Action.REJECT): _t(HD, LD, to=Status.REJECTED),
    (Status.RESULT_READY, Action.ATTACH_RESULT): _t(LD, RC),
    (Status.RESULT_READY, Action.RETURN_RESULT): _t(RO, RC, to=Status.RETURNED),
}


def transition(status: Status, action: Action) -> Transition | None:
    return TRANSITIONS.get((status, action))


def allowed_actions(status: Status) -> list[Action]:
    return [a for (s, a) in TRANSITIONS if s == status]


EVENT_LABELS: dict[str, str] = {
    "submitted": "Nộp hồ sơ trực tuyến",
    "received": "Tiếp nhận hồ sơ",
    "forwarded": "Chuyển bước xử lý",
    "returned_step": "Trả lại bước trước",
    "supplement_requested": "Yêu cầu bổ sung hồ sơ",
    "supplement_received": "Nhận hồ sơ bổ sung",
    "transferred": "Chuyển cơ quan giải quyết",
    "extended": "Gia hạn, hẹn lại ngày trả",
    "result_attached": "Đính kèm kết quả",
    "result_ready": "Phê duyệt, có kết quả",
    "returned": "Trả kết quả",
    "rejected": "Từ chối giải quyết",
    "withdrawn": "Rút hồ sơ",
    "fee_paid": "Nộp phí, lệ phí",
    "result_signed": "Lãnh đạo ký số kết quả",
    "result_sealed": "Văn thư đóng dấu (ký số cơ quan) kết quả",
}
