"""The check-in measures that are rolled up (docs/ROLLUPS.md), counted by the rules of
``checkin.reconciliation`` (its docstring): no second rule is written here.

- ``checkin.rates``, per period: in-service members the area answers for and those of them reported.
  A member is filed under where they live (``residence_path``), or, with no home on record, under the
  floating key ``""`` and counted in the community of their unit's rule pairing on the period's last
  day. Marked by people.actions (members), ``checkin.transitions.transition`` (check-ins) and the
  pairing actions (``""``); the city's renewal policy drops the group (``forget``).
- ``checkin.awaiting``: check-ins certified and waiting for the community, filed under the community.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q

from checkin.models import CheckIn, CheckInState
from checkin.reconciliation import Period, counted_checkins, rule_pairing_value
from people.models import Member
from rollups.registry import Group, Row, Span, register

NO_HOME = ""


def recount_rates(span: Span | None, keys: Sequence[str] | None) -> Iterable[Row]:
    """In-service and reported members per key: one grouped query for those with a home, one for those
    without (the floating key), each only when asked."""
    assert span is not None
    period = Period("custom", *span)
    reported = Exists(counted_checkins(period).filter(member_id=OuterRef("pk")))
    counts = {"n": Count("id"), "r": Count("id", filter=Q(reported))}
    members = Member.objects.in_service()
    homed = [key for key in keys if key] if keys is not None else None
    if homed is None or homed:
        living = members.exclude(residence_path="")
        if homed is not None:
            living = living.filter(residence_path__in=homed)
        for row in living.values("residence_path").annotate(**counts).order_by():
            path = row["residence_path"]
            yield (path, path, "in_service", row["n"])
            yield (path, path, "reported", row["r"])
    if keys is None or NO_HOME in keys:
        paired = (
            members.filter(residence_path="")
            .annotate(home=rule_pairing_value(period.end))
            .filter(home__isnull=False)
            .values("home")
            .annotate(**counts)
            .order_by()
        )
        for row in paired:
            yield (NO_HOME, row["home"], "in_service", row["n"])
            yield (NO_HOME, row["home"], "reported", row["r"])


def recount_awaiting(span: Span | None, keys: Sequence[str] | None) -> Iterable[Row]:
    """Certified check-ins waiting for each community, one grouped query."""
    waiting = CheckIn.objects.filter(state=CheckInState.CERTIFIED)
    if keys is not None:
        waiting = waiting.filter(community_path__in=keys)
    for row in waiting.values("community_path").annotate(n=Count("id")).order_by():
        yield (row["community_path"], row["community_path"], "awaiting_confirmation", row["n"])


def default_spans(today: date) -> list[Span]:
    """The periods the pages open on: this month, quarter and year."""
    return [(p.start, p.end) for p in (Period.of(kind, today=today) for kind in ("month", "quarter", "year"))]


RATES = register(
    Group(
        "checkin.rates",
        ("in_service", "reported"),
        recount_rates,
        per_period=True,
        floating=(NO_HOME,),
        spans=default_spans,
    )
)
AWAITING = register(Group("checkin.awaiting", ("awaiting_confirmation",), recount_awaiting))
