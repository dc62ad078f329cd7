"""Shapes of the service API (service/api.py): what each collection answers and what its writes take.

Explicit fields only. Related objects appear as ``Ref`` ({id, name}) or as a bare public id; integer
keys never leave the server. A need's beneficiary name and address are filled only for those
``service.privacy.can_see_beneficiary`` lets see them, else null.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from checkin.models import VanguardKind
from gongjian.api_shapes import Ref
from service.filters import check_day
from service.models import (
    AssignmentState,
    AssignmentVia,
    ConfirmedVia,
    NeedKind,
    NeedState,
    PostedAs,
    ProjectState,
    RecordState,
    ResourceKind,
    Urgency,
)
from service.privacy import can_see_beneficiary, can_see_record_beneficiary
from service.unit_actions import MAX_BENEFICIARIES

# --- shared ---------------------------------------------------------------------------------------


def _caller(context) -> object:
    return context["request"].auth


class EventOut(Schema):
    """One recorded change: who, when, from which state to which, and why."""

    from_state: str | None
    to_state: str
    action: str
    actor: str | None
    at: datetime
    reason: str

    @staticmethod
    def resolve_from_state(obj) -> str | None:
        return obj.from_state or None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=200)


class NoteIn(Schema):
    note: str = Field("", max_length=200)


def _day(day: date | None) -> date | None:
    """A day of 2000–2099 (422 otherwise: the calendar's ends overflow the period's bounds)."""
    if day is not None:
        try:
            check_day(day)
        except ValidationError as exc:
            raise ValueError(" ".join(exc.messages)) from exc
    return day


def _aware(moment: datetime | None) -> datetime | None:
    """A time sent without a zone is local time (settings.TIME_ZONE), as typed on the pages; its day
    must be of 2000–2099 like any day the API takes."""
    if moment is None:
        return None
    _day(moment.date())
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Period(Schema):
    start: date | None = Field(None, description="From this day (inclusive); 2000-01-01 at the earliest.")
    end: date | None = Field(None, description="Until this day (inclusive); 2099-12-31 at the latest.")

    @field_validator("start", "end")
    @classmethod
    def _within_calendar(cls, day: date | None) -> date | None:
        return _day(day)

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The period as [start, end) in local time: from the start day's midnight to the one after
        the end day."""
        start = _midnight(self.start) if self.start else None
        end = _midnight(self.end + timedelta(days=1)) if self.end else None
        return start, end


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- the menu -------------------------------------------------------------------------------------


class CategoryOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    parent: UUID | None = Field(None, description="The big category of an item; null for a big category.")
    city: Ref | None
    vanguard_kind: VanguardKind | Literal[""]
    keywords: str
    active: bool

    @staticmethod
    def resolve_parent(obj) -> UUID | None:
        return obj.parent.public_id if obj.parent_id else None


class CategoryTreeOut(CategoryOut):
    items: list[CategoryOut]


class CategoryQuery(Schema):
    city: UUID | None = Field(None, description="The menu of this city (its rows and the shared ones).")
    parent: UUID | None = Field(None, description="Only the items of this big category.")
    big: bool | None = Field(None, description="true: only big categories; false: only items.")
    retired: bool = Field(False, description="Include categories no longer offered.")


# --- needs, wishes, assignments -------------------------------------------------------------------


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
        seen = can_see_beneficiary(_caller(context), obj)
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
        return _aware(moment)


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
        return _aware(moment)


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


# --- service posts --------------------------------------------------------------------------------


class PostOut(Schema):
    id: UUID = Field(alias="public_id")
    community: Ref
    title: str
    category: Ref
    description: str
    schedule: str
    place: str
    capacity: int
    taken: int = Field(description="Members holding the post now.")
    held: bool = Field(description="The caller holds the post.")
    open: bool = Field(description="Open for claims today.")
    starts_on: date
    ends_on: date | None
    created_at: datetime
    closed_at: datetime | None

    @staticmethod
    def resolve_open(obj) -> bool:
        return obj.closed_at is None and (obj.ends_on is None or obj.ends_on >= timezone.localdate())


class ClaimOut(Schema):
    member: Ref
    claimed_at: datetime


class PostDetailOut(PostOut):
    holders: list[ClaimOut] | None = Field(None, description="Who holds it; for the community only.")


class PostQuery(Schema):
    community: UUID | None = None
    category: UUID | None = None
    open: bool | None = Field(None, description="true: open for claims today.")
    held: bool | None = Field(None, description="true: posts the caller holds.")


class PostIn(Schema):
    community: UUID
    title: str = Field(..., max_length=80)
    category: UUID
    schedule: str = Field(..., max_length=120)
    capacity: int = Field(..., ge=1, le=32767)
    starts_on: date
    ends_on: date | None = None
    description: str = Field("", max_length=2000)
    place: str = Field("", max_length=120)


# --- household pairings ---------------------------------------------------------------------------


class PairingOut(Schema):
    id: UUID = Field(alias="public_id")
    member: Ref | None
    unit: Ref | None
    household: Ref
    community: Ref
    reason: str
    started_on: date
    ended_on: date | None
    visit_count: int


class VisitOut(Schema):
    visited_on: date
    note: str
    logged_by: str | None
    logged_at: datetime

    @staticmethod
    def resolve_logged_by(obj) -> str | None:
        return str(obj.logged_by) if obj.logged_by_id else None


class PairingDetailOut(PairingOut):
    visits: list[VisitOut]

    @staticmethod
    def resolve_visits(obj):
        return obj.visits.all()


class PairingQuery(Schema):
    community: UUID | None = None
    member: UUID | None = None
    unit: UUID | None = None
    active: bool | None = Field(None, description="true: not ended.")


class PairingIn(Schema):
    household: UUID = Field(description="The resident whose household is paired.")
    member: UUID | None = None
    unit: UUID | None = None
    reason: str = Field(..., max_length=120)
    started_on: date | None = Field(None, description="Omitted: today.")


class VisitIn(Schema):
    visited_on: date
    note: str = Field(..., max_length=300)


class OptionalReasonIn(Schema):
    reason: str = Field("", max_length=200)


# --- resources and projects -----------------------------------------------------------------------


class ResourceOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: Ref
    kind: ResourceKind
    title: str
    category: Ref | None
    quantity: Decimal
    measure: str
    available_from: date
    available_until: date | None
    community: Ref | None = Field(description="Offered to this community; null: to any.")
    note: str
    created_at: datetime
    withdrawn_at: datetime | None


class ResourceQuery(Schema):
    unit: UUID | None = None
    kind: ResourceKind | None = None
    category: UUID | None = None
    community: UUID | None = Field(None, description="Offered to this community (or to any).")
    available: bool | None = Field(None, description="true: offered today and not withdrawn.")


class ResourceIn(Schema):
    unit: UUID = Field(description="A unit the caller administers.")
    kind: ResourceKind
    title: str = Field(..., max_length=80)
    quantity: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    measure: str = Field(..., max_length=16, description="hours, yuan, items, m²…")
    available_from: date | None = Field(None, description="Omitted: today.")
    available_until: date | None = None
    category: UUID | None = None
    community: UUID | None = Field(None, description="Offered to this community only; omitted: to any.")
    note: str = Field("", max_length=300)


class MilestoneOut(Schema):
    title: str
    due_on: date | None
    done_on: date | None


class CommitmentOut(Schema):
    unit: Ref
    resource: UUID | None
    description: str
    quantity: Decimal
    measure: str
    committed_at: datetime

    @staticmethod
    def resolve_resource(obj) -> UUID | None:
        return obj.resource.public_id if obj.resource_id else None


class ProjectOut(Schema):
    id: UUID = Field(alias="public_id")
    community: Ref
    title: str
    description: str
    category: Ref | None
    state: ProjectState
    budget: Decimal | None
    starts_on: date | None
    ends_on: date | None
    beneficiaries_served: int
    evaluation: str
    created_at: datetime
    units: list[Ref]
    rating: float | None = Field(None, description="Residents' mean score (1–5).")
    ratings: int = Field(0, description="How many residents rated it.")

    @staticmethod
    def resolve_units(obj):
        return obj.units.all()

    @staticmethod
    def resolve_rating(obj) -> float | None:
        return round(obj.rating_mean, 2) if obj.rating_mean is not None else None

    @staticmethod
    def resolve_ratings(obj) -> int:
        return obj.rating_count


class ProjectDetailOut(ProjectOut):
    milestones: list[MilestoneOut]
    commitments: list[CommitmentOut]
    events: list[EventOut]

    @staticmethod
    def resolve_milestones(obj):
        return obj.milestones.all()

    @staticmethod
    def resolve_commitments(obj):
        return obj.commitments.all()

    @staticmethod
    def resolve_events(obj):
        return obj.events.all()


class ProjectIn(Schema):
    community: UUID
    title: str = Field(..., max_length=100)
    description: str = Field("", max_length=4000)
    category: UUID | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    starts_on: date | None = None
    ends_on: date | None = None
    unit: UUID | None = Field(None, description="A unit taking part from the start (a unit admin's own).")


class UnitIn(Schema):
    unit: UUID


class CommitmentIn(Schema):
    unit: UUID = Field(description="A participating unit the caller administers.")
    resource: UUID | None = Field(None, description="Part of one of the unit's resources.")
    description: str = Field("", max_length=200, description="Omitted with a resource: its title.")
    quantity: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    measure: str = Field("", max_length=16, description="Omitted with a resource: its measure.")


class CompleteProjectIn(Schema):
    beneficiaries_served: int = Field(..., ge=1, le=MAX_BENEFICIARIES)


class EvaluateIn(Schema):
    evaluation: str = Field(..., max_length=2000)


class MilestoneIn(Schema):
    title: str = Field(..., max_length=100)
    due_on: date | None = None


class ProjectQuery(Schema):
    state: ProjectState | None = None
    community: UUID | None = None
    unit: UUID | None = Field(None, description="Projects this unit takes part in.")


# --- service records ------------------------------------------------------------------------------


class RecordOut(Schema):
    id: UUID = Field(alias="public_id")
    member: Ref
    unit: Ref | None
    community: Ref
    category: Ref
    need: UUID | None = Field(None, alias="need_uuid")
    post: UUID | None = Field(None, alias="post_uuid")
    pairing: UUID | None = Field(None, alias="pairing_uuid")
    project: UUID | None = Field(None, alias="project_uuid")
    started_at: datetime
    minutes: int
    description: str
    beneficiary: Ref | None = Field(None, description="Only for those who may know whom the member served.")
    beneficiary_name: str | None = Field(
        None, description="Only for those who may know whom the member served."
    )
    state: RecordState
    flags: list[str]
    created_at: datetime
    confirmed_at: datetime | None
    confirmed_via: ConfirmedVia | None
    reject_reason: str
    score: int | None = Field(None, description="The beneficiary's rating (1–5).")

    @staticmethod
    def resolve_beneficiary(obj, context):
        if not can_see_record_beneficiary(_caller(context), obj):
            return None
        return obj.beneficiary_resident

    @staticmethod
    def resolve_beneficiary_name(obj, context) -> str | None:
        return obj.beneficiary_name if can_see_record_beneficiary(_caller(context), obj) else None

    @staticmethod
    def resolve_confirmed_via(obj) -> str | None:
        return obj.confirmed_via or None

    @staticmethod
    def resolve_score(obj) -> int | None:
        rating = getattr(obj, "rating", None)
        return rating.score if rating is not None else None


class RecordEventOut(EventOut):
    via: str


class RecordDetailOut(RecordOut):
    photos: list[str] = Field(description="Addresses of the photos.")
    events: list[RecordEventOut]
    confirmation_code: str | None = Field(
        None, description="The one-time code the member shows the beneficiary; only for the member."
    )

    @staticmethod
    def resolve_photos(obj) -> list[str]:
        # the API's photo endpoint (the record's scope decides, a bearer token works), never the media address
        return [
            reverse("api:get_record_photo", kwargs={"record_id": obj.public_id, "n": n})
            for n in range(1, len(obj.photos.all()) + 1)
        ]

    @staticmethod
    def resolve_events(obj):
        return obj.events.all()


class RecordQuery(Period):
    state: RecordState | None = None
    member: UUID | None = None
    community: UUID | None = None


class RecordIn(Schema):
    category: UUID = Field(description="An item of the service menu.")
    started_at: datetime = Field(description="Without a zone: local time.")
    minutes: int = Field(..., ge=5, le=24 * 60)
    description: str = Field(..., max_length=500)
    community: UUID | None = Field(None, description="Needed unless need, post, pairing or project says it.")
    need: UUID | None = None
    post: UUID | None = None
    pairing: UUID | None = None
    project: UUID | None = None
    beneficiary: UUID | None = Field(
        None,
        description="The resident served, among those the caller may see; a member logs against the "
        "need or pairing (which name the beneficiary) or gives ``beneficiary_name``.",
    )
    beneficiary_name: str = Field("", max_length=32)

    @field_validator("started_at")
    @classmethod
    def _local(cls, moment: datetime) -> datetime:
        return _aware(moment)


class ConfirmIn(Schema):
    code: str = Field("", max_length=12, description="The member's one-time code (beneficiary's app).")
    score: int | None = Field(None, ge=1, le=5, description="The person served rates it at once.")
    comment: str = Field("", max_length=300)
    note: str = Field("", max_length=200, description="Community: what was checked (needed when flagged).")


class RateIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)
