"""Looking a roster's rows up in bulk: party organisations and areas by code, the areas' compounds
and buildings by name, members by ID-number hash, the paths of each unit's own organisations. One
roster asks for its own; a set-up file of many units' rosters asks once for all of them (golive)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from orgs.models import PartyOrg, Unit
from people.models import Member
from places.models import Area, AreaLevel, Building, Compound


def _chunks(items: list, size: int | None = None) -> Iterator[list]:
    """Lists of at most ``size`` keys for one ``IN``: SQLite binds at most 999 parameters on old builds;
    PostgreSQL takes 20,000 at once (a million-row roster's hashes in 50 queries, not 1,100)."""
    size = size or (20_000 if connection.vendor == "postgresql" else 900)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def existing_members(id_hashes: list[str]) -> dict[str, Member]:
    """Members already registered under these ID-number hashes (a handful of queries)."""
    found: dict[str, Member] = {}
    for chunk in _chunks(id_hashes):
        for member in Member.objects.filter(id_number_hash__in=chunk).only("pk", "id_number_hash", "unit_id"):
            found[member.id_number_hash] = member
    return found


@dataclass
class Known:
    """What a roster's rows name, found in a handful of queries: party organisations and areas by
    code, the areas' compounds and buildings by name, members by ID-number hash, and the paths of
    each unit's own organisations."""

    orgs: dict[str, PartyOrg]
    areas: dict[str, Area]
    compounds: dict[tuple[int, str], Compound]
    buildings: dict[tuple[int, str], Building]
    members: dict[str, Member]
    unit_org_paths: dict[int, tuple[str, ...]]


def look_up(*, units: list[Unit], org_codes: set[str], area_codes: set[str], id_hashes: set[str]) -> Known:
    codes = sorted(c for c in org_codes if c)
    orgs = {o.code: o for chunk in _chunks(codes) for o in PartyOrg.objects.filter(code__in=chunk)}
    paths: dict[int, list[str]] = {}
    unit_ids = [u.pk for u in units]
    for chunk in _chunks(unit_ids):
        for unit_id, path in PartyOrg.objects.filter(unit_id__in=chunk).values_list("unit_id", "path"):
            paths.setdefault(unit_id, []).append(path)
    wanted = sorted(c for c in area_codes if c)
    areas = {a.code: a for chunk in _chunks(wanted) for a in Area.objects.filter(code__in=chunk)}
    community_ids = [a.pk for a in areas.values() if a.level == AreaLevel.COMMUNITY]
    compounds = {
        (c.community_id, c.name): c
        for chunk in _chunks(community_ids)
        for c in Compound.objects.filter(community_id__in=chunk)
    }
    buildings = {
        (b.compound_id, b.name): b
        for chunk in _chunks(community_ids)
        for b in Building.objects.filter(compound__community_id__in=chunk)
    }
    return Known(
        orgs=orgs,
        areas=areas,
        compounds=compounds,
        buildings=buildings,
        members=existing_members(sorted(id_hashes)),
        unit_org_paths={unit_id: tuple(found) for unit_id, found in paths.items()},
    )
