"""The whistle's figures, defined once as the 12345 bulletins define them; the figures page, its
drill-down (the case list's ``figure`` filter), the home page's cards and the exports read them here.

For a period (whole days, ``checkin.reconciliation.Period``), as of now:

- **received**: cases reported in the period (merged duplicates aside); for a department or unit, the
  dispatches to it made in the period (withdrawn ones aside).
- **accepted on time (rate)**: dispatches accepted within their window ÷ dispatches due to be accepted in
  the period (their window ends in the period and has ended by now, or they were accepted or returned;
  withdrawn ones aside; a return is not an acceptance). For an area, grid or category: the dispatches
  of its cases.
- **completed on time (rate)**: cases completed on time ÷ cases due in the period (their deadline falls
  in it and has passed by now, or the result is in); for a unit, its lead dispatches due in the period
  (returned and withdrawn ones aside) finished by their deadline.
- **satisfaction (rate)**: satisfied + basically satisfied ÷ cases rated in the period (the latest
  rating of each); for a unit, the cases it leads.
- **reopened**: cases reopened in the period ("not fixed": a ``CaseEvent`` with action ``reopen``); for
  a unit, those reopened to it.

A rate whose denominator is zero is None with the reason, never 0 %. Every count is one grouped query
per kind of row (cases, dispatches, reopen events) whatever the number of groups; every count starts
from ``Case.objects.visible_to(user)``, and a department or unit that only handles cases sees its own
dispatches only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from accounts.scope import scope_for
from cases.access import handler_unit_ids
from cases.models import (
    SATISFIED_ANSWERS,
    Case,
    CaseCategory,
    CaseDispatch,
    CaseEvent,
    CaseState,
    DispatchRole,
    DispatchState,
)
from checkin.reconciliation import Period
from orgs.models import Unit, UnitKind
from places.models import Area, Grid

PERIOD_CHOICES = [("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))]

# The counts, in the order the figures page shows them.
RECEIVED = "received"
ACCEPT_DUE = "accept_due"
ACCEPTED_ON_TIME = "accepted_on_time"
DUE = "due"
COMPLETED_ON_TIME = "completed_on_time"
RATED = "rated"
SATISFIED = "satisfied"
REOPENED = "reopened"
COUNTS = (RECEIVED, ACCEPT_DUE, ACCEPTED_ON_TIME, DUE, COMPLETED_ON_TIME, RATED, SATISFIED, REOPENED)

LABELS = {
    RECEIVED: _("Received"),
    ACCEPT_DUE: _("Due to be accepted"),
    ACCEPTED_ON_TIME: _("Accepted on time"),
    DUE: _("Due in the period"),
    COMPLETED_ON_TIME: _("Completed on time"),
    RATED: _("Rated"),
    SATISFIED: _("Satisfied"),
    REOPENED: _("Reopened"),
}

# The rates: (key, numerator, denominator, label, why there is none).
RATES = (
    (
        "accepted_on_time_rate",
        ACCEPTED_ON_TIME,
        ACCEPT_DUE,
        _("Accepted on time"),
        _("no dispatch was due to be accepted"),
    ),
    ("on_time_rate", COMPLETED_ON_TIME, DUE, _("Completed on time"), _("no case was due")),
    ("satisfaction_rate", SATISFIED, RATED, _("Satisfaction"), _("no case was rated")),
)

# How the figures are grouped: by a case's place or category, or by the unit dispatched to.
DIMENSIONS = {
    "department": _("Department"),
    "unit": _("Member unit"),
    "street": _("Street"),
    "community": _("Community"),
    "grid": _("Grid"),
    "category": _("Category"),
}
UNIT_DIMENSIONS = ("department", "unit")
CASE_FIELD = {
    "street": "street_id",
    "community": "community_id",
    "grid": "grid_id",
    "category": "category_id",
}
MODEL = {"street": Area, "community": Area, "grid": Grid, "category": CaseCategory}

FIGURE_ROLES = (*R.AREA_ROLES, Role.DEPARTMENT, Role.UNIT_ADMIN, Role.GRID_WORKER)


def period_of(kind: str | None, on: date | None = None) -> Period:
    """The month, quarter or year holding ``on`` (today by default); a month for anything else."""
    return Period.of(kind if kind in ("month", "quarter", "year") else "month", today=on)


def _within(field_name: str, period: Period) -> Q:
    start, end = period.bounds()
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


# --- the definitions, written once ---------------------------------------------------------------


def case_q(key: str, period: Period, now: datetime) -> Q:
    """Which cases a count counts (for a place, a grid or a category)."""
    not_merged = ~Q(state=CaseState.MERGED)
    if key == RECEIVED:
        return _within("reported_at", period) & not_merged
    if key in (DUE, COMPLETED_ON_TIME):
        due = (
            _within("due_at", period) & not_merged & (Q(due_at__lt=now) | Q(completed_on_time__isnull=False))
        )
        return due & Q(completed_on_time=True) if key == COMPLETED_ON_TIME else due
    if key in (RATED, SATISFIED):
        rated = _within("rated_at", period) & ~Q(rating="")
        return rated & Q(rating__in=SATISFIED_ANSWERS) if key == SATISFIED else rated
    if key == REOPENED:
        return Q(pk__in=reopen_events(period).values("case_id"))
    if key in (ACCEPT_DUE, ACCEPTED_ON_TIME):
        return Q(pk__in=CaseDispatch.objects.filter(dispatch_q(key, period, now)).values("case_id"))
    raise KeyError(key)


def dispatch_q(key: str, period: Period, now: datetime) -> Q:
    """Which dispatches a count counts (for a department or unit; acceptance for every grouping)."""
    live = ~Q(state=DispatchState.WITHDRAWN)
    if key == RECEIVED:
        return _within("dispatched_at", period) & live
    if key in (ACCEPT_DUE, ACCEPTED_ON_TIME):
        answered = Q(accepted_at__isnull=False) | Q(returned_at__isnull=False)
        due = _within("accept_by", period) & live & (Q(accept_by__lt=now) | answered)
        return due & Q(accepted_on_time=True) if key == ACCEPTED_ON_TIME else due
    if key in (DUE, COMPLETED_ON_TIME):
        due = (
            Q(role=DispatchRole.LEAD)
            & _within("due_at", period)
            & ~Q(state__in=(DispatchState.WITHDRAWN, DispatchState.RETURNED))
            & (Q(due_at__lt=now) | Q(completed_on_time__isnull=False))
        )
        return due & Q(completed_on_time=True) if key == COMPLETED_ON_TIME else due
    if key in (RATED, SATISFIED):
        rated = (
            Q(role=DispatchRole.LEAD, state__in=(DispatchState.ACCEPTED, DispatchState.DONE))
            & _within("case__rated_at", period)
            & ~Q(case__rating="")
        )
        return rated & Q(case__rating__in=SATISFIED_ANSWERS) if key == SATISFIED else rated
    raise KeyError(key)


def reopen_events(period: Period) -> QuerySet:
    """The reopenings of the period ("not fixed", sent back to the same handler)."""
    return CaseEvent.objects.filter(_within("at", period), action="reopen")


# --- scope ----------------------------------------------------------------------------------------


def scoped_cases(user) -> QuerySet:
    return Case.objects.visible_to(user)


def own_units_only(user) -> frozenset[int] | None:
    """The units of a user who only handles cases (a department, a unit's party admin, no area or grid):
    their figures are their own dispatches'. None for everyone else."""
    scope = scope_for(user)
    if scope.everything or scope.area_paths or scope.grid_paths:
        return None
    return handler_unit_ids(user)


def scoped_dispatches(user) -> QuerySet:
    """Dispatches of the cases the user may see (a handler's: its own units' only)."""
    dispatches = CaseDispatch.objects.filter(case__in=scoped_cases(user))
    units = own_units_only(user)
    return dispatches if units is None else dispatches.filter(unit_id__in=units)


# --- rows -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    why_none: Any = ""

    @property
    def rate(self) -> float | None:
        """A percentage to one decimal; None when there is nothing to divide by."""
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass
class Row:
    """One group's counts (``of`` is the area, grid, category or unit; None for the total)."""

    of: Any
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))

    def ratio(self, key: str) -> Ratio:
        for name, numerator, denominator, _label, why in RATES:
            if name == key:
                return Ratio(self.counts[numerator], self.counts[denominator], why)
        raise KeyError(key)

    @property
    def accepted_on_time_rate(self) -> Ratio:
        return self.ratio("accepted_on_time_rate")

    @property
    def on_time_rate(self) -> Ratio:
        return self.ratio("on_time_rate")

    @property
    def satisfaction_rate(self) -> Ratio:
        return self.ratio("satisfaction_rate")

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


def _aggregates(keys, q_of) -> dict[str, Count]:
    return {key: Count("id", filter=q_of(key)) for key in keys}


CASE_KEYS = (RECEIVED, DUE, COMPLETED_ON_TIME, RATED, SATISFIED, REOPENED)
ACCEPT_KEYS = (ACCEPT_DUE, ACCEPTED_ON_TIME)
UNIT_KEYS = (RECEIVED, ACCEPT_DUE, ACCEPTED_ON_TIME, DUE, COMPLETED_ON_TIME, RATED, SATISFIED)


def _case_counts(cases: QuerySet, period: Period, now: datetime, by: str | None) -> dict[Any, dict]:
    """The case counts of each group (``by`` a Case field; None: one total), one query."""
    relevant = Q()
    for key in CASE_KEYS:
        relevant |= case_q(key, period, now)
    rows = cases.filter(relevant).order_by()
    aggregates = _aggregates(CASE_KEYS, lambda key: case_q(key, period, now))
    if by is None:
        return {None: rows.aggregate(**aggregates)}
    return {row.pop("g"): row for row in rows.values(g=_field(by)).annotate(**aggregates)}


def _dispatch_counts(dispatches: QuerySet, period: Period, now: datetime, by: str | None, keys) -> dict:
    """The dispatch counts of each group (``by`` a CaseDispatch field path; None: one total), one query."""
    relevant = Q()
    for key in keys:
        relevant |= dispatch_q(key, period, now)
    rows = dispatches.filter(relevant).order_by()
    aggregates = _aggregates(keys, lambda key: dispatch_q(key, period, now))
    if by is None:
        return {None: rows.aggregate(**aggregates)}
    return {row.pop("g"): row for row in rows.values(g=_field(by)).annotate(**aggregates)}


def _field(name: str) -> F:
    return F(name)


def _merge(rows: dict[Any, Row], found: dict[Any, dict]) -> None:
    for key, counts in found.items():
        if key is None and rows.get(None) is None:
            continue
        row = rows.setdefault(key, Row(of=None))
        row.counts.update({k: v or 0 for k, v in counts.items()})


@dataclass(frozen=True)
class Figures:
    period: Period
    by: str
    rows: list[Row]
    total: Row


def figures(user, by: str, period: Period, *, now: datetime | None = None) -> Figures:
    """The figures of every group of ``by`` (a key of DIMENSIONS) with something to count in the period,
    and the total over the user's cases: two or three grouped queries and one for the groups' names."""
    now = now or timezone.now()
    cases = scoped_cases(user)
    dispatches = scoped_dispatches(user)
    found: dict[Any, Row] = {}
    total = Row(of=None)
    if by in UNIT_DIMENSIONS:
        kinds = (
            Q(unit__kind=UnitKind.DEPARTMENT) if by == "department" else ~Q(unit__kind=UnitKind.DEPARTMENT)
        )
        mine = dispatches.filter(kinds)
        _merge(found, _dispatch_counts(mine, period, now, "unit_id", UNIT_KEYS))
        reopened = reopen_events(period).filter(kinds, case__in=cases, unit__isnull=False)
        units = own_units_only(user)
        if units is not None:
            reopened = reopened.filter(unit_id__in=units)
        grouped = reopened.order_by().values("unit_id").annotate(n=Count("case_id", distinct=True))
        _merge(found, {r["unit_id"]: {REOPENED: r["n"]} for r in grouped})
        names = Unit.objects.in_bulk([k for k in found if k is not None])
        for row in found.values():
            for key in COUNTS:
                total.counts[key] += row.counts[key]
    else:
        case_field = CASE_FIELD[by]
        _merge(found, _case_counts(cases, period, now, case_field))
        _merge(found, _dispatch_counts(dispatches, period, now, f"case__{case_field}", ACCEPT_KEYS))
        total.counts.update(_case_counts(cases, period, now, None)[None])
        total.counts.update(_dispatch_counts(dispatches, period, now, None, ACCEPT_KEYS)[None])
        total.counts.update({k: v or 0 for k, v in total.counts.items()})
        groups = MODEL[by]._default_manager.all()
        if by == "category":
            groups = groups.select_related("parent")  # its name says its group
        names = groups.in_bulk([k for k in found if k is not None])
    rows = []
    for key, row in found.items():
        if key is None or row.empty:
            continue
        row.of = names.get(key)
        if row.of is not None:
            rows.append(row)
    rows.sort(key=lambda r: (-r.counts[RECEIVED], -r.counts[DUE], str(r.of)))
    return Figures(period=period, by=by, rows=rows, total=total)


def cases_for(
    user,
    key: str,
    period: Period,
    *,
    cases: QuerySet | None = None,
    unit: Unit | None = None,
    now: datetime | None = None,
) -> QuerySet:
    """The cases behind a count (the figures page's links): of ``cases`` (the user's, by default), those
    the count counts; with ``unit``, those of the unit's dispatches the count counts."""
    now = now or timezone.now()
    base = scoped_cases(user) if cases is None else cases
    if key not in COUNTS:
        return base.none()
    if unit is None and key in ACCEPT_KEYS:
        return base.filter(
            pk__in=scoped_dispatches(user).filter(dispatch_q(key, period, now)).values("case_id")
        )
    if unit is None:
        return base.filter(case_q(key, period, now))
    if key == REOPENED:
        return base.filter(pk__in=reopen_events(period).filter(unit=unit).values("case_id"))
    chosen = scoped_dispatches(user).filter(dispatch_q(key, period, now), unit=unit)
    return base.filter(pk__in=chosen.values("case_id"))
