"""The interchange line (shared/domain/interchange.md), validated with pydantic."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, Strict, model_validator

# The spec's nine event types, then the internal steps of the live workflow that our own
# exports carry (forwarded, returned_step, result_attached).
EventType = Literal[
    "received",
    "supplement_requested",
    "supplement_received",
    "transferred",
    "extended",
    "result_ready",
    "returned",
    "rejected",
    "withdrawn",
    "forwarded",
    "returned_step",
    "result_attached",
]


def parse_instant(value: str) -> datetime:
    """An ISO 8601 text with an offset (the exporter normalises stored ones with it)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"thời gian «{value}» thiếu múi giờ (ví dụ +07:00)")
    return parsed


# Lines are validated from their JSON text: strict datetimes there are ISO 8601 strings only
# (no Unix numbers), and one without an offset is refused.
Instant = Annotated[AwareDatetime, Strict()]
Way = Literal["online", "counter", "post"]


class _Open(BaseModel):
    # Unknown keys are allowed everywhere: they are kept and exported again unchanged.
    model_config = ConfigDict(extra="allow")


class ApplicantIn(_Open):
    kind: Literal["citizen", "business"]
    name: str = Field(min_length=1, max_length=255)
    id_number: str | None = Field(None, max_length=20)
    phone: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    address: str | None = Field(None, max_length=255)
    address_unit_code: str | None = Field(None, max_length=10)


class EventIn(_Open):
    type: EventType
    at: Instant
    actor: str | None = Field(None, max_length=150)
    reason: str | None = None
    to_agency_code: str | None = Field(None, min_length=1, max_length=35)
    new_due_at: Instant | None = None
    method: Way | None = None

    @model_validator(mode="after")
    def _needs(self) -> EventIn:
        if self.type == "transferred" and not self.to_agency_code:
            raise ValueError("sự kiện transferred cần to_agency_code")
        if self.type == "extended" and self.new_due_at is None:
            raise ValueError("sự kiện extended cần new_due_at")
        return self


class FeeIn(_Open):
    amount: int = Field(0, ge=0)
    paid_online: bool = False
    paid_at: Instant | None = None


class FileMetaIn(_Open):
    requirement: str | None = None
    digitized: bool | None = None
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")


class ResultIn(_Open):
    digitized: bool | None = None
    signed: bool | None = None


class RatingIn(_Open):
    score: int = Field(ge=1, le=5)
    at: Instant | None = None


class LineIn(_Open):
    code: str = Field(min_length=1, max_length=60, pattern=r"^\S+$")
    procedure_code: str = Field(min_length=1, max_length=40)
    agency_code: str = Field(min_length=1, max_length=35)
    unit_code: str | None = Field(None, max_length=10)
    channel: Way
    result_delivery: Way | None = None
    applicant: ApplicantIn
    received_at: Instant | None = None
    due_at: Instant | None = None
    fee: FeeIn | None = None
    files: list[FileMetaIn] = Field(default_factory=list)
    result: ResultIn | None = None
    rating: RatingIn | None = None
    events: list[EventIn] = Field(min_length=1)


LINE_KEYS = frozenset(LineIn.model_fields)
APPLICANT_COLUMNS = frozenset({"kind", "name", "id_number", "phone", "email", "address"})
EVENT_COLUMNS = frozenset({"type", "at", "actor"})
