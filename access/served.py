"""The communities a user serves: as a member, where they live and where they report (``serves_in``);
as a unit's party admin, where the unit sits and where it is paired (``unit_serves``). Open needs,
posts and resources of these communities are theirs to see and take, and members see the rankings and
the points shop of theirs."""

from __future__ import annotations

from django.db.models import Q

from access.people import SERVING_CHECKIN_STATES
from access.units import paired_now, served_by_units_q
from accounts.models import Role
from accounts.scope import Scope
from checkin.models import CheckIn
from orgs.models import Unit
from people.models import Member


def served_community_ids(scope: Scope) -> set[int]:
    """The ids of the communities the scope's user serves (members and unit admins; none for others)."""
    ids: set[int] = set()
    if scope.member_ids:
        ids |= set(
            CheckIn.objects.filter(
                member_id__in=scope.member_ids, state__in=SERVING_CHECKIN_STATES
            ).values_list("community_id", flat=True)
        )
        homes = Member.objects.filter(pk__in=scope.member_ids).values_list("residence_area_id", flat=True)
        ids |= {a for a in homes if a}
    units = scope.units_for(Role.UNIT_ADMIN)
    if units:
        ids |= set(paired_now(unit_id__in=units).values_list("community_id", flat=True))
        ids |= {a for a in Unit.objects.filter(pk__in=units).values_list("address_area_id", flat=True) if a}
    return ids


def served_communities_q(scope: Scope, field: str = "community_id") -> Q:
    """The same communities as ``served_community_ids``, as a filter on ``field`` made of subqueries, so a
    scoped list costs no extra round trips."""
    q = Q(pk__in=[])
    if scope.member_ids:
        checked_in = CheckIn.objects.filter(member_id__in=scope.member_ids, state__in=SERVING_CHECKIN_STATES)
        q |= Q(**{f"{field}__in": checked_in.values("community_id")})
        q |= Q(**{f"{field}__in": Member.objects.filter(pk__in=scope.member_ids).values("residence_area_id")})
    units = scope.units_for(Role.UNIT_ADMIN)
    if units:
        q |= served_by_units_q(units, field)
    return q
