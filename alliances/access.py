"""Who may do what in an alliance, written once (docs/SCOPES.md, "Alliances"). Pages, the API, the
exports, the actions and the notifications ask these; each model's ``visible_to`` stays the one door for
reading (alliances/models/scoping.py).

- Lead (run the alliance: members, agreements, posts, rotation, meetings, resolutions, the board): the
  staff of the alliance's area (``access.staffs``: the street committee for a street alliance, the
  community and its street for a community's), and its current secretary and deputies.
- Speak for a member unit (sign its agreement, answer its tasks, read the board for it, organise its
  activities): the unit's party admin (``access.holds_unit``), or its department role for a department.
- Inspect a unit (read-only follow-up with notes): an inspector post following the unit, which grants the
  ``inspector`` role over it.
- Call a party organisation's own meeting (三会一课): the staff over the organisation's area, or the unit
  admin of the organisation's unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from access import holds_unit, staffs
from accounts.models import Role
from accounts.scope import scope_for

if TYPE_CHECKING:
    from accounts.models import User
    from alliances.models import Alliance
    from orgs.models import PartyOrg, Unit

LEAD_POSTS = ("secretary", "deputy")


def leads(user: User | None, alliance: Alliance) -> bool:
    """Whether the user runs the alliance."""
    if user is None or not user.is_authenticated:
        return False
    if staffs(user, alliance.area):
        return True
    return alliance.posts.current().filter(user=user, role__in=LEAD_POSTS).exists()


def speaks_for_unit(user: User | None, unit: Unit) -> bool:
    """The unit's party admin (or, for a department, its department role)."""
    if user is None or not user.is_authenticated:
        return False
    return holds_unit(user, unit) or unit.pk in scope_for(user).units_for(Role.DEPARTMENT)


def spoken_units(user: User | None) -> frozenset[int]:
    """The units the user speaks for (``speaks_for_unit`` for all of them at once)."""
    scope = scope_for(user)
    return scope.units_for(Role.UNIT_ADMIN) | scope.units_for(Role.DEPARTMENT)


def inspects(user: User | None, unit: Unit) -> bool:
    """An inspector following the unit."""
    return unit.pk in scope_for(user).units_for(Role.INSPECTOR)


def is_member_unit(alliance: Alliance, unit: Unit) -> bool:
    return alliance.members.current().filter(unit=unit).exists()


def keeps_party_org(user: User | None, org: PartyOrg) -> bool:
    """Who calls a party organisation's own meetings (三会一课)."""
    if user is None or not user.is_authenticated:
        return False
    if org.area is not None and staffs(user, org.area):
        return True
    return org.unit is not None and holds_unit(user, org.unit)
