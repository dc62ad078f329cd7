"""API for party organisations and units: reads (writes in orgs/write_api.py).

Lists filter with the pages' FilterSets (orgs/filters.py), so the API and the pages agree.
An object outside the caller's scope answers 404 exactly like a missing one.
"""

from datetime import date
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.roles import ORG_CHART_ROLES, UNIT_LIST_ROLES
from gongjian.api_shapes import ListPage, Ref, apply_filters, filter_params
from orgs.filters import PartyOrgFilter, UnitFilter
from orgs.models import PartyOrg, PartyOrgKind, Unit, UnitKind

router = Router(tags=["orgs"])


class PartyOrgOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: PartyOrgKind
    code: str
    parent: Ref | None
    area: Ref | None
    unit: Ref | None
    grid: Ref | None
    compound: Ref | None
    founded_on: date | None
    dissolved_on: date | None


class UnitOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    kind: UnitKind
    credit_code: str
    address_area: Ref
    address: str
    contact_name: str


PartyOrgQuery = filter_params(PartyOrgFilter, "PartyOrgQuery")
UnitQuery = filter_params(UnitFilter, "UnitQuery")


def _party_orgs(request: HttpRequest) -> QuerySet[PartyOrg]:
    return PartyOrg.objects.visible_to(request.auth).select_related(
        "parent", "area", "unit", "grid", "compound"
    )


def _units(request: HttpRequest) -> QuerySet[Unit]:
    return Unit.objects.visible_to(request.auth).select_related("address_area")


@router.get("/party-orgs", response=list[PartyOrgOut])
@paginate(ListPage)
def list_party_orgs(request: HttpRequest, filters: Query[PartyOrgQuery]):  # type: ignore[valid-type]
    """Party organisations the caller may see, in tree order. Roles: ORG_CHART_ROLES, else 403."""
    require_roles(request, ORG_CHART_ROLES)
    return apply_filters(PartyOrgFilter, request, _party_orgs(request))


@router.get("/party-orgs/{party_org_id}", response=PartyOrgOut)
def get_party_org(request: HttpRequest, party_org_id: UUID):
    """One party organisation. Roles: ORG_CHART_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, ORG_CHART_ROLES)
    return get_object_or_404(_party_orgs(request), public_id=party_org_id)


@router.get("/units", response=list[UnitOut])
@paginate(ListPage)
def list_units(request: HttpRequest, filters: Query[UnitQuery]):  # type: ignore[valid-type]
    """Units the caller may see, by name. Roles: UNIT_LIST_ROLES, else 403."""
    require_roles(request, UNIT_LIST_ROLES)
    return apply_filters(UnitFilter, request, _units(request))


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request: HttpRequest, unit_id: UUID):
    """One unit. Roles: UNIT_LIST_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, UNIT_LIST_ROLES)
    return get_object_or_404(_units(request), public_id=unit_id)
