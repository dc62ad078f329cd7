"""Shapes every API router shares: the list page, filter parameters, nested references (and looking
up an object a request body names), errors.

Kept apart from gongjian/api.py (which mounts the routers) so that the routers can import these
without an import cycle.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import django_filters
from django.core.exceptions import ValidationError as Refusal
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase
from pydantic import create_model

from gongjian.counting import COUNT_CAP, bounded_count

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# Far past any list's length, and far below 2**63, past which no database can skip rows (a bigger
# offset used to reach the database and fail there: 500).
MAX_OFFSET = 1_000_000_000


class ListPage(PaginationBase):
    """``?limit=&offset=`` paging answering ``{"items": [...], "count": N, "count_exact": bool,
    "has_more": bool}``.

    The page is fetched with one row more, which says whether more follow (``has_more``). The list is
    never counted whole (a scan of the table at city level: 92 ms of 132 at 200,000 members): on
    its last page the count is known from the offset; otherwise it is counted up to ``COUNT_CAP``
    (``gongjian.counting.bounded_count``). Past that, ``count`` is a lower bound and ``count_exact`` false.
    """

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size (at most 200).")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip (at most 1,000,000,000).")

    class Output(Schema):
        items: list[Any]
        count: int = Field(
            description=(
                f"How many items the list holds: exact when count_exact is true (always for lists of "
                f"up to {COUNT_CAP:,} items, and on a list's last page), else a lower bound."
            )
        )
        count_exact: bool = Field(description="Whether count is the exact length of the list.")
        has_more: bool = Field(description="Whether items follow this page (ask with offset + limit).")

    items_attribute = "items"
    count_cap = COUNT_CAP

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any
    ) -> dict:
        start, limit = pagination.offset, pagination.limit
        rows = list(queryset[start : start + limit + 1])
        items, has_more = rows[:limit], len(rows) > limit
        if not has_more and (items or start == 0):
            count, exact = start + len(items), True  # the last page: no count needed
        elif has_more and start + len(rows) > self.count_cap:
            count, exact = start + len(rows), False  # past the cap: at least this many
        else:
            count = bounded_count(queryset, self.count_cap)
            exact = count <= self.count_cap
        return {"items": items, "count": count, "count_exact": exact, "has_more": has_more}


# An operation that any signed-in user may call says so with ``openapi_extra=ANY_SIGNED_IN_USER``;
# every other operation's document lists 403 (gongjian.api.document_shared_answers).
ANY_SIGNED_IN_USER = {"x-roles": "any signed-in user"}


class Ref(Schema):
    """A related object, as its public id and name."""

    id: UUID = Field(alias="public_id")
    name: str


class FieldErrorOut(Schema):
    """One refused input: where it was (``["query", "level"]``, ``["body", "payload", "reason"]``),
    what is wrong, and pydantic's error type."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """Every error answer: ``detail`` says what went wrong, in words. Invalid input (422) also lists
    each refused field in ``errors``."""

    detail: str
    errors: list[FieldErrorOut] | None = None


def filter_params(filterset: type[django_filters.FilterSet], name: str) -> type[Schema]:
    """A ninja query schema mirroring a FilterSet, so the OpenAPI document lists its parameters.

    Validation here is light (types, choices); the FilterSet itself still does the filtering, from
    ``request.GET``, exactly as on the pages.
    """
    fields: dict[str, Any] = {}
    for field_name, flt in filterset.base_filters.items():
        kind: Any = str
        if isinstance(flt, django_filters.ModelChoiceFilter):  # before ChoiceFilter, its base
            kind = UUID
        elif isinstance(flt, django_filters.ChoiceFilter):
            kind = Literal[tuple(value for value, _label in flt.extra["choices"])]
        elif isinstance(flt, django_filters.BooleanFilter):
            kind = Literal["true", "false"]
        fields[field_name] = (kind | None, None)
    return create_model(name, __base__=Schema, **fields)


def apply_filters(
    filterset: type[django_filters.FilterSet], request: HttpRequest, queryset: QuerySet
) -> QuerySet:
    """Filter a (scoped) queryset with a page's FilterSet; invalid values answer 422."""
    bound = filterset(request.GET, queryset=queryset, request=request)
    if not bound.is_valid():
        raise ValidationError(
            [
                {"loc": ["query", field], "msg": str(message), "type": "invalid"}
                for field, messages in bound.errors.items()
                for message in messages
            ]
        )
    return bound.qs


def one_of(queryset: QuerySet, public_id: UUID | None, message: str) -> Any:
    """An object named in a request body, looked up in ``queryset`` (the caller's scope, or the city
    where the action itself decides who may be named); None when none is named; unknown → 422 with
    ``message``."""
    if public_id is None:
        return None
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Refusal(message)
    return found
