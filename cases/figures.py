"""The whistle's figures of an area for the homes (docs/FIGURES.md): open cases, overdue cases, and
on-time completion this month as cases.measures defines it — each over the cases in the area the user
may see, in one grouped query however many areas, each opening onto the case list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_for
from cases import measures
from cases.exports import CASE_LIST_ROLES
from cases.models import OPEN_CASE_STATES, Case
from gongjian.figures import Definition, counts, define
from places.models import AreaLevel
from places.paths import any_subtree_q


def _list(**query: Any):
    def url(user: Any, area: Any) -> str:
        if not scope_for(user).has(*CASE_LIST_ROLES):
            return ""
        place = "street" if area.level == AreaLevel.STREET else "community"
        extra = {place: area.public_id} if area.level in (AreaLevel.STREET, AreaLevel.COMMUNITY) else {}
        return f"{reverse('cases:case_list')}?{urlencode({**extra, **query})}"

    return url


OPEN = define(
    Definition(
        "cases_open",
        _("Open cases"),
        _(
            "Cases in the area not yet resolved (awaiting triage, dispatched or being handled), that you may see. Now."
        ),
        url=_list(state="open"),
    )
)
OVERDUE = define(
    Definition(
        "cases_overdue",
        _("Overdue cases"),
        _("Open cases in the area past their deadline, that you may see. Now."),
        url=_list(overdue="true"),
    )
)
ON_TIME = define(
    Definition(
        "cases_on_time",
        _("Cases completed on time"),
        _(
            "Cases completed by their deadline ÷ cases due this month (deadline passed, or the result in); none (—) when no case was due. This month."
        ),
        url=_list(figure=measures.DUE, period="month"),
        percent=True,
    )
)


@counts("cases_open", "cases_overdue", "cases_on_time")
def case_counts(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    now = timezone.now()
    period = measures.period_of("month", on)
    due = measures.case_q(measures.DUE, period, now)
    done = measures.case_q(measures.COMPLETED_ON_TIME, period, now)
    is_open = Q(state__in=OPEN_CASE_STATES)
    rows = (
        Case.objects.visible_to(user)
        .filter(any_subtree_q("area_path", [a.path for a in areas]))
        .filter(is_open | due)
        .order_by()
        .values("area_path")
        .annotate(
            open=Count("id", filter=is_open),
            overdue=Count("id", filter=is_open & Q(due_at__lt=now)),
            due=Count("id", filter=due),
            done=Count("id", filter=done),
        )
    )
    totals = {a.pk: {"open": 0, "overdue": 0, "due": 0, "done": 0} for a in areas}
    for row in rows:
        for area in areas:
            if row["area_path"].startswith(area.path):
                for key in ("open", "overdue", "due", "done"):
                    totals[area.pk][key] += row[key]
    return {
        pk: {
            "cases_open": t["open"],
            "cases_overdue": t["overdue"],
            "cases_on_time": measures.Ratio(t["done"], t["due"]).rate,
        }
        for pk, t in totals.items()
    }
