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


class CategoryIn(Schema):
    city: UUID | None = Field(
        None,
        description="The city whose menu gets the row; null: the menu every city shares (platform administrators).",
    )
    parent: UUID | None = Field(None, description="The big category of a new item; null: a new big category.")
    name: str = Field(min_length=1, max_length=48)
    code: str = Field("", max_length=48, description="Letters, digits and dashes; empty: one is made up.")
    vanguard_kind: VanguardKind | Literal[""] = ""
    keywords: str = Field("", max_length=200, description="Skills that fit, separated by spaces.")


class CategoryChangeIn(Schema):
    """Fields left out keep their values."""

    name: str | None = Field(None, min_length=1, max_length=48)
    vanguard_kind: VanguardKind | Literal[""] | None = None
    keywords: str | None = Field(None, max_length=200)


class CategoryMoveIn(Schema):
    direction: Literal["up", "down"]
