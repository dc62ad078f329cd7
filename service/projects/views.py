"""Co-building projects (项目清单): the list, proposing, the project page and its state moves,
units joining and committing, milestones.

Reads go through ``Project.objects.visible_to(user)`` (outside the scope: 404); every change calls
service/projects/actions.py (PRG; a refusal shows the project again with the message). Residents rate a
completed project from their requests page (service/pages/resident.py)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from access import (
    administered_units,
    communities_where,
    own_member,
    reached_q,
    staffed_q,
    staffs,
    unit_reaches,
)
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.pages import paginate
from gongjian.refusals import refusal_message
from orgs.models import Unit
from people.models import Resident
from places.models import Area
from service.desk import keep_query
from service.filters import ProjectFilter
from service.models import (
    Milestone,
    Project,
    ProjectCommitment,
    ProjectState,
    ProjectUnit,
    Rating,
    RecordState,
    Resource,
    ServiceRecord,
)
from service.projects import actions
from service.projects.forms import CommitmentForm, MilestoneForm, MoveForm, ProjectForm, UnitChoiceForm
from service.projects.state import ACTION_LABELS, OPEN_STATES, RUNNING_STATES, allowed_moves

PER_PAGE = 30
PROJECT_STAFF_ROLES = R.SERVICE_STAFF_ROLES
PROPOSE_ROLES = (*R.SERVICE_STAFF_ROLES, Role.UNIT_ADMIN)


@require_GET
@role_required(*R.PROJECT_ROLES)
def project_list(request: HttpRequest) -> HttpResponse:
    visible = Project.objects.visible_to(request.user)
    filterset = ProjectFilter(request.GET or None, queryset=visible, request=request)
    rows = (
        filterset.qs.select_related("community", "category")
        .prefetch_related("units")
        .annotate(n_ratings=Count("ratings"), avg_rating=Avg("ratings__score"))
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "service/unit/project_list.html",
        {
            "page": paginate(request, rows, per_page=PER_PAGE)["page"],
            "keep": keep_query(request),
            "filters": {k: request.GET.get(k, "") for k in ("state", "community", "unit")},
            "states": ProjectState.choices,
            "communities": Area.objects.filter(pk__in=visible.values("community_id")).order_by("path")[:300],
            "units": Unit.objects.filter(
                pk__in=ProjectUnit.objects.filter(project__in=visible.values("pk")).values("unit_id")
            ).order_by("name")[:300],
            "can_propose": scope_for(request.user).has(*PROPOSE_ROLES),
            "breadcrumbs": [{"label": _("Projects"), "url": ""}],
        },
    )


def _project_form(request: HttpRequest, data=None) -> ProjectForm:
    scope = scope_for(request.user)
    administered = list(administered_units(request.user).order_by("name")[:50])
    is_staff = scope.has(*R.SERVICE_STAFF_ROLES)
    query = staffed_q(request.user) if is_staff else Q(pk__in=[])
    if administered and not scope.everything:
        query |= reached_q(administered)
    units = administered
    if is_staff and not scope.everything:
        extra = Unit.objects.visible_to(request.user).exclude(pk__in=[u.pk for u in administered])
        units = administered + list(extra.order_by("name")[:300])
    elif scope.everything:
        units = list(Unit.objects.order_by("name")[:300])
    return ProjectForm(
        data,
        communities=communities_where(query)[:400],
        units=units,
        unit_required=not is_staff,
    )


def _project_form_page(request: HttpRequest, form: ProjectForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "service/unit/project_form.html",
        {
            "form": form,
            "breadcrumbs": [
                {"label": _("Projects"), "url": reverse("service:project_list")},
                {"label": _("Propose a project"), "url": ""},
            ],
        },
        status=status,
    )


@role_required(*PROPOSE_ROLES)
def project_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _project_form_page(request, _project_form(request))
    form = _project_form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            project = actions.propose_project(
                acting_user=request.user,
                community=data["community"],
                title=data["title"],
                description=data["description"],
                category=data["category"],
                budget=data["budget"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                unit=data["unit"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("The project is proposed."))
            return redirect("service:project_detail", project.public_id)
    return _project_form_page(request, form, status=400)


def _project(request: HttpRequest, public_id) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related("community", "category", "proposed_by"),
        public_id=public_id,
    )


EVENT_LABELS = {
    "propose": gettext_lazy("Proposed"),
    "add_unit": gettext_lazy("Unit joined"),
    "commit": gettext_lazy("Commitment"),
    "add_milestone": gettext_lazy("Milestone added"),
    "complete_milestone": gettext_lazy("Milestone done"),
    "agree": gettext_lazy("Agreed"),
    "start": gettext_lazy("Started"),
    "complete": gettext_lazy("Completed"),
    "evaluate": gettext_lazy("Evaluated"),
    "drop": gettext_lazy("Dropped"),
}
STEPS = (
    ProjectState.PROPOSED,
    ProjectState.AGREED,
    ProjectState.IN_PROGRESS,
    ProjectState.COMPLETED,
    ProjectState.EVALUATED,
)


def _steps(state: str) -> list[dict]:
    """Proposed → agreed → in progress → completed → evaluated: reached steps are done, the next is
    awaited (a dropped project shows none)."""
    reached = STEPS.index(state) if state in STEPS else -1
    return [
        {
            "label": ProjectState(step).label,
            "status": "done" if i <= reached else "current" if i == reached + 1 and reached >= 0 else "todo",
        }
        for i, step in enumerate(STEPS)
    ]


def _project_page(request: HttpRequest, project: Project, *, status: int = 200, **kept) -> HttpResponse:
    """The project and what the user may do on it; ``kept`` carries a refused form and its message."""
    user = request.user
    scope = scope_for(user)
    participants = list(
        ProjectUnit.objects.filter(project=project).select_related("unit").order_by("joined_at")
    )
    unit_ids = {p.unit_id for p in participants}
    mine = unit_ids if scope.everything else unit_ids & scope.units_for(Role.UNIT_ADMIN)
    staff = staffs(user, project.community)
    is_open = project.state in OPEN_STATES
    commitments = list(ProjectCommitment.objects.filter(project=project).select_related("resource"))
    for participant in participants:
        participant.given = [c for c in commitments if c.unit_id == participant.unit_id]
    context: dict = {
        "project": project,
        "kept": kept,
        "participants": participants,
        "milestones": list(project.milestones.all()),
        "events": list(project.events.select_related("actor").order_by("-at", "-id")[:30]),
        "staff": staff,
        "is_open": is_open,
        "running": project.state in RUNNING_STATES,
        "moves": [(a, ACTION_LABELS[a]) for a in allowed_moves(user, project)],
        "may_complete_milestones": project.state in RUNNING_STATES and (staff or bool(mine)),
        "today": timezone.localdate(),
        "steps": _steps(project.state),
    }
    records = ServiceRecord.objects.visible_to(user).filter(project=project)
    totals = records.aggregate(
        n=Count("id"),
        confirmed=Count("id", filter=Q(state=RecordState.CONFIRMED)),
        minutes=Sum("minutes", filter=Q(state=RecordState.CONFIRMED)),
    )
    totals["hours"] = round((totals["minutes"] or 0) / 60, 1)
    context["record_totals"] = totals
    context["records"] = list(
        records.select_related("member", "category").order_by("-started_at", "-id")[:10]
    )
    ratings = Rating.objects.filter(project=project)
    context["rating_totals"] = ratings.aggregate(n=Count("id"), avg=Avg("score"))
    context["ratings"] = list(ratings.exclude(comment="").order_by("-created_at", "-id")[:10])
    for rating in context["ratings"]:
        rating.stars = "★" * rating.score
    for event in context["events"]:
        event.label = EVENT_LABELS.get(event.action, event.action)
    # Who may act on it: the community adds units and milestones, units join and commit.
    if staff and is_open:
        kept.setdefault("milestone_form", MilestoneForm())
        candidates = Unit.objects.visible_to(user).exclude(pk__in=unit_ids).order_by("name")[:300]
        kept.setdefault("unit_form", UnitChoiceForm(units=candidates))
        context["unit_candidates"] = candidates
    if is_open and not staff and scope.units_for(Role.UNIT_ADMIN):
        joinable = [
            u
            for u in administered_units(user).exclude(pk__in=unit_ids).order_by("name")[:20]
            if unit_reaches(u, project.community)
        ]
        context["joinable"] = joinable
    if is_open and mine:
        my_units = Unit.objects.filter(pk__in=mine).order_by("name")
        resources = (
            Resource.objects.visible_to(user)
            .available()
            .filter(unit_id__in=mine)
            .filter(Q(community__isnull=True) | Q(community=project.community))
            .select_related("unit")
            .annotate(committed=Sum("commitments__quantity"))
        )
        kept.setdefault("commit_form", CommitmentForm(units=my_units, resources=resources))
        context["my_resources"] = list(resources)
        context["my_units"] = list(my_units)
    # Residents of the community rate a completed project (the resident pages own the endpoint).
    if project.state in (ProjectState.COMPLETED, ProjectState.EVALUATED) and scope.resident_ids:
        lives_here = Resident.objects.filter(
            pk__in=scope.resident_ids, residence_area=project.community
        ).exists()
        context["may_rate"] = lives_here and not ratings.filter(rated_by=user).exists()
    if context["running"] and scope.member_ids and own_member(user) is not None:
        context["may_log"] = True
    context["breadcrumbs"] = [
        {"label": _("Projects"), "url": reverse("service:project_list")},
        {"label": project.title, "url": ""},
    ]
    return render(request, "service/unit/project_detail.html", context, status=status)


@require_GET
@role_required(*R.PROJECT_ROLES)
def project_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _project_page(request, _project(request, public_id))


def _back(project: Project, anchor: str = "") -> HttpResponse:
    return redirect(reverse("service:project_detail", args=[project.public_id]) + anchor)


@require_POST
@role_required(*PROJECT_STAFF_ROLES)
def project_move(request: HttpRequest, public_id) -> HttpResponse:
    project = _project(request, public_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _project_page(request, project, status=400, move_error=_("Choose a step."), move=request.POST)
    data = form.cleaned_data
    action = data["action"]
    extra = {
        "complete": {"beneficiaries_served": data["beneficiaries_served"]},
        "evaluate": {"evaluation": data["evaluation"]},
        "drop": {"reason": data["reason"]},
    }.get(action, {})
    try:
        actions.MOVES[action](acting_user=request.user, project=project, request=request, **extra)
    except (ValidationError, PermissionDenied) as exc:
        return _project_page(
            request,
            project,
            status=400,
            move_error=refusal_message(exc),
            move_action=action,
            move=request.POST,
        )
    project.refresh_from_db(fields=["state"])
    messages.success(request, _("The project is now %(state)s.") % {"state": project.get_state_display()})
    return _back(project)


@require_POST
@role_required(*PROPOSE_ROLES)
def project_unit_add(request: HttpRequest, public_id) -> HttpResponse:
    project = _project(request, public_id)
    units = Unit.objects.visible_to(request.user) | administered_units(request.user)
    form = UnitChoiceForm(request.POST, units=units.distinct())
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            actions.add_project_unit(acting_user=request.user, project=project, unit=unit, request=request)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("%(unit)s takes part in the project.") % {"unit": unit.name})
            return _back(project, "#units")
    return _project_page(
        request, project, status=400, unit_form=form, unit_error=" ".join(form.non_field_errors())
    )


@require_POST
@role_required(Role.UNIT_ADMIN)
def project_commit(request: HttpRequest, public_id) -> HttpResponse:
    project = _project(request, public_id)
    units = administered_units(request.user)
    resources = Resource.objects.visible_to(request.user).filter(unit__in=units)
    form = CommitmentForm(request.POST, units=units, resources=resources)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.commit_to_project(
                acting_user=request.user,
                project=project,
                unit=data["unit"],
                resource=data["resource"],
                description=data["description"],
                quantity=data["quantity"],
                measure=data["measure"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("The commitment is recorded."))
            return _back(project, "#units")
    return _project_page(request, project, status=400, commit_form=form)


@require_POST
@role_required(*PROJECT_STAFF_ROLES)
def project_milestone_add(request: HttpRequest, public_id) -> HttpResponse:
    project = _project(request, public_id)
    form = MilestoneForm(request.POST)
    if form.is_valid():
        try:
            actions.add_milestone(
                acting_user=request.user,
                project=project,
                title=form.cleaned_data["title"],
                due_on=form.cleaned_data["due_on"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("The milestone is added."))
            return _back(project, "#milestones")
    return _project_page(request, project, status=400, milestone_form=form)


@require_POST
@role_required(*PROPOSE_ROLES)
def project_milestone_done(request: HttpRequest, public_id) -> HttpResponse:
    milestone = get_object_or_404(
        Milestone.objects.filter(project__in=Project.objects.visible_to(request.user).values("pk")),
        public_id=public_id,
    )
    project = _project(request, milestone.project.public_id)
    try:
        actions.complete_milestone(acting_user=request.user, milestone=milestone, request=request)
    except ValidationError as exc:
        return _project_page(request, project, status=400, milestone_error=refusal_message(exc))
    messages.success(request, _("%(title)s is done.") % {"title": milestone.title})
    return _back(project, "#milestones")
