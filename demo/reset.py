"""Remove the demo city: everything under area 350800, its units and organisations, and the demo accounts.

Deleted in dependency order, through the ORM so that rows of other apps that point at these
records cascade (or, if they protect them, stop the reset with a clear error). The audit log is
append-only and stays as it is: its rows name their targets by public id, not by foreign key.

The points ledger is append-only too, but its rows hold foreign keys to the city's members, records
and redemptions, so they have to go with them (``_delete_ledger``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.sql.subqueries import DeleteQuery

from alliances.models import Alliance, LeaderLink, Meeting
from cases.models import Case
from checkin.models import Certificate, CheckIn, Team, UnitPairing
from demo import vocab
from demo.accounts import CAST_PREFIX, DEMO_USERNAMES
from orgs.models import PartyOrg, Post, Unit
from people.models import Applicant, CommercialBuilding, Member, Resident, TradeUnion, YouthLeagueOrg
from places.models import Area, Building, Compound, Grid
from places.paths import subtree_q
from points.models import PointEntry, PointRule, Redemption, Reward
from service.models import (
    Assignment,
    HouseholdPairing,
    Need,
    PostClaim,
    Project,
    ProjectCommitment,
    ProjectUnit,
    Resource,
    ServiceCategory,
    ServicePost,
    ServiceRecord,
)

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


def _delete_ledger(entries: QuerySet) -> int:
    """Delete points entries, which the model, its queryset and (on PostgreSQL) a row trigger all
    refuse to delete: the ledger is append-only for everybody but this reset.

    On PostgreSQL the trigger is switched off around these deletes, inside the reset's transaction:
    ALTER TABLE is transactional there, so the trigger is on again when the transaction ends, however
    it ends, and the SHARE ROW EXCLUSIVE lock it takes keeps every other session from writing to the
    ledger meanwhile (reading goes on). TRUNCATE would pass the trigger too, but it empties the whole
    ledger, not just the demo city's. SQLite has no trigger; a plain DELETE (Django's DeleteQuery, not
    the guarded queryset) passes the model-level guard. Entries and their reversals go in the same
    batches; the foreign keys between them are checked at commit.
    """
    ids = list(entries.values_list("pk", flat=True))
    if not ids:
        return 0
    table = connection.ops.quote_name(PointEntry._meta.db_table)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            # PostgreSQL refuses to ALTER a table with foreign-key checks still deferred on it (rows
            # written earlier in this transaction): run them now, as loaddata does.
            connection.check_constraints()
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER points_entry_append_only")
        DeleteQuery(PointEntry).delete_batch(ids, connection.alias)  # plain DELETEs, in batches
        if postgres:
            connection.check_constraints()
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER points_entry_append_only")
    return len(ids)


def _reset_service(areas: QuerySet, units: QuerySet, orgs: QuerySet, users: QuerySet, out) -> None:
    """The service loop's rows of the demo city: the ledger first (it protects members, records and
    redemptions, and deleting the accounts or units would rewrite its rows), then redemptions and
    rewards, records (their events, photos, ratings and pairing visits' links go with them), pairings,
    posts, needs (assignments and events cascade), projects, and resources."""
    members = Member.objects.filter(Q(party_org__in=orgs) | Q(residence_area__in=areas)).values("pk")
    records = ServiceRecord.objects.filter(Q(community__in=areas) | Q(member__in=members))
    redemptions = Redemption.objects.filter(Q(reward__area__in=areas) | Q(member__in=members))
    removed = _delete_ledger(
        PointEntry.objects.filter(
            Q(member__in=members)
            | Q(community__in=areas)
            | Q(unit__in=units)
            | Q(record__in=records)
            | Q(redemption__in=redemptions)
            | Q(created_by__in=users)  # booked by a demo account: deleting it would rewrite the row
        )
    )
    if removed:
        out(f"  points entries: {removed:,} deleted")
    redemptions.delete()
    Reward.objects.filter(area__in=areas).delete()
    _delete_in_chunks(records, out, "service records")
    HouseholdPairing.objects.filter(
        Q(community__in=areas) | Q(member__in=members) | Q(unit__in=units)
    ).delete()
    PostClaim.objects.filter(member__in=members).delete()
    ServicePost.objects.filter(community__in=areas).delete()
    Assignment.objects.filter(
        Q(member__in=members) | Q(unit__in=units) | Q(team__community__in=areas)
    ).delete()
    Need.objects.filter(community__in=areas).delete()
    ProjectCommitment.objects.filter(unit__in=units).delete()
    ProjectUnit.objects.filter(unit__in=units).delete()
    Project.objects.filter(community__in=areas).delete()
    Resource.objects.filter(Q(unit__in=units) | Q(community__in=areas)).delete()
    PointRule.objects.filter(Q(city__in=areas) | Q(category__city__in=areas)).delete()  # the city's rules
    ServiceCategory.objects.filter(city__in=areas).delete()


def _reset_alliances(areas: QuerySet, users: QuerySet) -> None:
    """The alliances of the demo city, before the cases they took up and the people, units and places
    their rows protect: leaders' links (their visits go with them), meetings held in the city or by its
    organisations, then the alliances (members, posts, agreements, the chair, activities with their
    sign-ups, the board and the events cascade). Alliances elsewhere that took a demo unit in keep it
    protected: the reset stops there with Django's error rather than edit another city's alliance."""
    LeaderLink.objects.filter(Q(community__in=areas) | Q(leader__in=users)).delete()
    Meeting.objects.filter(Q(area__in=areas) | Q(alliance__area__in=areas)).delete()
    Alliance.objects.filter(area__in=areas).delete()


@transaction.atomic
def reset_city(*, out: Callable[[str], None] = print) -> None:
    city = Area.objects.filter(code=vocab.CITY_CODE).first()
    users = get_user_model().objects.filter(
        Q(username__in=DEMO_USERNAMES) | Q(username__startswith=CAST_PREFIX)
    )
    if city is None:
        users.delete()
        return
    areas = Area.objects.filter(subtree_q("path", city.path))
    units = Unit.objects.filter(address_area__in=areas)
    orgs = PartyOrg.objects.filter(Q(area__in=areas) | Q(unit__in=units))
    _reset_alliances(areas, users)
    # Cases protect their streets and the units they were whistled to; their dispatches, updates, photos,
    # events and meetings cascade, responsibility areas go with their grids and members.
    _delete_in_chunks(Case.objects.filter(street__in=areas), out, "cases")
    _reset_service(areas, units, orgs, users, out)
    users.delete()
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
