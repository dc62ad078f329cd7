"""The check-in figures of an area (docs/FIGURES.md): who should report there, who has, the rate, and
the check-ins waiting for the community. Counted by ``checkin.reconciliation`` (its module docstring
has the rules); every page that shows them asks ``gongjian.figures.area_figures``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.scope import scope_for
from checkin.reconciliation import Period, Rate
from gongjian.figures import Definition, counts, define
from rollups.counting import read


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


@counts("in_service", "reported", "rate", "not_reported", "awaiting_confirmation")
def check_in_figures(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    """This month's rate of each area and the check-ins awaiting confirmation, read together from the
    roll-ups (``checkin/rollups.py`` counts them by ``checkin.reconciliation``'s rules)."""
    month = Period.of("month", today=on)
    found = read(
        ["checkin.rates", "checkin.awaiting"], [area.path for area in areas], span=(month.start, month.end)
    )
    figures = {}
    for area in areas:
        rate = Rate(
            found["checkin.rates"][area.path]["in_service"], found["checkin.rates"][area.path]["reported"]
        )
        figures[area.pk] = {
            "in_service": rate.members,
            "reported": rate.reported,
            "rate": rate.percent,
            "not_reported": rate.members - rate.reported,
            "awaiting_confirmation": found["checkin.awaiting"][area.path]["awaiting_confirmation"],
        }
    return figures
