"""Bulk look-ups the set-up sheets share: areas, units, grids and party organisations by their
natural keys, a few queries per file whatever its length."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from orgs.models import PartyOrg, Unit
from places.models import Area, Grid

CHUNK = 900  # SQLite's bound-parameter limit, with room


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def areas_by_code(codes: Iterable[str]) -> dict[str, Area]:
    wanted = sorted({c for c in codes if c})
    return {a.code: a for chunk in chunks(wanted) for a in Area.objects.filter(code__in=chunk)}


def grids_by_code(codes: Iterable[str]) -> dict[str, Grid]:
    wanted = sorted({c for c in codes if c})
    return {
        g.code: g
        for chunk in chunks(wanted)
        for g in Grid.objects.filter(code__in=chunk).select_related("street", "parent")
    }


def orgs_by_code(codes: Iterable[str]) -> dict[str, PartyOrg]:
    wanted = sorted({c for c in codes if c})
    return {o.code: o for chunk in chunks(wanted) for o in PartyOrg.objects.filter(code__in=chunk)}


def units_by_ref(refs: Iterable[str]) -> dict[str, Unit]:
    """Units by name or by unified social credit code (a file may give either)."""
    wanted = sorted({r for r in refs if r})
    found: dict[str, Unit] = {}
    for chunk in chunks(wanted):
        for unit in Unit.objects.filter(name__in=chunk).select_related("address_area"):
            found[unit.name] = unit
        for unit in Unit.objects.filter(credit_code__in=chunk).select_related("address_area"):
            found.setdefault(unit.credit_code, unit)
    return found
