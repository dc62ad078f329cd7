"""Service-loop work on the homes (gongjian.work): a member's offers, tasks and records to show; a
resident's records to confirm and requests under way; the community's new and overdue needs and records
to review; a grid worker's open needs."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from access import staffed_q
from accounts import roles as R
from accounts.models import Role
from gongjian.work import Item, to_do
from service.models import Assignment, AssignmentState, Need, NeedState, RecordState, ServiceRecord


def _list(name: str, **query: Any) -> str:
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


@to_do
def member_service(user: Any, scope: Any) -> list[Item]:
    """Offers awaiting the member's reply (late past the community's deadline), needs they took and
    have not served yet, their records still waiting for the beneficiary's confirmation."""
    if Role.MEMBER not in scope.roles or not scope.member_ids:
        return []
    now = timezone.now()
    mine = Assignment.objects.for_user(user).filter(member_id__in=scope.member_ids)
    found = mine.aggregate(
        offers=Count("id", filter=Q(state=AssignmentState.OFFERED)),
        offered_since=Min("offered_at", filter=Q(state=AssignmentState.OFFERED)),
        late=Count("id", filter=Q(state=AssignmentState.OFFERED, respond_by__lt=now)),
        taken=Count("id", filter=Q(state=AssignmentState.ACCEPTED)),
        taken_since=Min("offered_at", filter=Q(state=AssignmentState.ACCEPTED)),
    )
    records = ServiceRecord.objects.filter(
        member_id__in=scope.member_ids, state=RecordState.SUBMITTED
    ).aggregate(n=Count("id"), since=Min("started_at"))
    tasks = reverse("service:my_tasks")
    return [
        Item(
            "service.offers",
            _("Needs offered to you: answer them"),
            found["offers"],
            f"{tasks}#offers",
            since=found["offered_since"],
            overdue=bool(found["late"]),
        ),
        Item(
            "service.taken",
            _("Needs you took: serve and log them"),
            found["taken"],
            f"{tasks}#taken",
            since=found["taken_since"],
        ),
        Item(
            "service.show_code",
            _("Your service waiting for the beneficiary's confirmation"),
            records["n"],
            reverse("service:my_records"),
            since=records["since"],
        ),
    ]


@to_do
def resident_service(user: Any, scope: Any) -> list[Item]:
    """Service records the resident should confirm; their requests still under way."""
    if Role.RESIDENT not in scope.roles or not scope.resident_ids:
        return []
    records = ServiceRecord.objects.filter(
        beneficiary_resident_id__in=scope.resident_ids, state=RecordState.SUBMITTED
    ).aggregate(n=Count("id"), since=Min("started_at"))
    needs = (
        Need.objects.visible_to(user)
        .filter(Q(posted_by=user) | Q(beneficiary_resident_id__in=scope.resident_ids))
        .live()
        .aggregate(n=Count("id"), since=Min("created_at"))
    )
    page = reverse("service:my_needs")
    return [
        Item(
            "service.confirm_mine",
            _("Service to you waiting for your confirmation"),
            records["n"],
            f"{page}#confirm",
            since=records["since"],
            overdue=True,
        ),
        Item("service.my_requests", _("Your requests under way"), needs["n"], page, since=needs["since"]),
    ]


@to_do
def community_service(user: Any, scope: Any) -> list[Item]:
    """The community's and the street's desk: new needs nobody is on, overdue needs, records held for
    review, records still waiting for the beneficiary."""
    if not scope.has(*R.SERVICE_STAFF_ROLES) or scope.everything:
        return []
    now = timezone.now()
    needs = Need.objects.visible_to(user).filter(staffed_q(user, "community_path"))
    found = needs.aggregate(
        new=Count("id", filter=Q(state=NeedState.OPEN)),
        new_since=Min("created_at", filter=Q(state=NeedState.OPEN)),
        overdue=Count(
            "id", filter=Q(state__in=(NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN), due_at__lt=now)
        ),
        overdue_since=Min(
            "due_at", filter=Q(state__in=(NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN), due_at__lt=now)
        ),
    )
    records = (
        ServiceRecord.objects.visible_to(user)
        .filter(staffed_q(user, "community_path"))
        .aggregate(
            flagged=Count("id", filter=Q(state=RecordState.FLAGGED)),
            flagged_since=Min("created_at", filter=Q(state=RecordState.FLAGGED)),
        )
    )
    return [
        Item(
            "service.overdue",
            _("Needs past their due time"),
            found["overdue"],
            _list("service:need_list", overdue="true"),
            since=found["overdue_since"],
            overdue=True,
        ),
        Item(
            "service.new_needs",
            _("New needs nobody is on yet: dispatch them"),
            found["new"],
            _list("service:need_list", state=NeedState.OPEN),
            since=found["new_since"],
        ),
        Item(
            "service.review",
            _("Service records held for review"),
            records["flagged"],
            _list("service:record_list", state=RecordState.FLAGGED),
            since=records["flagged_since"],
        ),
    ]


@to_do
def grid_needs(user: Any, scope: Any) -> list[Item]:
    """The grid worker: open needs in their grids."""
    if Role.GRID_WORKER not in scope.roles or not scope.grid_paths:
        return []
    found = (
        Need.objects.visible_to(user)
        .filter(scope.grid_q("grid_path"), state=NeedState.OPEN)
        .aggregate(n=Count("id"), since=Min("created_at"))
    )
    return [
        Item(
            "service.grid_needs",
            _("Open needs in your grids"),
            found["n"],
            _list("service:need_list", state=NeedState.OPEN),
            since=found["since"],
        )
    ]
