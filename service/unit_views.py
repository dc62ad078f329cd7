"""Unit pages of the service loop: what units bring (资源清单), co-building projects (项目清单) and a
unit's members' service (服务率, hours, points, satisfaction).

Reads go through ``visible_to`` (outside the scope: 404); a wrong role is refused by ``role_required``
(403). Every change calls one action of service/unit_actions.py; on success the page redirects (PRG),
on a refusal it is shown again with the message and what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from checkin.views import _uuids
from orgs.models import Unit
from people.models import Member, Resident
from places.models import Area, AreaLevel
from places.paths import any_subtree_q
from service import figures
from service import unit_actions as actions
from service.actions import member_of, staffs_community
from service.models import (
    Milestone,
    Project,
    ProjectCommitment,
    ProjectState,
    ProjectUnit,
    Rating,
    RecordState,
    Resource,
    ResourceKind,
    ServiceRecord,
)
from service.unit_exports import UNIT_SERVICE_ROLES
from service.unit_forms import (
    PERIOD_CHOICES,
    CommitmentForm,
    MilestoneForm,
    MoveForm,
    ProjectFilter,
    ProjectForm,
    ReasonForm,
    ResourceFilter,
    ResourceForm,
    UnitChoiceForm,
    grouped_items,
    menu_items,
    period_of,
)

PER_PAGE = 30
MEMBERS_PER_PAGE = 50
PROJECT_STAFF_ROLES = R.SERVICE_STAFF_ROLES
PROPOSE_ROLES = (*R.SERVICE_STAFF_ROLES, Role.UNIT_ADMIN)


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You may not do this.")


def _administered_units(user):
    """Units whose party admin the user is (every unit for a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=scope.units_for(Role.UNIT_ADMIN))


def _offer_q(units) -> Q:
    """Communities the given units work with (their streets' and paired ones)."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(pk__in=actions.communities_for_unit(unit).values("pk"))
    return query


def _staffed_q(user) -> Q:
    """Communities the user serves as community or street staff (all for a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    return any_subtree_q("path", (*scope.paths_for(Role.COMMUNITY), *scope.paths_for(Role.STREET)))


def _communities(query: Q):
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(query).order_by("path")


def _with(request: HttpRequest, **params) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


# --- resources ------------------------------------------------------------------------------------


@require_GET
@role_required(*R.RESOURCE_ROLES)
def resource_list(request: HttpRequest) -> HttpResponse:
    """What units bring: the user's units' own offers, their areas' units' offers and those made to
    their communities, with filters and export; unit admins add and withdraw their own."""
    visible = Resource.objects.visible_to(request.user)
    filterset = ResourceFilter(request.GET or None, queryset=visible, request=request)
    rows = (
        filterset.qs.select_related("unit", "category", "community")
        .annotate(committed=Sum("commitments__quantity"))
        .order_by("-created_at", "-id")
    )
    scope = scope_for(request.user)
    own = None if scope.everything else scope.units_for(Role.UNIT_ADMIN)
    return render(
        request,
        "service/unit/resource_list.html",
        {
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "keep": _with(request),
            "filters": {k: request.GET.get(k, "") for k in ("kind", "category", "unit", "available")},
            "kinds": ResourceKind.choices,
            "category_groups": grouped_items(menu_items()),
            "units": Unit.objects.filter(pk__in=visible.values("unit_id")).order_by("name")[:300],
            "own": own,
            "can_add": Role.UNIT_ADMIN in scope.roles or scope.everything,
            "today": timezone.localdate(),
            "breadcrumbs": [{"label": _("Resources"), "url": ""}],
        },
    )


def _resource_form(request: HttpRequest, *, data=None, resource=None) -> ResourceForm:
    units = _administered_units(request.user).order_by("name")
    if resource is not None:
        communities = _communities(_offer_q([resource.unit]))
        initial = {
            "title": resource.title,
            "category": resource.category,
            "quantity": resource.quantity,
            "measure": resource.measure,
            "available_from": resource.available_from,
            "available_until": resource.available_until,
            "community": resource.community,
            "note": resource.note,
        }
        return ResourceForm(data, units=units, communities=communities, editing=True, initial=initial)
    return ResourceForm(data, units=units, communities=_communities(_offer_q(units[:20])))


def _resource_page(request, form, *, resource=None, status=200) -> HttpResponse:
    title = _("Change the offer") if resource is not None else _("Offer a resource")
    return render(
        request,
        "service/unit/resource_form.html",
        {
            "form": form,
            "resource": resource,
            "title": title,
            "breadcrumbs": [
                {"label": _("Resources"), "url": reverse("service:resource_list")},
                {"label": title, "url": ""},
            ],
        },
        status=status,
    )


@role_required(Role.UNIT_ADMIN)
def resource_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _resource_page(request, _resource_form(request))
    form = _resource_form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            resource = actions.add_resource(
                acting_user=request.user,
                unit=data["unit"],
                kind=data["kind"],
                title=data["title"],
                quantity=data["quantity"],
                measure=data["measure"],
                available_from=data["available_from"],
                available_until=data["available_until"],
                category=data["category"],
                community=data["community"],
                note=data["note"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("%(title)s is on the resource list.") % {"title": resource.title})
            return redirect("service:resource_list")
    return _resource_page(request, form, status=400)


def _own_resource(request: HttpRequest, public_id) -> Resource:
    resource = get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("unit", "category", "community"),
        public_id=public_id,
    )
    if not actions.administers_unit(request.user, resource.unit):
        raise PermissionDenied
    return resource


@role_required(Role.UNIT_ADMIN)
def resource_edit(request: HttpRequest, public_id) -> HttpResponse:
    resource = _own_resource(request, public_id)
    if request.method != "POST":
        return _resource_page(request, _resource_form(request, resource=resource), resource=resource)
    form = _resource_form(request, data=request.POST, resource=resource)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_resource(
                acting_user=request.user,
                resource=resource,
                title=data["title"],
                quantity=data["quantity"],
                measure=data["measure"],
                available_from=data["available_from"],
                available_until=data["available_until"],
                category=data["category"],
                community=data["community"],
                note=data["note"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _message(exc))
        else:
            messages.success(request, _("The offer is changed."))
            return redirect("service:resource_list")
    return _resource_page(request, form, resource=resource, status=400)


@require_POST
@role_required(Role.UNIT_ADMIN)
def resource_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.visible_to(request.user), public_id=public_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        actions.withdraw_resource(
            acting_user=request.user,
            resource=resource,
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("%(title)s is withdrawn.") % {"title": resource.title})
    return redirect("service:resource_list")


# --- projects -------------------------------------------------------------------------------------


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
            "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
            "keep": _with(request),
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
    administered = list(_administered_units(request.user).order_by("name")[:50])
    is_staff = scope.has(*R.SERVICE_STAFF_ROLES)
    query = _staffed_q(request.user) if is_staff else Q(pk__in=[])
    if administered and not scope.everything:
        query |= _offer_q(administered)
    units = administered
    if is_staff and not scope.everything:
        extra = Unit.objects.visible_to(request.user).exclude(pk__in=[u.pk for u in administered])
        units = administered + list(extra.order_by("name")[:300])
    elif scope.everything:
        units = list(Unit.objects.order_by("name")[:300])
    return ProjectForm(
        data,
        communities=_communities(query)[:400],
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
            form.add_error(None, _message(exc))
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
    staff = staffs_community(user, project.community)
    is_open = project.state in actions.OPEN_STATES
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
        "running": project.state in actions.RUNNING_STATES,
        "moves": [(a, actions.ACTION_LABELS[a]) for a in actions.allowed_moves(user, project)],
        "may_complete_milestones": project.state in actions.RUNNING_STATES and (staff or bool(mine)),
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
            for u in _administered_units(user).exclude(pk__in=unit_ids).order_by("name")[:20]
            if actions.unit_reaches(u, project.community)
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
    if context["running"] and scope.member_ids and member_of(user) is not None:
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
            request, project, status=400, move_error=_message(exc), move_action=action, move=request.POST
        )
    project.refresh_from_db(fields=["state"])
    messages.success(request, _("The project is now %(state)s.") % {"state": project.get_state_display()})
    return _back(project)


@require_POST
@role_required(*PROPOSE_ROLES)
def project_unit_add(request: HttpRequest, public_id) -> HttpResponse:
    project = _project(request, public_id)
    units = Unit.objects.visible_to(request.user) | _administered_units(request.user)
    form = UnitChoiceForm(request.POST, units=units.distinct())
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            actions.add_project_unit(acting_user=request.user, project=project, unit=unit, request=request)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _message(exc))
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
    units = _administered_units(request.user)
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
            form.add_error(None, _message(exc))
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
            form.add_error(None, _message(exc))
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
        return _project_page(request, project, status=400, milestone_error=_message(exc))
    messages.success(request, _("%(title)s is done.") % {"title": milestone.title})
    return _back(project, "#milestones")


# --- a unit's members' service --------------------------------------------------------------------


def _service_units(user):
    """Units whose service the user may read: their own (admin, inspector) and those of their areas."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(
        Q(pk__in=scope.units_for(Role.UNIT_ADMIN) | scope.units_for(Role.INSPECTOR))
        | scope.area_q("address_area__path")
    )


@require_GET
@role_required(*UNIT_SERVICE_ROLES)
def unit_service(request: HttpRequest) -> HttpResponse:
    """How a unit's members serve: rate, hours, points, ratings and projects for this month, quarter or
    year, and the members' table with export. Area roles choose a unit of their areas."""
    units = _service_units(request.user)
    wanted = request.GET.get("unit", "")
    search = request.GET.get("q", "").strip()[:40]
    choosable = list((units.filter(name__icontains=search) if search else units).order_by("name")[:200])
    if wanted:
        ids = _uuids([wanted])
        if not ids:
            raise Http404
        unit = get_object_or_404(units, public_id=ids[0])
    else:  # the only unit the user may read (or the only one their search found)
        unit = choosable[0] if len(choosable) == 1 else None
    period = period_of(request.GET.get("period"))
    context: dict = {
        "unit": unit,
        "period": period,
        "periods": PERIOD_CHOICES,
        "search": search,
        "breadcrumbs": [{"label": _("Members' service"), "url": ""}],
    }
    context["units"] = choosable
    if unit is not None:
        context["figures"] = figures.unit_figures(unit, period, user=request.user)
        rows = figures.member_rows(unit, period, members=Member.objects.visible_to(request.user))
        context["page"] = Paginator(rows, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        context["keep"] = _with(request)
        context["export_query"] = urlencode({"unit": unit.public_id, "period": period.kind})
        context["breadcrumbs"] = [
            {"label": _("Members' service"), "url": reverse("service:unit_service")},
            {"label": unit.name, "url": ""},
        ]
    return render(request, "service/unit/unit_service.html", context)
