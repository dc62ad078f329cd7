"""Writes to the area tree, compounds, buildings and grids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event, record_events
from places.access import require_keeps_grids, require_keeps_places
from places.models import AREA_CODE_LENGTH, CHILD_LEVEL, Area, AreaLevel, Building, Compound, Grid
from places.paths import child_path

NAME_MAX = 64
ADDRESS_MAX = 200
GRID_CODE_MAX = 32

if TYPE_CHECKING:
    from accounts.models import RoleGrant, User


@transaction.atomic
def create_area(
    *,
    acting_user: User | None,
    code: str,
    name: str,
    level: str,
    parent: Area | None = None,
    request: HttpRequest | None = None,
) -> Area:
    """Add an area under its parent; codes follow GB/T 2260 and the 12-digit statistical codes."""
    code = code.strip()
    if not code.isdigit() or len(code) != AREA_CODE_LENGTH[level]:
        raise ValidationError(
            _("A %(level)s code has %(n)d digits.")
            % {"level": AreaLevel(level).label, "n": AREA_CODE_LENGTH[level]}
        )
    if parent is None and level not in (AreaLevel.PROVINCE, AreaLevel.CITY):
        raise ValidationError(_("Only a province or a city can be a root area."))
    if parent is not None and CHILD_LEVEL.get(parent.level) != level:
        raise ValidationError(_("This level cannot sit under the chosen parent."))
    if (
        parent is not None
        and level in (AreaLevel.STREET, AreaLevel.COMMUNITY)
        and not code.startswith(parent.code)
    ):
        raise ValidationError(
            _("The code must begin with the parent's code %(code)s.") % {"code": parent.code}
        )
    if Area.objects.filter(code=code).exists():
        raise ValidationError(_("An area with code %(code)s exists already.") % {"code": code})
    area = Area.objects.create(
        code=code,
        name=name.strip(),
        level=level,
        parent=parent,
        path=child_path(parent.path if parent else None, code),
        depth=(parent.depth + 1) if parent else 0,
    )
    record_event(actor=acting_user, action="area.create", target=area, request=request)
    return area


def clean_name(name: str, *, what: str = "") -> str:
    """A name as typed, trimmed; an empty one is refused."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give it a name."))
    if len(name) > NAME_MAX:
        raise ValidationError(_("A name has at most %(n)d characters.") % {"n": NAME_MAX})
    return name


def _check_compound_name(community: Area, name: str, *, exclude: Compound | None = None) -> None:
    taken = Compound.objects.filter(community=community, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            _("%(community)s already has a compound named %(name)s.")
            % {"community": community.name, "name": name}
        )


@transaction.atomic
def create_compound(
    *,
    acting_user: User | None,
    community: Area,
    name: str,
    address: str = "",
    request: HttpRequest | None = None,
) -> Compound:
    """Add a compound (小区) to a community. Kept by the community and its street (places/access.py)."""
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Compounds belong to a community."))
    require_keeps_places(acting_user, community)
    name = clean_name(name)
    _check_compound_name(community, name)
    compound = Compound.objects.create(
        community=community, name=name, address=(address or "").strip()[:ADDRESS_MAX]
    )
    record_event(actor=acting_user, action="compound.create", target=compound, request=request)
    return compound


@transaction.atomic
def update_compound(
    *,
    acting_user: User | None,
    compound: Compound,
    name: str,
    address: str = "",
    request: HttpRequest | None = None,
) -> Compound:
    """Rename a compound or correct its address."""
    compound = Compound.objects.select_for_update().select_related("community").get(pk=compound.pk)
    require_keeps_places(acting_user, compound.community)
    if compound.retired_on is not None:
        raise ValidationError(_("This compound is retired."))
    name = clean_name(name)
    _check_compound_name(compound.community, name, exclude=compound)
    before = {"name": compound.name, "address": compound.address}
    compound.name, compound.address = name, (address or "").strip()[:ADDRESS_MAX]
    compound.save(update_fields=["name", "address"])
    record_event(
        actor=acting_user,
        action="compound.update",
        target=compound,
        request=request,
        detail={"before": before},
    )
    return compound


@transaction.atomic
def retire_compound(
    *, acting_user: User | None, compound: Compound, request: HttpRequest | None = None
) -> Compound:
    """Retire a compound (demolished, merged into another): refused while it has buildings in use."""
    compound = Compound.objects.select_for_update().select_related("community").get(pk=compound.pk)
    require_keeps_places(acting_user, compound.community)
    if compound.retired_on is not None:
        raise ValidationError(_("This compound is retired already."))
    in_use = compound.buildings.in_use().count()
    if in_use:
        raise ValidationError(
            _("%(compound)s still has %(n)d buildings in use: retire them first.")
            % {"compound": compound.name, "n": in_use}
        )
    compound.retired_on = timezone.localdate()
    compound.save(update_fields=["retired_on"])
    record_event(actor=acting_user, action="compound.retire", target=compound, request=request)
    return compound


def _check_building(
    compound: Compound, name: str, grid: Grid | None, *, exclude: Building | None = None
) -> None:
    if grid is not None and grid.street_id != compound.community.parent_id:
        raise ValidationError(_("The grid must lie in the building's street."))
    taken = Building.objects.filter(compound=compound, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            _("%(compound)s already has a building named %(name)s.")
            % {"compound": compound.name, "name": name}
        )


@transaction.atomic
def create_building(
    *,
    acting_user: User | None,
    compound: Compound,
    name: str,
    grid: Grid | None = None,
    request: HttpRequest | None = None,
) -> Building:
    """Add a building (楼栋) to a compound, in a grid of its street or none yet."""
    require_keeps_places(acting_user, compound.community)
    if compound.retired_on is not None:
        raise ValidationError(_("This compound is retired."))
    name = clean_name(name)
    _check_building(compound, name, grid)
    building = Building.objects.create(compound=compound, name=name, grid=grid)
    record_event(actor=acting_user, action="building.create", target=building, request=request)
    return building


def _move_people(buildings: list[int]) -> None:
    """The people living in these buildings carry their grid's path: copy it again."""
    from people.actions import refresh_place_paths
    from people.models import Member, Resident

    refresh_place_paths(
        members=Member.objects.filter(residence_building_id__in=buildings),
        residents=Resident.objects.filter(residence_building_id__in=buildings),
    )


@transaction.atomic
def update_building(
    *,
    acting_user: User | None,
    building: Building,
    name: str,
    grid: Grid | None,
    request: HttpRequest | None = None,
) -> Building:
    """Rename a building or move it to another grid of its street (the people living there follow)."""
    building = (
        Building.objects.select_for_update(of=("self",))
        .select_related("compound__community", "grid")
        .get(pk=building.pk)
    )
    require_keeps_places(acting_user, building.compound.community)
    if building.retired_on is not None:
        raise ValidationError(_("This building is retired."))
    name = clean_name(name)
    _check_building(building.compound, name, grid, exclude=building)
    before = {"name": building.name, "grid": building.grid.code if building.grid else ""}
    moved = building.grid_id != (grid.pk if grid else None)
    building.name, building.grid = name, grid
    building.save(update_fields=["name", "grid"])
    if moved:
        _move_people([building.pk])
    record_event(
        actor=acting_user,
        action="building.update",
        target=building,
        request=request,
        detail={"before": before, "grid": grid.code if grid else ""},
    )
    return building


@transaction.atomic
def retire_building(
    *, acting_user: User | None, building: Building, request: HttpRequest | None = None
) -> Building:
    """Retire a building: refused while members or residents are recorded as living in it. It leaves
    its grid."""
    from people.models import Member, Resident

    building = (
        Building.objects.select_for_update(of=("self",))
        .select_related("compound__community")
        .get(pk=building.pk)
    )
    require_keeps_places(acting_user, building.compound.community)
    if building.retired_on is not None:
        raise ValidationError(_("This building is retired already."))
    living = (
        Member.objects.filter(residence_building=building).count()
        + Resident.objects.filter(residence_building=building).count()
    )
    if living:
        raise ValidationError(
            _("%(n)d people are recorded as living in %(building)s: record their moves first.")
            % {"n": living, "building": building.name}
        )
    grid = building.grid.code if building.grid else ""
    building.retired_on, building.grid = timezone.localdate(), None  # it leaves its grid's lists and counts
    building.save(update_fields=["retired_on", "grid"])
    record_event(
        actor=acting_user, action="building.retire", target=building, request=request, detail={"grid": grid}
    )
    return building


@transaction.atomic
def create_grid(
    *,
    acting_user: User | None,
    street: Area,
    code: str,
    name: str,
    parent: Grid | None = None,
    community: Area | None = None,
    request: HttpRequest | None = None,
) -> Grid:
    """Add a management grid: level 1 directly under the street, levels 2 and 3 under a grid of the
    same street and inside one of its communities. Drawn by the street (places/access.py)."""
    if street.level != AreaLevel.STREET:
        raise ValidationError(_("Grids are drawn inside a street."))
    require_keeps_grids(acting_user, street)
    level = parent.level + 1 if parent else 1
    if level > 3:
        raise ValidationError(_("Grids have at most three levels."))
    if parent is not None and parent.street_id != street.pk:
        raise ValidationError(_("A sub-grid must lie in its parent's street."))
    _check_grid_community(level, street, community, parent)
    code = (code or "").strip()
    if not code or len(code) > GRID_CODE_MAX or "." in code:
        raise ValidationError(_("A grid code has 1 to %(n)d characters and no dot.") % {"n": GRID_CODE_MAX})
    if Grid.objects.filter(code=code).exists():
        raise ValidationError(_("A grid with code %(code)s exists already.") % {"code": code})
    grid = Grid.objects.create(
        street=street,
        parent=parent,
        level=level,
        code=code,
        name=clean_name(name),
        community=community,
        path=child_path(parent.path if parent else street.path, code),
    )
    record_event(actor=acting_user, action="grid.create", target=grid, request=request)
    return grid


@transaction.atomic
def create_areas(
    *,
    acting_user: User | None,
    parent: Area,
    children: list[tuple[str, str]],
    request: HttpRequest | None = None,
) -> list[Area]:
    """Add many areas of one level under ``parent`` at once (a street's communities), with
    ``create_area``'s rules, each audited as ``area.create`` (written in bulk). ``children`` are
    (code, name) pairs; a code that exists already is refused, like in ``create_area``."""
    level = CHILD_LEVEL.get(parent.level)
    if level is None:
        raise ValidationError(_("This level cannot sit under the chosen parent."))
    codes = [code.strip() for code, _name in children]
    for code in codes:
        if not code.isdigit() or len(code) != AREA_CODE_LENGTH[level]:
            raise ValidationError(
                _("A %(level)s code has %(n)d digits.")
                % {"level": AreaLevel(level).label, "n": AREA_CODE_LENGTH[level]}
            )
        if level in (AreaLevel.STREET, AreaLevel.COMMUNITY) and not code.startswith(parent.code):
            raise ValidationError(
                _("The code must begin with the parent's code %(code)s.") % {"code": parent.code}
            )
    taken = Area.objects.filter(code__in=codes).values_list("code", flat=True).first()
    if taken is not None:
        raise ValidationError(_("An area with code %(code)s exists already.") % {"code": taken})
    areas = [
        Area(
            code=code.strip(),
            name=name.strip(),
            level=level,
            parent=parent,
            path=child_path(parent.path, code.strip()),
            depth=parent.depth + 1,
        )
        for code, name in children
    ]
    Area.objects.bulk_create(areas, batch_size=1000)
    record_events(actor=acting_user, action="area.create", targets=list(areas), request=request)
    return areas


def _check_grid_community(level: int, street: Area, community: Area | None, parent: Grid | None) -> None:
    if community is None:
        if level > 1:
            raise ValidationError(_("A level-2 or level-3 grid lies inside one community: choose it."))
        return
    if community.level != AreaLevel.COMMUNITY or community.parent_id != street.pk:
        raise ValidationError(_("The grid's community must be a community of its street."))
    if parent is not None and parent.community_id not in (None, community.pk):
        raise ValidationError(_("A sub-grid lies in its parent grid's community."))


@transaction.atomic
def update_grid(
    *,
    acting_user: User | None,
    grid: Grid,
    name: str,
    community: Area | None,
    request: HttpRequest | None = None,
) -> Grid:
    """Rename a grid or set its community (its code, street and parent stay: they make its path)."""
    grid = Grid.objects.select_for_update(of=("self",)).select_related("street", "parent").get(pk=grid.pk)
    require_keeps_grids(acting_user, grid.street)
    _check_grid_community(grid.level, grid.street, community, grid.parent)
    before = {"name": grid.name, "community": grid.community_id}
    grid.name, grid.community = clean_name(name), community
    grid.save(update_fields=["name", "community"])
    record_event(
        actor=acting_user, action="grid.update", target=grid, request=request, detail={"before": before}
    )
    return grid


@transaction.atomic
def set_grid_buildings(
    *,
    acting_user: User | None,
    grid: Grid,
    buildings: list[Building],
    request: HttpRequest | None = None,
) -> Grid:
    """The buildings this grid covers, exactly: those chosen move into it, those left out leave it
    (to no grid). Each must be a building of the grid's street (and community, if the grid has one)."""
    grid = Grid.objects.select_for_update(of=("self",)).select_related("street").get(pk=grid.pk)
    require_keeps_grids(acting_user, grid.street)
    chosen = {b.pk for b in buildings}
    wrong = Building.objects.filter(pk__in=chosen).exclude(compound__community__parent_id=grid.street_id)
    if grid.community_id is not None:
        wrong = wrong | Building.objects.filter(pk__in=chosen).exclude(
            compound__community_id=grid.community_id
        )
    if wrong.exists():
        raise ValidationError(
            _("%(building)s is not in this grid's street or community.") % {"building": wrong.first()}
        )
    if Building.objects.filter(pk__in=chosen, retired_on__isnull=False).exists():
        raise ValidationError(_("A retired building cannot be placed in a grid."))
    now = set(Building.objects.filter(grid=grid).values_list("pk", flat=True))
    added, removed = sorted(chosen - now), sorted(now - chosen)
    Building.objects.filter(pk__in=added).update(grid=grid)
    Building.objects.filter(pk__in=removed).update(grid=None)
    _move_people(added + removed)
    record_event(
        actor=acting_user,
        action="grid.buildings",
        target=grid,
        request=request,
        detail={"added": len(added), "removed": len(removed)},
    )
    return grid


@transaction.atomic
def assign_grid_worker(
    *,
    acting_user: User | None,
    grid: Grid,
    full_name: str,
    phone: str,
    request: HttpRequest | None = None,
) -> RoleGrant:
    """Name a grid worker: the person's account (found by phone, or made without a password) gets the
    grid worker role over the grid."""
    from accounts.by_phone import grant_role_by_phone
    from accounts.models import Role

    require_keeps_grids(acting_user, grid.street)
    return grant_role_by_phone(
        acting_user=acting_user,
        role=Role.GRID_WORKER,
        grid=grid,
        full_name=full_name,
        phone=phone,
        already=_("%(name)s is already a worker of this grid."),
        request=request,
    )


@transaction.atomic
def remove_grid_worker(
    *, acting_user: User | None, grant: RoleGrant, request: HttpRequest | None = None
) -> None:
    """End a grid worker's role over the grid (the account stays, with its other roles)."""
    from accounts.actions import revoke_role
    from accounts.models import Role

    if grant.role != Role.GRID_WORKER or grant.grid is None:
        raise ValidationError(_("This is not a grid worker's role."))
    require_keeps_grids(acting_user, grant.grid.street)
    revoke_role(acting_user=acting_user, grant=grant, request=request)
