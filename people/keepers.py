"""Who keeps which part of the people registries (分级管理), written once for pages, API and actions.

- a place's registries (residents, commercial buildings, trade unions, youth league organisations) are
  kept by its community party organisation and its street's working committee (``keeps_area``);
- an applicant by those of the applicant's place, and by the party admin of the applicant's unit;
- a party organisation speaks (starts or answers a member's transfer) through the party admin of its
  unit, or the community or street committee of the place it is attached to (``speaks_for_org``).

A platform administrator keeps everything. Callers have already found the object through
``visible_to(user)`` (404 outside it); these rules decide whether the user may change it (403).
The same rule as ``access.staffs``, at the core's layer, which cannot import ``access``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role
from accounts.scope import scope_for
from places.models import Area, AreaLevel
from places.paths import any_subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from orgs.models import PartyOrg
    from people.models import Applicant
    from places.models import AreaQuerySet

    AnyUser = User | AnonymousUser | None

KEEPER_AREA_ROLES = (Role.COMMUNITY, Role.STREET)


def keeps_area(user: AnyUser, area: Area | None) -> bool:
    """The place's community party organisation or its street's committee (or a platform admin)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    return area is not None and any(scope.holds_area(role, area) for role in KEEPER_AREA_ROLES)


def kept_paths(user: AnyUser) -> list[str]:
    return [p for role in KEEPER_AREA_ROLES for p in scope_for(user).paths_for(role)]


def kept_areas(user: AnyUser, *levels: str) -> AreaQuerySet:
    """The areas (of ``levels``, default communities and streets) the user keeps, in the tree's order."""
    areas = Area.objects.filter(level__in=levels or (AreaLevel.COMMUNITY, AreaLevel.STREET))
    if not scope_for(user).everything:
        areas = areas.filter(any_subtree_q("path", kept_paths(user)))
    return areas.order_by("path")


def keeps_applicant(user: AnyUser, applicant: Applicant) -> bool:
    """The applicant's place's keepers, or the party admin of the applicant's unit."""
    if keeps_area(user, applicant.area):
        return True
    return applicant.unit_id is not None and applicant.unit_id in scope_for(user).units_for(Role.UNIT_ADMIN)


def speaks_for_org(user: AnyUser, org: PartyOrg) -> bool:
    """Who acts for a party organisation in a member's transfer: its unit's party admin, or the keepers
    of the area, grid or compound it is attached to (or a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if org.unit_id is not None and org.unit_id in scope.units_for(Role.UNIT_ADMIN):
        return True
    places = [org.area, org.grid.street if org.grid_id and org.grid else None]
    if org.compound_id and org.compound:
        places.append(org.compound.community)
    return any(keeps_area(user, place) for place in places if place is not None)


def orgs_spoken_for_q(user: AnyUser, prefix: str = "") -> Q:
    """``speaks_for_org`` as a filter on party organisations (``prefix`` e.g. ``"to_org__"``)."""
    scope = scope_for(user)
    if scope.everything:
        return Q(pk__isnull=False)
    paths = kept_paths(user)
    return (
        Q(**{f"{prefix}unit_id__in": scope.units_for(Role.UNIT_ADMIN)})
        | any_subtree_q(f"{prefix}area__path", paths)
        | any_subtree_q(f"{prefix}grid__street__path", paths)
        | any_subtree_q(f"{prefix}compound__community__path", paths)
    )
