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


@counts(
    "alliances",
    "alliance_units_active",
    "alliance_agreements",
    "alliance_tasks_open",
    "alliance_tasks_overdue",
    "alliance_meetings_on_time",
)
def alliance_counts(user: Any, areas: Sequence[Any], on: date) -> dict[int, dict[str, Any]]:
    paths = [a.path for a in areas]
    totals: dict[int, dict[str, Any]] = {
        a.pk: {
            definition.key: 0
            for definition in (
                ALLIANCES,
                UNITS_ACTIVE,
                AGREEMENTS,
                TASKS_OPEN,
                TASKS_OVERDUE,
                MEETINGS_ON_TIME,
            )
        }
        for a in areas
    }
    visible = Alliance.objects.visible_to(user).active().filter(any_subtree_q("area_path", paths))

    def add(key: str, rows) -> None:
        for path, n in rows:
            for pk in _within(areas, path):
                totals[pk][key] += n

    add(
        "alliances",
        visible.order_by().values("area_path").annotate(n=Count("id")).values_list("area_path", "n"),
    )
    add(
        "alliance_units_active",
        AllianceMember.objects.active_on(on)
        .filter(alliance__in=visible)
        .order_by()
        .values("alliance__area_path")
        .annotate(n=Count("id"))
        .values_list("alliance__area_path", "n"),
    )
    add(
        "alliance_agreements",
        Agreement.objects.visible_to(user)
        .in_force_on(on)
        .filter(alliance__in=visible)
        .order_by()
        .values("alliance__area_path")
        .annotate(n=Count("id"))
        .values_list("alliance__area_path", "n"),
    )
    tasks = (
        Resolution.objects.visible_to(user)
        .open()
        .filter(meeting__alliance__in=visible)
        .order_by()
        .values("meeting__alliance__area_path")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=on)))
        .values_list("meeting__alliance__area_path", "n", "late")
    )
    for path, n, late in tasks:
        for pk in _within(areas, path):
            totals[pk]["alliance_tasks_open"] += n
            totals[pk]["alliance_tasks_overdue"] += late
    held = (
        Meeting.objects.visible_to(user)
        .held()
        .filter(alliance__in=visible, kind__in=list(MEETING_FREQUENCY), period_start__year=on.year)
        .order_by()
        .values_list("alliance__area_path", "kind", "period_start", "starts_at")
    )
    for path, kind, period_start, starts_at in held:
        if timezone.localtime(starts_at).date() < period_of(kind, period_start)[1]:
            for pk in _within(areas, path):
                totals[pk]["alliance_meetings_on_time"] += 1
    return totals
