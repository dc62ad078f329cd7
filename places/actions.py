"""Writes to the area tree, compounds, buildings and grids."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit.actions import record_event, record_events
from places.models import AREA_CODE_LENGTH, CHILD_LEVEL, Area, AreaLevel, Building, Compound, Grid
from places.paths import child_path

if TYPE_CHECKING:
    from accounts.models import User


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


@transaction.atomic
def create_compound(
    *,
    acting_user: User | None,
    community: Area,
    name: str,
    address: str = "",
    request: HttpRequest | None = None,
) -> Compound:
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Compounds belong to a community."))
    compound = Compound.objects.create(community=community, name=name.strip(), address=address)
    record_event(actor=acting_user, action="compound.create", target=compound, request=request)
    return compound


@transaction.atomic
def create_building(
    *,
    acting_user: User | None,
    compound: Compound,
    name: str,
    grid: Grid | None = None,
    request: HttpRequest | None = None,
) -> Building:
    if grid is not None and grid.street_id != compound.community.parent_id:
        raise ValidationError(_("The grid must lie in the building's street."))
    building = Building.objects.create(compound=compound, name=name.strip(), grid=grid)
    record_event(actor=acting_user, action="building.create", target=building, request=request)
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
    """Add a management grid: level 1 directly under the street, levels 2 and 3 under a grid."""
    if street.level != AreaLevel.STREET:
        raise ValidationError(_("Grids are drawn inside a street."))
    level = parent.level + 1 if parent else 1
    if level > 3:
        raise ValidationError(_("Grids have at most three levels."))
    if parent is not None and parent.street_id != street.pk:
        raise ValidationError(_("A sub-grid must lie in its parent's street."))
    grid = Grid.objects.create(
        street=street,
        parent=parent,
        level=level,
        code=code,
        name=name.strip(),
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
