"""Who answers for a need offered or taken, and for a household paired: the member, a member of the
team, or the unit's party admin. They reply to the offer, report it served, log service against it,
and see whom it is for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Role
from accounts.scope import scope_for
from checkin.access import unit_admins

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from service.models import Assignment, HouseholdPairing


def answers_for(user: User | AnonymousUser | None, assignment: Assignment) -> bool:
    """The member the need was offered to (or who took it), a member of the team, or the unit's party
    admin."""
    scope = scope_for(user)
    if assignment.member_id:
        return assignment.member_id in scope.member_ids
    if assignment.team is not None:
        return (
            bool(scope.member_ids)
            and assignment.team.memberships.filter(member_id__in=scope.member_ids).exists()
        )
    return assignment.unit_id in scope.units_for(Role.UNIT_ADMIN)


def assignee_users(assignment: Assignment) -> list[User]:
    """Who hears of an offer: the member, the team's members, or the unit's party admins."""
    if assignment.member is not None:
        return [assignment.member.user] if assignment.member.user is not None else []
    if assignment.team is not None:
        memberships = assignment.team.memberships.select_related("member__user")
        return [m.member.user for m in memberships if m.member.user is not None]
    return unit_admins(assignment.unit)


def helps_household(user: User | AnonymousUser | None, pairing: HouseholdPairing) -> bool:
    """The member or the unit (its party admin) paired with the household (结对帮扶)."""
    scope = scope_for(user)
    if pairing.member_id:
        return pairing.member_id in scope.member_ids
    return pairing.unit_id in scope.units_for(Role.UNIT_ADMIN)
