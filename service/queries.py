"""Reads the service pages and the API share: who may be chosen to serve a community (the dispatch and
pairing choices). The communities a user serves are an access rule (``access.served_community_ids``)."""

from __future__ import annotations

from django.db.models import Q

from access import SERVING_CHECKIN_STATES
from checkin.models import CheckIn, Team, UnitPairing
from orgs.models import Unit
from people.models import Member
from service.models import Resource

# --- who may be chosen to serve a community ---------------------------------------------------------


def serving_members(user, community):
    """Members who serve ``community``: those who live there and those who report to it (check-in)."""
    reported = CheckIn.objects.visible_to(user).filter(
        community=community,
        state__in=SERVING_CHECKIN_STATES,
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
