"""Typed request and response bodies of the registry API (``registry/api.py``).

Inputs forbid unknown keys so a misspelt field is a clear 422 instead of a silently ignored value. Inputs derive
from ``InputSchema``: text with a NUL, another control character or a lone surrogate is a 422 (core/inputrule.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from youthsafe.core.inputrule import InputSchema
from youthsafe.registry.controls import CONTROLS_BY_ID
from youthsafe.registry.filters import SORTS
from youthsafe.registry.models import NOTES_MAX_LENGTH, ControlStatus, PlatformKind, PlatformStatus

# The largest value a PositiveBigIntegerField (and a BigAutoField id) holds on both databases.
MAX_BIGINT = 2**63 - 1
MAX_OFFSET = 10**9


def _one_of(message: str, values: list[str]) -> ValueError:
    return ValueError(message % {"values": ", ".join(values)})


Text = str  # the input rule (NUL, control characters, lone surrogates) is InputSchema's: core/inputrule.py
Count = Annotated[int, Field(ge=0, le=MAX_BIGINT)]
KindValue = Annotated[Text, Field(json_schema_extra={"enum": list(PlatformKind.values)})]
StatusValue = Annotated[Text, Field(json_schema_extra={"enum": list(PlatformStatus.values)})]
ControlStatusValue = Annotated[Text, Field(json_schema_extra={"enum": list(ControlStatus.values)})]
JurisdictionId = Annotated[int, Field(ge=1, le=MAX_BIGINT, description="Jurisdiction id", examples=[2])]

_PLATFORM_EXAMPLE: dict[str, Any] = {
    "name": "星河学堂", "kind": "education", "operator": "江城星河教育科技有限公司",
    "operator_credit_code": "91330100MA2XXXXX1X", "icp_number": "浙ICP备12345678号", "website": "https://example.cn",
    "app_store_ids": "ios:id123456789, android:cn.example.app", "jurisdiction": 2, "registered_users": 120000,
    "minor_users": 45000, "locally_developed": True, "locally_operated": True, "public_opinion": True,
    "security_officer": "王敏", "security_officer_phone": "0571-88880000",
    "security_officer_email": "sec@example.cn",
    "status": "active", "notes": "",
}



class JurisdictionRef(Schema):
    id: int
    code: str
    name: str


class PlatformOut(Schema):
    """A platform. The three ``security_officer*`` keys appear only for holders of platform:view_contacts."""

    id: int
    name: str
    kind: str
    kind_label: str
    operator: str
    operator_credit_code: str
    icp_number: str
    website: str
    app_store_ids: str
    jurisdiction: JurisdictionRef
    registered_users: int
    minor_users: int
    locally_developed: bool
    locally_operated: bool
    public_opinion: bool
    status: str
    status_label: str
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(description="Send it back in PATCH to refuse overwriting a newer save")
    security_officer: str | None = None
    security_officer_phone: str | None = None
    security_officer_email: str | None = None


class PlatformPage(Schema):
    count: int = Field(description="Matching platforms in total, before limit and offset")
    limit: int
    offset: int
    items: list[PlatformOut]


class PlatformIn(InputSchema):
    """A new platform. Jurisdiction is given by id; the caller must be allowed to write there."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_PLATFORM_EXAMPLE]})

    name: Text = Field(min_length=1, max_length=200)
    kind: KindValue
    operator: Text = Field(min_length=1, max_length=200)
    operator_credit_code: Text = Field("", max_length=18)
    icp_number: Text = Field("", max_length=40)
    website: Text = Field("", max_length=200)
    app_store_ids: Text = Field("", max_length=500)
    jurisdiction: JurisdictionId
    registered_users: Count = 0
    minor_users: Count = 0
    locally_developed: bool = False
    locally_operated: bool = False
    public_opinion: bool = False
    security_officer: Text = Field("", max_length=100)
    security_officer_phone: Text = Field("", max_length=20)
    security_officer_email: Text = Field("", max_length=254)
    status: StatusValue = PlatformStatus.ACTIVE.value
    notes: Text = Field("", max_length=NOTES_MAX_LENGTH)


class PlatformPatch(InputSchema):
    """Only the keys sent are changed. ``version`` (from a previous read) turns a concurrent edit into 409."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"registered_users": 130000, "minor_users": 47000, "version": 3}]},
    )

    name: Text | None = Field(None, min_length=1, max_length=200)
    kind: KindValue | None = None
    operator: Text | None = Field(None, min_length=1, max_length=200)
    operator_credit_code: Text | None = Field(None, max_length=18)
    icp_number: Text | None = Field(None, max_length=40)
    website: Text | None = Field(None, max_length=200)
    app_store_ids: Text | None = Field(None, max_length=500)
    jurisdiction: JurisdictionId | None = None
    registered_users: Count | None = None
    minor_users: Count | None = None
    locally_developed: bool | None = None
    locally_operated: bool | None = None
    public_opinion: bool | None = None
    security_officer: Text | None = Field(None, max_length=100)
    security_officer_phone: Text | None = Field(None, max_length=20)
    security_officer_email: Text | None = Field(None, max_length=254)
    status: StatusValue | None = None
    notes: Text | None = Field(None, max_length=NOTES_MAX_LENGTH)
    version: int | None = Field(None, ge=1, le=MAX_BIGINT)
    reason: Text = Field("", max_length=500, description="Why the change was made (kept in the audit log)")


class PlatformFilters(InputSchema):
    kind: KindValue | None = None
    status: StatusValue | None = None
    jurisdiction: JurisdictionId | None = Field(None, description="Only this jurisdiction and those below it")
    local: bool | None = Field(None, description="true: developed or operated locally; false: neither")
    q: Text | None = Field(None, max_length=100, description="Search in name, operator and ICP number")
    ordering: Text = Field("name", json_schema_extra={"enum": list(SORTS)})
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, value: str | None) -> str | None:
        if value is not None and value not in PlatformKind.values:
            raise _one_of(_("Unknown kind; choose one of %(values)s."), PlatformKind.values)
        return value

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        if value is not None and value not in PlatformStatus.values:
            raise _one_of(_("Unknown status; choose one of %(values)s."), PlatformStatus.values)
        return value

    @field_validator("ordering")
    @classmethod
    def _known_ordering(cls, value: str) -> str:
        if value not in SORTS:
            raise _one_of(_("Unknown ordering; choose one of %(values)s."), list(SORTS))
        return value


class ControlOut(Schema):
    id: str
    group: str
    group_label: str
    title: str
    basis: str


class ControlStateOut(Schema):
    control_id: str
    title: str
    group: str
    status: str
    status_label: str
    evidence: str
    checked_at: dt.date | None
    checked_by: str | None


class ControlStateIn(InputSchema):
    model_config = ConfigDict(extra="forbid")

    control_id: Text = Field(examples=["CSL-21-LOGS"], max_length=32)
    status: ControlStatusValue = Field(examples=["in_place"])
    evidence: Text = Field("", max_length=2000)

    @field_validator("control_id")
    @classmethod
    def _known_control(cls, value: str) -> str:
        if value not in CONTROLS_BY_ID:
            raise ValueError(_("Unknown control id; see GET /api/registry/controls."))
        return value

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str) -> str:
        if value not in ControlStatus.values:
            raise _one_of(_("Unknown control status; choose one of %(values)s."), ControlStatus.values)
        return value


class ControlsIn(InputSchema):
    """Controls not listed keep their current state."""

    model_config = ConfigDict(extra="forbid")

    checked_at: dt.date | None = None
    controls: list[ControlStateIn] = Field(max_length=len(CONTROLS_BY_ID))

    @field_validator("controls")
    @classmethod
    def _unique(cls, value: list[ControlStateIn]) -> list[ControlStateIn]:
        ids = [c.control_id for c in value]
        if len(ids) != len(set(ids)):
            raise ValueError(_("Each control may appear only once."))
        return value


class ControlsResult(Schema):
    changed: int
    controls: list[ControlStateOut]


class HistoryOut(Schema):
    id: int
    time: dt.datetime
    actor: str
    action: str
    action_label: str
    before: Any
    after: Any
    reason: str
