"""The home page: what waits for the signed-in user first (gongjian.work: each app adds its own items),
then the figures of what they look after (gongjian.figures: one definition each, every card opening
onto the records behind it), then the pages their roles open."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import Role
from accounts.scope import grants_of, scope_for
from checkin.reconciliation import unit_summary
from gongjian.figures import area_figures
from gongjian.work import items_for
from orgs.models import Unit
from people.models import Member, Resident
from places.models import Area

# What an official's home shows of each area they hold, and of its children (the lowest rates first).
AREA_KEYS = (
    "in_service",
    "reported",
    "rate",
    "not_reported",
    "awaiting_confirmation",
    "cases_open",
    "cases_overdue",
    "cases_on_time",
    "alliance_units_active",
    "alliance_tasks_overdue",
)
CHILD_KEYS = ("rate", "in_service", "not_reported")
CHILDREN_SHOWN = 8


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    return render(
        request,
        "portal/home.html",
        {
            "grants": grants_of(user),
            "scope": scope,
            "work": items_for(user, scope),
            "areas": _held_areas(user, scope),
            "units": _held_units(scope),
            "own_records": _own_records(scope),
        },
    )


def _held_areas(user, scope) -> list[dict]:
    """Each area the user holds an area role for: its figures and its children's lowest rates."""
    held = [
        *scope.paths_for(Role.ORG_DEPT),
        *scope.paths_for(Role.STREET),
        *scope.paths_for(Role.COMMUNITY),
    ]
    if not held:
        return []
    areas = list(Area.objects.filter(path__in=held).order_by("path"))
    children = list(Area.objects.filter(parent__in=areas).order_by("code"))
    own = area_figures(user, areas, AREA_KEYS)
    by_child = area_figures(user, children, CHILD_KEYS)
    shown = []
    for area in areas:
        rows = [
            {"area": child, "figures": by_child[child.pk]} for child in children if child.parent_id == area.pk
        ]
        rows.sort(key=lambda row: (row["figures"][0].value is None, row["figures"][0].value or 0))
        shown.append({"area": area, "figures": own[area.pk], "children": rows[:CHILDREN_SHOWN]})
    return shown


def _held_units(scope) -> list[dict]:
    """The units the user administers or inspects: their in-service members and check-in rate."""
    ids = scope.units_for(Role.UNIT_ADMIN) | scope.units_for(Role.INSPECTOR)
    if not ids:
        return []
    return [
        {
            "unit": unit,
            "summary": unit_summary(unit),
            "url": reverse("checkin:unit_reconciliation", args=[unit.public_id]),
        }
        for unit in Unit.objects.filter(pk__in=ids).order_by("name")
    ]


def _own_records(scope) -> list[tuple[str, str]]:
    records = [
        (m.name, reverse("people:member_detail", args=[m.public_id]))
        for m in Member.objects.filter(pk__in=scope.member_ids).only("public_id", "name")
    ]
    records += [
        (r.name, reverse("people:resident_detail", args=[r.public_id]))
        for r in Resident.objects.filter(pk__in=scope.resident_ids).only("public_id", "name")
    ]
    return records
