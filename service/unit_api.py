"""API of units' resources (资源清单) and co-building projects (项目清单); conventions as in service/api.py."""

from uuid import UUID

from django.db.models import Avg, Count, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from gongjian.api_shapes import ErrorOut, ListPage
from orgs.models import Unit
from service import record_actions, unit_actions
from service.api import (
    PROJECT_WRITE_ROLES,
    REFUSALS,
    STAFF,
    _by_category,
    _category,
    _community,
    _one,
)
from service.api_schemas import (
    CommitmentIn,
    CompleteProjectIn,
    EvaluateIn,
    MilestoneIn,
    OptionalReasonIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectQuery,
    RateIn,
    ReasonIn,
    ResourceIn,
    ResourceOut,
    ResourceQuery,
    UnitIn,
)
from service.models import (
    Project,
    ProjectEvent,
    ProjectUnit,
    Resource,
)

router = Router(tags=["service"])


# --- resources ----------------------------------------------------------------------------------


def _resources(request: HttpRequest) -> QuerySet[Resource]:
    return Resource.objects.visible_to(request.auth).select_related("unit", "category", "community")


@router.get("/resources", response=list[ResourceOut])
@paginate(ListPage)
def list_resources(request: HttpRequest, filters: Query[ResourceQuery]):
    """资源清单: what units offer, newest first: of units the caller administers or inspects, of
    units in their areas, and offered to their communities. Roles: areas, unit admin, inspector."""
    require_roles(request, roles.RESOURCE_ROLES)
    resources = _by_category(_resources(request), filters.category)
    if filters.unit:
        resources = resources.filter(unit__public_id=filters.unit)
    if filters.kind:
        resources = resources.filter(kind=filters.kind)
    if filters.community:
        resources = resources.filter(Q(community__public_id=filters.community) | Q(community__isnull=True))
    if filters.available is True:
        resources = resources.available()
    elif filters.available is False:
        resources = resources.exclude(pk__in=Resource.objects.available().values("pk"))
    return resources


@router.post("/resources", response={201: ResourceOut, **REFUSALS})
def add_resource(request: HttpRequest, payload: ResourceIn):
    """A unit's party admin offers what the unit brings, to any community or to one of its street or
    paired with it. Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    resource = unit_actions.add_resource(
        acting_user=request.auth,
        unit=_one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        kind=payload.kind,
        title=payload.title,
        quantity=payload.quantity,
        measure=payload.measure,
        available_from=payload.available_from,
        available_until=payload.available_until,
        category=_category(request, payload.category) if payload.category else None,
        community=_community(payload.community),
        note=payload.note,
        request=request,
    )
    return Status(201, _resource(request, resource.public_id))


def _resource(request: HttpRequest, resource_id: UUID) -> Resource:
    return get_object_or_404(_resources(request), public_id=resource_id)


@router.get("/resources/{resource_id}", response={200: ResourceOut, 404: ErrorOut})
def get_resource(request: HttpRequest, resource_id: UUID):
    """One resource. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.RESOURCE_ROLES)
    return _resource(request, resource_id)


@router.post("/resources/{resource_id}/withdraw", response={200: ResourceOut, **REFUSALS})
def withdraw_resource(request: HttpRequest, resource_id: UUID, payload: OptionalReasonIn):
    """The unit's party admin takes the offer back (commitments made stay). Role: unit admin."""
    require_roles(request, (Role.UNIT_ADMIN,))
    unit_actions.withdraw_resource(
        acting_user=request.auth,
        resource=_resource(request, resource_id),
        reason=payload.reason,
        request=request,
    )
    return _resource(request, resource_id)


# --- projects -------------------------------------------------------------------------------------


def _projects(request: HttpRequest) -> QuerySet[Project]:
    return (
        Project.objects.visible_to(request.auth)
        .select_related("community", "category")
        .prefetch_related("units")
        .annotate(rating_mean=Avg("ratings__score"), rating_count=Count("ratings"))
    )


@router.get("/projects", response=list[ProjectOut])
@paginate(ListPage)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]):
    """项目清单: co-building projects, newest first, with the residents' mean rating: the areas
    theirs, units those they take part in, members and residents their community's.
    Roles: areas, unit admin, inspector, member, resident; else 403."""
    require_roles(request, roles.PROJECT_ROLES)
    projects = _projects(request)
    if filters.state:
        projects = projects.filter(state=filters.state)
    if filters.community:
        projects = projects.filter(community__public_id=filters.community)
    if filters.unit:
        projects = projects.filter(
            pk__in=ProjectUnit.objects.filter(unit__public_id=filters.unit).values("project_id")
        )
    return projects


def _project(request: HttpRequest, project_id: UUID) -> Project:
    return get_object_or_404(_projects(request), public_id=project_id)


def _project_detail(request: HttpRequest, project_id: UUID) -> Project:
    projects = _projects(request).prefetch_related(
        "milestones",
        "commitments__unit",
        "commitments__resource",
        Prefetch("events", queryset=ProjectEvent.objects.select_related("actor")),
    )
    return get_object_or_404(projects, public_id=project_id)


@router.post("/projects", response={201: ProjectDetailOut, **REFUSALS})
def propose_project(request: HttpRequest, payload: ProjectIn):
    """Propose a co-building project: the community or its street (optionally with a ``unit``), or a
    unit's party admin with their ``unit`` to a community of its street or paired with it.
    Roles: community, street, unit admin; else 403."""
    require_roles(request, PROJECT_WRITE_ROLES)
    project = unit_actions.propose_project(
        acting_user=request.auth,
        community=_community(payload.community),
        title=payload.title,
        description=payload.description,
        category=_category(request, payload.category) if payload.category else None,
        budget=payload.budget,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        # the units the caller may see, as on the page: the action checks who may bring which unit
        unit=_one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        request=request,
    )
    return Status(201, _project_detail(request, project.public_id))


@router.get("/projects/{project_id}", response={200: ProjectDetailOut, 404: ErrorOut})
def get_project(request: HttpRequest, project_id: UUID):
    """One project with its milestones, the units' commitments and its history.
    Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.PROJECT_ROLES)
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/units", response={200: ProjectDetailOut, **REFUSALS})
def add_project_unit(request: HttpRequest, project_id: UUID, payload: UnitIn):
    """A unit joins: the community or street adds it, or the unit's party admin joins a project of a
    community of its street or paired with it. Roles: community, street, unit admin; else 403."""
    require_roles(request, PROJECT_WRITE_ROLES)
    unit_actions.add_project_unit(
        acting_user=request.auth,
        project=_project(request, project_id),
        unit=_one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        request=request,
    )
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/commitments", response={201: ProjectDetailOut, **REFUSALS})
def commit_to_project(request: HttpRequest, project_id: UUID, payload: CommitmentIn):
    """A participating unit's party admin commits part of a resource, or a contribution in words,
    never more of a resource than is left. Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    user = request.auth
    unit_actions.commit_to_project(
        acting_user=user,
        project=_project(request, project_id),
        unit=_one(Unit.objects.visible_to(user), payload.unit, _("Choose a unit.")),
        resource=_one(Resource.objects.visible_to(user), payload.resource, _("Unknown resource.")),
        description=payload.description,
        quantity=payload.quantity,
        measure=payload.measure,
        request=request,
    )
    return Status(201, _project_detail(request, project_id))


@router.post("/projects/{project_id}/milestones", response={201: ProjectDetailOut, **REFUSALS})
def add_milestone(request: HttpRequest, project_id: UUID, payload: MilestoneIn):
    """Mark a step of an open project. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    unit_actions.add_milestone(
        acting_user=request.auth,
        project=_project(request, project_id),
        title=payload.title,
        due_on=payload.due_on,
        request=request,
    )
    return Status(201, _project_detail(request, project_id))


def _move_project(request: HttpRequest, project_id: UUID, move, **fields) -> Project:
    require_roles(request, STAFF)
    move(acting_user=request.auth, project=_project(request, project_id), request=request, **fields)
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/agree", response={200: ProjectDetailOut, **REFUSALS})
def agree_project(request: HttpRequest, project_id: UUID):
    """proposed → agreed (a unit must take part). Roles: community, street; else 403."""
    return _move_project(request, project_id, unit_actions.agree_project)


@router.post("/projects/{project_id}/start", response={200: ProjectDetailOut, **REFUSALS})
def start_project(request: HttpRequest, project_id: UUID):
    """agreed → in progress. Roles: community, street; else 403."""
    return _move_project(request, project_id, unit_actions.start_project)


@router.post("/projects/{project_id}/complete", response={200: ProjectDetailOut, **REFUSALS})
def complete_project(request: HttpRequest, project_id: UUID, payload: CompleteProjectIn):
    """in progress → completed, saying how many people it served. Roles: community, street."""
    return _move_project(
        request, project_id, unit_actions.complete_project, beneficiaries_served=payload.beneficiaries_served
    )


@router.post("/projects/{project_id}/evaluate", response={200: ProjectDetailOut, **REFUSALS})
def evaluate_project(request: HttpRequest, project_id: UUID, payload: EvaluateIn):
    """completed → evaluated, with the community's evaluation. Roles: community, street."""
    return _move_project(request, project_id, unit_actions.evaluate_project, evaluation=payload.evaluation)


@router.post("/projects/{project_id}/drop", response={200: ProjectDetailOut, **REFUSALS})
def drop_project(request: HttpRequest, project_id: UUID, payload: ReasonIn):
    """Drop a project not yet completed, with a reason. Roles: community, street; else 403."""
    return _move_project(request, project_id, unit_actions.drop_project, reason=payload.reason)


@router.post("/projects/{project_id}/rate", response={200: ProjectDetailOut, **REFUSALS})
def rate_project(request: HttpRequest, project_id: UUID, payload: RateIn):
    """A resident of the project's community rates a completed project, once (1–5).
    Role: resident; else 403."""
    require_roles(request, (Role.RESIDENT,))
    record_actions.rate_project(
        acting_user=request.auth,
        project=_project(request, project_id),
        score=payload.score,
        comment=payload.comment,
        request=request,
    )
    return _project_detail(request, project_id)
