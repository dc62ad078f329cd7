"""The case registry's writes: a category's default handler (the platform administrator) and the grids'
responsibility areas (党建责任区: the community's or street's staff). Audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access import staffs
from accounts.scope import scope_for
from audit.actions import record_event
from cases.models import (
    CaseCategory,
    ResponsibilityArea,
)
from orgs.models import Unit, UnitKind
from places.models import Grid

# --- categories --------------------------------------------------------------------------------------


@transaction.atomic
def set_default_handler(
    *, acting_user, category: CaseCategory, unit: Unit | None, request=None
) -> CaseCategory:
    """The department the street's dispatch form offers first for a category (None: no default). Kept by
    the platform administrator; ``acting_user`` None is the system (the demo city's build)."""
    if acting_user is not None and not scope_for(acting_user).everything:
        raise PermissionDenied(_("Only the platform administrator sets a category's default handler."))
    if unit is not None and unit.kind != UnitKind.DEPARTMENT:
        raise ValidationError({"default_handler": _("A default handler is a functional department.")})
    category.default_handler = unit
    category.save(update_fields=["default_handler"])
    record_event(
        actor=acting_user,
        action="case.category_handler",
        request=request,
        target=category,
        detail={"unit": unit.name if unit else ""},
    )
    return category


# --- grids at work ------------------------------------------------------------------------------------


@transaction.atomic
def set_responsibility_area(
    *,
    acting_user,
    grid: Grid,
    member=None,
    team=None,
    compound=None,
    building=None,
    note: str = "",
    request=None,
) -> ResponsibilityArea:
    """党建责任区: a member or a team answers for a grid, or a compound or building in it. Kept by the staff
    of the grid's community or street."""
    if not staffs(acting_user, grid.community or grid.street):
        raise PermissionDenied(_("Only the community's or street's staff assign responsibility areas."))
    if (member is None) == (team is None):
        raise ValidationError({"member": _("Choose a member or a team.")})
    if building is not None and building.grid_id != grid.pk:
        raise ValidationError({"building": _("This building is not in the grid.")})
    if compound is not None and grid.community_id and compound.community_id != grid.community_id:
        raise ValidationError({"compound": _("This compound is not in the grid's community.")})
    area = ResponsibilityArea.objects.create(
        grid=grid, member=member, team=team, compound=compound, building=building, note=(note or "")[:200]
    )
    record_event(
        actor=acting_user,
        action="grid.responsibility_set",
        request=request,
        target=grid,
        detail={"area": str(area.public_id)},
    )
    return area


@transaction.atomic
def remove_responsibility_area(*, acting_user, area: ResponsibilityArea, request=None) -> None:
    if not staffs(acting_user, area.grid.community or area.grid.street):
        raise PermissionDenied(_("Only the community's or street's staff assign responsibility areas."))
    record_event(
        actor=acting_user,
        action="grid.responsibility_remove",
        request=request,
        target=area.grid,
        detail={"area": str(area.public_id)},
    )
    area.delete()
