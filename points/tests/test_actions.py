"""Rules of the points actions: rules and booking, caps and bonuses, corrections, the catalogue,
redeeming, handing over and cancelling (points/actions.py). Refusals change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from audit.models import AuditEvent
from gongjian.testing import item, refusals
from points import actions as points
from points.models import EntryKind, PointEntry, PointRule, Redemption, RedemptionState, Reward
from service.models import ServiceRecord
from service.needs import actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db

WATCHED = (PointEntry, Redemption, Reward, AuditEvent)
refused = refusals(WATCHED)


def at(days_ago: int, hour: int):
    day = timezone.localtime() - timedelta(days=days_ago)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def served(cast, *, minutes=60, days_ago=2, hour=9, category="elderly_care", need=None, user=None):
    """A record logged by the member and confirmed by the community; returns it (points booked)."""
    kwargs = {"need": need} if need is not None else {"community": cast.places.a1}
    record = record_actions.log_service_record(
        acting_user=user or cast.member,
        category=item(category),
        started_at=at(days_ago, hour),
        minutes=minutes,
        description="服务",
        **kwargs,
    )
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record, note="核实")
    record.refresh_from_db()
    return record


def urgent_need(cast, category="home_repair"):
    need = actions.post_need(
        acting_user=cast.community,
        title="急修",
        category=item(category),
        community=cast.places.a1,
        urgency="urgent",
    )
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    return need


def ledger_sum(member) -> int:
    return PointEntry.objects.filter(member=member).aggregate(t=Sum("amount"))["t"] or 0


def earn(cast, total: int):
    """Book ``total`` points (a multiple of 10, at most 80 a day) on successive days."""
    day = 1
    while total > 0:
        chunk = min(total, 80)
        served(cast, minutes=chunk * 6, days_ago=day, hour=8)
        total -= chunk
        day += 1


def a_reward(cast, *, cost=30, stock=5, area=None, by=None) -> Reward:
    return points.add_reward(
        acting_user=by or cast.community, area=area or cast.places.a1, name="大米一袋", cost=cost, stock=stock
    )


# --- rules ----------------------------------------------------------------------------------------


def test_the_default_rule_is_seeded():
    rule = PointRule.objects.get(category__isnull=True, active=True)
    assert (rule.points_per_hour, rule.urgent_bonus, rule.daily_cap) == (10, 5, 80)


def test_rule_of_the_item_beats_the_big_category_beats_the_default(cast):
    repair, parking, tutoring = item("home_repair"), item("parking"), item("tutoring")
    PointRule.objects.create(category=repair, points_per_hour=20)
    PointRule.objects.create(category=repair.parent, points_per_hour=15)
    assert points.rule_for(repair).points_per_hour == 20
    assert parking.parent_id == repair.parent_id
    assert points.rule_for(parking).points_per_hour == 15
    assert points.rule_for(tutoring).points_per_hour == 10
    PointRule.objects.filter(category=repair).update(active=False)
    assert points.rule_for(repair).points_per_hour == 15


def test_quote_and_booking_follow_the_rule(cast):
    PointRule.objects.create(category=item("home_repair"), points_per_hour=20, urgent_bonus=8)
    record = served(cast, minutes=90, category="home_repair")
    q = points.quote(record)
    assert (q.base, q.bonus) == (30, 0)
    [entry] = PointEntry.objects.filter(record=record)
    assert (entry.kind, entry.amount, entry.minutes) == (EntryKind.SERVICE, 30, 90)
    assert entry.served_on == timezone.localtime(record.started_at).date()
    assert entry.community == cast.places.a1 and entry.unit == cast.places.unit_a
    assert entry.created_by == cast.community


def test_an_urgent_need_earns_the_bonus_of_its_rule(cast):
    record = served(cast, minutes=60, category="home_repair", need=urgent_need(cast))
    kinds = dict(PointEntry.objects.filter(record=record).values_list("kind", "amount"))
    assert kinds == {EntryKind.SERVICE: 10, EntryKind.BONUS: 5}
    PointRule.objects.create(category=item("parking"), points_per_hour=12, urgent_bonus=9)
    record = served(cast, minutes=60, days_ago=3, category="parking", need=urgent_need(cast, "parking"))
    kinds = dict(PointEntry.objects.filter(record=record).values_list("kind", "amount"))
    assert kinds == {EntryKind.SERVICE: 12, EntryKind.BONUS: 9}


def test_a_normal_need_earns_no_bonus(cast):
    need = actions.post_need(
        acting_user=cast.community, title="修", category=item("home_repair"), community=cast.places.a1
    )
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    record = served(cast, category="home_repair", need=need)
    assert list(PointEntry.objects.filter(record=record).values_list("kind", flat=True)) == [
        EntryKind.SERVICE
    ]


def test_the_daily_cap_counts_every_record_of_the_day_bonus_included(cast):
    """Default rule: 10/h, +5 urgent, at most 80 a day."""
    served(cast, minutes=5 * 60, hour=8)  # 50
    served(cast, minutes=2 * 60, hour=13, category="home_repair", need=urgent_need(cast))  # 20 + 5
    assert points.booked_on(cast.m_member, at(2, 0).date()) == 75
    third = served(cast, minutes=60, hour=15)  # 10, capped to 5
    [entry] = PointEntry.objects.filter(record=third)
    assert entry.amount == 5 and entry.note == "capped at 80 points a day"
    assert points.booked_on(cast.m_member, at(2, 0).date()) == 80
    # another day is not capped by this one
    assert PointEntry.objects.get(record=served(cast, minutes=60, days_ago=3)).amount == 10
    assert points.balance_of(cast.m_member) == 90


def test_the_cap_cuts_the_bonus_when_the_base_fits(cast):
    served(cast, minutes=7 * 60, hour=8)  # 70
    record = served(cast, minutes=60, hour=16, category="home_repair", need=urgent_need(cast))  # 10 + 5
    kinds = dict(PointEntry.objects.filter(record=record).values_list("kind", "amount"))
    assert kinds == {EntryKind.SERVICE: 10}
    assert points.booked_on(cast.m_member, at(2, 0).date()) == 80


def test_a_correction_makes_room_under_the_cap(cast):
    PointRule.objects.create(category=item("elderly_care"), points_per_hour=10, daily_cap=30)
    first = served(cast, minutes=120, hour=8)
    second = served(cast, minutes=120, hour=11)
    assert PointEntry.objects.get(record=second).amount == 10
    points.reverse_entry(
        acting_user=cast.community, entry=PointEntry.objects.get(record=first), reason="重复"
    )
    assert points.booked_on(cast.m_member, at(2, 0).date()) == 10
    assert PointEntry.objects.get(record=served(cast, minutes=60, hour=14)).amount == 10


def test_service_past_the_cap_still_counts_in_the_time_bank(cast):
    served(cast, minutes=8 * 60, hour=8)  # 80: the cap
    capped = served(cast, minutes=60, days_ago=2, hour=17)  # 9 h in the day → flagged, reviewed
    assert capped.state == "confirmed"
    assert points.balance_of(cast.m_member) == 80
    assert points.time_bank_minutes(cast.m_member) == 9 * 60


def test_points_are_booked_once_per_record(cast):
    record = served(cast)
    with refused(ValidationError, "Points for this record are already booked."):
        points.book_service_points(acting_user=cast.community, record=record)


# --- corrections ----------------------------------------------------------------------------------


def test_reverse_an_entry(cast):
    record = served(cast, minutes=90)
    entry = PointEntry.objects.get(record=record)
    reversal = points.reverse_entry(acting_user=cast.community, entry=entry, reason="记录有误")
    assert (reversal.kind, reversal.amount, reversal.minutes) == (EntryKind.REVERSAL, -15, -90)
    assert reversal.reverses == entry and reversal.record == record and reversal.created_by == cast.community
    assert reversal.served_on == entry.served_on and reversal.note == "记录有误"
    assert points.balance_of(cast.m_member) == 0 == ledger_sum(cast.m_member)
    assert points.time_bank_minutes(cast.m_member) == 0
    row = AuditEvent.objects.get(action="points.entry_reversed")
    assert row.actor == cast.community and row.target_id == str(cast.m_member.public_id)
    assert row.detail["amount"] == -15
    assert cast.member.notifications.filter(kind="points.entry_reversed").exists()

    with refused(ValidationError, "This entry has already been corrected.", entry):
        points.reverse_entry(acting_user=cast.community, entry=entry, reason="again")
    with refused(ValidationError, "Corrections and redemptions are not reversed", reversal):
        points.reverse_entry(acting_user=cast.community, entry=reversal, reason="undo")


def test_reverse_refusals(cast):
    entry = PointEntry.objects.get(record=served(cast))
    with refused(ValidationError, "Say why the points are corrected.", entry):
        points.reverse_entry(acting_user=cast.community, entry=entry, reason=" ")
    for who in ("community2", "street2", "member", "resident", "unit"):
        with refused(
            PermissionDenied, "Only the community where the points were booked can correct them.", entry
        ):
            points.reverse_entry(acting_user=getattr(cast, who), entry=entry, reason="x")
    # the street corrects too
    points.reverse_entry(acting_user=cast.street, entry=entry, reason="x")


def test_a_redemption_entry_is_not_reversed_but_cancelled(cast):
    earn(cast, 40)
    redemption = points.redeem_reward(acting_user=cast.member, reward=a_reward(cast))
    spent = redemption.entries.get()
    with refused(
        ValidationError, "Corrections and redemptions are not reversed; cancel the redemption instead."
    ):
        points.reverse_entry(acting_user=cast.community, entry=spent, reason="x")


def test_the_ledger_is_append_only(cast):
    from points.models import AppendOnlyError

    entry = PointEntry.objects.get(record=served(cast))
    entry.amount = 999
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(AppendOnlyError):
        PointEntry.objects.filter(pk=entry.pk).delete()
    assert PointEntry.objects.get(pk=entry.pk).amount == 10


def test_balance_and_time_bank_are_sums_of_the_ledger(cast):
    served(cast, minutes=60, days_ago=1)
    second = served(cast, minutes=120, days_ago=2)
    served(cast, minutes=30, days_ago=3)
    points.reverse_entry(acting_user=cast.community, entry=PointEntry.objects.get(record=second), reason="x")
    assert points.balance_of(cast.m_member) == ledger_sum(cast.m_member) == 15
    assert points.time_bank_minutes(cast.m_member) == 90
    assert points.balance_of(cast.m_a2) == 0 and points.time_bank_minutes(cast.m_a2) == 0
    assert (
        sum(r.minutes for r in ServiceRecord.objects.filter(member=cast.m_member, state="confirmed")) == 210
    )


# --- the catalogue --------------------------------------------------------------------------------


def test_add_restock_and_retire_rewards(cast):
    reward = a_reward(cast, stock=3)
    assert reward.area_path == cast.places.a1.path and reward.available == 3
    assert AuditEvent.objects.get(action="points.reward_added").actor == cast.community
    street_reward = a_reward(cast, area=cast.places.street_a, by=cast.street)
    assert street_reward.area == cast.places.street_a
    points.restock_reward(acting_user=cast.community, reward=reward, added=2)
    reward.refresh_from_db()
    assert reward.stock == 5
    assert AuditEvent.objects.get(action="points.reward_restocked").detail == {"added": 2}
    points.set_reward_offered(acting_user=cast.community, reward=reward, offered=False)
    reward.refresh_from_db()
    assert not reward.active
    assert AuditEvent.objects.filter(action="points.reward_retired").count() == 1
    points.set_reward_offered(acting_user=cast.community, reward=reward, offered=True)
    assert AuditEvent.objects.filter(action="points.reward_offered").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "kind", "message"),
    [
        ({"area": "district"}, ValidationError, "Rewards belong to a community or a street."),
        ({"by": "community2"}, PermissionDenied, "Only the community or street can stock its catalogue."),
        ({"by": "member"}, PermissionDenied, "Only the community or street can stock its catalogue."),
        ({"area": "street_a"}, PermissionDenied, "Only the community or street can stock its catalogue."),
        ({"name": " "}, ValidationError, "Name the reward."),
        ({"cost": 0}, ValidationError, "A reward costs at least one point."),
        ({"stock": -1}, ValidationError, "Stock cannot be negative."),
    ],
)
def test_add_reward_refusals(cast, kwargs, kind, message):
    given = {"area": cast.places.a1, "name": "大米", "cost": 10, "stock": 3}
    by = cast.community
    for key, value in kwargs.items():
        if key == "area":
            value = getattr(cast.places, value)
        if key == "by":
            by = getattr(cast, value)
            continue
        given[key] = value
    with refused(kind, message):
        points.add_reward(acting_user=by, **given)


def test_restock_and_retire_refusals(cast):
    reward = a_reward(cast)
    with refused(ValidationError, "Add at least one.", reward):
        points.restock_reward(acting_user=cast.community, reward=reward, added=0)
    with refused(PermissionDenied, "Only the community or street can stock its catalogue.", reward):
        points.restock_reward(acting_user=cast.community2, reward=reward, added=5)
    with refused(PermissionDenied, "Only the community or street can change its catalogue.", reward):
        points.set_reward_offered(acting_user=cast.member, reward=reward, offered=False)


# --- redeeming ------------------------------------------------------------------------------------


def test_redeem_writes_a_negative_entry(cast):
    earn(cast, 40)
    reward = a_reward(cast, cost=30, stock=2)
    redemption = points.redeem_reward(acting_user=cast.member, reward=reward)
    assert redemption.state == RedemptionState.PLACED and redemption.cost == 30
    assert redemption.member == cast.m_member and redemption.placed_by == cast.member
    spent = redemption.entries.get()
    assert (spent.kind, spent.amount, spent.community, spent.minutes) == (
        EntryKind.REDEMPTION,
        -30,
        cast.places.a1,
        0,
    )
    assert points.balance_of(cast.m_member) == 10 == ledger_sum(cast.m_member)
    assert points.time_bank_minutes(cast.m_member) == 240, "spending points spends no banked time"
    assert Reward.objects.with_stock().get(pk=reward.pk).available == 1
    row = AuditEvent.objects.get(action="points.reward_redeemed")
    assert row.actor == cast.member and row.detail == {"cost": 30}


def test_redeem_from_the_streets_catalogue(cast):
    earn(cast, 20)
    reward = a_reward(cast, area=cast.places.street_a, by=cast.street, cost=20)
    spent = points.redeem_reward(acting_user=cast.member, reward=reward).entries.get()
    assert spent.community is None and spent.community_path == cast.places.street_a.path
    assert points.balance_of(cast.m_member) == 0


def test_redeem_refusals(cast):
    earn(cast, 20)
    reward = a_reward(cast, cost=30, stock=1)
    with refused(ValidationError, "大米一袋 costs 30 points; you have 20.", reward):
        points.redeem_reward(acting_user=cast.member, reward=reward)
    with refused(PermissionDenied, "Only members redeem points.", reward):
        points.redeem_reward(acting_user=cast.resident, reward=reward)
    elsewhere = a_reward(cast, area=cast.places.b1, by=cast.community2, cost=1)
    with refused(PermissionDenied, "This reward is not in a catalogue of your community.", elsewhere):
        points.redeem_reward(acting_user=cast.member, reward=elsewhere)
    cheap = a_reward(cast, cost=10, stock=1)
    points.redeem_reward(acting_user=cast.member, reward=cheap)
    with refused(ValidationError, "大米一袋 is out of stock.", cheap):
        points.redeem_reward(acting_user=cast.member, reward=cheap)
    retired = a_reward(cast, cost=5)
    points.set_reward_offered(acting_user=cast.community, reward=retired, offered=False)
    with refused(ValidationError, "This reward is no longer offered.", retired):
        points.redeem_reward(acting_user=cast.member, reward=retired)


def test_balance_never_goes_below_zero_by_redeeming(cast):
    earn(cast, 20)
    reward = a_reward(cast, cost=10, stock=10)
    points.redeem_reward(acting_user=cast.member, reward=reward)
    points.redeem_reward(acting_user=cast.member, reward=reward)
    assert points.balance_of(cast.m_member) == 0
    with refused(ValidationError, "costs 10 points; you have 0.", reward):
        points.redeem_reward(acting_user=cast.member, reward=reward)


def test_hand_over(cast):
    earn(cast, 30)
    redemption = points.redeem_reward(acting_user=cast.member, reward=a_reward(cast))
    with refused(
        PermissionDenied, "Only the community or street of the catalogue hands rewards over.", redemption
    ):
        points.hand_over_redemption(acting_user=cast.member, redemption=redemption)
    with refused(
        PermissionDenied, "Only the community or street of the catalogue hands rewards over.", redemption
    ):
        points.hand_over_redemption(acting_user=cast.community2, redemption=redemption)
    points.hand_over_redemption(acting_user=cast.community, redemption=redemption)
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.HANDED_OVER and redemption.closed_by == cast.community
    assert AuditEvent.objects.get(action="points.redemption_handed_over").actor == cast.community
    with refused(ValidationError, "This redemption is Collected.", redemption):
        points.hand_over_redemption(acting_user=cast.community, redemption=redemption)
    with refused(ValidationError, "This redemption is Collected; it cannot be cancelled.", redemption):
        points.cancel_redemption(acting_user=cast.member, redemption=redemption)
    assert points.balance_of(cast.m_member) == 0


def test_the_member_cancels_and_gets_points_and_stock_back(cast):
    earn(cast, 30)
    reward = a_reward(cast, cost=30, stock=1)
    redemption = points.redeem_reward(acting_user=cast.member, reward=reward)
    assert Reward.objects.with_stock().get(pk=reward.pk).available == 0
    points.cancel_redemption(acting_user=cast.member, redemption=redemption)
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.CANCELLED and redemption.closed_by == cast.member
    spent = redemption.entries.get(kind=EntryKind.REDEMPTION)
    refund = redemption.entries.get(kind=EntryKind.REVERSAL)
    assert refund.reverses == spent and refund.amount == 30 and refund.note == "Redemption cancelled"
    assert points.balance_of(cast.m_member) == 30 == ledger_sum(cast.m_member)
    assert Reward.objects.with_stock().get(pk=reward.pk).available == 1
    assert AuditEvent.objects.get(action="points.redemption_cancelled").actor == cast.member
    with refused(ValidationError, "This redemption is Cancelled; it cannot be cancelled.", redemption):
        points.cancel_redemption(acting_user=cast.member, redemption=redemption)
    with refused(ValidationError, "Corrections and redemptions are not reversed", refund):
        points.reverse_entry(acting_user=cast.community, entry=refund, reason="x")
    # the item is back on the shelf for the next one
    points.redeem_reward(acting_user=cast.member, reward=reward)


def test_the_community_cancels_with_a_reason(cast):
    earn(cast, 30)
    redemption = points.redeem_reward(acting_user=cast.member, reward=a_reward(cast))
    other = create_user(acting_user=None, username="zhaoliu", password=None)
    grant_role(acting_user=None, user=other, role=Role.MEMBER)
    cast.m_b_home_a.user = other
    cast.m_b_home_a.save(update_fields=["user"])
    with refused(
        PermissionDenied, "Only the member or the community can cancel this redemption.", redemption
    ):
        points.cancel_redemption(acting_user=other, redemption=redemption, reason="x")
    with refused(
        PermissionDenied, "Only the member or the community can cancel this redemption.", redemption
    ):
        points.cancel_redemption(acting_user=cast.community2, redemption=redemption, reason="x")
    with refused(ValidationError, "Say why the redemption is cancelled.", redemption):
        points.cancel_redemption(acting_user=cast.community, redemption=redemption, reason="")
    points.cancel_redemption(acting_user=cast.community, redemption=redemption, reason="缺货")
    redemption.refresh_from_db()
    assert redemption.cancel_reason == "缺货"
    assert redemption.entries.get(kind=EntryKind.REVERSAL).note == "缺货"
    assert cast.member.notifications.filter(kind="points.redemption_cancelled").exists()
    assert points.balance_of(cast.m_member) == 30
