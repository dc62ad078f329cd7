"""Shapes of the service menu's API (service/menu/api.py)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from ninja import Field, Schema

from checkin.models import VanguardKind
from gongjian.api_shapes import Ref


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
