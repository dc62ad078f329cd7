"""The alliance workbench (联盟工作台): the alliances a viewer sees, one alliance at a glance — members,
agreements near expiry, this month's chair and its activity, next meetings, open and overdue tasks by
owner unit, who is late, what the alliance owes the residents and its meeting compliance, each figure a
link to the records behind it — and the two details: what is owed (alliances/owed.py) and meeting
compliance (alliances/compliance.py), each exportable. A fixed number of queries per page."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from alliances import compliance, owed
from alliances.access import leads
from alliances.models import (
    Activity,
    Agreement,
    Alliance,
    AllianceMember,
    BoardPost,
    BoardPostKind,
    BoardRead,
    ChairTurn,
    Meeting,
    MeetingState,
    Resolution,
)
from gongjian.charts import bar_chart
from gongjian.pages import get_visible_or_404, lookup_or_404

EXPIRY_DAYS = 30
NEXT_MEETINGS = 5
LATE_MEETINGS_SHOWN = 6  # the latest missed periods in "who is late"; compliance lists them all
READ_ROLES = owed.OWED_ROLES
FOUNDER_ROLES = (Role.STREET, Role.COMMUNITY)


def list_url(name: str, alliance: Alliance, **query: Any) -> str:
    """A list page of the alliance's records (``?alliance=<public id>`` and the filters)."""
    return f"{reverse(name)}?{urlencode({'alliance': alliance.public_id, **query})}"


def _alliances(user):
    return Alliance.objects.visible_to(user).select_related("area")


@require_GET
@role_required(*READ_ROLES)
def index(request: HttpRequest) -> HttpResponse:
    """The alliances the viewer sees; with only one, straight to its workbench."""
    alliances = list(_alliances(request.user).order_by("state", "area_path", "name")[:201])
    if len(alliances) == 1:
        return redirect("alliances:workbench", public_id=alliances[0].public_id)
    founder = scope_for(request.user).has(*FOUNDER_ROLES)
    return render(
        request,
        "alliances/workbench_index.html",
        {"alliances": alliances[:200], "more": len(alliances) > 200, "founder": founder},
    )


def members_at_a_glance(alliance: Alliance, today: date) -> list[AllianceMember]:
    """The current member units, each with ``in_force`` and ``expired`` (a signed agreement past its
    end, not renewed): active, expired agreement, or none."""
    agreements = Agreement.objects.filter(alliance_id=OuterRef("alliance_id"), unit_id=OuterRef("unit_id"))
    return list(
        alliance.members.current()
        .select_related("unit")
        .annotate(
            in_force=Exists(agreements.in_force_on(today)),
            expired=Exists(agreements.expired_on(today)),
        )
        .order_by("unit__name")
    )


def unread_tasks(alliance: Alliance, members: list[AllianceMember]) -> list[dict]:
    """Per member unit, the board's tasks from above it has not read (one query)."""
    units = [m.unit for m in members]
    if not units:
        return []
    tasks = BoardPost.objects.filter(alliance=alliance, kind=BoardPostKind.TASK)
    rows = tasks.order_by().aggregate(
        **{
            f"u{unit.pk}": Count(
                "id", filter=~Q(pk__in=BoardRead.objects.filter(unit=unit).values("post_id"))
            )
            for unit in units
        }
    )
    return [{"unit": u, "count": rows[f"u{u.pk}"]} for u in units if rows[f"u{u.pk}"]]


def tasks_by_unit(user, alliance: Alliance, today: date) -> list[dict]:
    """Open and overdue resolutions of the alliance's meetings, by owner unit (one query)."""
    return list(
        Resolution.objects.visible_to(user)
        .filter(meeting__alliance=alliance)
        .open()
        .order_by()
        .values("owner_unit_id", "owner_unit__name")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today)))
        .order_by("-overdue", "-open", "owner_unit__name")
    )


@require_GET
@role_required(*READ_ROLES)
def workbench(request: HttpRequest, public_id) -> HttpResponse:
    user = request.user
    alliance = get_visible_or_404(Alliance.objects.select_related("area", "lead_org"), user, public_id)
    today = timezone.localdate()
    month = today.replace(day=1)
    members = members_at_a_glance(alliance, today)
    agreements = Agreement.objects.visible_to(user).filter(alliance=alliance)
    near_expiry = list(
        agreements.expiring_within(today, EXPIRY_DAYS).select_related("unit").order_by("ends_on")[:10]
    )
    expired = list(agreements.expired_on(today).select_related("unit").order_by("ends_on")[:10])
    chair = ChairTurn.objects.filter(alliance=alliance, month=month).select_related("unit").first()
    chair_activity = (
        Activity.objects.visible_to(user).filter(chair_turn=chair).order_by("starts_at").first()
        if chair is not None
        else None
    )
    next_meetings = list(
        Meeting.objects.visible_to(user)
        .filter(alliance=alliance, state=MeetingState.PLANNED, ends_at__gte=timezone.now())
        .order_by("starts_at")[:NEXT_MEETINGS]
    )
    tasks = tasks_by_unit(user, alliance, today)
    unread = unread_tasks(alliance, members)
    found = compliance.for_alliance(alliance, today=today)
    owes = owed.owed(user, alliances=[alliance], on=today).total
    counts = {
        "active": sum(1 for m in members if m.in_force),
        "expired": sum(1 for m in members if not m.in_force and m.expired),
        "none": sum(1 for m in members if not m.in_force and not m.expired),
        "open": sum(row["open"] for row in tasks),
        "overdue": sum(row["overdue"] for row in tasks),
        "unread": sum(row["count"] for row in unread),
    }
    late = {
        "overdue": [row for row in tasks if row["overdue"]],
        "expired": expired,
        "unread": unread,
        "missed": found.missed[-LATE_MEETINGS_SHOWN:],
    }
    return render(
        request,
        "alliances/workbench_page.html",
        {
            "alliance": alliance,
            "leads": leads(user, alliance),
            "members": members,
            "counts": counts,
            "near_expiry": near_expiry,
            "chair": chair,
            "chair_activity": chair_activity,
            "next_meetings": next_meetings,
            "tasks": tasks,
            "late": late,
            "anyone_late": any(late.values()),
            "compliance": found,
            "owed": owes,
            "links": {
                "agreements": list_url("alliances:agreement_list", alliance),
                "expiring": list_url("alliances:agreement_list", alliance, expiring="true"),
                "expired": list_url("alliances:agreement_list", alliance, state="expired"),
                "resolutions": list_url("alliances:resolution_list", alliance, state="open"),
                "overdue": list_url("alliances:resolution_list", alliance, overdue="true"),
                "meetings": list_url("alliances:meeting_list", alliance),
                "new_meeting": list_url("alliances:meeting_create", alliance),
                "owed": list_url("alliances:owed", alliance),
                "compliance": list_url("alliances:compliance", alliance),
            },
        },
    )


def _chosen(request: HttpRequest) -> Alliance | None:
    """The alliance of ``?alliance=`` among those the viewer sees (404 if not there), or None."""
    wanted = request.GET.get("alliance")
    return lookup_or_404(_alliances(request.user), wanted) if wanted else None


@require_GET
@role_required(*owed.OWED_ROLES)
def owed_detail(request: HttpRequest) -> HttpResponse:
    """What is owed, per alliance, unit and commitment: of one alliance (``?alliance=``) or of all."""
    alliance = _chosen(request)
    found = owed.owed(request.user, alliances=[alliance] if alliance is not None else None)
    units: dict[int, dict] = {}
    for line in found.lines:
        agreement = line.commitment.agreement
        entry = units.setdefault(
            agreement.unit_id,
            {"unit": agreement.unit, "total": found.by_unit[agreement.unit_id], "agreements": {}},
        )
        entry["agreements"].setdefault(
            agreement.pk, {"agreement": agreement, "total": found.by_agreement[agreement.pk], "lines": []}
        )["lines"].append(line)
    return render(
        request,
        "alliances/owed_detail.html",
        {"alliance": alliance, "owed": found, "units": list(units.values())},
    )


def _year(value: str | None, today: date) -> int | None:
    try:
        year = int(value or "")
    except ValueError:
        return None
    return year if 2000 <= year <= today.year else None


@require_GET
@role_required(*compliance.COMPLIANCE_ROLES)
def compliance_detail(request: HttpRequest) -> HttpResponse:
    """Per kind and period: held on time, late, missed, due, and attendance — of one alliance
    (``?alliance=``, ``?year=``) or a summary of every alliance the viewer sees."""
    today = timezone.localdate()
    year = _year(request.GET.get("year"), today)
    alliance = _chosen(request)
    alliances = [alliance] if alliance is not None else list(_alliances(request.user)[:200])
    found = compliance.for_alliances(alliances, year=year, today=today)
    chart = None
    if alliance is not None:
        rows = found[alliance.pk].rows
        chart = bar_chart(
            _("Required meetings by kind"),
            [row.label for row in rows],
            [
                (label, [row.count(status) for row in rows])
                for status, label in compliance.STATUS_LABELS.items()
            ],
        )
    return render(
        request,
        "alliances/compliance_detail.html",
        {
            "alliance": alliance,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "summary": [(a, found[a.pk]) for a in alliances],
            "found": found[alliance.pk] if alliance is not None else None,
            "statuses": compliance.STATUS_LABELS,
            "chart": chart,
            "today": today,
        },
    )


urlpatterns: list = [
    path("alliances/", index, name="index"),
    path("alliances/owed/", owed_detail, name="owed"),
    path("alliances/compliance/", compliance_detail, name="compliance"),
    path("alliances/<uuid:public_id>/", workbench, name="workbench"),
]
