"""The city tier generator (``gongjian demo-tier``): a tiny tier on PostgreSQL holds what the actions
would have written, in the numbers asked for; elsewhere the command refuses."""

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, Q, Sum

from accounts.models import User
from audit.models import AuditEvent
from checkin.models import ACTIVE_STATES, Certificate, CheckIn, CheckInState
from demo.models import TierBuild
from demo.tier.build import DEFAULT_PASSWORD
from demo.tier.options import VERSION, TierOptions
from gongjian.names import pinyin_initials
from gongjian.privacy import birth_date_from_id, decrypt, gender_from_id, keyed_hash, seal
from people.actions import derive_place_paths
from people.models import Member, Resident
from places.models import Area, AreaLevel
from places.paths import subtree_q
from points.actions import quote, split_points
from points.models import EntryKind, PointEntry
from service.models import RecordState, ServiceRecord

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the tier is built on PostgreSQL only"
)
TINY = {"members": 3000, "districts": 1, "streets": 2, "communities": 8, "records_per_member": 2, "jobs": 2}


def build(**options) -> str:
    out = StringIO()
    # --force: the test database's name need not say tier (the name check has its own test)
    call_command("demo_tier", stdout=out, force=True, **{**TINY, **options})
    return out.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for other databases")
@pytest.mark.django_db
def test_refuses_sqlite_with_its_reason():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        build()
    assert not Member.objects.exists()


@on_postgres
@pytest.mark.django_db
def test_refuses_a_database_whose_name_does_not_say_it_may_be_emptied(monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "NAME", "gongjian")
    with pytest.raises(CommandError, match="--force"):
        call_command("demo_tier", stdout=StringIO(), **TINY)
    assert not Member.objects.exists()


@on_postgres
@pytest.mark.django_db
def test_a_tiny_tier_has_the_numbers_asked_for():
    build()
    assert Area.objects.filter(level=AreaLevel.DISTRICT).count() == 1
    assert Area.objects.filter(level=AreaLevel.STREET).count() == 2
    assert Area.objects.filter(level=AreaLevel.COMMUNITY).count() == 8
    assert Member.objects.count() == 3000
    assert Resident.objects.count() == round(3000 * 0.3)
    in_service = Member.objects.in_service().count()
    assert 0.30 * 3000 < in_service < 0.40 * 3000
    assert not Member.objects.in_service().filter(unit__isnull=True).exists()
    assert ServiceRecord.objects.count() == 3000 * 2
    confirmed = ServiceRecord.objects.filter(state=RecordState.CONFIRMED)
    assert PointEntry.objects.count() == confirmed.count() > 0.9 * 6000
    built = TierBuild.objects.get()
    assert built.version == VERSION
    assert built.options == TierOptions.scaled(**TINY).key()
    assert built.counts["members"] == 3000 and built.counts["service_records"] == 6000
    assert {"people", "service", "indexes"} <= set(built.seconds)
    steps = AuditEvent.objects.filter(action="demo.tier")
    assert steps.count() == 9  # one row a step, not one a person
    assert sorted(e.detail["step"] for e in steps) == sorted(
        ["empty", "structure", "people", "service", "cases", "indexes", "accounts", "analyze", "rollups"]
    )


@on_postgres
@pytest.mark.django_db
def test_cases_chain_their_events_to_their_state_by_the_actions_rules():
    from itertools import groupby

    from cases.models import Case, CaseDispatch, CaseEvent, CaseState, DispatchRole
    from cases.workdays import add_working_days

    build()
    assert Case.objects.count() == round(3000 * TierOptions().cases_per_member)
    states = dict(Case.objects.values_list("pk", "state"))
    events = CaseEvent.objects.order_by("case_id", "at", "id").values_list(
        "case_id", "action", "from_state", "to_state", "at"
    )
    for case_id, rows in groupby(events, key=lambda row: row[0]):
        rows = list(rows)
        assert rows[0][1:3] == ("report", "")
        assert all(b[2] == a[3] and b[4] >= a[4] for a, b in zip(rows, rows[1:], strict=False)), rows
        assert rows[-1][3] == states.pop(case_id)
    assert not states
    assert Case.objects.filter(state=CaseState.CLOSED).count() > 0.8 * Case.objects.count()
    alone = Case.objects.select_related("category").filter(reopen_count=0, dispatches__isnull=True)
    for case in alone.order_by("?")[:40]:  # the community's own: due the category's working days later
        assert case.due_at == add_working_days(case.reported_at, case.category.deadline_days)
    for dispatch in CaseDispatch.objects.select_related("case__category").order_by("?")[:40]:
        assert dispatch.accept_by == add_working_days(
            dispatch.dispatched_at, dispatch.case.category.accept_days
        )
        if dispatch.accepted_at is not None:
            assert dispatch.accepted_on_time == (dispatch.accepted_at <= dispatch.accept_by)
    assert CaseDispatch.objects.filter(role=DispatchRole.LEAD).exists()


@on_postgres
@pytest.mark.django_db
def test_people_hold_what_the_actions_would_compute():
    build()
    members = list(
        Member.objects.select_related(
            "residence_area", "residence_building__grid", "unit__address_area"
        ).order_by("?")[:60]
    )
    for member in members:
        id_number, phone = decrypt(member.id_number_cipher), decrypt(member.phone_cipher)
        sealed = seal("id_number", id_number)
        assert (member.id_number_hash, member.id_number_hint) == (sealed.hash, sealed.hint)
        assert member.phone_hash == keyed_hash("phone", phone)
        assert member.name_initials == pinyin_initials(member.name)
        assert member.birth_date == birth_date_from_id(id_number)
        assert member.gender == gender_from_id(id_number)
        stored = (member.residence_path, member.grid_path, member.unit_path)
        derive_place_paths(member)
        assert stored == (member.residence_path, member.grid_path, member.unit_path)
    hashes = Member.objects.values("id_number_hash").annotate(n=Count("id")).filter(n__gt=1)
    assert not hashes.exists()  # every person has their own number (the unique index says so too)
    assert Member.objects.values("id_number_cipher").distinct().count() == 3000
    resident = Resident.objects.exclude(id_number_hash="").first()
    assert resident.id_number_hash == keyed_hash("id_number", decrypt(resident.id_number_cipher))


@on_postgres
@pytest.mark.django_db
def test_checkins_and_points_follow_the_rules():
    build()
    states = Counter(CheckIn.objects.values_list("state", flat=True))
    assert states[CheckInState.CONFIRMED] > states[CheckInState.CERTIFIED] > 0
    for checkin in CheckIn.objects.prefetch_related("events", "certificates").order_by("?")[:80]:
        events = sorted(checkin.events.all(), key=lambda e: (e.at, e.pk))
        assert events[0].from_state == "" and events[-1].to_state == checkin.state
        assert all(a.to_state == b.from_state for a, b in zip(events, events[1:], strict=False))
        valid = [c for c in checkin.certificates.all() if c.revoked_at is None]
        expected = 1 if checkin.state in (CheckInState.CERTIFIED, CheckInState.CONFIRMED) else 0
        assert len(valid) == expected
    one_active = CheckIn.objects.filter(state__in=ACTIVE_STATES).values("member").annotate(n=Count("id"))
    assert not one_active.filter(n__gt=1).exists()
    assert Certificate.objects.values("serial").distinct().count() == Certificate.objects.count()
    for entry in PointEntry.objects.select_related("record__category", "record__need").order_by("?")[:40]:
        record = entry.record
        (part,) = split_points(quote(record), 0, record.minutes)  # the rule of the record's day
        assert (entry.kind, entry.amount, entry.minutes) == (EntryKind.SERVICE, part.amount, record.minutes)
        assert (entry.member_id, entry.community_id) == (record.member_id, record.community_id)
    days = ServiceRecord.objects.values("member", "started_at__date").annotate(n=Count("id"))
    assert not days.filter(n__gt=1).exists()  # the daily cap starts from nothing for every record


@on_postgres
@pytest.mark.django_db
def test_the_accounts_sign_in_and_see_their_level():
    build()
    city = Area.objects.get(level=AreaLevel.CITY)
    street = Area.objects.filter(level=AreaLevel.STREET).order_by("pk").first()
    seen = {}
    for name in ("city", "street", "community", "unit", "member", "resident"):
        user = User.objects.get(username=f"tier-{name}")
        assert user.check_password(DEFAULT_PASSWORD) and user.is_active, name
        seen[name] = Member.objects.visible_to(user).count()
    assert (
        seen["city"] == Member.objects.filter(subtree_q("residence_path", city.path) | ~Q(unit=None)).count()
    )
    assert seen["city"] > seen["street"] > seen["community"] > 0
    in_street = Member.objects.filter(
        subtree_q("residence_path", street.path) | subtree_q("unit_path", street.path)
    ).count()
    assert seen["street"] == in_street
    assert (
        seen["unit"]
        >= Member.objects.in_service().values("unit").annotate(n=Count("id")).order_by("-n")[0]["n"]
        > 0
    )
    assert seen["member"] == 1
    assert Resident.objects.filter(user__username="tier-resident").exists()


def snapshot() -> dict:
    return {
        "areas": list(Area.objects.order_by("code").values_list("code", "name", "path")),
        "members": list(
            Member.objects.order_by("id").values_list(
                "id",
                "public_id",
                "name",
                "id_number_hash",
                "phone_hash",
                "residence_path",
                "unit_path",
                "grid_path",
            )
        ),
        "residents": list(Resident.objects.order_by("id").values_list("name", "id_number_hash", "grid_path")),
        "checkins": list(
            CheckIn.objects.order_by("id").values_list("id", "member_id", "state", "community__code")
        ),
        "serials": list(Certificate.objects.order_by("id").values_list("serial", flat=True)),
        "points": PointEntry.objects.aggregate(total=Sum("amount"), n=Count("id")),
    }


@on_postgres
@pytest.mark.django_db
def test_a_rebuild_with_the_same_seed_is_the_same_tier():
    build(jobs=2)
    first = snapshot()
    build(jobs=1)  # the workers' count does not change a row
    assert snapshot() == first
    assert TierBuild.objects.count() == 1
    out = StringIO()
    call_command("demo_tier", stdout=out, force=True, if_missing=True, **TINY)
    assert "kept" in out.getvalue()
    build(seed=7)
    assert snapshot()["members"] != first["members"]
