"""Every change to points and rewards. The ledger is append-only: booking, correcting, redeeming and
refunding each add entries. Redeeming locks the member's row and then the reward's row, in that order
everywhere, before it reads the balance and the stock, so simultaneous redemptions cannot overdraw
either (PostgreSQL; the thread tests prove it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from access import is_member_themself, own_member, staffs
from audit.actions import record_event
from notifications.actions import notify
from people.models import Member
from places.models import AreaLevel
from points import rules
from points.models import EntryKind, PointEntry, PointRule, Redemption, RedemptionState, Reward
from service.models import ServiceRecord, Urgency

# --- rules and booking ----------------------------------------------------------------------------


def rule_for(category, *, city=None, on=None) -> PointRule:
    """The rule of the item, else of its big category, else the default rule, in force on ``on`` (today)
    in ``city`` (points/rules.py)."""
    return rules.rule_for(category, city=city, on=on)


def rule_of_record(record: ServiceRecord) -> PointRule:
    """The rule in force in the record's city on the day of the service (not of its confirmation: a
    member's service earns what the rules promised when it was done)."""
    served_on = timezone.localtime(record.started_at).date()
    return rules.rule_for_service(record.category, community_path=record.community_path, on=served_on)


@dataclass(frozen=True)
class Quote:
    """What a record earns under its rule, before the daily cap."""

    base: int
    bonus: int
    rule: PointRule


def quote(record: ServiceRecord, *, rule: PointRule | None = None) -> Quote:
    """``rule``: the record's rule when the caller has it already (the demo seeder caches them)."""
    rule = rule or rule_of_record(record)
    base = (
        record.minutes * rule.points_per_hour + 30
    ) // 60  # halves round up (Python's round() goes to even)
    bonus = rule.urgent_bonus if record.need is not None and record.need.urgency == Urgency.URGENT else 0
    return Quote(max(base, 0), bonus, rule)


class Part(NamedTuple):
    """One ledger entry a confirmed record books."""

    kind: str
    amount: int
    minutes: int
    note: str


def split_points(q: Quote, already_booked: int, minutes: int) -> list[Part]:
    """The entries a record's quote books when the member's service already earned ``already_booked``
    points that day: the service entry, which carries the minutes even when the daily cap leaves no
    points (the time bank counts them), then the urgent bonus; both within what the cap leaves. The
    one rule of booking: book_service_points and the demo seeder both call it."""
    cap = q.rule.daily_cap
    room = None if cap is None else max(cap - already_booked, 0)
    base = q.base if room is None else min(q.base, room)
    bonus = q.bonus if room is None else min(q.bonus, room - base)
    capped = base < q.base or bonus < q.bonus
    note = _("capped at %(cap)d points a day") % {"cap": cap} if capped else ""
    parts = []
    if base > 0 or minutes > 0:
        parts.append(Part(EntryKind.SERVICE, base, minutes, note))
    if bonus > 0:
        parts.append(Part(EntryKind.BONUS, bonus, 0, note))
    return parts


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).get(pk=member.pk)


def booked_on(member: Member, day) -> int:
    """Points a member's service earned on ``day`` (service and bonus entries, net of corrections)."""
    return (
        PointEntry.objects.filter(
            member=member, served_on=day, kind__in=(EntryKind.SERVICE, EntryKind.BONUS)
        ).aggregate(t=Sum("amount"))["t"]
        or 0
    ) + (
        PointEntry.objects.filter(
            member=member,
            served_on=day,
            kind=EntryKind.REVERSAL,
            reverses__kind__in=(EntryKind.SERVICE, EntryKind.BONUS),
        ).aggregate(t=Sum("amount"))["t"]
        or 0
    )


def book_service_points(*, acting_user, record: ServiceRecord) -> list[PointEntry]:
    """Book a confirmed record's points (called inside the confirmation's transaction). The daily cap
    counts everything the member's service earned on the same day."""
    if record.point_entries.exists():
        raise ValidationError(_("Points for this record are already booked."))
    _lock_member(record.member)
    q = quote(record)
    served_on = timezone.localtime(record.started_at).date()
    already = booked_on(record.member, served_on) if q.rule.daily_cap is not None else 0
    return [
        PointEntry.objects.create(
            kind=part.kind,
            amount=part.amount,
            minutes=part.minutes,
            note=part.note,
            member=record.member,
            community=record.community,
            community_path=record.community_path,
            unit=record.unit,
            record=record,
            served_on=served_on,
            created_by=acting_user,
        )
        for part in split_points(q, already, record.minutes)
    ]


# --- corrections ----------------------------------------------------------------------------------


@transaction.atomic
def reverse_entry(*, acting_user, entry: PointEntry, reason: str, request=None) -> PointEntry:
    """A correction: a new entry of the opposite amount. An entry is reversed at most once, and a
    reversal is never reversed (book a new entry instead)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the points are corrected."))
    member = _lock_member(entry.member)
    entry = PointEntry.objects.select_related("community").get(pk=entry.pk)
    if entry.community is None or not staffs(acting_user, entry.community):
        raise PermissionDenied(_("Only the community where the points were booked can correct them."))
    if entry.kind in (EntryKind.REVERSAL, EntryKind.REDEMPTION):
        raise ValidationError(
            _("Corrections and redemptions are not reversed; cancel the redemption instead.")
        )
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry has already been corrected."))
    reversal = PointEntry.objects.create(
        member=member,
        amount=-entry.amount,
        kind=EntryKind.REVERSAL,
        community=entry.community,
        community_path=entry.community_path,
        unit=entry.unit,
        record=entry.record,
        reverses=entry,
        minutes=-entry.minutes,
        served_on=entry.served_on,
        note=reason[:200],
        created_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action="points.entry_reversed",
        request=request,
        target=member,
        detail={"entry": str(entry.public_id), "amount": -entry.amount, "reason": reason},
    )
    if member.user_id:
        notify(
            recipients=[member.user],
            kind="points.entry_reversed",
            title=_("%(points)+d points corrected: %(reason)s") % {"points": -entry.amount, "reason": reason},
            url=reverse("points:my_points"),
        )
    return reversal


# --- balances -------------------------------------------------------------------------------------


def balance_of(member: Member) -> int:
    """Everything booked for the member, minus everything spent: the sum of the ledger."""
    return PointEntry.objects.filter(member=member).balance()


def time_bank_minutes(member: Member) -> int:
    """Confirmed service time banked (爱心储蓄), net of corrections."""
    return PointEntry.objects.filter(member=member).aggregate(m=Sum("minutes"))["m"] or 0


# --- rewards --------------------------------------------------------------------------------------

# Bounds of the shelf (as on the reward forms): far past them is a typing slip, and past what the
# columns hold.
MAX_COST = 1_000_000
MAX_ADDED = 100_000
MAX_STOCK = 1_000_000


@transaction.atomic
def add_reward(
    *, acting_user, area, name: str, cost: int, stock: int, description: str = "", request=None
) -> Reward:
    """A community (or street) puts an item on its points supermarket's shelf."""
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        raise ValidationError(_("Rewards belong to a community or a street."))
    if not staffs(acting_user, area):
        raise PermissionDenied(_("Only the community or street can stock its catalogue."))
    if not (name or "").strip():
        raise ValidationError(_("Name the reward."))
    if cost is None or cost < 1:
        raise ValidationError(_("A reward costs at least one point."))
    if cost > MAX_COST:
        raise ValidationError(_("A reward costs at most %(max)d points.") % {"max": MAX_COST})
    if stock is None or stock < 0:
        raise ValidationError(_("Stock cannot be negative."))
    if stock > MAX_STOCK:
        raise ValidationError(_("A reward's stock is at most %(max)d.") % {"max": MAX_STOCK})
    reward = Reward.objects.create(
        area=area,
        area_path=area.path,
        name=name.strip()[:60],
        cost=cost,
        stock=stock,
        description=description[:300],
    )
    record_event(actor=acting_user, action="points.reward_added", request=request, target=reward)
    return reward


@transaction.atomic
def restock_reward(*, acting_user, reward: Reward, added: int, request=None) -> Reward:
    """More of the item arrived: the stock supplied grows (it never shrinks; retire the reward instead)."""
    reward = Reward.objects.select_for_update(of=("self",)).select_related("area").get(pk=reward.pk)
    if not staffs(acting_user, reward.area):
        raise PermissionDenied(_("Only the community or street can stock its catalogue."))
    if added is None or added < 1:
        raise ValidationError(_("Add at least one."))
    if reward.stock + added > MAX_STOCK:
        raise ValidationError(
            _("A reward's stock is at most %(max)d; it has %(stock)d.")
            % {"max": MAX_STOCK, "stock": reward.stock}
        )
    reward.stock += added
    reward.save(update_fields=["stock"])
    record_event(
        actor=acting_user,
        action="points.reward_restocked",
        request=request,
        target=reward,
        detail={"added": added},
    )
    return reward


@transaction.atomic
def set_reward_offered(*, acting_user, reward: Reward, offered: bool, request=None) -> Reward:
    reward = Reward.objects.select_for_update(of=("self",)).select_related("area").get(pk=reward.pk)
    if not staffs(acting_user, reward.area):
        raise PermissionDenied(_("Only the community or street can change its catalogue."))
    reward.active = offered
    reward.save(update_fields=["active"])
    record_event(
        actor=acting_user,
        action="points.reward_offered" if offered else "points.reward_retired",
        request=request,
        target=reward,
    )
    return reward


@transaction.atomic
def redeem_reward(*, acting_user, reward: Reward, request=None) -> Redemption:
    """积分兑换: a member spends points on a reward. Locks the member, then the reward; refuses when the
    balance or the stock would go below zero."""
    member = own_member(acting_user)
    if member is None:
        raise PermissionDenied(_("Only members redeem points."))
    if not Reward.objects.visible_to(acting_user).filter(pk=reward.pk).exists():
        raise PermissionDenied(_("This reward is not in a catalogue of your community."))
    member = _lock_member(member)
    reward = Reward.objects.select_for_update(of=("self",)).select_related("area").get(pk=reward.pk)
    if not reward.active:
        raise ValidationError(_("This reward is no longer offered."))
    redeemed = reward.redemptions.exclude(state=RedemptionState.CANCELLED).count()
    if redeemed >= reward.stock:
        raise ValidationError(_("%(name)s is out of stock.") % {"name": reward.name})
    balance = balance_of(member)
    if balance < reward.cost:
        raise ValidationError(
            _("%(name)s costs %(cost)d points; you have %(balance)d.")
            % {"name": reward.name, "cost": reward.cost, "balance": balance}
        )
    redemption = Redemption.objects.create(
        reward=reward, member=member, cost=reward.cost, placed_by=acting_user
    )
    PointEntry.objects.create(
        member=member,
        amount=-reward.cost,
        kind=EntryKind.REDEMPTION,
        community=reward.area if reward.area.level == AreaLevel.COMMUNITY else None,
        community_path=reward.area_path,
        unit=member.unit,
        redemption=redemption,
        note=reward.name,
        created_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action="points.reward_redeemed",
        request=request,
        target=redemption,
        detail={"cost": reward.cost},
    )
    return redemption


def _locked_redemption(redemption: Redemption) -> Redemption:
    _lock_member(redemption.member)
    return (
        Redemption.objects.select_for_update(of=("self",))
        .select_related("reward__area", "member__user")
        .get(pk=redemption.pk)
    )


@transaction.atomic
def hand_over_redemption(*, acting_user, redemption: Redemption, request=None) -> Redemption:
    """The community hands the item over; the redemption is done."""
    redemption = _locked_redemption(redemption)
    if not staffs(acting_user, redemption.reward.area):
        raise PermissionDenied(_("Only the community or street of the catalogue hands rewards over."))
    if redemption.state != RedemptionState.PLACED:
        raise ValidationError(_("This redemption is %(state)s.") % {"state": redemption.get_state_display()})
    redemption.state = RedemptionState.HANDED_OVER
    redemption.closed_at = timezone.now()
    redemption.closed_by = acting_user
    redemption.save(update_fields=["state", "closed_at", "closed_by"])
    record_event(
        actor=acting_user, action="points.redemption_handed_over", request=request, target=redemption
    )
    return redemption


@transaction.atomic
def cancel_redemption(*, acting_user, redemption: Redemption, reason: str = "", request=None) -> Redemption:
    """The member (before collecting) or the community calls a redemption off: the points come back as
    a reversing entry and the item goes back on the shelf."""
    redemption = _locked_redemption(redemption)
    own = is_member_themself(acting_user, redemption.member)
    if not (own or staffs(acting_user, redemption.reward.area)):
        raise PermissionDenied(_("Only the member or the community can cancel this redemption."))
    if redemption.state != RedemptionState.PLACED:
        raise ValidationError(
            _("This redemption is %(state)s; it cannot be cancelled.")
            % {"state": redemption.get_state_display()}
        )
    if not own and not (reason or "").strip():
        raise ValidationError(_("Say why the redemption is cancelled."))
    redemption.state = RedemptionState.CANCELLED
    redemption.closed_at = timezone.now()
    redemption.closed_by = acting_user
    redemption.cancel_reason = (reason or "")[:200]
    redemption.save(update_fields=["state", "closed_at", "closed_by", "cancel_reason"])
    spent = redemption.entries.get(kind=EntryKind.REDEMPTION)
    PointEntry.objects.create(
        member=redemption.member,
        amount=-spent.amount,
        kind=EntryKind.REVERSAL,
        community=spent.community,
        community_path=spent.community_path,
        unit=spent.unit,
        redemption=redemption,
        reverses=spent,
        note=reason[:200] or _("Redemption cancelled"),
        created_by=acting_user,
    )
    record_event(actor=acting_user, action="points.redemption_cancelled", request=request, target=redemption)
    if not own and redemption.member.user_id:
        notify(
            recipients=[redemption.member.user],
            kind="points.redemption_cancelled",
            title=_("Your redemption of %(name)s was cancelled; the points are back: %(reason)s")
            % {"name": redemption.reward.name, "reason": reason},
            url=reverse("points:my_redemptions"),
        )
    return redemption
