"""The points supermarket (积分超市) of the demo city, through ``points.actions``: each community stocks
its shelf; about a third of the members with points spend some there, most collect, some have yet
to, a few cancel (the points come back as a reversal). The points themselves were booked by the
confirmations (``points.actions.book_service_points``), so every balance is its ledger's sum."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from demo.layout import CommunityPlace
from demo.service import words
from demo.service.loop import Loop
from points import actions
from points.models import PointEntry, RedemptionState, Reward


def catalogue(s: Loop, place: CommunityPlace) -> None:
    """Five rewards on the shelf (the barber's voucher always at home)."""
    chosen = set(s.d.sample(words.REWARDS, 5) + ([words.REWARDS[1]] if place is s.home else []))
    staff = s.staff(place)
    shelf = s.rewards[place.area.pk] = []
    for name, cost, description in sorted(chosen, key=lambda r: r[1]):
        with s.at(s.ago(s.d.between(150, 300))):
            shelf.append(
                actions.add_reward(
                    acting_user=staff,
                    area=place.area,
                    name=name,
                    cost=cost,
                    stock=s.d.between(10, 40),
                    description=description,
                )
            )


def redemptions(s: Loop) -> None:
    """After the service: members spend at the supermarket of the community where they last earned.
    The member account has collected one and still has points to spend."""
    earned: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        PointEntry.objects.filter(community__in=s.area_of)
        .order_by("created_at", "pk")
        .values_list("member_id", "amount", "created_at", "community_id")
    ):
        earned[row[0]].append(row[1:])
    taken: dict[int, int] = defaultdict(int)
    placed = 0
    for member_id in sorted(earned):
        own = earned[member_id]
        demo = member_id == s.demo_member.pk
        if not demo and not s.d.chance(0.35):
            continue
        last = own[-1][1]
        at = min(last + timedelta(days=s.d.between(1, 20)), s.now - timedelta(hours=2))
        balance = sum(amount for amount, *_ in own)
        shelf = [r for r in s.rewards[own[-1][2]] if r.cost <= (balance - 60 if demo else balance)]
        shelf = [r for r in shelf if taken[r.pk] < r.stock]
        if not shelf or at <= last:
            continue
        reward = shelf[0] if demo else s.d.pick(shelf)
        state = (
            RedemptionState.HANDED_OVER
            if demo
            else words.REDEMPTION_STATES[placed % len(words.REDEMPTION_STATES)]
        )
        closed = min(at + timedelta(days=s.d.between(1, 5)), s.now - timedelta(hours=1))
        _redeem(s, member_id, reward, state, at, closed)
        taken[reward.pk] += state != RedemptionState.CANCELLED
        placed += 1
    s.counts["redemptions"] = placed


def _redeem(s: Loop, member_id: int, reward: Reward, state: str, at, closed) -> None:
    member = s.member(member_id)
    user = s.cast.member(member)
    with s.at(at):
        redemption = actions.redeem_reward(acting_user=user, reward=reward)
    if state == RedemptionState.HANDED_OVER:
        with s.at(closed):
            actions.hand_over_redemption(
                acting_user=s.staff(s.place_of[reward.area_id]), redemption=redemption
            )
    elif state == RedemptionState.CANCELLED:
        with s.at(closed):
            actions.cancel_redemption(
                acting_user=user, redemption=redemption, reason="家里已经有了，暂不需要"
            )
