"""Remove the demo city: everything under area 350800, its units and organisations, and the demo accounts.

Deleted in dependency order, through the ORM so that rows of other apps that point at these
records cascade (or, if they protect them, stop the reset with a clear error). The audit log is
append-only and stays as it is: its rows name their targets by public id, not by foreign key.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet

from checkin.models import Certificate, CheckIn, Team, UnitPairing
from demo import vocab
from demo.accounts import DEMO_USERNAMES
from orgs.models import PartyOrg, Post, Unit
from people.models import Applicant, CommercialBuilding, Member, Resident, TradeUnion, YouthLeagueOrg
from places.models import Area, Building, Compound, Grid
from places.paths import subtree_q

CHUNK = 2000


def _delete_in_chunks(qs: QuerySet, out: Callable[[str], None], label: str) -> int:
    """Delete a big set a chunk of primary keys at a time, so memory stays flat on a benchmark city."""
    total = 0
    while True:
        pks = list(qs.order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not pks:
            return total
        qs.model.objects.filter(pk__in=pks).delete()
        total += len(pks)
        if total % (CHUNK * 50) == 0:
            out(f"  {label}: {total:,} deleted")


@transaction.atomic
def reset_city(*, out: Callable[[str], None] = print) -> None:
    city = Area.objects.filter(code=vocab.CITY_CODE).first()
    get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()
    if city is None:
        return
    areas = Area.objects.filter(subtree_q("path", city.path))
    units = Unit.objects.filter(address_area__in=areas)
    orgs = PartyOrg.objects.filter(Q(area__in=areas) | Q(unit__in=units))
    Post.objects.filter(party_org__in=orgs).delete()
    # Check-ins protect their members, units, communities and certifying organisations; their
    # events cascade with them, team memberships with the teams.
    checkins = CheckIn.objects.filter(
        Q(community__in=areas)
        | Q(unit__in=units)
        | Q(member__party_org__in=orgs)
        | Q(member__residence_area__in=areas)
    )
    Certificate.objects.filter(Q(checkin__in=checkins) | Q(party_org__in=orgs)).delete()
    _delete_in_chunks(checkins, out, "check-ins")
    Team.objects.filter(community__in=areas).delete()
    UnitPairing.objects.filter(Q(community__in=areas) | Q(unit__in=units)).delete()
    Applicant.objects.filter(Q(area__in=areas) | Q(party_org__in=orgs)).delete()
    for model in (CommercialBuilding, TradeUnion, YouthLeagueOrg):
        model.objects.filter(area__in=areas).delete()
    _delete_in_chunks(
        Member.objects.filter(Q(party_org__in=orgs) | Q(residence_area__in=areas)), out, "members"
    )
    _delete_in_chunks(Resident.objects.filter(residence_area__in=areas), out, "residents")
    org_ids = list(orgs.values_list("pk", flat=True))
    PartyOrg.objects.filter(pk__in=org_ids).update(parent=None)
    PartyOrg.objects.filter(pk__in=org_ids).delete()
    units.delete()
    Building.objects.filter(compound__community__in=areas).delete()
    Grid.objects.filter(street__in=areas).update(parent=None)
    Grid.objects.filter(street__in=areas).delete()
    Compound.objects.filter(community__in=areas).delete()
    area_ids = list(areas.values_list("pk", flat=True))
    Area.objects.filter(pk__in=area_ids).update(parent=None)
    Area.objects.filter(pk__in=area_ids).delete()
