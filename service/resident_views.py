"""Residents' service pages (phone first): ask for help, follow what I asked for, confirm and rate.

A resident asks for themself (their community is where they live); grid workers, the community and
the street ask on somebody's behalf from the same page. Reads go through ``visible_to``; the one
write of each page is an action of service/actions.py or record_actions.py."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.refusals import refusal_message
from people.models import Resident
from places.models import Area, Grid
from service import actions, record_actions
from service.models import (
    Assignment,
    AssignmentState,
    Need,
    NeedKind,
    NeedState,
    PostedAs,
    Project,
    ProjectState,
    RecordState,
    ServiceRecord,
)
from service.privacy import beneficiary_label
from service.redirects import safe_next
from service.resident_forms import NeedForm, RatingForm, StaffNeedForm, cities_of

PER_PAGE = 20
STAFF_POSTING_ROLES = (Role.COMMUNITY, Role.STREET, Role.GRID_WORKER)
CANCELLABLE = (NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN)
RESIDENT_OPTIONS_LIMIT = 20


def _posts_for_others(user) -> bool:
    return scope_for(user).has(*STAFF_POSTING_ROLES)


def _own_resident(user) -> Resident | None:
    return (
        Resident.objects.filter(user=user)
        .select_related("residence_area", "residence_compound", "residence_building")
        .first()
    )


# --- ask --------------------------------------------------------------------------------------------


@role_required(*R.NEED_POST_ROLES)
def ask(request: HttpRequest) -> HttpResponse:
    """Post a need or a micro-wish: for myself (residents), or for somebody (grid worker, community,
    street). Success opens the need's page; a refusal shows the message with what was typed."""
    data = request.POST if request.method == "POST" else None
    resident = None
    if _posts_for_others(request.user):
        form: NeedForm = StaffNeedForm(data, user=request.user)
    else:
        resident = _own_resident(request.user)
        if resident is None:
            return render(request, "service/resident/ask.html", {"form": None, "no_record": True})
        form = NeedForm(data, cities=cities_of([resident.residence_area.path]))
    if data is not None and form.is_valid():
        try:
            need = actions.post_need(acting_user=request.user, request=request, **form.need_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(
                request,
                _("Your wish is posted. The community will find somebody to fulfil it.")
                if need.kind == NeedKind.WISH
                else _("Your need is posted. The community will find somebody to help."),
            )
            return redirect("service:need_detail", need.public_id)
    return render(
        request,
        "service/resident/ask.html",
        {
            "form": form,
            "resident": resident,
            "for_others": isinstance(form, StaffNeedForm),
            "breadcrumbs": [
                {"label": _("My requests"), "url": reverse("service:my_needs")},
                {"label": _("Ask for help"), "url": ""},
            ],
        },
        status=400 if data is not None else 200,
    )


@require_GET
@role_required(*STAFF_POSTING_ROLES)
def ask_residents(request: HttpRequest) -> HttpResponse:
    """htmx: residents on record in the chosen community (or grid) whose name, initials or phone's last
    four digits match what was typed, as options of the ask page's select."""
    text = request.GET.get("q", "").strip()[:32]
    residents = Resident.objects.visible_to(request.user).select_related(
        "residence_compound", "residence_building"
    )
    community = _by_public_id(Area.objects.visible_to(request.user), request.GET.get("community"))
    grid = _by_public_id(Grid.objects.visible_to(request.user), request.GET.get("grid"))
    if community is not None:
        residents = residents.filter(residence_area=community)
    elif grid is not None and grid.community_id:
        residents = residents.filter(residence_area_id=grid.community_id)
    found = list(residents.search(text)[:RESIDENT_OPTIONS_LIMIT]) if text else []
    return render(
        request, "service/resident/_resident_options.html", {"residents": found, "searched": bool(text)}
    )


def _by_public_id(queryset, value):
    try:
        return queryset.filter(public_id=uuid.UUID(str(value))).first() if value else None
    except ValueError:
        return None


# --- my needs ---------------------------------------------------------------------------------------


def _taker(need: Need) -> Assignment | None:
    """Who is (or was) on the need: the current offer, else the one that served it."""
    assignments = need.prefetched_assignments
    current = [a for a in assignments if a.state in (AssignmentState.OFFERED, AssignmentState.ACCEPTED)]
    done = [a for a in assignments if a.state == AssignmentState.DONE]
    return (current or done or [None])[0]


def _in_plain_words(need: Need, taker: Assignment | None) -> str:
    """What is happening with a need, as its poster would say it."""
    who = _taker_name(taker)
    if need.state == NeedState.OPEN:
        return _("Waiting for the community to find somebody.")
    if need.state == NeedState.OFFERED:
        return _("Offered to %(who)s; waiting for their answer.") % {"who": who}
    if need.state == NeedState.TAKEN:
        return _("%(who)s is on it.") % {"who": who}
    if need.state == NeedState.DONE:
        return _("%(who)s has served it; waiting for confirmation.") % {"who": who}
    if need.state == NeedState.CLOSED:
        return _("Done.") if not who else _("Done, by %(who)s.") % {"who": who}
    return _("Cancelled.")


def _taker_name(taker: Assignment | None) -> str:
    """A member is shown by name only (no unit, no number); a team or a unit by its name."""
    if taker is None:
        return _("somebody")
    if taker.member_id:
        return taker.member.name
    return (taker.team or taker.unit).name


def _my_needs_page(request: HttpRequest, *, kept=None, status: int = 200) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    mine = Q(posted_by=user)
    if scope.resident_ids:
        mine |= Q(beneficiary_resident_id__in=scope.resident_ids)
    needs = (
        Need.objects.visible_to(user)
        .filter(mine)
        .select_related("category", "community")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("member", "team", "unit").order_by("-offered_at"),
                to_attr="prefetched_assignments",
            )
        )
        .order_by("-created_at", "-id")
    )
    page = Paginator(needs, PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for need in page.object_list:
        taker = _taker(need)
        rows.append(
            {
                "need": need,
                "status": _in_plain_words(need, taker),
                "beneficiary": beneficiary_label(user, need) if need.posted_as != PostedAs.RESIDENT else "",
                "can_cancel": need.state in CANCELLABLE and need.posted_by_id == user.pk,
            }
        )
    context = {
        "rows": rows,
        "pager": {"page": page, "param": "page", "query": ""},
        "kept": kept or {},
    }
    if scope.resident_ids:
        records = (
            ServiceRecord.objects.visible_to(user)
            .filter(beneficiary_resident_id__in=scope.resident_ids)
            .select_related("member", "category")
        )
        context["to_confirm"] = list(records.filter(state=RecordState.SUBMITTED).order_by("started_at")[:20])
        context["to_rate"] = list(
            records.filter(state=RecordState.CONFIRMED, rating__isnull=True).order_by("-started_at")[:10]
        )
        homes = Resident.objects.filter(pk__in=scope.resident_ids).values("residence_area")
        context["projects"] = list(
            Project.objects.visible_to(user)
            .filter(community__in=homes, state__in=(ProjectState.COMPLETED, ProjectState.EVALUATED))
            .exclude(ratings__rated_by=user)
            .select_related("community")
            .order_by("-ends_on", "-id")[:10]
        )
    return render(request, "service/resident/my_needs.html", context, status=status)


@role_required(*R.NEED_POST_ROLES)
def my_needs(request: HttpRequest) -> HttpResponse:
    """Needs and wishes I posted or that are for me, what is happening with each, and the service
    records and projects waiting for my word."""
    return _my_needs_page(request)


@require_POST
@role_required(Role.RESIDENT)
def project_rate(request: HttpRequest, public_id) -> HttpResponse:
    """A resident of the project's community rates it once it is completed (once)."""
    project = get_object_or_404(Project.objects.visible_to(request.user), public_id=public_id)
    form = RatingForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            record_actions.rate_project(
                acting_user=request.user,
                project=project,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            error = refusal_message(exc)
        else:
            messages.success(request, _("Thank you for rating %(title)s.") % {"title": project.title})
            return redirect(safe_next(request) or "service:my_needs")
    else:
        error = _("Rate from 1 to 5 stars.")
    target = safe_next(request)
    if target:
        messages.error(request, error)
        return redirect(target)
    kept = {
        "row": str(project.public_id),
        "score": request.POST.get("score", ""),
        "comment": request.POST.get("comment", ""),
        "error": error,
    }
    return _my_needs_page(request, kept=kept, status=400)
