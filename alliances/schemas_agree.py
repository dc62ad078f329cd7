"""The API's shapes for alliances, member units, posts, agreements and leader links (part agree)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from gongjian.api_shapes import Ref


class AllianceOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: str
    area: Ref
    lead_org: Ref | None = None
    state: str
    founded_on: date


class AllianceMemberOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: Ref
    joined_on: date
    state: str = Field(description="active (an agreement in force), expired (its agreement expired) or none")


class AllianceDetailOut(AllianceOut):
    charter: str
    members: list[AllianceMemberOut]


class AllianceIn(Schema):
    name: str = Field(max_length=80)
    kind: str = Field(description="street, community or big_committee")
    area: UUID = Field(description="The street or community it is led from.")
    lead_org: UUID | None = None
    charter: str = Field("", max_length=4000)
    founded_on: date | None = None


class AllianceMemberIn(Schema):
    unit: UUID
    note: str = Field("", max_length=200)


class AllianceMemberRemoveIn(Schema):
    reason: str = Field(max_length=200)


class AlliancePostOut(Schema):
    id: UUID = Field(alias="public_id")
    alliance: Ref
    role: str
    holder_name: str
    unit: Ref | None = None
    followed_units: list[Ref]
    started_on: date
    ended_on: date | None = None


class AlliancePostIn(Schema):
    alliance: UUID
    role: str = Field(description="secretary, deputy, part_time, inspector, envoy, liaison or informant")
    user: UUID
    unit: UUID | None = None
    followed_units: list[UUID] = Field(default_factory=list, max_length=200)
    started_on: date | None = None


class AgreementCommitmentOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    description: str
    quantity: Decimal
    measure: str
    resource: UUID | None = Field(None, description="The unit's resource (service loop) it gives.")
    project: UUID | None = Field(None, description="The co-building project it takes part in.")


class AgreementCommitmentIn(Schema):
    kind: str = Field(description="people, hours, funds, venue, project or other")
    description: str = Field(max_length=200)
    quantity: Decimal = Field(Decimal(0), ge=0, max_digits=12, decimal_places=2)
    measure: str = Field("", max_length=16)
    resource: UUID | None = Field(None, description="One of the unit's resources.")
    project: UUID | None = Field(None, description="A project in the alliance's area.")


class AgreementOut(Schema):
    id: UUID = Field(alias="public_id")
    alliance: Ref
    unit: Ref
    community: Ref | None = None
    title: str
    state: str
    starts_on: date
    ends_on: date
    unit_signed_at: datetime | None = None
    lead_signed_at: datetime | None = None


class AgreementDetailOut(AgreementOut):
    terms: str
    commitments: list[AgreementCommitmentOut]
    previous: UUID | None = None
    ended_on: date | None = None
    end_reason: str


class AgreementIn(Schema):
    alliance: UUID
    unit: UUID
    title: str = Field(max_length=80)
    starts_on: date
    ends_on: date
    terms: str = Field("", max_length=8000)
    community: UUID | None = Field(
        None, description="For a co-building pairing (结对共建) with one community."
    )
    commitments: list[AgreementCommitmentIn] = Field(default_factory=list, max_length=50)


class AgreementEndIn(Schema):
    reason: str = Field(max_length=200)


class AgreementRenewIn(Schema):
    ends_on: date
    starts_on: date | None = None


class LeaderLinkOut(Schema):
    id: UUID = Field(alias="public_id")
    leader_name: str
    leader_title: str
    community: Ref
    started_on: date
    ended_on: date | None = None


class LeaderLinkIn(Schema):
    community: UUID
    leader_name: str = Field(max_length=32)
    leader_title: str = Field(max_length=80)
    leader: UUID | None = None
    started_on: date | None = None


class LeaderVisitOut(Schema):
    id: UUID = Field(alias="public_id")
    visited_on: date
    note: str
    problems: str
    cases: list[UUID]


class LeaderVisitIn(Schema):
    visited_on: date
    note: str = Field(max_length=2000)
    problems: str = Field("", max_length=2000)
    cases: list[UUID] = Field(default_factory=list, max_length=50)


class AgreementQuery(Schema):
    alliance: UUID | None = None
    unit: UUID | None = None
    state: Literal["draft", "in_force", "expiring", "expired", "ended", "renewed"] | None = Field(
        None, description="expiring: in force and ending within 30 days; expired: past its end, not renewed."
    )


class AlliancePostQuery(Schema):
    alliance: UUID | None = None
    role: Literal["secretary", "deputy", "part_time", "inspector", "envoy", "liaison", "informant"] | None = (
        None
    )
    current: bool | None = Field(None, description="true: posts not ended.")


class LeaderLinkQuery(Schema):
    community: UUID | None = None
    current: bool | None = Field(None, description="true: links not ended.")
