"""Shapes of the service posts' API (service/posts/api.py)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.utils import timezone
from ninja import Field, Schema

from gongjian.api_shapes import Ref


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
