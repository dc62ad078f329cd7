"""Property-based tests of the points ledger: random sequences of booking (confirmed records, some on
urgent needs), corrections, redemptions, cancellations and hand-overs, checked against a small model
of what the rules say, and against the ledger's invariants after every step.

Each example runs inside a savepoint that is rolled back, so every example starts from the same cast.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.actions import create_user, grant_role
from accounts.models import Role
from points import actions as points
from points.models import EntryKind, PointEntry, Redemption, RedemptionState, Reward
from points.queries import ranking
from service.models import ServiceCategory
from service.needs import actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db

RATE, BONUS, CAP = 10, 5, 80  # the default rule (migration points/0003)
REWARDS = ((10, 1), (25, 2), (40, 3))  # (cost, stock)
EARNED = (EntryKind.SERVICE, EntryKind.BONUS)

members = st.integers(0, 1)
picks = st.integers(0, 60)
steps = st.one_of(
    st.tuples(
        st.just("serve"), members, st.integers(1, 6), st.integers(1, 16).map(lambda n: n * 30), st.booleans()
    ),
    st.tuples(st.just("reverse"), picks),
    st.tuples(st.just("redeem"), members, st.integers(0, len(REWARDS) - 1)),
    st.tuples(st.just("cancel"), picks),
    st.tuples(st.just("hand_over"), picks),
)


@pytest.fixture
def world(cast):
    other = create_user(acting_user=None, username="zhaoliu", password=None)
    grant_role(acting_user=None, user=other, role=Role.MEMBER)
    cast.m_b_home_a.user = other
    cast.m_b_home_a.save(update_fields=["user"])
    cast.players = [(cast.member, cast.m_member), (other, cast.m_b_home_a)]
    return cast


class Model:
    """What the rules say the ledger should hold, kept apart from the ledger."""

    def __init__(self):
        self.balance: dict[int, int] = defaultdict(int)
        self.earned: dict[int, int] = defaultdict(int)  # what a ranking counts
        self.day_booked: dict[tuple[int, object], int] = defaultdict(int)


def serve(world, who: int, days_ago: int, minutes: int, urgent: bool):
    user, member = world.players[who]
    elderly = ServiceCategory.objects.get(code="elderly_care", city__isnull=True)
    start = (timezone.localtime() - timedelta(days=days_ago)).replace(
        hour=6, minute=0, second=0, microsecond=0
    )
    start += timedelta(minutes=30 * member.service_records.filter(started_at__date__gte=start.date()).count())
    kwargs = {"community": world.places.a1}
    if urgent:
        need = actions.post_need(
            acting_user=world.community,
            title="急",
            category=elderly,
            community=world.places.a1,
            urgency="urgent",
        )
        actions.take_need(acting_user=user, need=need)
        need.refresh_from_db()
        kwargs = {"need": need}
    record = record_actions.log_service_record(
        acting_user=user, category=elderly, started_at=start, minutes=minutes, description="服务", **kwargs
    )
    record_actions.confirm_as_organiser(acting_user=world.community, record=record, note="核实")
    return record, timezone.localtime(start).date()


def check_invariants(world, model: Model, rewards: list[Reward], since) -> None:
    for _, member in world.players:
        ledger = PointEntry.objects.filter(member=member).aggregate(t=Sum("amount"))["t"] or 0
        assert points.balance_of(member) == ledger == model.balance[member.pk]
    for reward in rewards:
        live = reward.redemptions.exclude(state=RedemptionState.CANCELLED).count()
        assert live <= reward.stock
        assert Reward.objects.with_stock().get(pk=reward.pk).available == reward.stock - live
    for reversal in PointEntry.objects.filter(kind=EntryKind.REVERSAL).select_related("reverses"):
        original = reversal.reverses
        assert original is not None and original.kind != EntryKind.REVERSAL
        assert original.amount + reversal.amount == 0
        assert original.minutes + reversal.minutes == 0
        assert original.member_id == reversal.member_id
        assert PointEntry.objects.filter(reverses=original).count() == 1
    rows = ranking(
        PointEntry.objects.filter(community=world.places.a1), since, timezone.now() + timedelta(minutes=1)
    )
    ranked = {row.member_id: row.points for row in rows}
    expected = {pk: total for pk, total in model.earned.items() if total}
    assert {pk: p for pk, p in ranked.items() if p} == expected
    # the ranking is the sum of the earning entries and their corrections, nothing else
    for row in rows:
        entries = PointEntry.objects.filter(member_id=row.member_id, community=world.places.a1)
        earned = sum(
            e.amount
            for e in entries.select_related("reverses")
            if e.kind in EARNED or (e.kind == EntryKind.REVERSAL and e.reverses.kind in EARNED)
        )
        assert row.points == earned


def play(world, script) -> None:
    since = timezone.now() - timedelta(seconds=1)
    rewards = [
        points.add_reward(acting_user=world.community, area=world.places.a1, name=f"奖品{i}", cost=c, stock=s)
        for i, (c, s) in enumerate(REWARDS)
    ]
    model = Model()
    for step in script:
        kind = step[0]
        if kind == "serve":
            _, who, days_ago, minutes, urgent = step
            member = world.players[who][1]
            record, day = serve(world, who, days_ago, minutes, urgent)
            room = CAP - model.day_booked[(member.pk, day)]
            base = min(minutes * RATE // 60, room)
            bonus = min(BONUS, room - base) if urgent else 0
            booked = PointEntry.objects.filter(record=record).aggregate(t=Sum("amount"))["t"] or 0
            assert booked == base + bonus, (step, room)
            model.day_booked[(member.pk, day)] += base + bonus
            model.balance[member.pk] += base + bonus
            model.earned[member.pk] += base + bonus
        elif kind == "reverse":
            entries = list(PointEntry.objects.order_by("id"))
            if not entries:
                continue
            entry = entries[step[1] % len(entries)]
            forbidden = entry.kind in (EntryKind.REVERSAL, EntryKind.REDEMPTION)
            already = PointEntry.objects.filter(reverses=entry).exists()
            if forbidden or already:
                with pytest.raises(ValidationError):
                    points.reverse_entry(acting_user=world.community, entry=entry, reason="更正")
                continue
            points.reverse_entry(acting_user=world.community, entry=entry, reason="更正")
            model.balance[entry.member_id] -= entry.amount
            if entry.kind in EARNED:
                model.earned[entry.member_id] -= entry.amount
                model.day_booked[(entry.member_id, entry.served_on)] -= entry.amount
        elif kind == "redeem":
            _, who, index = step
            user, member = world.players[who]
            reward = rewards[index]
            live = reward.redemptions.exclude(state=RedemptionState.CANCELLED).count()
            if model.balance[member.pk] < reward.cost or live >= reward.stock:
                with pytest.raises(ValidationError):
                    points.redeem_reward(acting_user=user, reward=reward)
                continue
            points.redeem_reward(acting_user=user, reward=reward)
            model.balance[member.pk] -= reward.cost
            assert points.balance_of(member) >= 0
        else:  # cancel or hand over
            redemptions = list(Redemption.objects.order_by("id").select_related("member__user"))
            if not redemptions:
                continue
            redemption = redemptions[step[1] % len(redemptions)]
            placed = redemption.state == RedemptionState.PLACED
            if kind == "cancel":
                actor, act = redemption.member.user, points.cancel_redemption
            else:
                actor, act = world.community, points.hand_over_redemption
            if not placed:
                with pytest.raises(ValidationError):
                    act(acting_user=actor, redemption=redemption)
                continue
            act(acting_user=actor, redemption=redemption)
            if kind == "cancel":
                model.balance[redemption.member_id] += redemption.cost
        check_invariants(world, model, rewards, since)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=st.lists(steps, min_size=1, max_size=14))
def test_the_ledger_keeps_its_invariants(world, script):
    with transaction.atomic():
        play(world, script)
        transaction.set_rollback(True)


def test_a_fixed_script_exercises_every_step(world):
    """The same machinery on one script that certainly goes through every kind of step."""
    script = [
        ("serve", 0, 1, 480, False),  # 80: the cap
        ("serve", 0, 1, 60, True),  # capped to 0
        ("serve", 0, 2, 240, True),  # 40 + 5
        ("serve", 1, 1, 120, False),  # 20
        ("redeem", 0, 2),  # -40
        ("redeem", 1, 2),  # refused: 20 < 40
        ("redeem", 1, 0),  # -10
        ("redeem", 0, 0),  # refused: stock 1
        ("cancel", 1),  # the second redemption (member 1's 10) comes back
        ("redeem", 0, 0),  # now in stock again
        ("hand_over", 0),
        ("cancel", 0),  # refused: handed over
        ("reverse", 0),  # the first service entry: -80
        ("reverse", 0),  # refused: already corrected
        ("serve", 0, 1, 60, False),  # room again on day 1
    ]
    with transaction.atomic():
        play(world, script)
        assert points.balance_of(world.m_member) == 80 + 45 - 40 - 10 - 80 + 10
        transaction.set_rollback(True)
