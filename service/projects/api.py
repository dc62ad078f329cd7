"""API of co-building projects (项目清单): proposing, units joining and committing, milestones, the
community's moves and the residents' ratings. Conventions as in service/api_lookups.py; shapes in
service/projects/schemas.py. Operation ids keep the names the API published before the service app was
split by noun (clients generate code from them)."""

from uuid import UUID

from django.db.models import Avg, Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from orgs.models import Unit
from service.api_lookups import REFUSALS, category_of, community_of
from service.models import Project, ProjectEvent, ProjectUnit, Resource
from service.projects import actions
from service.projects.schemas import (
    CommitmentIn,
    CompleteProjectIn,
    EvaluateIn,
    MilestoneIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectQuery,
    UnitIn,
)
from service.schemas import RateIn, ReasonIn

router = Router(tags=["service"])

STAFF = roles.SERVICE_STAFF_ROLES
PROJECT_WRITE_ROLES = (*STAFF, Role.UNIT_ADMIN)


def _projects(request: HttpRequest) -> QuerySet[Project]:
    return (
        Project.objects.visible_to(request.auth)
        .select_related("community", "category")
        .prefetch_related("units")
        .annotate(rating_mean=Avg("ratings__score"), rating_count=Count("ratings"))
    )


@router.get("/projects", response=list[ProjectOut], operation_id="service_unit_api_list_projects")
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


@router.post(
    "/projects", response={201: ProjectDetailOut, **REFUSALS}, operation_id="service_unit_api_propose_project"
)
def propose_project(request: HttpRequest, payload: ProjectIn):
    """Propose a co-building project: the community or its street (optionally with a ``unit``), or a
    unit's party admin with their ``unit`` to a community of its street or paired with it.
    Roles: community, street, unit admin; else 403."""
    require_roles(request, PROJECT_WRITE_ROLES)
    project = actions.propose_project(
        acting_user=request.auth,
        community=community_of(payload.community),
        title=payload.title,
        description=payload.description,
        category=category_of(request, payload.category) if payload.category else None,
        budget=payload.budget,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        # the units the caller may see, as on the page: the action checks who may bring which unit
        unit=one_of(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        request=request,
    )
    return Status(201, _project_detail(request, project.public_id))


@router.get(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, 404: ErrorOut},
    operation_id="service_unit_api_get_project",
)
def get_project(request: HttpRequest, project_id: UUID):
    """One project with its milestones, the units' commitments and its history.
    Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.PROJECT_ROLES)
    return _project_detail(request, project_id)


@router.post(
    "/projects/{project_id}/units",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_add_project_unit",
)
def add_project_unit(request: HttpRequest, project_id: UUID, payload: UnitIn):
    """A unit joins: the community or street adds it, or the unit's party admin joins a project of a
    community of its street or paired with it. Roles: community, street, unit admin; else 403."""
    require_roles(request, PROJECT_WRITE_ROLES)
    actions.add_project_unit(
        acting_user=request.auth,
        project=_project(request, project_id),
        unit=one_of(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        request=request,
    )
    return _project_detail(request, project_id)


@router.post(
    "/projects/{project_id}/commitments",
    response={201: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_commit_to_project",
)
def commit_to_project(request: HttpRequest, project_id: UUID, payload: CommitmentIn):
    """A participating unit's party admin commits part of a resource, or a contribution in words,
    never more of a resource than is left. Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    user = request.auth
    actions.commit_to_project(
        acting_user=user,
        project=_project(request, project_id),
        unit=one_of(Unit.objects.visible_to(user), payload.unit, _("Choose a unit.")),
        resource=one_of(Resource.objects.visible_to(user), payload.resource, _("Unknown resource.")),
        description=payload.description,
        quantity=payload.quantity,
        measure=payload.measure,
        request=request,
    )
    return Status(201, _project_detail(request, project_id))


@router.post(
    "/projects/{project_id}/milestones",
    response={201: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_add_milestone",
)
def add_milestone(request: HttpRequest, project_id: UUID, payload: MilestoneIn):
    """Mark a step of an open project. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.add_milestone(
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


@router.post(
    "/projects/{project_id}/agree",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_agree_project",
)
def agree_project(request: HttpRequest, project_id: UUID):
    """proposed → agreed (a unit must take part). Roles: community, street; else 403."""
    return _move_project(request, project_id, actions.agree_project)


@router.post(
    "/projects/{project_id}/start",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_start_project",
)
def start_project(request: HttpRequest, project_id: UUID):
    """agreed → in progress. Roles: community, street; else 403."""
    return _move_project(request, project_id, actions.start_project)


@router.post(
    "/projects/{project_id}/complete",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_complete_project",
)
def complete_project(request: HttpRequest, project_id: UUID, payload: CompleteProjectIn):
    """in progress → completed, saying how many people it served. Roles: community, street."""
    return _move_project(
        request, project_id, actions.complete_project, beneficiaries_served=payload.beneficiaries_served
    )


@router.post(
    "/projects/{project_id}/evaluate",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_evaluate_project",
)
def evaluate_project(request: HttpRequest, project_id: UUID, payload: EvaluateIn):
    """completed → evaluated, with the community's evaluation. Roles: community, street."""
    return _move_project(request, project_id, actions.evaluate_project, evaluation=payload.evaluation)


@router.post(
    "/projects/{project_id}/drop",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_drop_project",
)
def drop_project(request: HttpRequest, project_id: UUID, payload: ReasonIn):
    """Drop a project not yet completed, with a reason. Roles: community, street; else 403."""
    return _move_project(request, project_id, actions.drop_project, reason=payload.reason)


@router.post(
    "/projects/{project_id}/rate",
    response={200: ProjectDetailOut, **REFUSALS},
    operation_id="service_unit_api_rate_project",
)
def rate_project(request: HttpRequest, project_id: UUID, payload: RateIn):
    """A resident of the project's community rates a completed project, once (1–5).
    Role: resident; else 403."""
    require_roles(request, (Role.RESIDENT,))
    actions.rate_project(
        acting_user=request.auth,
        project=_project(request, project_id),
        score=payload.score,
        comment=payload.comment,
        request=request,
    )
    return _project_detail(request, project_id)
