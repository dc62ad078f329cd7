"""Set-up sheets for grids, compounds and buildings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actions import record_events
from golive.lookups import areas_by_code, chunks, grids_by_code
from golive.sheets import Plan, Progress, cells, duplicates
from jobs.roster import Column, RosterRow
from people.actions import refresh_place_paths
from people.models import Member, Resident
from places.models import AreaLevel, Building, Compound, Grid
from places.paths import child_path

GRID_COLUMNS = (
    Column(
        "code",
        "网格编码",
        gettext_lazy("Required. The grid's code; a re-import with it updates the grid."),
        required=True,
    ),
    Column("name", "网格名称", gettext_lazy("Required."), required=True, width=20),
    Column(
        "street_code",
        "所在街道代码",
        gettext_lazy("Required. 9-digit code of the grid's street."),
        required=True,
    ),
    Column(
        "parent_code",
        "上级网格编码",
        gettext_lazy(
            "Optional. For a level-2 or level-3 grid: the parent grid, imported already or in an earlier row."
        ),
    ),
    Column(
        "community_code",
        "所属社区代码",
        gettext_lazy("Optional. 12-digit code of the community the grid covers."),
    ),
)


def check_grids(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in GRID_COLUMNS}, rows=len(rows))
    parsed = [(row.number, cells(row, GRID_COLUMNS, plan)) for row in rows]
    duplicates(plan, [(n, t["code"]) for n, t in parsed], "code")
    areas = areas_by_code([t["street_code"] for _n, t in parsed] + [t["community_code"] for _n, t in parsed])
    grids = grids_by_code([t["code"] for _n, t in parsed] + [t["parent_code"] for _n, t in parsed])
    earlier: dict[str, tuple[str, int]] = {}  # code -> (street code, level) of the file's grids so far
    for number, t in parsed:
        street = areas.get(t["street_code"])
        if t["street_code"] and (street is None or street.level != AreaLevel.STREET):
            plan.missing_parent(number, "street_code", _("Street"), t["street_code"], _("divisions"))
            street = None
        level = 1
        parent_code = t["parent_code"]
        if parent_code:
            parent = grids.get(parent_code)
            parent_street, parent_level = (
                (parent.street.code, parent.level)
                if parent is not None
                else earlier.get(parent_code, ("", 0))
            )
            if not parent_level:
                plan.missing_parent(number, "parent_code", _("Grid"), parent_code, _("an earlier row"))
            elif street is not None and parent_street != street.code:
                plan.add(number, "parent_code", _("A sub-grid must lie in its parent's street."))
            level = parent_level + 1
            if level > 3:
                plan.add(number, "parent_code", _("Grids have at most three levels."))
        community = areas.get(t["community_code"]) if t["community_code"] else None
        if t["community_code"] and (community is None or community.level != AreaLevel.COMMUNITY):
            plan.missing_parent(number, "community_code", _("Community"), t["community_code"], _("divisions"))
        elif community is not None and street is not None and community.parent_id != street.pk:
            plan.add(number, "community_code", _("The community does not lie in this street."))
        existing = grids.get(t["code"])
        if existing is not None and (
            street is None
            or existing.street_id != street.pk
            or (existing.parent.code if existing.parent else "") != parent_code
        ):
            plan.add(number, "parent_code", _("An existing grid keeps its street and parent grid."))
        if t["code"] and street is not None:
            earlier[t["code"]] = (street.code, level)
        if number in plan.failed_rows:
            continue
        plan.count(existing is not None)
        plan.items.append(
            (number, existing, t["code"], parent_code, street, level, community, t["name"][:64])
        )
    if progress:
        progress(len(rows))
    return plan


def write_grids(*, plan: Plan, user: Any) -> dict[str, int]:
    new_codes = {item[2] for item in plan.items if item[1] is None}
    known = grids_by_code(item[3] for item in plan.items if item[3] and item[3] not in new_codes)
    created, updated = [], []
    waves: dict[int, list[Grid]] = {}
    for _n, existing, code, parent_code, street, level, community, name in plan.items:
        if existing is not None:
            existing.name, existing.community = name, community
            updated.append(existing)
            continue
        parent = known.get(parent_code) if parent_code else None
        grid = Grid(
            code=code,
            name=name,
            street=street,
            parent=parent,
            level=level,
            community=community,
            path=child_path(parent.path if parent else street.path, code),
        )
        known[code] = grid
        waves.setdefault(level, []).append(grid)
        created.append(grid)
    for level in sorted(waves):
        Grid.objects.bulk_create(waves[level], batch_size=1000)
    Grid.objects.bulk_update(updated, ["name", "community"], batch_size=1000)
    record_events(actor=user, action="grid.create", targets=list(created), detail={"via": "import"})
    record_events(actor=user, action="grid.update", targets=list(updated), detail={"via": "import"})
    return {"new": len(created), "updates": len(updated)}


COMPOUND_COLUMNS = (
    Column(
        "community_code",
        "所在社区代码",
        gettext_lazy("Required. 12-digit code of the community."),
        required=True,
    ),
    Column(
        "name",
        "小区名称",
        gettext_lazy(
            "Required. Unique in its community; a re-import with the same name updates the compound."
        ),
        required=True,
        width=20,
    ),
    Column("address", "地址", gettext_lazy("Optional."), width=26),
)


def check_compounds(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in COMPOUND_COLUMNS}, rows=len(rows))
    parsed = [(row.number, cells(row, COMPOUND_COLUMNS, plan)) for row in rows]
    duplicates(plan, [(n, (t["community_code"], t["name"])) for n, t in parsed], "name")
    areas = areas_by_code(t["community_code"] for _n, t in parsed)
    ids = [a.pk for a in areas.values()]
    existing_compounds = {
        (c.community_id, c.name): c
        for chunk in chunks(ids)
        for c in Compound.objects.filter(community_id__in=chunk)
    }
    for number, t in parsed:
        community = areas.get(t["community_code"])
        if t["community_code"] and (community is None or community.level != AreaLevel.COMMUNITY):
            plan.missing_parent(number, "community_code", _("Community"), t["community_code"], _("divisions"))
            continue
        if number in plan.failed_rows or community is None:
            continue
        existing = existing_compounds.get((community.pk, t["name"]))
        plan.count(existing is not None)
        plan.items.append((number, existing, community, t["name"][:64], t["address"][:200]))
    if progress:
        progress(len(rows))
    return plan


def write_compounds(*, plan: Plan, user: Any) -> dict[str, int]:
    created, updated = [], []
    for _n, existing, community, name, address in plan.items:
        if existing is not None:
            existing.address = address
            updated.append(existing)
        else:
            created.append(Compound(community=community, name=name, address=address))
    Compound.objects.bulk_create(created, batch_size=1000)
    Compound.objects.bulk_update(updated, ["address"], batch_size=1000)
    record_events(actor=user, action="compound.create", targets=list(created), detail={"via": "import"})
    record_events(actor=user, action="compound.update", targets=list(updated), detail={"via": "import"})
    return {"new": len(created), "updates": len(updated)}


BUILDING_COLUMNS = (
    Column(
        "community_code",
        "所在社区代码",
        gettext_lazy("Required. 12-digit code of the community."),
        required=True,
    ),
    Column(
        "compound",
        "小区名称",
        gettext_lazy("Required. A compound of that community, imported already."),
        required=True,
    ),
    Column(
        "name",
        "楼栋名称",
        gettext_lazy(
            "Required. Unique in its compound; a re-import with the same name updates the building."
        ),
        required=True,
    ),
    Column(
        "grid_code",
        "所在网格编码",
        gettext_lazy("Optional. The grid (in the community's street) the building lies in."),
    ),
)


def check_buildings(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in BUILDING_COLUMNS}, rows=len(rows))
    parsed = [(row.number, cells(row, BUILDING_COLUMNS, plan)) for row in rows]
    duplicates(plan, [(n, (t["community_code"], t["compound"], t["name"])) for n, t in parsed], "name")
    areas = areas_by_code(t["community_code"] for _n, t in parsed)
    grids = grids_by_code(t["grid_code"] for _n, t in parsed)
    ids = [a.pk for a in areas.values()]
    compounds = {
        (c.community_id, c.name): c
        for chunk in chunks(ids)
        for c in Compound.objects.filter(community_id__in=chunk)
    }
    compound_ids = [c.pk for c in compounds.values()]
    buildings = {
        (b.compound_id, b.name): b
        for chunk in chunks(compound_ids)
        for b in Building.objects.filter(compound_id__in=chunk)
    }
    for number, t in parsed:
        community = areas.get(t["community_code"])
        if t["community_code"] and (community is None or community.level != AreaLevel.COMMUNITY):
            plan.missing_parent(number, "community_code", _("Community"), t["community_code"], _("divisions"))
            community = None
        compound = compounds.get((community.pk, t["compound"])) if community is not None else None
        if community is not None and t["compound"] and compound is None:
            plan.missing_parent(number, "compound", _("Compound"), t["compound"], _("compounds"))
        grid = grids.get(t["grid_code"]) if t["grid_code"] else None
        if t["grid_code"] and grid is None:
            plan.missing_parent(number, "grid_code", _("Grid"), t["grid_code"], _("grids"))
        elif grid is not None and community is not None and grid.street_id != community.parent_id:
            plan.add(number, "grid_code", _("The grid must lie in the building's street."))
        if number in plan.failed_rows or compound is None:
            continue
        existing = buildings.get((compound.pk, t["name"]))
        plan.count(existing is not None)
        plan.items.append((number, existing, compound, t["name"][:64], grid))
    if progress:
        progress(len(rows))
    return plan


def write_buildings(*, plan: Plan, user: Any) -> dict[str, int]:
    created, updated, regridded = [], [], []
    for _n, existing, compound, name, grid in plan.items:
        if existing is not None:
            if existing.grid_id != (grid.pk if grid else None):
                regridded.append(existing.pk)
            existing.grid = grid
            updated.append(existing)
        else:
            created.append(Building(compound=compound, name=name, grid=grid))
    Building.objects.bulk_create(created, batch_size=1000)
    Building.objects.bulk_update(updated, ["grid"], batch_size=1000)
    record_events(actor=user, action="building.create", targets=list(created), detail={"via": "import"})
    record_events(actor=user, action="building.update", targets=list(updated), detail={"via": "import"})
    for chunk in chunks(regridded):
        refresh_place_paths(
            members=Member.objects.filter(residence_building_id__in=chunk),
            residents=Resident.objects.filter(residence_building_id__in=chunk),
        )
    return {"new": len(created), "updates": len(updated)}
