"""Shapes of the cases API (cases/api.py): the category tree, a case in a list, a case in full (its
dispatches, what was written on it and its history), and the bodies of the actions.

The reporter's name and masked phone are filled only for those ``cases.access.sees_reporter`` lets see
them, else null; the phone never leaves the server in clear. Related objects are ``Ref`` ({id, name});
integer keys never leave the server.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import field_validator

from cases.access import sees_reporter
from cases.models import (
    CaseSource,
    CaseState,
    DispatchRole,
    DispatchState,
    HolderLevel,
    Satisfaction,
    UpdateKind,
)
from gongjian.api_shapes import Ref
from service.schemas import EventOut, calendar_day, caller, local_time

# --- categories ------------------------------------------------------------------------------------


class CaseCategoryRef(Schema):
    id: UUID = Field(alias="public_id")
    code: str = Field(description="The Open311 service_code.")
    name: str


class CaseCategoryOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str = Field(description="The Open311 service_code.")
    name: str
    description: str
    keywords: str
    deadline_days: int = Field(description="Working days (Chinese calendar) to finish a case.")
    accept_days: int = Field(description="Working days for a called handler to accept or return.")
    default_handler: Ref | None = Field(description="The department the dispatch form offers first.")


class CaseCategoryGroupOut(CaseCategoryOut):
    children: list[CaseCategoryOut] = Field(description="The categories a case is filed under.")

    @staticmethod
    def resolve_children(obj):
        return obj.active_children


# --- a case ----------------------------------------------------------------------------------------


class CaseOut(Schema):
    id: UUID = Field(alias="public_id")
    number: str | None = Field(
        description="The case number read out on the phone (Open311 service_request_id)."
    )
    title: str
    category: CaseCategoryRef
    source: CaseSource
    state: CaseState
    street: Ref
    community: Ref | None
    grid: Ref | None
    held_by: HolderLevel = Field(alias="holder_level", description="Whose staff triage the case now.")
    holder: Ref = Field(alias="holder_area")
    reported_at: datetime
    due_at: datetime | None
    overdue: bool = Field(alias="is_overdue")
    escalation_level: int
    reopen_count: int
    resolved_at: datetime | None
    completed_on_time: bool | None
    closed_at: datetime | None
    rating: Satisfaction | None
    updated_at: datetime

    @staticmethod
    def resolve_rating(obj) -> str | None:
        return obj.rating or None


class CaseDispatchOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: Ref
    role: DispatchRole
    state: DispatchState
    note: str
    dispatched_at: datetime
    accept_by: datetime
    due_at: datetime
    accepted_at: datetime | None
    accepted_on_time: bool | None
    return_reason: str
    returned_at: datetime | None
    done_at: datetime | None
    completed_on_time: bool | None


class CaseUpdateOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: UpdateKind
    text: str
    author: str | None
    unit: Ref | None = Field(description="The handler it was written for, if any.")
    at: datetime
    photos: int = Field(description="How many photos it carries (seen on the case's page).")

    @staticmethod
    def resolve_author(obj) -> str | None:
        return str(obj.author) if obj.author_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.dispatch.unit if obj.dispatch_id else None

    @staticmethod
    def resolve_photos(obj) -> int:
        return len(obj.photos.all())


class CaseEventOut(EventOut):
    unit: Ref | None = Field(description="The department or unit it concerned (a dispatch, an acceptance).")


def _sees_reporter(obj, context) -> bool:
    """Asked once per case and answer (the name and the phone share it)."""
    seen = getattr(obj, "_api_sees_reporter", None)
    if seen is None:
        seen = sees_reporter(caller(context), obj)
        obj._api_sees_reporter = seen
    return seen


class CaseDetailOut(CaseOut):
    description: str
    compound: Ref | None
    building: Ref | None
    address: str
    latitude: float | None
    longitude: float | None
    reporter_name: str | None = Field(
        None, description="Only for the reporter, the case's staff and its handlers; else null."
    )
    reporter_phone_masked: str | None = Field(
        None, description="Masked (138****0001); only for those who see the reporter; else null."
    )
    external_id: str = Field(description="The ticket number in the source system (hotline, Open311).")
    result: str
    rating_comment: str
    merged_into: str | None = Field(description="The number of the case it was merged into.")
    dispatches: list[CaseDispatchOut] = Field(description="Every department and unit called, newest first.")
    updates: list[CaseUpdateOut] = Field(description="The report, progress and the result, oldest first.")
    events: list[CaseEventOut] = Field(description="The history: every change, who and when.")

    @staticmethod
    def resolve_latitude(obj) -> float | None:
        return float(obj.latitude) if obj.latitude is not None else None

    @staticmethod
    def resolve_longitude(obj) -> float | None:
        return float(obj.longitude) if obj.longitude is not None else None

    @staticmethod
    def resolve_reporter_name(obj, context) -> str | None:
        if not _sees_reporter(obj, context):
            return None
        if obj.reporter_name:
            return obj.reporter_name
        return str(obj.reporter) if obj.reporter_id else ""

    @staticmethod
    def resolve_reporter_phone_masked(obj, context) -> str | None:
        if not _sees_reporter(obj, context):
            return None
        return obj.reporter_phone_masked if obj.reporter_phone_hint else ""

    @staticmethod
    def resolve_merged_into(obj) -> str | None:
        return obj.merged_into.number if obj.merged_into_id else None

    @staticmethod
    def resolve_dispatches(obj):
        return obj.dispatches.all()

    @staticmethod
    def resolve_updates(obj):
        return obj.updates.all()

    @staticmethod
    def resolve_events(obj):
        return obj.events.all()


# --- filters and bodies -----------------------------------------------------------------------------


class CaseQuery(Schema):
    state: CaseState | None = None
    category: UUID | None = Field(None, description="A category, or a group (all its categories).")
    community: UUID | None = None
    street: UUID | None = None
    grid: UUID | None = Field(None, description="A grid and the grids under it.")
    unit: UUID | None = Field(None, description="Cases a department or unit was called to (any outcome).")
    overdue: bool | None = Field(None, description="true: past their deadline with the result not in.")
    reported_from: date | None = Field(None, description="Reported on or after this day (local time).")
    reported_to: date | None = Field(None, description="Reported on or before this day (local time).")

    @field_validator("reported_from", "reported_to")
    @classmethod
    def _within_calendar(cls, day: date | None) -> date | None:
        return calendar_day(day)


class CaseIn(Schema):
    title: str = Field(..., max_length=80, description="In a few words, what the problem is.")
    category: UUID = Field(description="A category (not a group): GET /case-categories.")
    description: str = Field("", max_length=2000)
    community: UUID | None = Field(
        None, description="Where: the most precise of community, grid, compound, building."
    )
    street: UUID | None = Field(None, description="Only when no community is known.")
    grid: UUID | None = None
    compound: UUID | None = None
    building: UUID | None = None
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    reporter_name: str = Field("", max_length=32, description="Who called, when filing for somebody.")
    reporter_phone: str = Field("", max_length=20, description="Their 11-digit mobile; stored sealed.")
    hotline: bool = Field(
        False, description="A 12345 hotline ticket (the street or the organisation department files it)."
    )
    external_id: str = Field("", max_length=64, description="The ticket's number in the source system.")


class CaseDispatchIn(Schema):
    lead: UUID | None = Field(
        None, description="The lead handler (主办单位); omitted to add co-handlers only."
    )
    co_handlers: list[UUID] = Field(
        default_factory=list, max_length=20, description="Co-handlers (协办单位)."
    )
    note: str = Field("", max_length=200, description="Instructions to the handlers.")
    due_at: datetime | None = Field(
        None, description="Omitted: the case's deadline (or the category's). Without a zone: local time."
    )

    @field_validator("due_at")
    @classmethod
    def _local(cls, moment: datetime | None) -> datetime | None:
        return local_time(moment)


class CaseHandlerIn(Schema):
    unit: UUID | None = Field(
        None, description="The department or unit answering, when the caller answers for several."
    )


class CaseReturnIn(CaseHandlerIn):
    reason: str = Field(..., max_length=200)


class CaseProgressIn(Schema):
    text: str = Field(..., max_length=2000, description="What has been done so far.")


class CaseCloseIn(Schema):
    result: str = Field(..., max_length=2000, description="What was done: a case is not closed without it.")


class CaseRateIn(Schema):
    rating: Literal["satisfied", "basic", "unsatisfied"]
    comment: str = Field("", max_length=200)


class CaseReopenIn(Schema):
    reason: str = Field(..., max_length=200, description="What is still wrong.")


class CaseMergeIn(Schema):
    into: UUID = Field(description="The case that carries on.")
    reason: str = Field("", max_length=200)
