"""The member unit's view (本单位的联盟) and the inspector's view (督查员): the unit's alliances, its
agreements and commitments with what was delivered against what was promised, its open tasks with their
due dates, the board posts it has not read, its chair months and the inspection notes it has to answer;
the inspector the same for every unit they follow, read-only, with the units' meeting attendance."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from alliances import owed
from alliances.access import spoken_units
from alliances.models import (
    Agreement,
    AgreementState,
    Alliance,
    AllianceMember,
    BoardPost,
    BoardRead,
    ChairTurn,
    InspectionNote,
    Invitation,
    MeetingState,
    Resolution,
)
from orgs.models import Unit

UNIT_ROLES = (Role.UNIT_ADMIN, Role.DEPARTMENT)
INSPECTOR_ROLES = (Role.INSPECTOR,)
SHOWN = 50


def open_tasks(user, units):
    """The units' open tasks (resolutions they own), the earliest due first."""
    return (
        Resolution.objects.visible_to(user)
        .open()
        .filter(owner_unit__in=units)
        .select_related("meeting", "owner_unit")
        .order_by("due_on", "id")
    )


def unread_posts(user, units):
    """Board posts of the alliances the units are current members of, that none of them has read."""
    read = BoardRead.objects.filter(post=OuterRef("pk"), unit__in=units)
    member_of = AllianceMember.objects.current().filter(unit__in=units).values("alliance_id")
    return (
        BoardPost.objects.visible_to(user)
        .filter(alliance_id__in=member_of)
        .exclude(Exists(read))
        .select_related("alliance")
        .order_by("-published_at", "-id")
    )


def notes_to_answer(user, units):
    return (
        InspectionNote.objects.visible_to(user)
        .filter(unit__in=units, answered_at__isnull=True)
        .select_related("alliance", "unit")
        .order_by("created_at", "id")
    )


def _unit_view(request: HttpRequest, units: list[Unit], *, inspector: bool) -> dict:
    user = request.user
    today = timezone.localdate()
    member_of = AllianceMember.objects.current().filter(unit__in=units).values("alliance_id")
    alliances = list(Alliance.objects.visible_to(user).filter(pk__in=member_of).select_related("area"))
    agreements = list(
        Agreement.objects.visible_to(user)
        .filter(unit__in=units)
        .exclude(state=AgreementState.RENEWED)
        .select_related("alliance", "unit")
        .order_by("unit__name", "-ends_on", "-id")[:SHOWN]
    )
    found = owed.owed(user, units=units, on=today)
    for agreement in agreements:
        total = found.by_agreement.get(agreement.pk)
        agreement.owed_lines = total.lines if total is not None else []  # type: ignore[attr-defined]
    tasks = list(open_tasks(user, units)[:SHOWN])
    context = {
        "units": units,
        "alliances": alliances,
        "agreements": agreements,
        "owed": found,
        "tasks": tasks,
        "today": today,
        "inspector": inspector,
    }
    if inspector:
        context["attendance"] = list(
            Invitation.objects.filter(unit__in=units, meeting__state=MeetingState.HELD)
            .order_by()
            .values("unit_id", "unit__name")
            .annotate(
                invited=Count("id"),
                signed_in=Count("id", filter=Q(signed_in_at__isnull=False)),
                excused=Count("id", filter=Q(signed_in_at__isnull=True) & ~Q(excused="")),
            )
            .order_by("unit__name")
        )
        for row in context["attendance"]:
            row["percent"] = round(100 * row["signed_in"] / row["invited"]) if row["invited"] else None
    else:
        context["unread"] = list(unread_posts(user, units)[:SHOWN])
        context["chairs"] = list(
            ChairTurn.objects.visible_to(user)
            .filter(unit__in=units, month__gte=today.replace(day=1))
            .select_related("alliance", "unit")
            .order_by("month")[:12]
        )
        context["notes"] = list(notes_to_answer(user, units)[:SHOWN])
        context["drafts"] = [
            a for a in agreements if a.state == AgreementState.DRAFT and a.unit_signed_at is None
        ]
    return context


@require_GET
@role_required(*UNIT_ROLES)
def my_unit(request: HttpRequest) -> HttpResponse:
    units = list(Unit.objects.filter(pk__in=spoken_units(request.user)).order_by("name"))
    return render(request, "alliances/unit_view.html", _unit_view(request, units, inspector=False))


@require_GET
@role_required(*INSPECTOR_ROLES)
def inspector(request: HttpRequest) -> HttpResponse:
    followed = scope_for(request.user).units_for(Role.INSPECTOR)
    if scope_for(request.user).everything:
        followed = frozenset()
    units = list(Unit.objects.filter(pk__in=followed).order_by("name"))
    return render(request, "alliances/unit_view.html", _unit_view(request, units, inspector=True))


urlpatterns: list = [
    path("alliances/my-unit/", my_unit, name="my_unit"),
    path("alliances/inspector/", inspector, name="inspector"),
]
