"""Shapes of the projects' API (service/projects/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from gongjian.api_shapes import Ref
from service.models import ProjectState
from service.projects.state import MAX_BENEFICIARIES
from service.schemas import EventOut


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
