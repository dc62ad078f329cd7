"""Themed activities: sign-up within places, QR sign-in in its window, and attendance that becomes one
organiser-confirmed service record and its points, exactly once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from alliances import activities
from alliances.models import Activity, ActivitySignup, ActivityState, ChairTurn, OpenTo
from alliances.tests.fixtures import street_alliance
from audit.models import AuditEvent
from gongjian.testing import item
from notifications.models import Notification
from points.models import PointEntry
from service.models import ConfirmedVia, RecordState, ServiceRecord

pytestmark = pytest.mark.django_db


def an_activity(cast, a, *, by=None, **fields):
    start = timezone.now() + timedelta(hours=1)
    values = {
        "alliance": a.alliance,
        "title": "社区义诊",
        "community": cast.places.a1,
        "place": "阳光小区广场",
        "starts_at": start,
        "ends_at": start + timedelta(hours=2),
        "category": item(),
        "organiser_unit": cast.places.unit_a,
    }
    values.update(fields)
    return activities.create_activity(acting_user=by or cast.unit, **values)


@pytest.fixture
def world(cast):
    return street_alliance(cast)


def test_a_member_unit_organises_and_the_months_chair_links_its_turn(cast, world):
    start = timezone.now() + timedelta(hours=1)
    turn = ChairTurn.objects.create(
        alliance=world.alliance,
        month=timezone.localtime(start).date().replace(day=1),
        unit=cast.places.unit_a,
        theme="健康进社区",
    )
    activity = an_activity(cast, world, starts_at=start, ends_at=start + timedelta(hours=2))
    assert activity.chair_turn_id == turn.pk and activity.theme == "健康进社区"
    assert AuditEvent.objects.filter(action="alliances.activity_created").count() == 1


def test_who_may_organise_and_bad_input(cast, world):
    with pytest.raises(PermissionDenied):
        an_activity(cast, world, by=cast.unit2)  # for unit A
    with pytest.raises(ValidationError, match="not an active member"):
        an_activity(cast, world, by=cast.unit2, organiser_unit=cast.places.unit_b)
    with pytest.raises(PermissionDenied):
        an_activity(cast, world, by=cast.member, organiser_unit=None)
    with pytest.raises(ValidationError, match="community"):
        an_activity(cast, world, community=cast.places.b1)
    with pytest.raises(ValidationError, match="service menu"):
        an_activity(cast, world, category=item().parent)
    with pytest.raises(ValidationError, match="end after"):
        an_activity(cast, world, ends_at=timezone.now())
    world.agreement_a.ends_on = timezone.localdate() - timedelta(days=1)
    world.agreement_a.save(update_fields=["ends_on"])
    with pytest.raises(ValidationError, match="not an active member"):
        an_activity(cast, world)
    assert an_activity(cast, world, by=cast.street, organiser_unit=None).organiser_unit is None


def test_sign_up_once_within_places_as_open_to_allows(cast, world):
    activity = an_activity(cast, world, capacity=1)
    signup = activities.sign_up(acting_user=cast.member, activity=activity)
    assert signup.member == cast.m_member and signup.name == cast.m_member.name
    with pytest.raises(ValidationError, match="already signed up"):
        activities.sign_up(acting_user=cast.member, activity=activity)
    with pytest.raises(ValidationError, match="full"):
        activities.sign_up(acting_user=cast.resident, activity=activity)
    activities.cancel_signup(acting_user=cast.member, activity=activity)
    resident = activities.sign_up(acting_user=cast.resident, activity=activity)
    assert resident.resident == cast.r_a and resident.member is None
    members_only = an_activity(cast, world, open_to=OpenTo.MEMBERS)
    with pytest.raises(PermissionDenied):
        activities.sign_up(acting_user=cast.resident, activity=members_only)
    with pytest.raises(PermissionDenied):
        activities.sign_up(acting_user=cast.nobody, activity=members_only)


def test_sign_up_is_refused_once_started_or_cancelled(cast, world):
    activity = an_activity(cast, world)
    activities.sign_up(acting_user=cast.resident, activity=activity)
    activities.cancel_activity(acting_user=cast.unit, activity=activity, reason="天气原因")
    with pytest.raises(ValidationError, match="cancelled"):
        activities.sign_up(acting_user=cast.member, activity=activity)
    note = Notification.objects.get(kind="alliances.activity_cancelled")
    assert note.recipient == cast.resident and "天气原因" in note.title
    started = an_activity(cast, world)
    with time_machine.travel(started.starts_at + timedelta(minutes=1)):
        with pytest.raises(ValidationError, match="started"):
            activities.sign_up(acting_user=cast.member, activity=started)


def test_check_in_needs_the_code_and_the_window_and_signs_up_on_the_spot(cast, world):
    activity = an_activity(cast, world, capacity=1)
    with pytest.raises(PermissionDenied):
        activities.check_in(
            acting_user=cast.member, activity=activity, secret="wrong", now=activity.starts_at
        )
    with pytest.raises(ValidationError, match="30 minutes"):
        activities.check_in(
            acting_user=cast.member,
            activity=activity,
            secret=activity.signin_secret,
            now=activity.starts_at - timedelta(minutes=31),
        )
    with pytest.raises(ValidationError, match="30 minutes"):
        activities.check_in(
            acting_user=cast.member,
            activity=activity,
            secret=activity.signin_secret,
            now=activity.ends_at + timedelta(minutes=1),
        )
    signup = activities.check_in(
        acting_user=cast.member,
        activity=activity,
        secret=activity.signin_secret,
        now=activity.starts_at - timedelta(minutes=29),
    )
    assert signup.checked_in_at is not None
    again = activities.check_in(
        acting_user=cast.member, activity=activity, secret=activity.signin_secret, now=activity.starts_at
    )
    assert again.pk == signup.pk and again.checked_in_at == signup.checked_in_at
    with pytest.raises(ValidationError, match="full"):
        activities.check_in(
            acting_user=cast.resident,
            activity=activity,
            secret=activity.signin_secret,
            now=activity.starts_at,
        )


def held(cast, world, **fields):
    activity = an_activity(cast, world, **fields)
    activities.sign_up(acting_user=cast.member, activity=activity)
    activities.sign_up(acting_user=cast.resident, activity=activity)
    for user in (cast.member, cast.resident):
        activities.check_in(
            acting_user=user, activity=activity, secret=activity.signin_secret, now=activity.starts_at
        )
    return activity


def test_attendance_becomes_one_confirmed_record_and_its_points_exactly_once(cast, world):
    activity = held(cast, world)
    with time_machine.travel(activity.ends_at + timedelta(minutes=10)):
        with pytest.raises(ValidationError, match="held"):
            activities.confirm_attendance(acting_user=cast.unit, activity=activity)
        activities.mark_held(acting_user=cast.unit, activity=activity)
        with pytest.raises(PermissionDenied):
            activities.confirm_attendance(acting_user=cast.member, activity=activity)
        assert activities.confirm_attendance(acting_user=cast.unit, activity=activity) == 1
        assert activities.confirm_attendance(acting_user=cast.street, activity=activity) == 0
    record = ServiceRecord.objects.get(member=cast.m_member)
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == ConfirmedVia.ORGANISER
    assert record.minutes == 120 and record.category == item() and record.community == cast.places.a1
    assert record.confirmed_by == cast.unit
    assert ActivitySignup.objects.get(activity=activity, user=cast.member).service_record == record
    entries = PointEntry.objects.filter(record=record)
    assert entries.count() == 1 and entries.get().amount > 0
    assert ServiceRecord.objects.count() == 1  # the resident was served, not recorded
    assert Activity.objects.get(pk=activity.pk).state == ActivityState.CONFIRMED
    assert Notification.objects.filter(recipient=cast.member, kind="service.record_confirmed").count() == 1
    assert AuditEvent.objects.filter(action="alliances.attendance_confirmed").count() == 2


def test_the_organiser_does_not_confirm_their_own_attendance(cast, world):
    from people.models import Member

    Member.objects.filter(pk=cast.m_a2.pk).update(user=cast.unit)  # the unit's admin is a member too
    activity = an_activity(cast, world)
    activities.check_in(
        acting_user=cast.unit, activity=activity, secret=activity.signin_secret, now=activity.starts_at
    )
    with time_machine.travel(activity.ends_at + timedelta(minutes=10)):
        activities.mark_held(acting_user=cast.unit, activity=activity)
        assert activities.confirm_attendance(acting_user=cast.unit, activity=activity) == 0
        assert activities.confirm_attendance(acting_user=cast.street, activity=activity) == 1
    assert ServiceRecord.objects.get().confirmed_by == cast.street


@pytest.mark.django_db(transaction=True)
def test_two_people_cannot_take_the_last_place_at_once(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises every write, so it cannot show a race; CI runs these on PostgreSQL")
    from conftest import build_cast
    from gongjian.testing import together

    cast = build_cast()
    world = street_alliance(cast)
    activity = an_activity(cast, world, capacity=1)
    # Whoever locks the activity first holds the lock a moment, so the other one is certainly waiting
    # for it rather than counting the places beside it.
    lock = activities.lock

    def lock_slowly(row):
        row = lock(row)
        time.sleep(0.3)
        return row

    monkeypatch.setattr(activities, "lock", lock_slowly)
    results = together(
        lambda: activities.sign_up(acting_user=cast.member, activity=activity).pk,
        lambda: activities.sign_up(acting_user=cast.resident, activity=activity).pk,
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and "full" in error.messages[0]
    assert ActivitySignup.objects.filter(activity=activity).count() == 1
