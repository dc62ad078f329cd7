"""API of units' resources (资源清单): what units offer, offered, corrected and withdrawn by their party
admins. Conventions as in service/api_lookups.py; shapes in service/resources/schemas.py. Operation ids
keep the names the API published before the service app was split by noun (clients generate code from
them)."""

from uuid import UUID

from django.db.models import Q, QuerySet
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
from service.api_lookups import REFUSALS, by_category, category_of, community_of
from service.models import Resource
from service.resources import actions
from service.resources.schemas import ResourceIn, ResourceOut, ResourceQuery
from service.schemas import OptionalReasonIn

router = Router(tags=["service"])


def _resources(request: HttpRequest) -> QuerySet[Resource]:
    return Resource.objects.visible_to(request.auth).select_related("unit", "category", "community")


@router.get("/resources", response=list[ResourceOut], operation_id="service_unit_api_list_resources")
@paginate(ListPage)
def list_resources(request: HttpRequest, filters: Query[ResourceQuery]):
    """资源清单: what units offer, newest first: of units the caller administers or inspects, of
    units in their areas, and offered to their communities. Roles: areas, unit admin, inspector."""
    require_roles(request, roles.RESOURCE_ROLES)
    resources = by_category(_resources(request), filters.category)
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


@router.post(
    "/resources", response={201: ResourceOut, **REFUSALS}, operation_id="service_unit_api_add_resource"
)
def add_resource(request: HttpRequest, payload: ResourceIn):
    """A unit's party admin offers what the unit brings, to any community or to one of its street or
    paired with it. Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    resource = actions.add_resource(
        acting_user=request.auth,
        unit=one_of(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        kind=payload.kind,
        title=payload.title,
        quantity=payload.quantity,
        measure=payload.measure,
        available_from=payload.available_from,
        available_until=payload.available_until,
        category=category_of(request, payload.category) if payload.category else None,
        community=community_of(payload.community),
        note=payload.note,
        request=request,
    )
    return Status(201, _resource(request, resource.public_id))


def _resource(request: HttpRequest, resource_id: UUID) -> Resource:
    return get_object_or_404(_resources(request), public_id=resource_id)


@router.get(
    "/resources/{resource_id}",
    response={200: ResourceOut, 404: ErrorOut},
    operation_id="service_unit_api_get_resource",
)
def get_resource(request: HttpRequest, resource_id: UUID):
    """One resource. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.RESOURCE_ROLES)
    return _resource(request, resource_id)


@router.post(
    "/resources/{resource_id}/withdraw",
    response={200: ResourceOut, **REFUSALS},
    operation_id="service_unit_api_withdraw_resource",
)
def withdraw_resource(request: HttpRequest, resource_id: UUID, payload: OptionalReasonIn):
    """The unit's party admin takes the offer back (commitments made stay). Role: unit admin."""
    require_roles(request, (Role.UNIT_ADMIN,))
    actions.withdraw_resource(
        acting_user=request.auth,
        resource=_resource(request, resource_id),
        reason=payload.reason,
        request=request,
    )
    return _resource(request, resource_id)
