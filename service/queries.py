"""Reads the service pages, the API and the actions share: the communities a user serves, and who may be
chosen to serve a community (the dispatch and pairing choices of the pages and the API)."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Role
from accounts.scope import Scope
from checkin.models import CheckIn, CheckInState, Team, UnitPairing
from orgs.models import Unit
from people.models import Member
from service.models import Resource


def served_community_ids(scope: Scope) -> set[int]:
    """Communities where the user serves: a member's community of check-in and of residence, and a unit
    admin's paired communities and the community where the unit sits."""
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


# --- who may be chosen to serve a community ---------------------------------------------------------


def serving_members(user, community):
    """Members who serve ``community``: those who live there and those who report to it (check-in)."""
    reported = CheckIn.objects.visible_to(user).filter(
        community=community,
        state__in=(CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED),
    )
    living = Member.objects.visible_to(user).filter(residence_area=community)
    return Member.objects.filter(
        Q(pk__in=reported.values("member_id")) | Q(pk__in=living.values("pk"))
    ).select_related("unit")


def community_teams(user, community):
    return Team.objects.visible_to(user).filter(community=community)


def serving_units(user, community):
    """Units that can take a need of ``community``: units in the user's areas, units paired with the
    community, and units offering resources the user can see."""
    paired = UnitPairing.objects.visible_to(user).filter(community=community, ended_on__isnull=True)
    offering = Resource.objects.visible_to(user).available()
    return Unit.objects.filter(
        Q(pk__in=Unit.objects.visible_to(user).values("pk"))
        | Q(pk__in=paired.values("unit_id"))
        | Q(pk__in=offering.values("unit_id"))
    )
