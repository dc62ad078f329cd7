"""Simultaneous redemptions can overdraw neither a balance nor a stock (PostgreSQL row locks; SQLite
lets one writer in at a time, so it cannot show a race).

At most ``AT_ONCE`` threads hold a connection at a time (the server allows 100 and other test runs
share it); all start together at a barrier.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from conftest import _id, build_cast
from gongjian.testing import together
from people.actions import MemberData, save_member
from points import actions as points
from points.models import EntryKind, PointEntry, Redemption, RedemptionState
from service.models import ServiceCategory
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def earn(cast, user, points_wanted: int, *, day: int = 1) -> None:
    """Book ``points_wanted`` (a multiple of 10, at most 80) for the user's member: a record the community
    confirms."""
    record = record_actions.log_service_record(
        acting_user=user,
        category=ServiceCategory.objects.get(code="elderly_care", city__isnull=True),
        started_at=timezone.now() - timedelta(days=day, hours=12),
        minutes=points_wanted * 6,
        description="服务",
        community=user.member.residence_area,
    )
    record_actions.confirm_as_organiser(acting_user=user._cast.community, record=record, note="核实")


def member_user(cast, i: int):
    member = save_member(
        acting_user=None,
        data=MemberData(
            name=f"党员{i:03d}",
            id_number=_id(200 + i),
            phone=f"1360000{i:04d}",
            party_org=cast.places.org_a1,
            unit=None,
            residence_area=cast.places.a1,
        ),
    )
    user = create_user(acting_user=None, username=f"p{i:03d}", password=None)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    member.user = user
    member.save(update_fields=["user"])
    user._cast = cast
    return user


def test_twenty_redemptions_at_once_spend_only_what_is_there(monkeypatch):
    cast = build_cast()
    cast.member._cast = cast
    earn(cast, cast.member, 50)
    assert points.balance_of(cast.m_member) == 50
    reward = points.add_reward(
        acting_user=cast.community, area=cast.places.a1, name="毛巾", cost=10, stock=100
    )
    # whoever holds the member's lock keeps it a moment, so the others certainly queue behind it
    lock = points._lock_member

    def lock_slowly(member):
        locked = lock(member)
        time.sleep(0.02)
        return locked

    monkeypatch.setattr(points, "_lock_member", lock_slowly)

    results = together(*[(lambda: points.redeem_reward(acting_user=cast.member, reward=reward).pk)] * 20)

    assert sum(kind == "ok" for kind, _ in results) == 5, results
    refusals = [value for kind, value in results if kind == "error"]
    assert len(refusals) == 15
    assert all(
        isinstance(e, ValidationError) and e.messages == ["毛巾 costs 10 points; you have 0."]
        for e in refusals
    ), {repr(e) for e in refusals}
    assert points.balance_of(cast.m_member) == 0
    assert PointEntry.objects.filter(member=cast.m_member, kind=EntryKind.REDEMPTION).count() == 5
    assert Redemption.objects.filter(member=cast.m_member).count() == 5


def test_thirty_members_redeeming_a_stock_of_seven_get_seven():
    cast = build_cast()
    users = [member_user(cast, i) for i in range(30)]
    for user in users:
        earn(cast, user, 20)
    reward = points.add_reward(
        acting_user=cast.community, area=cast.places.a1, name="电影票", cost=20, stock=7
    )

    results = together(*[(lambda u=u: points.redeem_reward(acting_user=u, reward=reward).pk) for u in users])

    assert sum(kind == "ok" for kind, _ in results) == 7, results
    refusals = [value for kind, value in results if kind == "error"]
    assert len(refusals) == 23
    assert all(
        isinstance(e, ValidationError) and e.messages == ["电影票 is out of stock."] for e in refusals
    ), {repr(e) for e in refusals}
    assert reward.redemptions.exclude(state=RedemptionState.CANCELLED).count() == 7
    assert PointEntry.objects.filter(kind=EntryKind.REDEMPTION).count() == 7
    # the ones who got nothing kept their points
    assert sorted(points.balance_of(u.member) for u in users) == [0] * 7 + [20] * 23


def test_cancelling_and_redeeming_at_once_keep_the_stock_straight():
    cast = build_cast()
    first, second = member_user(cast, 1), member_user(cast, 2)
    for user in (first, second):
        earn(cast, user, 20)
    reward = points.add_reward(
        acting_user=cast.community, area=cast.places.a1, name="电影票", cost=20, stock=1
    )
    placed = points.redeem_reward(acting_user=first, reward=reward)

    results = together(
        lambda: points.cancel_redemption(acting_user=first, redemption=placed).pk,
        lambda: points.redeem_reward(acting_user=second, reward=reward).pk,
    )

    # the redemption either came after the cancellation (both ok) or before it (out of stock)
    assert results[0][0] == "ok", results
    live = reward.redemptions.exclude(state=RedemptionState.CANCELLED).count()
    assert live == (1 if results[1][0] == "ok" else 0)
    assert live <= reward.stock
    assert points.balance_of(first.member) == 20


def test_two_corrections_of_one_entry_at_once_reverse_it_once():
    cast = build_cast()
    cast.member._cast = cast
    earn(cast, cast.member, 30)
    entry = PointEntry.objects.get(member=cast.m_member, kind=EntryKind.SERVICE)
    colleague = create_user(acting_user=None, username="community-b", password=None)
    grant_role(acting_user=None, user=colleague, role=Role.COMMUNITY, area=cast.places.a1)

    results = together(
        lambda: points.reverse_entry(acting_user=cast.community, entry=entry, reason="重复").pk,
        lambda: points.reverse_entry(acting_user=colleague, entry=entry, reason="重复").pk,
    )

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert PointEntry.objects.filter(reverses=entry).count() == 1
    assert points.balance_of(cast.m_member) == 0
