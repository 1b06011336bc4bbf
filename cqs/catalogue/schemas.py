"""The catalogue's exchange format (JSON / XLSX import and export, and the API)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

LevelT = Literal["central", "province", "commune"]
UnitT = Literal["working_days", "working_hours", "calendar_days"]
OnlineT = Literal["full", "partial", "none"]
ChannelT = Literal["counter", "online", "post"]
ApplicantT = Literal["citizen", "business"]
StepRoleT = Literal[
    "receiving_officer", "processing_officer", "head_of_division", "leader", "records_clerk"
]
AgencyKindT = Literal["one_stop_desk", "commune_committee", "department", "province_committee"]

CODE_PATTERN = r"^[123]\.\d{6}(\.[0-9A-Za-z.]{1,30})?$"


class SectorIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=60, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=150)


class TimeLimitIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: Decimal = Field(ge=0, le=10000, max_digits=7, decimal_places=2)
    unit: UnitT
    note: str = ""


class FeeIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    amount: int | None = Field(default=None, ge=0)
    formula: str | None = None
    note: str = ""


class DocumentIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=500)
    originals: int = Field(default=1, ge=0, le=100)
    copies: int = Field(default=0, ge=0, le=100)
    form: str | None = Field(default=None, max_length=500)
    mandatory: bool = True
    note: str = ""


class StepIO(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255)
    role: StepRoleT
    agency_kind: AgencyKindT
    share_percent: Decimal = Field(gt=0, le=100)


class ProcedureIO(BaseModel):
    """One catalogue entry; the same shape as cqs/catalogue/fixtures/demo_catalogue.json."""

    model_config = ConfigDict(extra="ignore")
    code: str = Field(pattern=CODE_PATTERN, max_length=40)
    name: str = Field(min_length=3, max_length=500)
    sector: SectorIO
    level: LevelT
    implementing_agency: str = Field(min_length=1, max_length=255)
    agency_kind: AgencyKindT
    department_hint: str | None = None
    applicant_kinds: list[ApplicantT] = Field(min_length=1)
    time_limit: TimeLimitIO
    fees: list[FeeIO] = []
    submission_channels: list[ChannelT] = Field(min_length=1)
    online_level: OnlineT
    requirements: str = ""
    legal_basis: list[str] = []
    results: list[str] = []
    documents: list[DocumentIO] = []
    steps: list[StepIO] = Field(min_length=1)
    supplement_policy: Literal["restart", "pause"] = "restart"
    form_schema: dict[str, object] = {}
    agency_codes: list[str] | None = None
    source: str = ""

    @field_validator("applicant_kinds", "submission_channels")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("giá trị bị lặp")
        return value

    # Cross-field checks are field validators (not a model validator) so that an import
    # report names the field at fault instead of an empty location.
    @field_validator("online_level")
    @classmethod
    def _online_needs_channel(cls, value: str, info: ValidationInfo) -> str:
        channels = info.data.get("submission_channels")  # declared earlier; absent if invalid
        if value != "none" and channels is not None and "online" not in channels:
            raise ValueError("thủ tục trực tuyến phải có cách thức nộp trực tuyến")
        return value

    @field_validator("form_schema")
    @classmethod
    def _usable_form_schema(cls, value: dict[str, object]) -> dict[str, object]:
        from cqs.catalogue.form_schema import schema_problems

        problems = schema_problems(value)
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @field_validator("steps")
    @classmethod
    def _shares_total_100(cls, value: list[StepIO]) -> list[StepIO]:
        total = sum(s.share_percent for s in value)
        if total != 100:
            raise ValueError(f"tổng tỷ lệ thời gian các bước phải bằng 100%, hiện là {total}%")
        return value
