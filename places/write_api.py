"""API writes of the places registry (分级管理): compounds and buildings (kept by the community and its
street), grids with their workers and buildings (kept by the street). Rules in places/actions.py, who
keeps what in places/access.py; reads in places/api.py.

A wrong role answers 403; an object in the path outside the caller's scope 404, like a missing one; an
object named in the body that does not exist or lies outside the scope 422 (saying which); a refused
change 422 (ValidationError) or 403 (a place seen but not kept), changing nothing.

The operations join the reads' router (places.api.router, orgs.api.router; gongjian/api.py mounts it
from here): ninja answers a path from one router only, so a second router's POST /compounds beside
GET /compounds would never be reached.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from accounts.api import require_roles
from accounts.models import RoleGrant
from gongjian.api_shapes import ErrorOut, one_of
from places import actions
from places.access import GRID_KEEPER_ROLES, PLACE_KEEPER_ROLES, keeps_grids, keeps_places, worker_grants
from places.api import BuildingOut, CompoundOut, GridOut, router
from places.models import Area, AreaLevel, Building, Compound, Grid

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CompoundIn(Schema):
    community: UUID = Field(description="A community the caller keeps (community or street role).")
    name: str = Field(..., min_length=1, max_length=64)
    address: str = Field("", max_length=200)


class CompoundPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=64)
    address: str | None = Field(None, max_length=200)


class BuildingIn(Schema):
    compound: UUID
    name: str = Field(..., min_length=1, max_length=64)
    grid: UUID | None = Field(None, description="A grid of the building's street; omitted: none yet.")


class BuildingPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=64)
    grid: UUID | None = Field(None, description="Move to this grid of its street; null: to no grid.")


class GridIn(Schema):
    street: UUID
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=64)
    parent: UUID | None = Field(None, description="The parent grid (same street); omitted: level 1.")
    community: UUID | None = Field(
        None, description="Required for levels 2 and 3: a community of the street."
    )


class GridPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=64)
    community: UUID | None = None


class GridBuildingsIn(Schema):
    buildings: list[UUID] = Field(..., max_length=2000, description="Exactly the buildings the grid covers.")


class RoleHolderIn(Schema):
    phone: str = Field(
        ..., min_length=1, max_length=20, description="Mobile number: finds the person's account."
    )
    full_name: str = Field("", max_length=64, description="Needed only when no account has this phone yet.")


class RoleHolderOut(Schema):
    id: UUID = Field(alias="public_id", description="The role grant.")
    user: UUID = Field(alias="user.public_id", description="The account holding the role.")
    name: str = Field(alias="user.full_name")
    phone: str = Field(alias="user.masked_phone", description="Masked.")
    since: datetime = Field(alias="created_at")


def name_holder(
    request: HttpRequest, payload: RoleHolderIn, *, grant: Callable[..., RoleGrant], held: dict[str, Any]
) -> Status:
    """Name a person to a role over an object (``held``: the object, by the ``grant`` action's keyword)
    by the payload's phone, answering 201 with the new holder."""
    granted = grant(
        acting_user=request.auth, full_name=payload.full_name, phone=payload.phone, request=request, **held
    )
    return Status(201, RoleGrant.objects.select_related("user").get(pk=granted.pk))


def end_holder(
    request: HttpRequest, grants: QuerySet[RoleGrant], grant_id: UUID, *, revoke: Callable[..., None]
) -> Status:
    """End one of ``grants`` (404 if it is not among them) with the ``revoke`` action; 204."""
    grant = get_object_or_404(grants, public_id=grant_id)
    revoke(acting_user=request.auth, grant=grant, request=request)
    return Status(204, None)


class RetiredOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    retired_on: date | None


def _community(request: HttpRequest, public_id: UUID) -> Area:
    return one_of(
        Area.objects.visible_to(request.auth).filter(level=AreaLevel.COMMUNITY),
        public_id,
        _("No such community in your scope."),
    )


def _grid_named(request: HttpRequest, public_id: UUID | None) -> Grid | None:
    return one_of(Grid.objects.visible_to(request.auth), public_id, _("No such grid in your scope."))


def require_kept(allowed: bool) -> None:
    """An object seen but not kept (``allowed`` is the access rule's answer) → 403."""
    if not allowed:
        raise PermissionDenied(_("You do not keep this part of the registry."))


def _kept_compound(request: HttpRequest, compound_id: UUID) -> Compound:
    compound = get_object_or_404(
        Compound.objects.visible_to(request.auth).select_related("community"), public_id=compound_id
    )
    require_kept(keeps_places(request.auth, compound.community))
    return compound


def _kept_building(request: HttpRequest, building_id: UUID) -> Building:
    building = get_object_or_404(
        Building.objects.visible_to(request.auth).select_related("compound__community", "grid"),
        public_id=building_id,
    )
    require_kept(keeps_places(request.auth, building.compound.community))
    return building


def _kept_grid(request: HttpRequest, grid_id: UUID) -> Grid:
    grid = get_object_or_404(
        Grid.objects.visible_to(request.auth).select_related("street", "community", "parent"),
        public_id=grid_id,
    )
    require_kept(keeps_grids(request.auth, grid.street))
    return grid


# --- compounds ------------------------------------------------------------------------------------


@router.post("/compounds", response={201: CompoundOut, **REFUSALS})
def create_compound(request: HttpRequest, payload: CompoundIn):
    """Add a compound (小区) to a community. Roles: community, street (PLACE_KEEPER_ROLES)."""
    require_roles(request, PLACE_KEEPER_ROLES)
    compound = actions.create_compound(
        acting_user=request.auth,
        community=_community(request, payload.community),
        name=payload.name,
        address=payload.address,
        request=request,
    )
    return Status(201, compound)


@router.patch("/compounds/{compound_id}", response={200: CompoundOut, **REFUSALS})
def update_compound(request: HttpRequest, compound_id: UUID, payload: CompoundPatch):
    """Rename a compound or correct its address (fields left out stay). Roles: community, street."""
    require_roles(request, PLACE_KEEPER_ROLES)
    compound = _kept_compound(request, compound_id)
    return actions.update_compound(
        acting_user=request.auth,
        compound=compound,
        name=payload.name if payload.name is not None else compound.name,
        address=payload.address if payload.address is not None else compound.address,
        request=request,
    )


@router.post("/compounds/{compound_id}/retire", response={200: RetiredOut, **REFUSALS})
def retire_compound(request: HttpRequest, compound_id: UUID):
    """Retire a compound: refused (422) while any of its buildings is in use. Roles: community, street."""
    require_roles(request, PLACE_KEEPER_ROLES)
    return actions.retire_compound(
        acting_user=request.auth, compound=_kept_compound(request, compound_id), request=request
    )


# --- buildings ------------------------------------------------------------------------------------


@router.post("/buildings", response={201: BuildingOut, **REFUSALS})
def create_building(request: HttpRequest, payload: BuildingIn):
    """Add a building (楼栋) to a compound, in a grid of its street or none. Roles: community, street."""
    require_roles(request, PLACE_KEEPER_ROLES)
    compound = one_of(
        Compound.objects.visible_to(request.auth).select_related("community"),
        payload.compound,
        _("No such compound in your scope."),
    )
    require_kept(keeps_places(request.auth, compound.community))
    building = actions.create_building(
        acting_user=request.auth,
        compound=compound,
        name=payload.name,
        grid=_grid_named(request, payload.grid),
        request=request,
    )
    return Status(201, building)


@router.patch("/buildings/{building_id}", response={200: BuildingOut, **REFUSALS})
def update_building(request: HttpRequest, building_id: UUID, payload: BuildingPatch):
    """Rename a building or move it to a grid of its street (``"grid": null``: to none; left out: stays).
    The people living there follow. Roles: community, street."""
    require_roles(request, PLACE_KEEPER_ROLES)
    building = _kept_building(request, building_id)
    grid = _grid_named(request, payload.grid) if "grid" in payload.model_fields_set else building.grid
    return actions.update_building(
        acting_user=request.auth,
        building=building,
        name=payload.name if payload.name is not None else building.name,
        grid=grid,
        request=request,
    )


@router.post("/buildings/{building_id}/retire", response={200: RetiredOut, **REFUSALS})
def retire_building(request: HttpRequest, building_id: UUID):
    """Retire a building: refused (422) while people are recorded as living in it. Roles: community, street."""
    require_roles(request, PLACE_KEEPER_ROLES)
    return actions.retire_building(
        acting_user=request.auth, building=_kept_building(request, building_id), request=request
    )


# --- grids ----------------------------------------------------------------------------------------


@router.post("/grids", response={201: GridOut, **REFUSALS})
def create_grid(request: HttpRequest, payload: GridIn):
    """Draw a grid (网格): level 1 under the street, levels 2–3 under a grid of the same street and in one
    of its communities; a taken code is refused. Role: street (GRID_KEEPER_ROLES)."""
    require_roles(request, GRID_KEEPER_ROLES)
    street = one_of(
        Area.objects.visible_to(request.auth).filter(level=AreaLevel.STREET),
        payload.street,
        _("No such street in your scope."),
    )
    grid = actions.create_grid(
        acting_user=request.auth,
        street=street,
        code=payload.code,
        name=payload.name,
        parent=one_of(
            Grid.objects.visible_to(request.auth), payload.parent, _("No such parent grid in your scope.")
        ),
        community=_community(request, payload.community) if payload.community else None,
        request=request,
    )
    return Status(201, grid)


@router.patch("/grids/{grid_id}", response={200: GridOut, **REFUSALS})
def update_grid(request: HttpRequest, grid_id: UUID, payload: GridPatch):
    """Rename a grid or set its community (``null``: none, level 1 only). Role: street."""
    require_roles(request, GRID_KEEPER_ROLES)
    grid = _kept_grid(request, grid_id)
    if "community" in payload.model_fields_set:
        community = _community(request, payload.community) if payload.community else None
    else:
        community = grid.community
    return actions.update_grid(
        acting_user=request.auth,
        grid=grid,
        name=payload.name if payload.name is not None else grid.name,
        community=community,
        request=request,
    )


@router.put("/grids/{grid_id}/buildings", response={200: list[BuildingOut], **REFUSALS})
def set_grid_buildings(request: HttpRequest, grid_id: UUID, payload: GridBuildingsIn):
    """The buildings the grid covers, exactly (those left out leave it). Role: street."""
    require_roles(request, GRID_KEEPER_ROLES)
    grid = _kept_grid(request, grid_id)
    wanted = set(payload.buildings)
    buildings = list(Building.objects.visible_to(request.auth).filter(public_id__in=wanted))
    if len(buildings) != len(wanted):
        raise ValidationError(_("No such building in your scope."))
    actions.set_grid_buildings(acting_user=request.auth, grid=grid, buildings=buildings, request=request)
    return Building.objects.filter(grid=grid).select_related("compound__community", "grid").order_by("pk")


@router.get("/grids/{grid_id}/workers", response={200: list[RoleHolderOut], **REFUSALS})
def list_grid_workers(request: HttpRequest, grid_id: UUID):
    """The grid's workers (网格员), phones masked. Role: street."""
    require_roles(request, GRID_KEEPER_ROLES)
    return list(worker_grants(_kept_grid(request, grid_id)))


@router.post("/grids/{grid_id}/workers", response={201: RoleHolderOut, **REFUSALS})
def add_grid_worker(request: HttpRequest, grid_id: UUID, payload: RoleHolderIn):
    """Name a grid worker by phone: the person's account (one per phone) or a new one without a password
    gets the grid worker role over the grid. Role: street."""
    require_roles(request, GRID_KEEPER_ROLES)
    return name_holder(
        request, payload, grant=actions.assign_grid_worker, held={"grid": _kept_grid(request, grid_id)}
    )


@router.delete("/grids/{grid_id}/workers/{grant_id}", response={204: None, **REFUSALS})
def remove_grid_worker(request: HttpRequest, grid_id: UUID, grant_id: UUID):
    """End a grid worker's role over the grid (the account stays). Role: street."""
    require_roles(request, GRID_KEEPER_ROLES)
    return end_holder(
        request, worker_grants(_kept_grid(request, grid_id)), grant_id, revoke=actions.remove_grid_worker
    )
