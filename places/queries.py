"""Reads for the area, compound, building and grid pages: scoped figures, a constant number of queries.

Every figure counts only what the user may see (``visible_to``). A level's children are counted
with one grouped query per measure, never one query per child: rows are grouped by the place they
belong to (an area path, a compound, a building) and summed up to the children in Python.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.scope import scope_for
from orgs.models import PartyOrg, Unit
from people.models import Member, Resident
from places.models import Area, Building, Compound, Grid
from places.paths import SEPARATOR, any_subtree_q, subtree_q
from rollups.counting import read

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


@dataclass
class Counts:
    """The figures shown for one place; ``None`` where a measure does not apply at that level."""

    members: int = 0
    in_service: int = 0
    residents: int = 0
    units: int | None = 0
    party_orgs: int | None = 0

    def add(self, other: Counts) -> None:
        self.members += other.members
        self.in_service += other.in_service
        self.residents += other.residents
        if self.units is not None and other.units is not None:
            self.units += other.units
        if self.party_orgs is not None and other.party_orgs is not None:
            self.party_orgs += other.party_orgs


@dataclass
class Figures:
    """A place's own figures, and its children's, keyed by the child's pk."""

    own: Counts
    children: dict[int, Counts] = field(default_factory=dict)


def top_areas(user: User | AnonymousUser) -> QuerySet[Area]:
    """The user's visible areas whose parent they cannot see: where their drill-down starts."""
    visible = Area.objects.visible_to(user)
    return visible.exclude(parent__in=Area.objects.visible_to(user)).order_by("path")


def breadcrumb_ancestors(user: User | AnonymousUser, area: Area) -> list[tuple[Area, bool]]:
    """The area's ancestors, root first, each with whether the user may open it."""
    ancestors = list(area.ancestors())
    visible = (
        set(
            Area.objects.visible_to(user)
            .filter(pk__in=[a.pk for a in ancestors])
            .values_list("pk", flat=True)
        )
        if ancestors
        else set()
    )
    return [(a, a.pk in visible) for a in ancestors]


# --- grouped measures ------------------------------------------------------------------------------


def _member_rows(user: User | AnonymousUser, key: F, **filters: Any) -> list[dict]:
    return list(
        Member.objects.visible_to(user)
        .filter(**filters)
        .order_by()
        .values(key=key)
        .annotate(n=Count("id"), s=Count("id", filter=Q(in_service=True)))
    )


def _resident_rows(user: User | AnonymousUser, key: F, **filters: Any) -> list[dict]:
    return list(
        Resident.objects.visible_to(user).filter(**filters).order_by().values(key=key).annotate(n=Count("id"))
    )


def _outermost(paths: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def _sees_everyone_living_in(user: User | AnonymousUser, prefixes: list[str]) -> bool:
    """Whether ``Member``/``Resident.visible_to(user)`` holds everyone living in these subtrees: the
    platform, or area roles whose own subtrees hold them (their scope is where people live)."""
    scope = scope_for(user)
    return scope.everything or all(
        any(prefix.startswith(path) for path in scope.area_paths) for prefix in prefixes
    )


def subtree_counts(user: User | AnonymousUser, areas: Iterable[Area]) -> dict[int, Counts]:
    """Each area's figures over its whole subtree: members and residents from the roll-ups where the
    user sees everyone living there (else counted live), units and organisations in two grouped
    queries, however many areas."""
    areas = list(areas)
    if not areas:
        return {}
    by_path = {a.path: Counts() for a in areas}
    prefixes = _outermost(by_path)

    def targets(path: str | None) -> list[Counts]:
        if not path:
            return []
        codes = path.split(SEPARATOR)[:-1]
        found = (by_path.get(SEPARATOR.join(codes[: i + 1]) + SEPARATOR) for i in range(len(codes)))
        return [c for c in found if c is not None]

    if _sees_everyone_living_in(user, prefixes):
        # every member and resident living there is visible: the roll-ups' counts are the user's
        rolled = read(["people.members", "people.residents"], list(by_path))
        for path, c in by_path.items():
            c.members = rolled["people.members"][path]["members"]
            c.in_service = rolled["people.members"][path]["in_service"]
            c.residents = rolled["people.residents"][path]["residents"]
    else:
        members = Member.objects.visible_to(user).filter(any_subtree_q("residence_path", prefixes))
        for row in (
            members.order_by()
            .values(key=F("residence_path"))
            .annotate(n=Count("id"), s=Count("id", filter=Q(in_service=True)))
        ):
            for c in targets(row["key"]):
                c.members += row["n"]
                c.in_service += row["s"]
        residents = Resident.objects.visible_to(user).filter(any_subtree_q("residence_path", prefixes))
        for row in residents.order_by().values(key=F("residence_path")).annotate(n=Count("id")):
            for c in targets(row["key"]):
                c.residents += row["n"]
    units = Unit.objects.visible_to(user).filter(any_subtree_q("address_area__path", prefixes))
    for row in units.order_by().values(key=F("address_area__path")).annotate(n=Count("id")):
        for c in targets(row["key"]):
            c.units += row["n"]
    # A party organisation counts where its area is, or else where its unit is located.
    orgs = PartyOrg.objects.visible_to(user).filter(
        any_subtree_q("area__path", prefixes) | any_subtree_q("unit__address_area__path", prefixes)
    )
    for row in (
        orgs.order_by().values(key=Coalesce("area__path", "unit__address_area__path")).annotate(n=Count("id"))
    ):
        for c in targets(row["key"]):
            c.party_orgs += row["n"]
    return {a.pk: by_path[a.path] for a in areas}


def area_figures(user: User | AnonymousUser, area: Area, children: Iterable[Area]) -> Figures:
    """An area's figures over its subtree, and each child area's, in four grouped queries."""
    children = list(children)
    counts = subtree_counts(user, [area, *children])
    return Figures(own=counts[area.pk], children={c.pk: counts[c.pk] for c in children})


def community_figures(user: User | AnonymousUser, community: Area, compounds: Iterable[Compound]) -> Figures:
    """A community's figures, and each compound's (members, residents, compound organisations)."""
    own = area_figures(user, community, []).own
    children = {c.pk: Counts(units=None) for c in compounds}
    for row in _member_rows(user, F("residence_compound"), residence_area=community):
        if row["key"] in children:
            children[row["key"]].members += row["n"]
            children[row["key"]].in_service += row["s"]
    for row in _resident_rows(user, F("residence_compound"), residence_area=community):
        if row["key"] in children:
            children[row["key"]].residents += row["n"]
    orgs = PartyOrg.objects.visible_to(user).filter(compound__in=list(children))
    for row in orgs.order_by().values(key=F("compound")).annotate(n=Count("id")):
        children[row["key"]].party_orgs += row["n"]
    return Figures(own=own, children=children)


def compound_figures(
    user: User | AnonymousUser, compound: Compound, buildings: Iterable[Building]
) -> Figures:
    """A compound's figures, and each building's (members and residents)."""
    own = Counts(units=None)
    children = {b.pk: Counts(units=None, party_orgs=None) for b in buildings}
    for row in _member_rows(user, F("residence_building"), residence_compound=compound):
        own.members += row["n"]
        own.in_service += row["s"]
        if row["key"] in children:
            children[row["key"]].members += row["n"]
            children[row["key"]].in_service += row["s"]
    for row in _resident_rows(user, F("residence_building"), residence_compound=compound):
        own.residents += row["n"]
        if row["key"] in children:
            children[row["key"]].residents += row["n"]
    own.party_orgs = PartyOrg.objects.visible_to(user).filter(compound=compound).count()
    return Figures(own=own, children=children)


def building_people(user: User | AnonymousUser, building: Building) -> tuple[list[Member], list[Resident]]:
    """The members and residents living in a building that the user may see."""
    members = list(
        Member.objects.visible_to(user)
        .filter(residence_building=building)
        .select_related("unit")
        .order_by("name_initials", "id")
    )
    residents = list(
        Resident.objects.visible_to(user).filter(residence_building=building).order_by("name_initials", "id")
    )
    return members, residents


# --- grids -----------------------------------------------------------------------------------------


def _roll_up_paths(rows: Iterable[dict]) -> dict[str, int]:
    """Sum grouped counts keyed by a grid path into every ancestor path of that path."""
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        path = row["key"]
        if not path:
            continue
        codes = path.split(SEPARATOR)[:-1]
        for i in range(1, len(codes) + 1):
            totals[SEPARATOR.join(codes[:i]) + SEPARATOR] += row["n"]
    return totals


@dataclass
class GridFigures:
    buildings: dict[str, int]
    members: dict[str, int]

    def of(self, grid: Grid) -> tuple[int, int]:
        return self.buildings.get(grid.path, 0), self.members.get(grid.path, 0)


def grid_figures(user: User | AnonymousUser, under: Grid | None = None) -> GridFigures:
    """Buildings and visible members per grid path, each summed over the grid's sub-grids (two queries)."""
    buildings = Building.objects.visible_to(user).filter(grid__isnull=False)
    members = Member.objects.visible_to(user).filter(residence_building__grid__isnull=False)
    if under is not None:
        buildings = buildings.filter(subtree_q("grid__path", under.path))
        members = members.filter(subtree_q("grid_path", under.path))
    b_rows = buildings.order_by().values(key=F("grid__path")).annotate(n=Count("id"))
    m_rows = members.order_by().values(key=F("grid_path")).annotate(n=Count("id"))
    return GridFigures(buildings=_roll_up_paths(b_rows), members=_roll_up_paths(m_rows))


def members_per_building(user: User | AnonymousUser, buildings: Iterable[Building]) -> dict[int, int]:
    """Visible members living in each of the buildings, in one grouped query."""
    rows = _member_rows(user, F("residence_building"), residence_building__in=[b.pk for b in buildings])
    return {row["key"]: row["n"] for row in rows}


def grid_ancestors(user: User | AnonymousUser, grid: Grid) -> list[tuple[Grid, bool]]:
    """The grid's parent grids, top first, each with whether the user may open it."""
    codes = grid.path[len(grid.street.path) :].split(SEPARATOR)[:-2]
    if not codes:
        return []
    ancestors = list(Grid.objects.filter(code__in=codes, street=grid.street_id).order_by("level"))
    visible = set(
        Grid.objects.visible_to(user).filter(pk__in=[g.pk for g in ancestors]).values_list("pk", flat=True)
    )
    return [(g, g.pk in visible) for g in ancestors]


def grid_subtree(grid: Grid) -> QuerySet[Grid]:
    """The grid and its sub-grids."""
    return Grid.objects.filter(subtree_q("path", grid.path))
