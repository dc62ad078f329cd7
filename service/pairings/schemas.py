"""Shapes of the household pairings' API (service/pairings/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from ninja import Field, Schema

from gongjian.api_shapes import Ref


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
