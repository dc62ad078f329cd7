"""Many people acting on the same post, need or record at the same moment, in real concurrent
transactions (PostgreSQL: SQLite lets one writer in at a time, so it cannot show a race).

The server allows 100 connections and other test runs share it, so at most ``AT_ONCE`` threads hold a
connection at a time; they all start together at a barrier. Where the interleaving matters, the test
makes the race certain (both pass the check before either writes, or one holds the lock a moment).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from conftest import _id, build_cast
from gongjian.testing import item, together
from people.actions import MemberData, save_member
from service.models import (
    Assignment,
    AssignmentState,
    NeedEvent,
    NeedState,
    PostClaim,
    RecordState,
    ServiceRecord,
)
from service.needs import actions
from service.posts import actions as post_actions
from service.records import actions as record_actions
from service.records import codes, steps

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def members_in_a1(cast, n: int) -> list:
    """``n`` members living in community A1, each with an account."""
    users = []
    for i in range(n):
        member = save_member(
            acting_user=None,
            data=MemberData(
                name=f"党员{i:03d}",
                id_number=_id(100 + i),
                phone=f"1370000{i:04d}",
                party_org=cast.places.org_a1,
                unit=None,
                residence_area=cast.places.a1,
            ),
        )
        user = create_user(acting_user=None, username=f"m{i:03d}", password=None)
        grant_role(acting_user=None, user=user, role=Role.MEMBER)
        member.user = user
        member.save(update_fields=["user"])
        users.append(user)
    return users


def errors(results) -> list[Exception]:
    return [value for kind, value in results if kind == "error"]


def test_a_hundred_claims_on_ten_places_leave_ten():
    cast = build_cast()
    post = post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="文明劝导岗",
        category=item("civility"),
        schedule="每天 7:00–9:00",
        capacity=10,
        starts_on=timezone.localdate(),
    )
    users = members_in_a1(cast, 100)

    results = together(*[(lambda u=u: post_actions.claim_post(acting_user=u, post=post).pk) for u in users])

    assert sum(kind == "ok" for kind, _ in results) == 10, results
    refusals = errors(results)
    assert len(refusals) == 90
    assert all(
        isinstance(e, ValidationError) and e.messages == ["This post is full (10 of 10 places taken)."]
        for e in refusals
    ), {repr(e) for e in refusals}
    assert PostClaim.objects.filter(post=post, left_at__isnull=True).count() == 10


def test_two_members_taking_one_need_at_once_leave_one_taker(monkeypatch):
    cast = build_cast()
    need = actions.post_need(
        acting_user=cast.community, title="帮忙搬家", category=item("elderly_care"), community=cast.places.a1
    )
    [other] = members_in_a1(cast, 1)
    locked = actions.lock_need

    def locked_slowly(row):
        row = locked(row)
        time.sleep(0.3)  # whoever locks first holds the lock: the other certainly waits for it
        return row

    monkeypatch.setattr(actions, "lock_need", locked_slowly)

    results = together(
        lambda: actions.take_need(acting_user=cast.member, need=need).pk,
        lambda: actions.take_need(acting_user=other, need=need).pk,
        lambda: actions.take_need(acting_user=cast.unit, need=need, unit=cast.places.unit_a).pk,
    )

    assert sorted(kind for kind, _ in results) == ["error", "error", "ok"], results
    for error in errors(results):
        assert isinstance(error, ValidationError)
        assert error.messages[0] in (
            "This need is Taken; it cannot be taken.",
            "Somebody else has just taken this need.",
        )
    need.refresh_from_db()
    assert need.state == NeedState.TAKEN
    assert Assignment.objects.filter(need=need).count() == 1
    assert NeedEvent.objects.filter(need=need, action="take").count() == 1


def test_taking_and_dispatching_at_once_leave_one_current_assignment(monkeypatch):
    cast = build_cast()
    need = actions.post_need(
        acting_user=cast.community, title="帮忙搬家", category=item("elderly_care"), community=cast.places.a1
    )
    locked = actions.lock_need

    def locked_slowly(row):
        row = locked(row)
        time.sleep(0.3)
        return row

    monkeypatch.setattr(actions, "lock_need", locked_slowly)
    results = together(
        lambda: actions.take_need(acting_user=cast.member, need=need).pk,
        lambda: actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_b_home_a).pk,
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert Assignment.objects.filter(need=need, state__in=("offered", "accepted")).count() == 1


def test_one_need_logged_twice_at_once_gives_one_record(monkeypatch):
    """The form sent twice (or two members of the team) at the same moment: both must not pass the
    "taken and not yet served" check before either writes."""
    cast = build_cast()
    need = actions.post_need(
        acting_user=cast.community, title="换灯泡", category=item("home_repair"), community=cast.places.a1
    )
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    both_checked = threading.Barrier(2)
    current = record_actions.current_assignment

    def current_then_wait(n):
        found = current(n)
        try:
            both_checked.wait(timeout=2)
        except threading.BrokenBarrierError:
            pass  # the other one is waiting for a lock: that is the fix working
        return found

    monkeypatch.setattr(record_actions, "current_assignment", current_then_wait)

    def log():
        return record_actions.log_service_record(
            acting_user=cast.member,
            category=item("home_repair"),
            started_at=timezone.now() - timezone.timedelta(hours=2),
            minutes=30,
            description="换了灯泡",
            need=need,
        ).pk

    results = together(log, log)

    assert ServiceRecord.objects.filter(need=need).count() == 1, results
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert NeedEvent.objects.filter(need=need, action="serve").count() == 1


def test_two_confirmations_at_once_confirm_and_book_once(monkeypatch):
    cast = build_cast()
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timezone.timedelta(hours=3),
        minutes=60,
        description="陪聊",
        community=cast.places.a1,
    )
    locked = steps.locked

    def locked_slowly(row):
        row = locked(row)
        time.sleep(0.3)
        return row

    monkeypatch.setattr(steps, "locked", locked_slowly)
    results = together(
        lambda: record_actions.confirm_with_code(record=record, code=codes.confirmation_code(record)).pk,
        lambda: record_actions.confirm_as_organiser(acting_user=cast.community, record=record).pk,
    )
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    [error] = errors(results)
    assert isinstance(error, ValidationError) and error.messages == ["This record is already confirmed."]
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED
    assert record.events.filter(action="confirm").count() == 1
    assert record.point_entries.count() == 1


def test_a_member_accepting_while_the_community_withdraws(monkeypatch):
    cast = build_cast()
    need = actions.post_need(
        acting_user=cast.community, title="帮忙搬家", category=item("elderly_care"), community=cast.places.a1
    )
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    locked = actions._locked_assignment

    def locked_slowly(row):
        found = locked(row)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(actions, "_locked_assignment", locked_slowly)
    results = together(
        lambda: actions.accept_assignment(acting_user=cast.member, assignment=offer).pk,
        lambda: actions.withdraw_assignment(acting_user=cast.community, assignment=offer, reason="改派").pk,
    )
    offer.refresh_from_db()
    need.refresh_from_db()
    # accepted then withdrawn, or withdrawn and the late acceptance refused: either way it is back
    assert (offer.state, need.state) == (AssignmentState.WITHDRAWN, NeedState.OPEN), results
    for error in errors(results):
        assert isinstance(error, ValidationError)
        assert error.messages == ["This offer is Withdrawn; it cannot be accepted."]
    assert need.events.filter(action="withdraw").count() == 1
