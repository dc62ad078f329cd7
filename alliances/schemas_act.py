"""Shapes of the rotating chair, activities and board API (alliances/api/activities.py). Related objects
are ``Ref`` ({id, name}); integer keys never leave the server; names of people who signed up are shown to
the activity's organiser only (``ActivityDetailOut.people``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import field_validator

from alliances.models import ActivityState, BoardPostKind, OpenTo
from gongjian.api_shapes import Ref
from service.schemas import calendar_day, local_time

# --- the rotating chair ----------------------------------------------------------------------------


class ChairTurnOut(Schema):
    id: UUID = Field(alias="public_id")
    alliance: Ref
    month: date = Field(description="The month's first day.")
    unit: Ref = Field(description="The chair unit.")
    scheduled_unit: Ref | None = Field(description="The unit first scheduled, when a swap changed the chair.")
    theme: str
    plan: str
    report: str
    reported_at: datetime | None


class ChairTurnQuery(Schema):
    alliance: UUID | None = Field(None, description="Only this alliance's turns.")
    year: int | None = Field(None, ge=2000, le=2100, description="Only this year's months.")


class ChairRotationIn(Schema):
    alliance: UUID
    year: int = Field(ge=2000, le=2100)
    start_month: int = Field(1, ge=1, le=12, description="Draw from this month to December.")


class ChairSwapIn(Schema):
    first: UUID = Field(description="A chair turn.")
    second: UUID = Field(description="Another chair turn of the same alliance.")
    reason: str = Field(max_length=200)


class ChairPlanIn(Schema):
    theme: str = Field(max_length=80)
    plan: str = Field(max_length=2000)


class ChairReportIn(Schema):
    report: str = Field(max_length=4000)


# --- activities ------------------------------------------------------------------------------------


class ActivityOut(Schema):
    id: UUID = Field(alias="public_id")
    alliance: Ref
    organiser_unit: Ref | None
    title: str
    theme: str
    community: Ref
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    open_to: OpenTo
    category: Ref = Field(description="The service-menu item members' attendance is recorded under.")
    state: ActivityState
    taken: int = Field(description="Places taken.")
    came: int = Field(description="People who signed in at the place.")


class ActivitySignupOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: Literal["member", "resident"]
    signed_up_at: datetime
    checked_in_at: datetime | None
    recorded: bool = Field(description="A member's attendance became a confirmed service record.")

    @staticmethod
    def resolve_kind(obj) -> str:
        return "member" if obj.member_id else "resident"

    @staticmethod
    def resolve_recorded(obj) -> bool:
        return obj.service_record_id is not None


class ActivityResultsOut(Schema):
    records: int
    points: int
    residents: int = Field(description="Residents who came: people served, not recorded.")


class ActivityDetailOut(ActivityOut):
    description: str
    cancel_reason: str
    chair_month: date | None = Field(description="The chair's month the activity was led for.")
    people: list[ActivitySignupOut] | None = Field(
        description="Who signed up and who came (the organiser only)."
    )
    results: ActivityResultsOut | None = Field(description="Records made and points (the organiser only).")


class ActivityQuery(Schema):
    alliance: UUID | None = None
    state: ActivityState | None = None


class ActivityIn(Schema):
    alliance: UUID
    title: str = Field(max_length=100)
    theme: str = Field("", max_length=80)
    description: str = Field("", max_length=4000)
    community: UUID
    place: str = Field(max_length=120)
    starts_at: datetime
    ends_at: datetime
    category: UUID = Field(description="A service-menu item.")
    organiser_unit: UUID | None = Field(None, description="A member unit (none: the alliance itself).")
    capacity: int | None = Field(None, ge=1, le=100000)
    open_to: OpenTo = OpenTo.EVERYONE

    @field_validator("starts_at", "ends_at")
    @classmethod
    def _local(cls, moment: datetime) -> datetime | None:
        return local_time(moment)


class ActivityCheckInIn(Schema):
    secret: str = Field(max_length=64, description="The code the QR at the place carries.")


class ActivityCancelIn(Schema):
    reason: str = Field(max_length=200)


class AttendanceConfirmedOut(Schema):
    records: int = Field(description="Service records made by this call (0 when all were made before).")


# --- the board -------------------------------------------------------------------------------------


class BoardReadOut(Schema):
    unit: Ref
    at: datetime


class BoardPostOut(Schema):
    id: UUID = Field(alias="public_id")
    alliance: Ref
    kind: BoardPostKind
    title: str
    body: str
    due_on: date | None
    author_unit: Ref | None
    published_at: datetime
    reads: list[BoardReadOut] = Field(description="The member units that have read it.")

    @staticmethod
    def resolve_reads(obj) -> list:
        return list(obj.reads.all())


class BoardPostQuery(Schema):
    alliance: UUID | None = None
    kind: BoardPostKind | None = None


class BoardPostIn(Schema):
    alliance: UUID
    kind: BoardPostKind
    title: str = Field(max_length=100)
    body: str = Field(max_length=8000)
    due_on: date | None = None

    @field_validator("due_on")
    @classmethod
    def _within_calendar(cls, day: date | None) -> date | None:
        return calendar_day(day)
