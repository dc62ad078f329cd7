"""Shapes of the needs' API (service/needs/api.py): needs and wishes, their offers (assignments) and the
dispatch suggestions.

A need's beneficiary name and address, and the note of its offer, are filled only for those
``access.sees_beneficiary`` lets see them, else null.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema
from pydantic import field_validator

from access import sees_beneficiary
from gongjian.api_shapes import Ref
from service.models import AssignmentState, AssignmentVia, NeedKind, NeedState, PostedAs, Urgency
from service.schemas import EventOut, caller, local_time


class AssignmentOut(Schema):
    id: UUID = Field(alias="public_id")
    to: Literal["member", "team", "unit"] = Field(description="What the assignee is.")
    assignee: Ref
    via: AssignmentVia
    state: AssignmentState
    note: str
    suggestion_reason: str
    offered_at: datetime
    respond_by: datetime | None
    responded_at: datetime | None
    decline_reason: str

    @staticmethod
    def resolve_to(obj) -> str:
        return "member" if obj.member_id else "team" if obj.team_id else "unit"


class NeedBriefOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: NeedKind
    title: str
    state: NeedState
    community: Ref


class AssignmentWithNeedOut(AssignmentOut):
    need: NeedBriefOut


class CurrentAssignmentOut(AssignmentOut):
    """The offer on a need as anyone who can see the need reads it: the note (which may say how to
    reach the beneficiary) only for those who serve the beneficiary."""

    note: str | None = Field(description="Only for those who serve the beneficiary, else null.")

    @staticmethod
    def resolve_note(obj, context) -> str | None:
        return obj.note if _sees_beneficiary(obj.need, context) else None


def _sees_beneficiary(obj, context) -> bool:
    """Asked once per need and answer (the name and the address share it)."""
    seen = getattr(obj, "_api_sees_beneficiary", None)
    if seen is None:
        seen = sees_beneficiary(caller(context), obj)
        obj._api_sees_beneficiary = seen
    return seen


class NeedOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: NeedKind
    title: str
    description: str
    category: Ref
    community: Ref
    compound: Ref | None
    building: Ref | None
    grid: Ref | None
    urgency: Urgency
    budget: Decimal | None
    due_at: datetime | None
    overdue: bool = Field(alias="is_overdue")
    beneficiary_name: str | None = Field(None, description="Only for those who serve the beneficiary.")
    beneficiary_address: str | None = Field(None, description="Only for those who serve the beneficiary.")
    posted_as: PostedAs
    state: NeedState
    created_at: datetime
    closed_at: datetime | None
    assignment: CurrentAssignmentOut | None = Field(
        None, description="Whoever is offered or has the need now."
    )

    @staticmethod
    def resolve_beneficiary_name(obj, context) -> str | None:
        return obj.beneficiary_name if _sees_beneficiary(obj, context) else None

    @staticmethod
    def resolve_beneficiary_address(obj, context) -> str | None:
        return obj.beneficiary_address if _sees_beneficiary(obj, context) else None

    @staticmethod
    def resolve_assignment(obj):
        current = obj.current_assignments
        return current[0] if current else None


class NeedDetailOut(NeedOut):
    assignments: list[AssignmentOut] = Field(
        description="Every offer and taking, newest first; only for those who serve the beneficiary."
    )
    events: list[EventOut] = Field(description="The history; only for those who serve the beneficiary.")

    @staticmethod
    def resolve_assignments(obj, context):
        # who declined and why is nobody else's business (a member browsing open needs, say)
        return obj.assignments.all() if _sees_beneficiary(obj, context) else []

    @staticmethod
    def resolve_events(obj, context):
        return obj.events.all() if _sees_beneficiary(obj, context) else []


class NeedQuery(Schema):
    state: NeedState | None = None
    category: UUID | None = Field(None, description="An item, or a big category (all its items).")
    community: UUID | None = None
    urgency: Urgency | None = None
    overdue: bool | None = Field(None, description="true: past their due time and not yet served.")


class NeedIn(Schema):
    title: str = Field(..., max_length=80)
    category: UUID = Field(description="An item of the service menu.")
    community: UUID | None = Field(None, description="Omitted for a resident asking for themself.")
    description: str = Field("", max_length=2000)
    compound: UUID | None = None
    building: UUID | None = None
    grid: UUID | None = None
    urgency: Urgency = Urgency.NORMAL
    budget: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    due_at: datetime | None = Field(None, description="Without a zone: local time.")
    beneficiary: UUID | None = Field(None, description="The resident served, if registered.")
    beneficiary_name: str = Field("", max_length=32)
    beneficiary_address: str = Field("", max_length=120)

    @field_validator("due_at")
    @classmethod
    def _local(cls, moment: datetime | None) -> datetime | None:
        return local_time(moment)


class DispatchIn(Schema):
    member: UUID | None = None
    team: UUID | None = None
    unit: UUID | None = None
    note: str = Field("", max_length=200)
    respond_by: datetime | None = Field(
        None, description="Omitted: SERVICE_REPLY_HOURS from now. Without a zone: local time."
    )
    suggestion_reason: str = Field("", max_length=200, description="Why the suggestion list proposed them.")

    @field_validator("respond_by")
    @classmethod
    def _local(cls, moment: datetime | None) -> datetime | None:
        return local_time(moment)


class TakeIn(Schema):
    unit: UUID | None = Field(None, description="A unit admin taking the need for the unit.")


class SuggestionOut(Schema):
    kind: Literal["member", "team", "resource"]
    id: UUID
    name: str
    unit: Ref | None = Field(None, description="For a resource: the unit to dispatch to.")
    score: float
    reasons: list[str]


class AssignmentQuery(Schema):
    state: AssignmentState | None = None
    mine: bool = Field(False, description="Only offers to the caller, their teams and their units.")
