"""Shapes of the resources' API (service/resources/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from gongjian.api_shapes import Ref
from service.models import ResourceKind


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
