"""Case work on the homes (gongjian.work): a department's or unit's dispatches to accept, due soon and
overdue (first on its home); the community's cases to triage; the street's and organisation
department's cases to dispatch, returned and stuck; a grid worker's open cases in their grids; a
reporter's results to confirm and rate. At most two queries a home."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from cases import desks
from cases.models import OPEN_CASE_STATES, Case, CaseState
from gongjian.work import Item, to_do

TRIAGE_ROLES = (Role.COMMUNITY, Role.STREET, Role.ORG_DEPT)
DISPATCH_ROLES = (Role.STREET, Role.ORG_DEPT)
REPORTER_ROLES = (Role.GRID_WORKER, Role.RESIDENT, Role.MEMBER, Role.COMMUNITY, Role.STREET)


def _list(**query: Any) -> str:
    return f"{reverse('cases:case_list')}?{urlencode(query)}"


@to_do
def handler_cases(user: Any, scope: Any) -> list[Item]:
    """The department's or unit's inbox: to accept (overdue once a window has passed), due soon, overdue."""
    if not (scope.units_for(Role.DEPARTMENT) or scope.units_for(Role.UNIT_ADMIN)):
        return []
    found = desks.handler_counts(user, timezone.now())
    inbox = reverse("cases:inbox")
    return [
        Item(
            "cases.to_accept",
            _("Cases dispatched to you: accept or return them"),
            found["to_accept"],
            f"{inbox}#awaiting",
            since=found["to_accept_since"],
            overdue=bool(found["late_to_accept"]),
        ),
        Item(
            "cases.overdue",
            _("Cases you handle past their deadline"),
            found["overdue"],
            f"{inbox}#handling",
            since=found["overdue_since"],
            overdue=True,
        ),
        Item(
            "cases.due_soon",
            _("Cases you handle due within two days"),
            found["due_soon"],
            f"{inbox}#handling",
            since=found["due_soon_since"],
        ),
    ]


@to_do
def case_desk(user: Any, scope: Any) -> list[Item]:
    """Everything of the user's cases in one query: to triage or dispatch at their level, returned by a
    handler, stuck (overdue, escalated, left unanswered), open in their grids, theirs to rate."""
    roles = scope.roles
    triage = bool(roles.intersection(TRIAGE_ROLES))
    dispatch = bool(roles.intersection(DISPATCH_ROLES))
    grid = Role.GRID_WORKER in roles and bool(scope.grid_paths)
    reporter = bool(roles.intersection(REPORTER_ROLES))
    if scope.everything or not (triage or grid or reporter):
        return []
    now = timezone.now()
    counts: dict[str, Any] = {}
    if triage:
        counts["triage"] = Count("id", filter=desks.new_q(user))
        counts["triage_since"] = Min("reported_at", filter=desks.new_q(user))
    if dispatch:
        counts["returned"] = Count("id", filter=desks.returned_q())
        counts["stuck"] = Count("id", filter=Q(pk__in=Case.objects.stuck(now).values("pk")))
    if grid:
        in_grid = scope.grid_q("grid_path") & Q(state__in=OPEN_CASE_STATES)
        counts["grid"] = Count("id", filter=in_grid)
        counts["grid_since"] = Min("reported_at", filter=in_grid)
    if reporter:
        to_rate = Q(reporter_id=user.pk, state=CaseState.RESOLVED)
        counts["rate"] = Count("id", filter=to_rate)
        counts["rate_since"] = Min("resolved_at", filter=to_rate)
    found = Case.objects.visible_to(user).order_by().aggregate(**counts)
    board = reverse("cases:board")
    items = []
    if triage:
        label = (
            _("New cases to dispatch or settle")
            if dispatch
            else _("New cases to settle or pass up to the street")
        )
        items.append(
            Item("cases.to_triage", label, found["triage"], f"{board}#col-new", since=found["triage_since"])
        )
    if dispatch:
        items.append(
            Item(
                "cases.returned",
                _("Cases returned by a department: dispatch them again"),
                found["returned"],
                f"{board}#col-returned",
            )
        )
        items.append(
            Item("cases.stuck", _("Stuck cases"), found["stuck"], reverse("cases:stuck"), overdue=True)
        )
    if grid:
        items.append(
            Item(
                "cases.grid_open",
                _("Open cases in your grids"),
                found["grid"],
                _list(state="open"),
                since=found["grid_since"],
            )
        )
    if reporter:
        items.append(
            Item(
                "cases.to_rate",
                _("Results of your reports: is it fixed? Rate them"),
                found["rate"],
                _list(mine="true", state=CaseState.RESOLVED),
                since=found["rate_since"],
                overdue=True,
            )
        )
    return items
