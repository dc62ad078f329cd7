"""API for places: the area tree, grids, compounds and buildings: reads (writes in places/write_api.py).

Access: the roles of the area tree pages (AREA_TREE_ROLES: organisation department, street,
community, grid worker; platform administrators always). Everything goes through the models'
``visible_to``; an object outside the caller's scope answers 404 exactly like a missing one.
"""

from datetime import date
from uuid import UUID

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.roles import AREA_TREE_ROLES
from gongjian.api_shapes import ListPage, Ref
from places.models import Area, AreaLevel, Building, Compound, Grid

router = Router(tags=["places"])


class AreaOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    level: AreaLevel
    depth: int
    parent: Ref | None


class AreaQuery(Schema):
    q: str | None = Field(None, description="Name contains, or code starts with.")
    level: AreaLevel | None = None
    parent: UUID | None = Field(None, description="Public id of the parent area: its children only.")


class GridOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    level: int
    street: Ref
    community: Ref | None
    parent: Ref | None


class GridQuery(Schema):
    q: str | None = Field(None, description="Name contains, or code starts with.")
    # An int, not Literal[1, 2, 3]: a query string carries "1", which a Literal of ints never equals
    # (every ?level= answered 422).
    level: int | None = Field(None, ge=1, le=3, description="1, 2 or 3.")
    parent: UUID | None = Field(None, description="Public id of the parent grid: its children only.")


class CompoundOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    address: str
    community: Ref
    retired_on: date | None


class CompoundQuery(Schema):
    q: str | None = Field(None, description="Name contains.")
    community: UUID | None = Field(None, description="Public id of the community.")


class BuildingOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    compound: Ref
    community: Ref = Field(alias="compound.community")
    grid: Ref | None
    retired_on: date | None


class BuildingQuery(Schema):
    q: str | None = Field(None, description="Name contains.")
    compound: UUID | None = Field(None, description="Public id of the compound.")


def _areas(request: HttpRequest) -> QuerySet[Area]:
    return Area.objects.visible_to(request.auth).select_related("parent")


def _grids(request: HttpRequest) -> QuerySet[Grid]:
    return Grid.objects.visible_to(request.auth).select_related("street", "community", "parent")


def _compounds(request: HttpRequest) -> QuerySet[Compound]:
    # Compound has no visible_to of its own; the pages' rule (places.queries) decides.
    return Compound.objects.visible_to(request.auth).select_related("community")


def _buildings(request: HttpRequest) -> QuerySet[Building]:
    return Building.objects.visible_to(request.auth).select_related("compound__community", "grid")


@router.get("/areas", response=list[AreaOut])
@paginate(ListPage)
def list_areas(request: HttpRequest, filters: Query[AreaQuery]):
    """Areas the caller may see, in tree order. Roles: AREA_TREE_ROLES, else 403."""
    require_roles(request, AREA_TREE_ROLES)
    areas = _areas(request)
    if filters.q:
        areas = areas.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    if filters.level:
        areas = areas.filter(level=filters.level)
    if filters.parent:
        areas = areas.filter(parent__public_id=filters.parent)
    return areas


@router.get("/areas/{area_id}", response=AreaOut)
def get_area(request: HttpRequest, area_id: UUID):
    """One area. Roles: AREA_TREE_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, AREA_TREE_ROLES)
    return get_object_or_404(_areas(request), public_id=area_id)


@router.get("/grids", response=list[GridOut])
@paginate(ListPage)
def list_grids(request: HttpRequest, filters: Query[GridQuery]):
    """Grids the caller may see, in tree order. Roles: AREA_TREE_ROLES, else 403."""
    require_roles(request, AREA_TREE_ROLES)
    grids = _grids(request)
    if filters.q:
        grids = grids.filter(Q(name__icontains=filters.q) | Q(code__startswith=filters.q))
    if filters.level:
        grids = grids.filter(level=filters.level)
    if filters.parent:
        grids = grids.filter(parent__public_id=filters.parent)
    return grids


@router.get("/grids/{grid_id}", response=GridOut)
def get_grid(request: HttpRequest, grid_id: UUID):
    """One grid. Roles: AREA_TREE_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, AREA_TREE_ROLES)
    return get_object_or_404(_grids(request), public_id=grid_id)


@router.get("/compounds", response=list[CompoundOut])
@paginate(ListPage)
def list_compounds(request: HttpRequest, filters: Query[CompoundQuery]):
    """Compounds (小区) the caller may see. Roles: AREA_TREE_ROLES, else 403."""
    require_roles(request, AREA_TREE_ROLES)
    compounds = _compounds(request)
    if filters.q:
        compounds = compounds.filter(name__icontains=filters.q)
    if filters.community:
        compounds = compounds.filter(community__public_id=filters.community)
    return compounds


@router.get("/compounds/{compound_id}", response=CompoundOut)
def get_compound(request: HttpRequest, compound_id: UUID):
    """One compound. Roles: AREA_TREE_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, AREA_TREE_ROLES)
    return get_object_or_404(_compounds(request), public_id=compound_id)


@router.get("/buildings", response=list[BuildingOut])
@paginate(ListPage)
def list_buildings(request: HttpRequest, filters: Query[BuildingQuery]):
    """Buildings (楼栋) the caller may see. Roles: AREA_TREE_ROLES, else 403."""
    require_roles(request, AREA_TREE_ROLES)
    buildings = _buildings(request)
    if filters.q:
        buildings = buildings.filter(name__icontains=filters.q)
    if filters.compound:
        buildings = buildings.filter(compound__public_id=filters.compound)
    return buildings


@router.get("/buildings/{building_id}", response=BuildingOut)
def get_building(request: HttpRequest, building_id: UUID):
    """One building. Roles: AREA_TREE_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, AREA_TREE_ROLES)
    return get_object_or_404(_buildings(request), public_id=building_id)
