"""The check-in renewal period (定期重新报到), a city's policy (``CheckInPolicy``): with N months, a
confirmed check-in holds for N months from its confirmation; after that the member is due to report
again. The rule is written once here and read by the rates and the lists of whom to chase
(``reconciliation.counted_checkins``) and by the member's to-do item (``checkin.work``).

A lapsed check-in ends like a checked-out one: it counts for a period when it was in force during some
of it, so for a period when it was confirmed by the period's end, not checked out before its start, and
its renewal did not fall due before its start (docs/FIGURES.md). No policy, or "never": no renewal.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Case, DateTimeField, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Length, Substr
from django.db.models.lookups import LessThan
from django.utils import timezone

from checkin.models import CheckIn, CheckInPolicy, CheckInState, RenewalPeriod
from places.models import Area
from places.paths import ancestor_paths

RENEWAL_MONTHS = tuple(value for value in RenewalPeriod.values if value)


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the last day of a shorter month)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(local.day, _days_in(year, month))
    return local.replace(year=year, month=month, day=day)


def months_after(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    following = date(year + month // 12, month % 12 + 1, 1)
    return (following - date(year, month, 1)).days


def lapsed_before(moment: datetime) -> Exists:
    """A condition on check-ins: their city renews every N months and they were confirmed more than N
    months before ``moment`` (their renewal fell due before it). One correlated subquery on the small
    policy table, whatever the number of check-ins; no extra query."""
    cutoff = Case(
        *(
            When(renewal_months=months, then=Value(months_before(moment, months)))
            for months in RENEWAL_MONTHS
        ),
        default=None,
        output_field=DateTimeField(),
    )
    policies = (
        CheckInPolicy.objects.filter(city_path=Substr(OuterRef("community_path"), 1, Length("city_path")))
        .filter(renewal_months__gt=0)
        .annotate(cutoff=cutoff)
        .filter(LessThan(OuterRef("confirmed_at"), F("cutoff")))
    )
    return Exists(policies)


def renewal_months_of(community: Area | None) -> int:
    """The renewal period in months of the community's city (0: none)."""
    if community is None:
        return 0
    policy = (
        CheckInPolicy.objects.filter(city_path__in=ancestor_paths(community.path))
        .values_list("renewal_months", flat=True)
        .first()
    )
    return policy or 0


def city_renewal_months() -> Subquery:
    """An annotation for check-ins: their city's renewal period in months (None: no policy), so a page
    that reads a check-in learns its renewal in the same query (``renewal_due_on`` reads it)."""
    return Subquery(
        CheckInPolicy.objects.filter(
            city_path=Substr(OuterRef("community_path"), 1, Length("city_path"))
        ).values("renewal_months")[:1]
    )


def renewal_due_on(checkin: CheckIn) -> date | None:
    """The day a confirmed check-in's renewal falls due in its city (None: it holds until it is ended).
    Reads the ``city_renewal_months`` annotation when the check-in has it, else asks once."""
    if checkin.state != CheckInState.CONFIRMED or checkin.confirmed_at is None:
        return None
    if hasattr(checkin, "city_renewal_months"):
        months = checkin.city_renewal_months or 0
    else:
        months = renewal_months_of(checkin.community)
    if not months:
        return None
    return months_after(timezone.localtime(checkin.confirmed_at).date(), months)


def policy_of(city: Area) -> CheckInPolicy:
    """The city's policy (an unsaved one with no renewal when it has none yet)."""
    return CheckInPolicy.objects.filter(city=city).first() or CheckInPolicy(
        city=city, city_path=city.path, renewal_months=RenewalPeriod.NONE
    )
