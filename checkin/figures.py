"""The check-in figures of an area (docs/FIGURES.md): who should report there, who has, the rate, and
the check-ins waiting for the community. Counted by ``checkin.reconciliation`` (its module docstring
has the rules); every page that shows them asks ``gongjian.figures.area_figures``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.scope import scope_for
from checkin.models import CheckIn, CheckInState
from checkin.reconciliation import Period, rates_by_area
from gongjian.figures import Definition, counts, define


def reconciliation_url(user: Any, area: Any) -> str:
    """The area's reconciliation page, for those who may open it (area roles, inside their areas)."""
    scope = scope_for(user)
    inside = any(area.path.startswith(path) for path in scope.area_paths)
    if not (scope.everything or (scope.has(*R.AREA_ROLES) and inside)):
        return ""
    return reverse("checkin:area_reconciliation", args=[area.public_id])


def chase_url(user: Any, area: Any) -> str:
    url = reconciliation_url(user, area)
    return f"{url}#chase" if url else ""


IN_SERVICE = define(
    Definition(
        "in_service",
        _("In-service members"),
        _(
            "In-service members (在职党员) who should report to a community of the area: those who live in "
            "it, and those with no home on record whose unit is paired with one of its communities. Each "
            "member counts in one community only. As of today."
        ),
        url=reconciliation_url,
    )
)
REPORTED = define(
    Definition(
        "reported",
        _("Reported this month"),
        _(
            "Of those, the members with a check-in confirmed by the end of this month, not checked out "
            "before it began and, where the city asks members to report again, not due for renewal before "
            "it began (wherever they reported)."
        ),
        url=reconciliation_url,
    )
)
RATE = define(
    Definition(
        "rate",
        _("Check-in rate"),
        _("Reported this month ÷ in-service members; none when the area has no in-service members."),
        url=reconciliation_url,
        percent=True,
    )
)
NOT_REPORTED = define(
    Definition(
        "not_reported",
        _("Not reported"),
        _("In-service members who should report here and have not this month: whom to chase."),
        url=chase_url,
    )
)
AWAITING = define(
    Definition(
        "awaiting_confirmation",
        _("Awaiting confirmation"),
        _(
            "Check-ins into the area's communities that their unit has certified and the community has not confirmed yet."
        ),
        url=reconciliation_url,
    )
)


@counts("in_service", "reported", "rate", "not_reported")
def check_in_rates(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    """This month's rate of each area, one grouped query per depth of the areas."""
    rates = rates_by_area(areas, Period.of("month", today=on))
    return {
        pk: {
            "in_service": rate.members,
            "reported": rate.reported,
            "rate": rate.percent,
            "not_reported": rate.members - rate.reported,
        }
        for pk, rate in rates.items()
    }


@counts("awaiting_confirmation")
def awaiting_confirmation(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    """Certified check-ins into each area's communities, one grouped query per depth of the areas."""
    by_path = {area.path: area.pk for area in areas}
    found: dict[int, dict[str, Any]] = {pk: {"awaiting_confirmation": 0} for pk in by_path.values()}
    for length in sorted({len(path) for path in by_path}):
        grouped = (
            CheckIn.objects.filter(state=CheckInState.CERTIFIED)
            .annotate(prefix=Substr("community_path", 1, length))
            .filter(prefix__in=[path for path in by_path if len(path) == length])
            .values("prefix")
            .annotate(n=Count("id", filter=Q(state=CheckInState.CERTIFIED)))
            .order_by()
        )
        for group in grouped:
            found[by_path[group["prefix"]]]["awaiting_confirmation"] = group["n"]
    return found
