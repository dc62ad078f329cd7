"""Reads the service pages, the API and the actions share."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Role
from accounts.scope import Scope


def served_community_ids(scope: Scope) -> set[int]:
    """Communities where the user serves: a member's community of check-in and of residence, and a unit
    admin's paired communities and the community where the unit sits."""
    from checkin.models import CheckIn, CheckInState, UnitPairing
    from orgs.models import Unit
    from people.models import Member

    ids: set[int] = set()
    if scope.member_ids:
        ids |= set(
            CheckIn.objects.filter(
                member_id__in=scope.member_ids,
                state__in=(CheckInState.CONFIRMED, CheckInState.CERTIFIED, CheckInState.SUBMITTED),
            ).values_list("community_id", flat=True)
        )
        ids |= {
            a
            for a in Member.objects.filter(pk__in=scope.member_ids).values_list(
                "residence_area_id", flat=True
            )
            if a
        }
    units = scope.units_for(Role.UNIT_ADMIN)
    if units:
        ids |= set(
            UnitPairing.objects.filter(unit_id__in=units, ended_on__isnull=True).values_list(
                "community_id", flat=True
            )
        )
        ids |= {a for a in Unit.objects.filter(pk__in=units).values_list("address_area_id", flat=True) if a}
    return ids


def served_communities_q(scope: Scope, field: str = "community_id") -> Q:
    """The same communities as ``served_community_ids``, as a filter on ``field`` made of subqueries, so a
    scoped list costs no extra round trips."""
    from checkin.models import CheckIn, CheckInState, UnitPairing
    from orgs.models import Unit
    from people.models import Member

    q = Q(pk__in=[])
    if scope.member_ids:
        q |= Q(
            **{
                f"{field}__in": CheckIn.objects.filter(
                    member_id__in=scope.member_ids,
                    state__in=(CheckInState.CONFIRMED, CheckInState.CERTIFIED, CheckInState.SUBMITTED),
                ).values("community_id")
            }
        )
        q |= Q(**{f"{field}__in": Member.objects.filter(pk__in=scope.member_ids).values("residence_area_id")})
    units = scope.units_for(Role.UNIT_ADMIN)
    if units:
        q |= Q(
            **{
                f"{field}__in": UnitPairing.objects.filter(unit_id__in=units, ended_on__isnull=True).values(
                    "community_id"
                )
            }
        )
        q |= Q(**{f"{field}__in": Unit.objects.filter(pk__in=units).values("address_area_id")})
    return q
