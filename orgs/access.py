"""Who keeps the organisations registry (分级管理), written once for the pages, the API and the actions.

- **Party organisations and their posts** are kept by the party committees above them: the
  organisation department over its city or district, the street's working committee over its street
  (``ORG_KEEPER_ROLES``). An organisation lies where it is attached: its area, or its unit's location.
  They found, change, merge and dissolve organisations there, and appoint and end posts.
- **Units and their party admins** are kept by the same two (``UNIT_KEEPER_ROLES``) over the units
  located in their area: they register and change units, and grant or revoke the unit admin role.

A community, a unit or a grid worker reads these registries but does not keep them (403). A platform
administrator keeps everything; ``acting_user=None`` is the system (imports, the demo, the cast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from places.access import holds_over, kept_q
from places.models import Area

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from accounts.models import User
    from orgs.models import PartyOrg, Unit, UnitQuerySet
    from places.models import AreaQuerySet

ORG_KEEPER_ROLES = (Role.ORG_DEPT, Role.STREET)
UNIT_KEEPER_ROLES = (Role.ORG_DEPT, Role.STREET)


def org_place(org: PartyOrg) -> Area | None:
    """Where an organisation lies: the area it is attached to, else its unit's location."""
    if org.area_id is not None:
        return org.area
    return org.unit.address_area if org.unit_id is not None and org.unit is not None else None


def keeps_orgs_in(user: User | AnonymousUser | None, area: Area) -> bool:
    """Whether the user founds and changes party organisations attached at ``area``."""
    return holds_over(user, ORG_KEEPER_ROLES, area)


def keeps_party_org(user: User | AnonymousUser | None, org: PartyOrg) -> bool:
    place = org_place(org)
    return place is not None and keeps_orgs_in(user, place)


def keeps_unit(user: User | AnonymousUser | None, unit: Unit) -> bool:
    """The organisation department or the street over the unit's location."""
    return holds_over(user, UNIT_KEEPER_ROLES, unit.address_area)


def org_keeping_areas(user: User | AnonymousUser | None) -> AreaQuerySet:
    """The areas where the user may attach party organisations and locate units."""
    return Area.objects.filter(kept_q(user, ORG_KEEPER_ROLES))


def require_keeps_orgs_in(user: User | None, area: Area) -> None:
    if user is not None and not keeps_orgs_in(user, area):
        raise PermissionDenied(
            _("Only the organisation department or the street keeps the party organisations of %(area)s.")
            % {"area": area.name}
        )


def require_keeps_party_org(user: User | None, org: PartyOrg) -> None:
    if user is not None and not keeps_party_org(user, org):
        raise PermissionDenied(
            _("Only the organisation department or the street above it keeps %(org)s.") % {"org": org.name}
        )


def require_keeps_unit(user: User | None, unit: Unit) -> None:
    if user is not None and not keeps_unit(user, unit):
        raise PermissionDenied(
            _("Only the organisation department or the street where it is located keeps %(unit)s.")
            % {"unit": unit.name}
        )


def require_keeps_units_in(user: User | None, area: Area) -> None:
    if user is not None and not holds_over(user, UNIT_KEEPER_ROLES, area):
        raise PermissionDenied(
            _("Only the organisation department or the street registers units located in %(area)s.")
            % {"area": area.name}
        )


def admin_grants(unit: Unit) -> QuerySet[RoleGrant]:
    """The unit admin roles held over this unit, with their accounts (the unit's party admins)."""
    return (
        RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=unit)
        .select_related("user")
        .order_by("created_at")
    )


def kept_units(user: User | AnonymousUser | None) -> UnitQuerySet:
    """The units the user keeps: located in an area of their organisation department or street grants."""
    from orgs.models import Unit

    return Unit.objects.filter(kept_q(user, UNIT_KEEPER_ROLES, "address_area__path"))


def kept_admin_grants(user: User | AnonymousUser | None) -> QuerySet[RoleGrant]:
    """The unit admin roles over the units the user keeps (their list and its export)."""
    return RoleGrant.objects.filter(role=Role.UNIT_ADMIN).filter(
        kept_q(user, UNIT_KEEPER_ROLES, "unit__address_area__path")
    )
