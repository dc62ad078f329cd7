"""Whose own record a user is, and where a member serves.

A member serves the community they live in and the one they report to (报到: a check-in submitted,
certified or confirmed). That is where they take needs, claim posts, log service and see the rankings
and the points shop."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checkin.access import is_member_themself, own_member
from checkin.models import CheckIn, CheckInState
from people.models import Member, Resident

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from places.models import Area

__all__ = [
    "SERVING_CHECKIN_STATES",
    "is_member_themself",
    "is_resident_themself",
    "own_member",
    "own_resident",
    "serves_in",
]

# A check-in in these states makes its community one the member serves (a returned one does not).
SERVING_CHECKIN_STATES = (CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED)


def own_resident(user: User | AnonymousUser | None) -> Resident | None:
    """The user's own resident record (with their home), if they are a resident."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Resident.objects.filter(user=user)
        .select_related("residence_area", "residence_compound", "residence_building")
        .first()
    )


def is_resident_themself(user: User | AnonymousUser | None, resident: Resident | None) -> bool:
    """The resident's own account (the person a need or a service record is for, when on record)."""
    return (
        resident is not None
        and resident.user_id is not None
        and user is not None
        and resident.user_id == user.pk
    )


def serves_in(member: Member, community: Area) -> bool:
    """A member serves the community they live in and the one they report to."""
    if member.residence_area_id == community.pk:
        return True
    return CheckIn.objects.filter(
        member=member, community=community, state__in=SERVING_CHECKIN_STATES
    ).exists()
