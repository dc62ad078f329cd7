"""The rotating chair (轮值主席): each month one member unit chairs the alliance and leads a themed activity.

The lead generates a year's schedule from the member units active on each month's first day (an expired
agreement makes a unit inactive: it is skipped that month), in a fair order — the units in the order they
joined, round and round, continuing after last year's last chair. Months that have begun and months already
planned or reported are kept. The lead swaps two months (``scheduled_unit`` keeps the first chair); the
chair plans its month (theme, plan) and reports it once the month has started.
"""

from __future__ import annotations

from datetime import date

from dateutil.rrule import MONTHLY, rrule  # type: ignore[import-untyped]  # no stubs installed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import leads, speaks_for_unit
from alliances.members import require_lead
from alliances.models import Alliance, AllianceMember, ChairTurn
from alliances.steps import clean_text, event, lock
from audit.actions import record_event

FIRST_YEAR = 2000
LAST_YEAR = 2100


def this_month() -> date:
    """The first day of the current month."""
    return timezone.localdate().replace(day=1)


def is_past(turn: ChairTurn) -> bool:
    """A month that has ended."""
    return turn.month < this_month()


def has_begun(turn: ChairTurn) -> bool:
    return turn.month <= this_month()


def is_planned(turn: ChairTurn) -> bool:
    return bool(turn.theme or turn.plan)


def is_reported(turn: ChairTurn) -> bool:
    return turn.reported_at is not None


def months_of(year: int, start_month: int = 1) -> list[date]:
    """The first days of the months from ``start_month`` to December."""
    return [
        moment.date()
        for moment in rrule(MONTHLY, dtstart=date(year, start_month, 1), until=date(year, 12, 1))
    ]


def fair_order(alliance: Alliance) -> list[int]:
    """The member units' ids in the order they joined: the order the chair goes round."""
    return list(alliance.members.current().order_by("joined_on", "id").values_list("unit_id", flat=True))


def next_chair(order: list[int], active: set[int], previous: int | None) -> int | None:
    """The first unit active this month after ``previous`` in ``order`` (from the start when there was
    none, or it is no longer a member)."""
    if not active:
        return None
    start = order.index(previous) + 1 if previous in order else 0
    for step in range(len(order)):
        unit_id = order[(start + step) % len(order)]
        if unit_id in active:
            return unit_id
    return None


@transaction.atomic
def generate_rotation(
    *, acting_user, alliance: Alliance, year: int, start_month: int = 1, request=None
) -> list[ChairTurn]:
    """The lead draws up (or redraws) the year's schedule from ``start_month``: one chair a month from the
    units active on its first day. Months already begun, planned or reported are kept; the rest are drawn
    again. A month no unit is active in has no chair. The year's turns, month by month."""
    alliance = lock(alliance)
    require_lead(acting_user, alliance)
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Choose a year between %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise ValidationError(_("Choose a month between 1 and 12."))
    months = months_of(year, start_month)
    existing = {
        turn.month: turn for turn in alliance.chair_turns.select_for_update().filter(month__in=months)
    }
    kept = {
        month: turn
        for month, turn in existing.items()
        if has_begun(turn) or is_planned(turn) or is_reported(turn)
    }
    alliance.chair_turns.filter(month__in=[m for m in existing if m not in kept]).delete()
    before = alliance.chair_turns.filter(month__lt=months[0]).order_by("-month").first()
    previous = before.unit_id if before is not None else None
    order = fair_order(alliance)
    turns: list[ChairTurn] = []
    drawn = 0
    for month in months:
        if month in kept:
            turns.append(kept[month])
            previous = kept[month].unit_id
            continue
        if month < this_month():
            continue  # a month gone by is not drawn after the fact
        active = set(
            AllianceMember.objects.active_on(month)
            .filter(alliance=alliance)
            .values_list("unit_id", flat=True)
        )
        unit_id = next_chair(order, active, previous)
        if unit_id is None:
            continue
        turns.append(ChairTurn.objects.create(alliance=alliance, month=month, unit_id=unit_id))
        previous = unit_id
        drawn += 1
    event(alliance, "rotation", acting_user, year=year, start_month=start_month, drawn=drawn, kept=len(kept))
    record_event(
        actor=acting_user,
        action="alliances.rotation_generated",
        request=request,
        target=alliance,
        detail={"year": year, "drawn": drawn, "kept": len(kept)},
    )
    return turns


def refuse_closed(turn: ChairTurn) -> None:
    if is_past(turn):
        raise ValidationError(_("%(month)s has passed; it cannot change.") % {"month": f"{turn.month:%Y-%m}"})
    if is_reported(turn):
        raise ValidationError(
            _("%(month)s is reported; it cannot change.") % {"month": f"{turn.month:%Y-%m}"}
        )


@transaction.atomic
def swap_turns(
    *, acting_user, first: ChairTurn, second: ChairTurn, reason: str, request=None
) -> tuple[ChairTurn, ChairTurn]:
    """The lead swaps the chairs of two months of the same alliance (the units agreed it with the lead). Each
    month keeps the unit first scheduled (``scheduled_unit``); a plan goes with its unit."""
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different months."))
    if first.alliance_id != second.alliance_id:
        raise ValidationError(_("Both months must be of the same alliance."))
    first, second = sorted((lock(first), lock(second)), key=lambda turn: turn.month)
    require_lead(acting_user, first.alliance)
    reason = clean_text(reason, field=_("Reason"), max_length=200)
    for turn in (first, second):
        refuse_closed(turn)
    fields = ["unit", "scheduled_unit", "theme", "plan"]
    for turn in (first, second):
        if turn.scheduled_unit_id is None:
            turn.scheduled_unit_id = turn.unit_id
    first.unit_id, second.unit_id = second.unit_id, first.unit_id
    first.theme, second.theme = second.theme, first.theme
    first.plan, second.plan = second.plan, first.plan
    first.save(update_fields=fields)
    second.save(update_fields=fields)
    for turn, other in ((first, second), (second, first)):
        event(turn, "swap", acting_user, reason=reason, with_month=f"{other.month:%Y-%m}")
    record_event(
        actor=acting_user,
        action="alliances.chair_swapped",
        request=request,
        target=first,
        detail={"months": [f"{first.month:%Y-%m}", f"{second.month:%Y-%m}"], "reason": reason},
    )
    return first, second


def chairs(user, turn: ChairTurn) -> bool:
    """The chair unit's admin."""
    return speaks_for_unit(user, turn.unit)


@transaction.atomic
def plan_turn(*, acting_user, turn: ChairTurn, theme: str, plan: str, request=None) -> ChairTurn:
    """The chair (or the lead) sets the month's theme and its plan."""
    turn = lock(turn)
    if not (chairs(acting_user, turn) or leads(acting_user, turn.alliance)):
        raise PermissionDenied(_("Only the month's chair or the alliance's lead can plan it."))
    refuse_closed(turn)
    turn.theme = clean_text(theme, field=_("Theme"), max_length=80)
    turn.plan = clean_text(plan, field=_("Plan"), max_length=2000)
    turn.save(update_fields=["theme", "plan"])
    event(turn, "plan", acting_user, theme=turn.theme)
    record_event(actor=acting_user, action="alliances.chair_planned", request=request, target=turn)
    return turn


@transaction.atomic
def report_turn(*, acting_user, turn: ChairTurn, report: str, request=None) -> ChairTurn:
    """The chair reports its month, once the month has started."""
    turn = lock(turn)
    if not chairs(acting_user, turn):
        raise PermissionDenied(_("Only the month's chair reports it."))
    if not has_begun(turn):
        raise ValidationError(_("A month is reported once it has started."))
    if is_reported(turn):
        raise ValidationError(_("This month is already reported."))
    turn.report = clean_text(report, field=_("Report"), max_length=4000)
    turn.reported_at = timezone.now()
    turn.save(update_fields=["report", "reported_at"])
    event(turn, "report", acting_user)
    record_event(actor=acting_user, action="alliances.chair_reported", request=request, target=turn)
    return turn


def chair_of(alliance: Alliance, day: date) -> ChairTurn | None:
    """The turn of the month ``day`` falls in."""
    return alliance.chair_turns.filter(month=day.replace(day=1)).select_related("unit").first()
