"""The resident's pages (phone first): my requests — the needs and wishes I posted or that are for me,
what is happening with each in plain words, the service records waiting for my confirmation or rating,
and the completed projects of my community to rate — and rating a project from there.

Reads go through ``visible_to``; rating a project calls service/projects/actions.py, confirming and
rating a record happens on the record's page (service/records/views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from access import beneficiary_label
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.refusals import refusal_message
from people.models import Resident
from service.models import (
    Assignment,
    AssignmentState,
    Need,
    NeedState,
    PostedAs,
    Project,
    ProjectState,
    RecordState,
    ServiceRecord,
)
from service.projects import actions as project_actions
from service.projects.forms import RatingForm
from service.redirects import safe_next

PER_PAGE = 20
CANCELLABLE = (NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN)


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
            project_actions.rate_project(
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
