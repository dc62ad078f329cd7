"""Whom to chase (信息比对): the members an area answers for who have not reported, and the area's
rate month by month. The page (reconciliation_views), the API (reconciliation_api) and the Excel
export (checkin/exports.py) read the same rows through one FilterSet, ``ChaseFilter``, so the list,
its count and the sheet agree.

"Should report there" is ``reconciliation.area_members`` (the rate's denominator) and "has reported"
is ``reconciliation.counted_checkins`` for the period: no second rule is written here. Rows are cut to
what the viewer may see (``Member.objects.visible_to``); phone numbers are only ever the masks.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

import django_filters
from django import forms
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_for
from checkin.models import ACTIVE_STATES, CheckInState
from checkin.reconciliation import (
    NOT_SUBMITTED,
    STATUS_LABELS,
    STATUS_OF_STATE,
    STATUSES,
    Period,
    Rate,
    area_members,
    counted_checkins,
    rule_pairing_value,
)
from people.models import Member, MemberQuerySet
from places.models import Area
from rollups.counting import read_periods

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

CHART_MONTHS = 6


def openable_areas(user: User | AnonymousUser) -> QuerySet[Area]:
    """The areas whose reconciliation the user may open: inside their area roles' subtrees (anywhere
    for the platform administrator). Homes and units' places, which visible_to also shows, do not count."""
    scope = scope_for(user)
    areas = Area.objects.visible_to(user)
    return areas if scope.everything else areas.filter(scope.area_q("path"))


_STATUS_RANK = {status: n for n, status in enumerate(STATUSES)}


def unreported(area: Area, *, period: Period, members: QuerySet | None = None) -> QuerySet:
    """Whom to chase: the members the area answers for (``area_members``, the rate's denominator, cut
    to ``members`` when given, e.g. ``Member.objects.visible_to(user)``) with no check-in that counts
    for the period (``counted_checkins``). Each row carries its active check-in, if any: ``checkin_status``
    (not submitted, awaiting certificate, awaiting confirmation; confirmed after the period's end),
    ``checked_in_to`` (that check-in's community), ``waiting_since`` (submitted, or certified when it
    waits for the community), and ``answers_to`` (the community that counts them). Not submitted
    first, then by unit and name; one query however many rows (the active check-in is one join)."""
    rows = area_members(area, on=period.end)
    if members is not None:
        rows = rows & members
    reported = counted_checkins(period).filter(member_id=OuterRef("pk"))
    waiting = CheckInState.CERTIFIED
    return (
        rows.filter(~Exists(reported))
        .annotate(active=FilteredRelation("checkins", condition=Q(checkins__state__in=ACTIVE_STATES)))
        .annotate(
            checkin_status=Case(
                *(When(active__state=state, then=Value(status)) for state, status in STATUS_OF_STATE.items()),
                default=Value(NOT_SUBMITTED),
                output_field=CharField(),
            ),
            checked_in_to=F("active__community__name"),
            waiting_since=Case(
                When(active__state=waiting, then=F("active__certified_at")),
                When(
                    active__state__in=[CheckInState.SUBMITTED, CheckInState.RETURNED],
                    then=F("active__submitted_at"),
                ),
            ),
            answers_to=Case(
                When(residence_path="", then=rule_pairing_value(period.end, "community__name")),
                default=F("residence_area__name"),
                output_field=CharField(),
            ),
        )
        .select_related("unit")
        .order_by(
            Case(
                *(When(checkin_status=status, then=Value(rank)) for status, rank in _STATUS_RANK.items()),
                output_field=IntegerField(),
            ),
            "unit__name",
            "name_initials",
            "id",
        )
    )


def last_months(last: date, count: int) -> list[Period]:
    """The ``count`` calendar months up to the one holding ``last``, oldest first."""
    periods = []
    day = last.replace(day=1)
    for _month in range(count):
        periods.append(Period.of("month", today=day))
        day = (day - timedelta(days=1)).replace(day=1)
    return periods[::-1]


def monthly_rates(area: Area, periods: list[Period]) -> list[Rate]:
    """The area's rate for each period (as ``rates(area=...)`` gives it), read from the roll-ups
    (``checkin/rollups.py`` counts them by the same rules) in two queries however many periods."""
    if not periods:
        return []
    found = read_periods("checkin.rates", [area.path], [(p.start, p.end) for p in periods])
    return [Rate(by_path[area.path]["in_service"], by_path[area.path]["reported"]) for by_path in found]


# --- the one FilterSet of the page, the API and the export ------------------------------------------


def _openable(request) -> QuerySet[Area]:
    return openable_areas(request.user) if request else Area.objects.none()


class ChaseForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "custom" and not (data.get("start") and data.get("end")):
            raise forms.ValidationError(_("Give both dates of a custom period."))
        return data


class ChaseFilter(django_filters.FilterSet):
    """``area`` (required, among the areas the user may open), the period as the page gives it
    (``period`` month / quarter / year / custom with ``start`` and ``end``; nothing valid: this month),
    ``status`` and ``q`` (name, initials or the phone's last four digits). Without an area: no rows."""

    area = django_filters.ModelChoiceFilter(
        queryset=_openable, to_field_name="public_id", method="filter_nothing", label=_("Area")
    )
    period = django_filters.ChoiceFilter(
        choices=[
            ("month", _("This month")),
            ("quarter", _("This quarter")),
            ("year", _("This year")),
            ("custom", _("Custom")),
        ],
        method="filter_nothing",
        label=_("Period"),
    )
    start = django_filters.DateFilter(method="filter_nothing", label=_("Start date"))
    end = django_filters.DateFilter(method="filter_nothing", label=_("End date"))
    status = django_filters.ChoiceFilter(
        choices=[(s, STATUS_LABELS[s]) for s in STATUSES], method="filter_nothing", label=_("Status")
    )
    q = django_filters.CharFilter(method="filter_nothing", label=_("Search"))

    class Meta:
        model = Member
        fields = ["area", "period", "start", "end", "status", "q"]
        form = ChaseForm

    def filter_nothing(self, queryset, name, value):
        return queryset

    def chosen_period(self) -> Period:
        """The period asked for; this month when it is missing or invalid (as on the page)."""
        self.form.is_valid()  # fills cleaned_data with the valid fields
        data = self.form.cleaned_data
        return Period.of(data.get("period") or "month", start=data.get("start"), end=data.get("end"))

    def unfiltered(self, queryset: QuerySet) -> QuerySet:
        """The rows of every status (for the counts per status)."""
        self.form.is_valid()  # fills cleaned_data with the valid fields
        data = self.form.cleaned_data
        area = data.get("area")
        if area is None:
            return queryset.none()
        members = cast(MemberQuerySet, queryset).search(data["q"]) if data.get("q") else queryset
        return unreported(area, period=self.chosen_period(), members=members)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        rows = self.unfiltered(queryset)
        status = self.form.cleaned_data.get("status")
        return rows.filter(checkin_status=status) if status else rows


def status_counts(rows: QuerySet) -> dict[str, int]:
    """How many rows have each status, in one grouped query."""
    counts = dict.fromkeys(STATUSES, 0)
    for group in rows.order_by().values("checkin_status").annotate(n=Count("id")):
        counts[group["checkin_status"]] += group["n"]
    return counts


def days_waiting(since, today: date) -> int | None:
    """Whole days from ``since`` (an aware datetime, or None) to ``today``."""
    return None if since is None else max(0, (today - timezone.localtime(since).date()).days)
