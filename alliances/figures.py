"""The alliances' figures of an area for the officials' homes (docs/FIGURES.md): alliances, member units
active, agreements in force, open and overdue tasks (resolutions), and required meetings held on time
this year — each over the alliances of the area (its subtree) the user may see, in one grouped query
per figure group however many areas, each opening onto the alliances' pages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_for
from alliances.compliance import COMPLIANCE_ROLES
from alliances.models import Agreement, Alliance, AllianceMember, Meeting, Resolution
from alliances.periods import MEETING_FREQUENCY, period_of
from gongjian.figures import Definition, counts, define
from places.paths import any_subtree_q


def _page(name: str):
    def url(user: Any, area: Any) -> str:
        return reverse(name) if scope_for(user).has(*COMPLIANCE_ROLES) else ""

    return url


ALLIANCES = define(
    Definition(
        "alliances",
        _("Alliances"),
        _(
            "Active alliances (street alliances, community joint committees, big committees) of the area, that you may see. Now."
        ),
        url=_page("alliances:index"),
    )
)
UNITS_ACTIVE = define(
    Definition(
        "alliance_units_active",
        _("Member units active"),
        _(
            "Member units of the area's alliances with a signed agreement in force (a unit in two alliances counts twice). Today."
        ),
        url=_page("alliances:index"),
    )
)
AGREEMENTS = define(
    Definition(
        "alliance_agreements",
        _("Agreements in force"),
        _("Signed agreements of the area's alliances between their start and end, that you may see. Today."),
        url=_page("alliances:owed"),
    )
)
TASKS_OPEN = define(
    Definition(
        "alliance_tasks_open",
        _("Open alliance tasks"),
        _("Resolutions of the area's alliances' meetings open or in progress, that you may see. Now."),
        url=_page("alliances:index"),
    )
)
TASKS_OVERDUE = define(
    Definition(
        "alliance_tasks_overdue",
        _("Overdue alliance tasks"),
        _("Open resolutions of the area's alliances past their due date, that you may see. Today."),
        url=_page("alliances:index"),
    )
)
MEETINGS_ON_TIME = define(
    Definition(
        "alliance_meetings_on_time",
        _("Meetings held on time"),
        _(
            "Held meetings of a required kind (plenary, regular, 四会, 三会一课) of the area's alliances, answering a period of this year and held before it ended. This year."
        ),
        url=_page("alliances:compliance"),
    )
)


def _within(areas: Sequence[Any], path: str) -> list[int]:
    return [area.pk for area in areas if path.startswith(area.path)]


def _zero(areas: Sequence[Any], *keys: str) -> dict[int, dict[str, Any]]:
    return {a.pk: dict.fromkeys(keys, 0) for a in areas}


def _visible(user: Any, areas: Sequence[Any]):
    """The active alliances of the areas (their subtrees) the user may see."""
    return (
        Alliance.objects.visible_to(user).active().filter(any_subtree_q("area_path", [a.path for a in areas]))
    )


def _add(
    totals: dict[int, dict[str, Any]], areas: Sequence[Any], key: str, rows
) -> dict[int, dict[str, Any]]:
    for path, n in rows:
        for pk in _within(areas, path):
            totals[pk][key] += n
    return totals


# One counter a figure (or two read by one query): a page asks only for the figures it shows, and only
# their queries run (gongjian.figures.area_figures).
@counts("alliances")
def alliance_count(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    rows = _visible(user, areas).order_by().values("area_path").annotate(n=Count("id"))
    return _add(_zero(areas, "alliances"), areas, "alliances", rows.values_list("area_path", "n"))


@counts("alliance_units_active")
def units_active(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    rows = (
        AllianceMember.objects.active_on(on)
        .filter(alliance__in=_visible(user, areas))
        .order_by()
        .values("alliance__area_path")
        .annotate(n=Count("id"))
        .values_list("alliance__area_path", "n")
    )
    return _add(_zero(areas, "alliance_units_active"), areas, "alliance_units_active", rows)


@counts("alliance_agreements")
def agreements_in_force(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    rows = (
        Agreement.objects.visible_to(user)
        .in_force_on(on)
        .filter(alliance__in=_visible(user, areas))
        .order_by()
        .values("alliance__area_path")
        .annotate(n=Count("id"))
        .values_list("alliance__area_path", "n")
    )
    return _add(_zero(areas, "alliance_agreements"), areas, "alliance_agreements", rows)


@counts("alliance_tasks_open", "alliance_tasks_overdue")
def tasks(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    totals = _zero(areas, "alliance_tasks_open", "alliance_tasks_overdue")
    rows = (
        Resolution.objects.visible_to(user)
        .open()
        .filter(meeting__alliance__in=_visible(user, areas))
        .order_by()
        .values("meeting__alliance__area_path")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=on)))
        .values_list("meeting__alliance__area_path", "n", "late")
    )
    for path, n, late in rows:
        for pk in _within(areas, path):
            totals[pk]["alliance_tasks_open"] += n
            totals[pk]["alliance_tasks_overdue"] += late
    return totals


@counts("alliance_meetings_on_time")
def meetings_on_time(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    totals = _zero(areas, "alliance_meetings_on_time")
    held = (
        Meeting.objects.visible_to(user)
        .held()
        .filter(
            alliance__in=_visible(user, areas), kind__in=list(MEETING_FREQUENCY), period_start__year=on.year
        )
        .order_by()
        .values_list("alliance__area_path", "kind", "period_start", "starts_at")
    )
    for path, kind, period_start, starts_at in held:
        if timezone.localtime(starts_at).date() < period_of(kind, period_start)[1]:
            for pk in _within(areas, path):
                totals[pk]["alliance_meetings_on_time"] += 1
    return totals
