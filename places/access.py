"""Who keeps the places registry (分级管理), written once for the pages, the API and the actions.

- **Compounds and buildings** are kept by the community's party organisation and by the street's
  working committee above it (``PLACE_KEEPER_ROLES``): create, rename, move a building to a grid, retire.
- **Grids** are drawn by the street's working committee (``GRID_KEEPER_ROLES``): create and rename
  them, name their grid workers, choose the buildings each covers.

A platform administrator keeps everything. Another role over the same place (the organisation
department, a grid worker) reads but does not keep: the pages and the API answer 403, and the actions
refuse. ``acting_user=None`` is the system (imports, the demo, the cast), which the actions let through.
A place outside the caller's scope is never reached: it answers 404 before these rules are asked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from places.models import Area, AreaLevel
from places.paths import any_subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from accounts.models import User
    from places.models import AreaQuerySet, Grid

PLACE_KEEPER_ROLES = (Role.COMMUNITY, Role.STREET)
GRID_KEEPER_ROLES = (Role.STREET,)


def holds_over(user: User | AnonymousUser | None, roles: tuple[str, ...], area: Area) -> bool:
    """Whether one of the user's grants of ``roles`` covers ``area`` (or the user is a platform admin)."""
    scope = scope_for(user)
    return scope.everything or any(scope.holds_area(role, area) for role in roles)


def kept_q(user: User | AnonymousUser | None, roles: tuple[str, ...], path_field: str = "path") -> Q:
    """``holds_over`` as a filter on an area path."""
    scope = scope_for(user)
    if scope.everything:
        return Q(pk__isnull=False)
    return any_subtree_q(path_field, [p for role in roles for p in scope.paths_for(role)])


def keeps_places(user: User | AnonymousUser | None, community: Area) -> bool:
    """The community's party organisation or its street's committee: keeps its compounds and buildings."""
    return holds_over(user, PLACE_KEEPER_ROLES, community)


def keeps_grids(user: User | AnonymousUser | None, street: Area) -> bool:
    """The street's working committee: draws its grids and names their workers."""
    return holds_over(user, GRID_KEEPER_ROLES, street)


def kept_communities(user: User | AnonymousUser | None) -> AreaQuerySet:
    """The communities whose compounds and buildings the user keeps."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(kept_q(user, PLACE_KEEPER_ROLES))


def kept_streets(user: User | AnonymousUser | None) -> AreaQuerySet:
    """The streets whose grids the user draws."""
    return Area.objects.filter(level=AreaLevel.STREET).filter(kept_q(user, GRID_KEEPER_ROLES))


def require_keeps_places(user: User | None, community: Area) -> None:
    if user is not None and not keeps_places(user, community):
        raise PermissionDenied(
            _("Only the community's party organisation or its street keeps %(community)s's compounds.")
            % {"community": community.name}
        )


def require_keeps_grids(user: User | None, street: Area) -> None:
    if user is not None and not keeps_grids(user, street):
        raise PermissionDenied(
            _("Only the street's working committee keeps the grids of %(street)s.") % {"street": street.name}
        )


def worker_grants(grid: Grid) -> QuerySet[RoleGrant]:
    """The grid worker roles held over this grid, with their accounts (the grid's workers)."""
    return (
        RoleGrant.objects.filter(role=Role.GRID_WORKER, grid=grid)
        .select_related("user")
        .order_by("created_at")
    )


def kept_worker_grants(user: User | AnonymousUser | None) -> QuerySet[RoleGrant]:
    """The grid worker roles over the grids of the streets the user keeps (their list and its export)."""
    return RoleGrant.objects.filter(role=Role.GRID_WORKER).filter(
        kept_q(user, GRID_KEEPER_ROLES, "grid__street__path")
    )
