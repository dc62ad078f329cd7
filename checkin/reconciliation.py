"""Reconciliation (信息比对): rosters against check-ins, and check-in rates. Read-only.

Every function takes its scope explicitly (a unit, or an area the caller obtained through
``visible_to``) or reads through ``visible_to(user)``, and runs a fixed number of queries whatever
the number of members: grouped queries and subqueries, never one query per row.

The two rates, written once here:

- **Unit rate** = in-service members of the unit(s) with a check-in that counts for the period ÷
  in-service members of the unit(s). The roster is the one standing now (rosters keep no history).
- **Area rate** = the area's in-service members with a check-in that counts for the period ÷ the
  area's in-service members. The area's members are seed 001's rule read backwards: those who live
  in the area (``Member.residence_path`` in the subtree), plus those with no home community on
  record whose unit's rule pairing (its earliest pairing in force on the period's last day, as
  ``propose_community`` picks it) is a community of the area. Their check-in counts wherever they
  reported (an accepted override to a community elsewhere still counts as reported), so a rate never
  exceeds 100% and each member belongs to exactly one community's denominator.

A check-in counts for the period [start, end] when it was confirmed by the end of ``end``, was
not closed (checked out) before ``start``, and, where the city renews check-ins every N months, was
confirmed no more than N months before ``start`` (``checkin.renewal``). Members are counted, not
check-ins: a member who moved and was confirmed twice in the period counts once. No in-service members: the rate is None (the
pages say "no in-service members"), never a division by zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkin.models import ACTIVE_STATES, CheckIn, CheckInQuerySet, CheckInState, UnitPairing
from checkin.renewal import lapsed_before
from orgs.models import Unit
from people.models import Member
from places.models import Area
from places.paths import subtree_q
from rollups.counting import totals

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# --- statuses of a roster line ---------------------------------------------------------------------

NOT_SUBMITTED = "not_submitted"
AWAITING_CERTIFICATE = "awaiting_certificate"
AWAITING_CONFIRMATION = "awaiting_confirmation"
CONFIRMED = "confirmed"
STATUSES = (NOT_SUBMITTED, AWAITING_CERTIFICATE, AWAITING_CONFIRMATION, CONFIRMED)
STATUS_LABELS = {
    NOT_SUBMITTED: _("Not submitted"),
    AWAITING_CERTIFICATE: _("Awaiting certificate"),
    AWAITING_CONFIRMATION: _("Awaiting confirmation"),
    CONFIRMED: _("Confirmed"),
}
STATUS_OF_STATE = {
    CheckInState.SUBMITTED: AWAITING_CERTIFICATE,
    CheckInState.RETURNED: AWAITING_CERTIFICATE,
    CheckInState.CERTIFIED: AWAITING_CONFIRMATION,
    CheckInState.CONFIRMED: CONFIRMED,
}


# --- periods ---------------------------------------------------------------------------------------

PERIOD_KINDS = ("month", "quarter", "year", "custom")


@dataclass(frozen=True)
class Period:
    """A span of whole days, both ends included."""

    kind: str
    start: date
    end: date

    @classmethod
    def of(
        cls, kind: str, *, today: date | None = None, start: date | None = None, end: date | None = None
    ) -> Period:
        """This month / quarter / year (to its last day), or a custom span."""
        today = today or timezone.localdate()
        if kind == "custom" and start and end:
            return cls("custom", min(start, end), max(start, end))
        if kind == "quarter":
            first_month = (today.month - 1) // 3 * 3 + 1
            begin = today.replace(month=first_month, day=1)
            return cls("quarter", begin, _month_end(begin.replace(month=first_month + 2)))
        if kind == "year":
            return cls("year", today.replace(month=1, day=1), today.replace(month=12, day=31))
        begin = today.replace(day=1)
        return cls("month", begin, _month_end(begin))

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes [start of the first day, start of the day after the last day)."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def counted_checkins(period: Period) -> QuerySet:
    """Check-ins that count for the period: confirmed by its end, not closed before its start, and — in
    a city that renews check-ins every N months — confirmed at most N months before its start (the
    renewal not yet due when the period began: ``checkin.renewal``)."""
    start_at, end_at = period.bounds()
    return (
        CheckIn.objects.filter(confirmed_at__isnull=False, confirmed_at__lt=end_at)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start_at))
        .exclude(lapsed_before(start_at))
    )


def _days_since(moment: datetime | None, today: date) -> int | None:
    return None if moment is None else max(0, (today - timezone.localtime(moment).date()).days)


# --- rates -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Members counted as reported, out of the in-service members in scope."""

    members: int
    reported: int

    @property
    def value(self) -> float | None:
        """reported ÷ members, or None when there are no in-service members."""
        return self.reported / self.members if self.members else None

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(self.value * 100, 1)


def _rate_of(members: QuerySet, period: Period) -> Rate:
    reported = Exists(counted_checkins(period).filter(member_id=OuterRef("pk")))
    totals = members.order_by().aggregate(members=Count("id"), reported=Count("id", filter=Q(reported)))
    return Rate(members=totals["members"], reported=totals["reported"])


def rule_pairing_value(on: date, field: str = "community__path") -> Subquery:
    """The community path (or another ``field``) of the pairing propose_community would use for the member's unit."""
    return Subquery(
        UnitPairing.objects.active_on(on)
        .filter(unit_id=OuterRef("unit_id"))
        .order_by("started_on", "id")
        .values(field)[:1],
        output_field=CharField(),
    )


def area_members_q(area: Area, *, on: date) -> Q:
    """The rule of ``area_members`` as a filter on in-service members, for one query over several dates."""
    first_pairing = (
        UnitPairing.objects.active_on(on).filter(unit_id=OuterRef("unit_id")).order_by("started_on", "id")
    )
    rule_pairings = (
        UnitPairing.objects.active_on(on)
        .annotate(first=Subquery(first_pairing.values("pk")[:1]))
        .filter(pk=F("first"))
        .filter(subtree_q("community__path", area.path))
    )
    return subtree_q("residence_path", area.path) | Q(
        residence_path="", unit_id__in=rule_pairings.values("unit_id")
    )


def area_members(area: Area, *, on: date) -> QuerySet:
    """In-service members the area answers for: living there, or with no home on record and their unit paired there."""
    return Member.objects.in_service().filter(area_members_q(area, on=on))


def rates(
    *, units: Iterable[Unit] | QuerySet[Unit] | None = None, area: Area | None = None, start: date, end: date
) -> Rate:
    """The check-in rate of some units or of an area for [start, end] (definitions: module docstring)."""
    if (units is None) == (area is None):
        raise ValueError("rates() needs units or an area, not both")
    period = Period("custom", start, end)
    if area is not None:
        return _rate_of(area_members(area, on=end), period)
    return _rate_of(Member.objects.in_service().filter(unit__in=units), period)


def home_path(on: date) -> Case:
    """The path of the community a member answers to (see the module docstring): where they live, or,
    with no home on record, the community their unit's rule pairing names on ``on``."""
    return Case(
        When(residence_path="", then=rule_pairing_value(on)),
        default=F("residence_path"),
        output_field=CharField(),
    )


def rates_by_area(areas: Iterable[Area], period: Period) -> dict[int, Rate]:
    """Each area's rate for the period (the same members as ``area_members``, whatever the areas: an
    area and its children, say), read from the roll-ups (``checkin/rollups.py`` counts them by these
    rules): a few small queries, however many members live there."""
    areas = list(areas)
    found = totals("checkin.rates", [area.path for area in areas], span=(period.start, period.end))
    return {area.pk: Rate(found[area.path]["in_service"], found[area.path]["reported"]) for area in areas}


# --- a unit's roster -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RosterRow:
    """One in-service member of the unit and where their check-in stands."""

    member: Member
    status: str
    checkin: CheckIn | None
    days_waiting: int | None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def unit_roster(unit: Unit, *, today: date | None = None) -> list[RosterRow]:
    """Every in-service member of the unit with their status; not submitted first, then by name."""
    today = today or timezone.localdate()
    members = list(
        Member.objects.in_service()
        .filter(unit=unit)
        .only("public_id", "name", "name_initials", "phone_hint", "unit_id", "residence_area_id")
    )
    active = {
        c.member_id: c
        for c in CheckIn.objects.active()
        .filter(member__unit=unit, member__in_service=True)
        .exclude(lapsed_before(timezone.now()))  # due to report again: as if not submitted
        .select_related("community")
    }
    rows = []
    for member in members:
        checkin = active.get(member.pk)
        status = STATUS_OF_STATE[checkin.state] if checkin else NOT_SUBMITTED
        waiting = None
        if checkin is not None and status == AWAITING_CERTIFICATE:
            waiting = _days_since(checkin.submitted_at, today)
        elif checkin is not None and status == AWAITING_CONFIRMATION:
            waiting = _days_since(checkin.certified_at, today)
        rows.append(RosterRow(member, status, checkin, waiting))
    order = {status: n for n, status in enumerate(STATUSES)}
    rows.sort(key=lambda row: order[row.status])  # stable: members stay in name order within a status
    return rows


def summarize(rows: list[RosterRow]) -> dict[str, Any]:
    """Counts per status, the member count and the current rate, from roster rows already read."""
    counts = dict.fromkeys(STATUSES, 0)
    for row in rows:
        counts[row.status] += 1
    return {**counts, "members": len(rows), "rate": Rate(len(rows), counts[CONFIRMED])}


def unit_summary(unit: Unit) -> dict[str, Any]:
    """Counts per status, the in-service member count and the current rate (confirmed now ÷ members)."""
    state = Subquery(
        CheckIn.objects.active()
        .filter(member_id=OuterRef("pk"))
        .exclude(lapsed_before(timezone.now()))  # due to report again: as if not submitted
        .values("state")[:1]
    )
    grouped = (
        Member.objects.in_service()
        .filter(unit=unit)
        .annotate(state=state)
        .order_by()
        .values("state")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(STATUSES, 0)
    for row in grouped:
        counts[STATUS_OF_STATE.get(row["state"], NOT_SUBMITTED)] += row["n"]
    members = sum(counts.values())
    return {**counts, "members": members, "rate": Rate(members, counts[CONFIRMED])}


# --- an area ---------------------------------------------------------------------------------------

TOP_UNITS = 10
OLDEST_PENDING = 10


@dataclass
class ChildRow:
    """A drill-down row: one child area with its check-ins and its rate."""

    area: Area
    rate: Rate = field(default_factory=lambda: Rate(0, 0))
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES[1:], 0))
    oldest_pending_days: int | None = None


@dataclass
class UnitCount:
    public_id: Any
    name: str
    checkins: int
    confirmed: int


@dataclass
class AreaSummary:
    area: Area
    period: Period
    rate: Rate
    counts: dict[str, int]  # active check-ins into the area's communities, by status
    pending: int
    oldest_pending_days: int | None
    oldest_pending: list[CheckIn]
    children: list[ChildRow]
    top_units: list[UnitCount]


def area_checkins(area: Area, user: User | AnonymousUser) -> CheckInQuerySet:
    """Check-ins the user may see into the communities of the area's subtree."""
    return CheckIn.objects.visible_to(user).filter(subtree_q("community_path", area.path))


def _state_counts() -> dict[str, Any]:
    return {
        AWAITING_CERTIFICATE: Count(
            "id", filter=Q(state__in=[CheckInState.SUBMITTED, CheckInState.RETURNED])
        ),
        AWAITING_CONFIRMATION: Count("id", filter=Q(state=CheckInState.CERTIFIED)),
        CONFIRMED: Count("id", filter=Q(state=CheckInState.CONFIRMED)),
        "oldest": Min("certified_at", filter=Q(state=CheckInState.CERTIFIED)),
    }


def area_summary(
    area: Area, user: User | AnonymousUser, *, period: Period | None = None, today: date | None = None
) -> AreaSummary:
    """Counts by status, backlog and its age, rate, drill-down rows and top units: the rates from the
    roll-ups, the check-ins counted live."""
    today = today or timezone.localdate()
    period = period or Period.of("month", today=today)
    checkins = area_checkins(area, user).active()
    totals = checkins.aggregate(**_state_counts())
    counts = {status: totals[status] for status in STATUSES[1:]}
    oldest = (
        checkins.filter(state=CheckInState.CERTIFIED)
        .select_related("member", "unit", "community")
        .order_by("certified_at", "id")[:OLDEST_PENDING]
    )
    top = (
        checkins.filter(unit__isnull=False)
        .values("unit__public_id", "unit__name")
        .annotate(n=Count("id"), confirmed=Count("id", filter=Q(state=CheckInState.CONFIRMED)))
        .order_by("-n", "unit__name")[:TOP_UNITS]
    )
    children = list(Area.objects.visible_to(user).filter(parent=area))
    rates_of = rates_by_area([area, *children], period)
    return AreaSummary(
        area=area,
        period=period,
        rate=rates_of[area.pk],
        counts=counts,
        pending=counts[AWAITING_CONFIRMATION],
        oldest_pending_days=_days_since(totals["oldest"], today),
        oldest_pending=list(oldest),
        children=_child_rows(children, rates_of, checkins, today),
        top_units=[
            UnitCount(row["unit__public_id"], row["unit__name"], row["n"], row["confirmed"]) for row in top
        ],
    )


def _child_rows(
    children: list[Area], rates_of: dict[int, Rate], checkins: QuerySet, today: date
) -> list[ChildRow]:
    """One row per child area: its rate (from the roll-ups, read with the area's) and, per length of
    their paths (one, for division codes), one grouped query of check-ins."""
    rows = {child.path: ChildRow(child, rate=rates_of[child.pk]) for child in children}
    for length in sorted({len(path) for path in rows}):
        grouped = (
            checkins.annotate(prefix=Substr("community_path", 1, length))
            .filter(prefix__in=list(rows))
            .values("prefix")
            .annotate(**_state_counts())
            .order_by()
        )
        for group in grouped:
            row = rows[group["prefix"]]
            row.counts = {status: group[status] for status in STATUSES[1:]}
            row.oldest_pending_days = _days_since(group["oldest"], today)
    return list(rows.values())


def active_in_area(area: Area, user: User | AnonymousUser) -> QuerySet:
    """The active check-ins into the area's communities, with what an export row shows."""
    return (
        area_checkins(area, user)
        .filter(state__in=ACTIVE_STATES)
        .select_related("member", "unit", "community")
        .order_by("community_path", "state", "member__name_initials", "id")
    )
