"""Shapes of the meetings and resolutions API (alliances/api/meetings.py): a meeting in a list and in full
(its invitations and attendance, cases taken up, resolutions), its minutes, a resolution with its updates,
and the bodies of the actions. Related objects are ``Ref`` ({id, name}); integer keys never leave."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from alliances.models import MeetingKind, MeetingState, MinutesState, ResolutionState
from gongjian.api_shapes import Ref


class MeetingHostRef(Schema):
    id: UUID = Field(alias="public_id")
    name: str


class MeetingOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: MeetingKind
    title: str
    alliance: MeetingHostRef | None
    party_org: MeetingHostRef | None
    place: str
    starts_at: datetime
    ends_at: datetime
    period_start: date = Field(description="The first day of the required period this meeting counts for.")
    state: MeetingState
    minutes_state: MinutesState


class MeetingInvitationOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    unit: Ref | None
    signed_in_at: datetime | None
    signed_in_via: str = Field(description="qr, secretary, or empty while not signed in.")
    excused: str = Field(description="The leave of absence (请假), if any.")


class MeetingCaseRef(Schema):
    id: UUID = Field(alias="public_id")
    number: str | None
    title: str


class MeetingResolutionRef(Schema):
    id: UUID = Field(alias="public_id")
    number: int
    text: str
    owner_unit: Ref
    due_on: date
    state: ResolutionState


class MeetingDetailOut(MeetingOut):
    agenda: str
    cancel_reason: str
    invitations: list[MeetingInvitationOut]
    cases: list[MeetingCaseRef]
    resolutions: list[MeetingResolutionRef]
    minutes_published_at: datetime | None

    @staticmethod
    def resolve_invitations(obj):
        return list(obj.invitations.all())

    @staticmethod
    def resolve_cases(obj):
        return list(obj.cases.all())

    @staticmethod
    def resolve_resolutions(obj):
        return list(obj.resolutions.all())


class MeetingIn(Schema):
    kind: MeetingKind
    alliance: UUID | None = Field(None, description="The alliance holding it (or party_org).")
    party_org: UUID | None = Field(None, description="The party organisation holding it (三会一课).")
    title: str = Field(max_length=100)
    place: str = Field(max_length=120)
    starts_at: datetime
    ends_at: datetime
    agenda: str = Field("", max_length=4000)
    period_start: date | None = Field(
        None, description="An earlier period this meeting makes up for; by default the one it is held in."
    )
    invite_units: list[UUID] = Field(default_factory=list, max_length=200)
    invite_users: list[UUID] = Field(default_factory=list, max_length=200)
    cases: list[UUID] = Field(default_factory=list, max_length=50)


class MeetingSignInIn(Schema):
    secret: str = Field(max_length=64, description="The secret in the room's QR code address.")


class MinutesOut(Schema):
    text: str
    state: MinutesState
    published_at: datetime | None
    revisions: list[MinutesRevisionOut]


class MinutesRevisionOut(Schema):
    at: datetime
    author: str | None
    note: str
    published: bool

    @staticmethod
    def resolve_author(obj):
        return str(obj.author) if obj.author else None


class MinutesIn(Schema):
    text: str = Field(max_length=20000)
    note: str = Field("", max_length=200, description="Needed to amend published minutes.")


class ResolutionOut(Schema):
    id: UUID = Field(alias="public_id")
    meeting: MeetingHostRef = Field(description="The meeting (its title as name).")
    number: int
    text: str
    owner_unit: Ref
    due_on: date
    state: ResolutionState
    case: MeetingCaseRef | None
    closed_at: datetime | None

    @staticmethod
    def resolve_meeting(obj):
        return {"public_id": obj.meeting.public_id, "name": obj.meeting.title}


class ResolutionUpdateOut(Schema):
    id: UUID = Field(alias="public_id")
    note: str
    is_evidence: bool
    at: datetime
    files: list[str] = Field(description="The names of the files attached.")

    @staticmethod
    def resolve_files(obj):
        return [f.name for f in obj.files.all()]


class ResolutionDetailOut(ResolutionOut):
    updates: list[ResolutionUpdateOut]

    @staticmethod
    def resolve_updates(obj):
        return list(obj.updates.all())


class ResolutionIn(Schema):
    meeting: UUID
    text: str = Field(max_length=500)
    owner_unit: UUID
    due_on: date


class ResolutionProgressIn(Schema):
    note: str = Field(max_length=1000)
    evidence: bool = False


class ResolutionCloseIn(Schema):
    note: str = Field("", max_length=300)


class ResolutionToCaseIn(Schema):
    category: UUID = Field(description="The case category (a leaf of /case-categories).")


class ResolutionDropIn(Schema):
    reason: str = Field(max_length=300)


MinutesOut.model_rebuild()
