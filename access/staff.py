"""Who staffs a community: its community party organisation and its street's working committee (and a
platform administrator). They dispatch its needs, publish its posts, pair its households, confirm and
reject its service records, run its points shop, and see whom its needs and records are for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from places.models import Area, AreaLevel
from places.paths import any_subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from places.models import AreaQuerySet

STAFF_ROLES = (Role.COMMUNITY, Role.STREET)


def staffs(user: User | AnonymousUser | None, area: Area) -> bool:
    """The community's party organisation or its street's committee (or a platform administrator). For
    a street: its committee. Another role over the same place (the org department, a grid) is not staff."""
    scope = scope_for(user)
    return scope.everything or any(scope.holds_area(role, area) for role in STAFF_ROLES)


def staffed_q(user: User | AnonymousUser | None, path_field: str = "path") -> Q:
    """Rows whose ``path_field`` (an area's path, or a copy of it such as ``community_path``) lies in an
    area the user staffs: ``staffs`` as a filter. Matches every row for a platform administrator and
    none for anyone without a community or street grant."""
    scope = scope_for(user)
    if scope.everything:
        return Q(pk__isnull=False)  # every row, and usable as a When() condition (an empty Q() is not)
    return any_subtree_q(path_field, [p for role in STAFF_ROLES for p in scope.paths_for(role)])


def staffed_communities(user: User | AnonymousUser | None) -> AreaQuerySet:
    """The communities the user staffs, as community or street (all of them for administrators)."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(staffed_q(user))


def staffed_areas(user: User | AnonymousUser | None) -> AreaQuerySet:
    """The communities and streets the user staffs (a street's points shop is its committee's)."""
    return Area.objects.filter(level__in=(AreaLevel.COMMUNITY, AreaLevel.STREET)).filter(staffed_q(user))


def community_staff(community: Area) -> list[User]:
    """Who hears of what happens in a community (a new need, a record to review): the accounts holding
    its community role. Its street committee looks at the board instead of being told."""
    return [
        g.user for g in RoleGrant.objects.filter(role=Role.COMMUNITY, area=community).select_related("user")
    ]


def communities_where(query: Q) -> AreaQuerySet:
    """The communities matching ``query``, in the tree's order."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(query).order_by("path")
