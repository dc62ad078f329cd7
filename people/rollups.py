"""The people measures that are rolled up (docs/ROLLUPS.md): members and residents by the place they live
in, filed under their ``residence_path`` (people.actions marks it on every write that moves, adds or
changes a counted person). The ``members`` and ``residents`` area figures (places.figures) read them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import Count, Q, QuerySet

from people.models import Member, Resident
from rollups.registry import Group, Row, Span, register


def _at(queryset: QuerySet, keys: Sequence[str] | None) -> QuerySet:
    queryset = queryset.exclude(residence_path="")  # no home: counted in no area
    return queryset if keys is None else queryset.filter(residence_path__in=[k for k in keys if k])


def recount_members(span: Span | None, keys: Sequence[str] | None) -> Iterable[Row]:
    """Members (in service or not) and in-service members living at each key, one grouped query."""
    grouped = (
        _at(Member.objects.all(), keys)
        .values("residence_path")
        .annotate(n=Count("id"), s=Count("id", filter=Q(in_service=True)))
        .order_by()
    )
    for row in grouped:
        path = row["residence_path"]
        yield (path, path, "members", row["n"])
        yield (path, path, "in_service", row["s"])


def recount_residents(span: Span | None, keys: Sequence[str] | None) -> Iterable[Row]:
    """Residents living at each key, one grouped query."""
    grouped = _at(Resident.objects.all(), keys).values("residence_path").annotate(n=Count("id")).order_by()
    for row in grouped:
        yield (row["residence_path"], row["residence_path"], "residents", row["n"])


MEMBERS = register(Group("people.members", ("members", "in_service"), recount_members))
RESIDENTS = register(Group("people.residents", ("residents",), recount_residents))
