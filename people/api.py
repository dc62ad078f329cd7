"""API for people: members, residents, and the registries (applicants, commercial buildings,
trade unions, youth league organisations). Read-only, except the audited reveal of a number.

ID card and phone numbers appear only masked (``phone_masked``, ``id_number_masked``, built from
the stored hints, no decryption); the full number comes only from ``POST …/reveal``, which goes
through people.actions.reveal_number (checked and audited). Birth dates are left out on purpose:
with the masked ID number they would give the full number back.
An object outside the caller's scope answers 404 exactly like a missing one.
"""

from datetime import date
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.roles import (
    MEMBER_DETAIL_ROLES,
    MEMBER_LIST_ROLES,
    REGISTRY_ROLES,
    RESIDENT_DETAIL_ROLES,
    RESIDENT_LIST_ROLES,
)
from gongjian.api_shapes import ErrorOut, ListPage, Ref, apply_filters, filter_params
from people.actions import find_for_reveal, reveal_number
from people.filters import ApplicantFilter, MemberFilter, NamedFilter, ResidentFilter
from people.models import (
    Applicant,
    ApplicantStage,
    CommercialBuilding,
    Gender,
    Member,
    MemberStatus,
    Resident,
    TradeUnion,
    YouthLeagueOrg,
)

router = Router(tags=["people"])


class MemberOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    gender: Gender
    status: MemberStatus
    in_service: bool
    joined_on: date | None
    unit: Ref | None
    party_org: Ref
    residence_area: Ref | None
    residence_compound: Ref | None
    residence_building: Ref | None
    skills: str
    phone_masked: str = Field(alias="masked_phone")
    id_number_masked: str = Field(alias="masked_id_number")


class ResidentOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    gender: str
    residence_area: Ref
    residence_compound: Ref | None
    residence_building: Ref | None
    household_note: str
    phone_masked: str = Field(alias="masked_phone")
    id_number_masked: str = Field(alias="masked_id_number")


class ApplicantOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    gender: Gender
    stage: ApplicantStage
    area: Ref
    unit: Ref | None
    party_org: Ref
    applied_on: date
    activist_on: date | None
    development_on: date | None
    probationary_on: date | None
    full_on: date | None
    phone_masked: str = Field(alias="masked_phone")
    id_number_masked: str = Field(alias="masked_id_number")


class CommercialBuildingOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    area: Ref
    unit: Ref | None
    party_org: Ref | None
    floors: int
    tenant_count: int
    member_count: int


class TradeUnionOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    area: Ref
    unit: Ref | None
    chair_name: str
    member_count: int


class YouthLeagueOrgOut(Schema):
    id: UUID = Field(alias="public_id")
    name: str
    area: Ref
    unit: Ref | None
    secretary_name: str
    member_count: int


class RevealIn(Schema):
    field: Literal["phone", "id_number"]


class RevealOut(Schema):
    field: str
    value: str


MemberQuery = filter_params(MemberFilter, "MemberQuery")
ResidentQuery = filter_params(ResidentFilter, "ResidentQuery")
ApplicantQuery = filter_params(ApplicantFilter, "ApplicantQuery")
NamedQuery = filter_params(NamedFilter, "NamedQuery")


def _members(request: HttpRequest) -> QuerySet[Member]:
    return Member.objects.visible_to(request.auth).select_related(
        "unit", "party_org", "residence_area", "residence_compound", "residence_building__grid"
    )


def _residents(request: HttpRequest) -> QuerySet[Resident]:
    return Resident.objects.visible_to(request.auth).select_related(
        "residence_area", "residence_compound", "residence_building__grid"
    )


def _applicants(request: HttpRequest) -> QuerySet[Applicant]:
    return Applicant.objects.visible_to(request.auth).select_related("area", "unit", "party_org")


def _commercial_buildings(request: HttpRequest) -> QuerySet[CommercialBuilding]:
    return CommercialBuilding.objects.visible_to(request.auth).select_related("area", "unit", "party_org")


def _trade_unions(request: HttpRequest) -> QuerySet[TradeUnion]:
    return TradeUnion.objects.visible_to(request.auth).select_related("area", "unit")


def _youth_league_orgs(request: HttpRequest) -> QuerySet[YouthLeagueOrg]:
    return YouthLeagueOrg.objects.visible_to(request.auth).select_related("area", "unit")


def _reveal(request: HttpRequest, response: HttpResponse, person, field: str) -> dict:
    response["Cache-Control"] = "no-store"
    try:
        value = reveal_number(acting_user=request.auth, person=person, field=field, request=request)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    return {"field": field, "value": value}


@router.get("/members", response=list[MemberOut])
@paginate(ListPage)
def list_members(request: HttpRequest, filters: Query[MemberQuery]):  # type: ignore[valid-type]
    """Members the caller may see. Roles: MEMBER_LIST_ROLES (organisation department, street,
    community, unit admin, inspector, grid worker), else 403. Numbers masked."""
    require_roles(request, MEMBER_LIST_ROLES)
    return apply_filters(MemberFilter, request, _members(request))


@router.get("/members/{member_id}", response=MemberOut)
def get_member(request: HttpRequest, member_id: UUID):
    """One member. Roles: MEMBER_LIST_ROLES, or a member reading their own record, else 403;
    outside the caller's scope, 404. Numbers masked."""
    require_roles(request, MEMBER_DETAIL_ROLES)
    return get_object_or_404(_members(request), public_id=member_id)


@router.post("/members/{member_id}/reveal", response={200: RevealOut, 403: ErrorOut})
def reveal_member_number(request: HttpRequest, response: HttpResponse, member_id: UUID, payload: RevealIn):
    """The full phone or ID number of one member, audited. Who may see it is decided by
    people.actions.can_reveal (unit admin: own unit's members; community: phones of members living
    there; the member themself); a refusal answers 403 and is audited as denied.
    Roles to ask: as for the member's record; outside the caller's scope, 404."""
    require_roles(request, MEMBER_DETAIL_ROLES)
    member = find_for_reveal(
        acting_user=request.auth,
        queryset=_members(request),
        public_id=member_id,
        field=payload.field,
        request=request,
    )
    return _reveal(request, response, member, payload.field)


@router.get("/residents", response=list[ResidentOut])
@paginate(ListPage)
def list_residents(request: HttpRequest, filters: Query[ResidentQuery]):  # type: ignore[valid-type]
    """Residents the caller may see. Roles: RESIDENT_LIST_ROLES (organisation department, street,
    community, grid worker), else 403. Numbers masked."""
    require_roles(request, RESIDENT_LIST_ROLES)
    return apply_filters(ResidentFilter, request, _residents(request))


@router.get("/residents/{resident_id}", response=ResidentOut)
def get_resident(request: HttpRequest, resident_id: UUID):
    """One resident. Roles: RESIDENT_LIST_ROLES, or a resident reading their own record, else 403;
    outside the caller's scope, 404. Numbers masked."""
    require_roles(request, RESIDENT_DETAIL_ROLES)
    return get_object_or_404(_residents(request), public_id=resident_id)


@router.post("/residents/{resident_id}/reveal", response={200: RevealOut, 403: ErrorOut})
def reveal_resident_number(
    request: HttpRequest, response: HttpResponse, resident_id: UUID, payload: RevealIn
):
    """The full phone or ID number of one resident, audited (people.actions.can_reveal decides:
    community and grid worker: phones of their residents; the resident themself); a refusal
    answers 403 and is audited as denied. Roles to ask: as for the record; outside scope, 404."""
    require_roles(request, RESIDENT_DETAIL_ROLES)
    resident = find_for_reveal(
        acting_user=request.auth,
        queryset=_residents(request),
        public_id=resident_id,
        field=payload.field,
        request=request,
    )
    return _reveal(request, response, resident, payload.field)


@router.get("/applicants", response=list[ApplicantOut])
@paginate(ListPage)
def list_applicants(request: HttpRequest, filters: Query[ApplicantQuery]):  # type: ignore[valid-type]
    """Applicants for party membership (入党申请人). Roles: REGISTRY_ROLES, else 403. Numbers masked."""
    require_roles(request, REGISTRY_ROLES)
    return apply_filters(ApplicantFilter, request, _applicants(request))


@router.get("/applicants/{applicant_id}", response=ApplicantOut)
def get_applicant(request: HttpRequest, applicant_id: UUID):
    """One applicant. Roles: REGISTRY_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, REGISTRY_ROLES)
    return get_object_or_404(_applicants(request), public_id=applicant_id)


@router.get("/commercial-buildings", response=list[CommercialBuildingOut])
@paginate(ListPage)
def list_commercial_buildings(request: HttpRequest, filters: Query[NamedQuery]):  # type: ignore[valid-type]
    """Commercial buildings (商务楼宇). Roles: REGISTRY_ROLES, else 403."""
    require_roles(request, REGISTRY_ROLES)
    return apply_filters(NamedFilter, request, _commercial_buildings(request))


@router.get("/commercial-buildings/{building_id}", response=CommercialBuildingOut)
def get_commercial_building(request: HttpRequest, building_id: UUID):
    """One commercial building. Roles: REGISTRY_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, REGISTRY_ROLES)
    return get_object_or_404(_commercial_buildings(request), public_id=building_id)


@router.get("/trade-unions", response=list[TradeUnionOut])
@paginate(ListPage)
def list_trade_unions(request: HttpRequest, filters: Query[NamedQuery]):  # type: ignore[valid-type]
    """Trade unions (工会). Roles: REGISTRY_ROLES, else 403."""
    require_roles(request, REGISTRY_ROLES)
    return apply_filters(NamedFilter, request, _trade_unions(request))


@router.get("/trade-unions/{trade_union_id}", response=TradeUnionOut)
def get_trade_union(request: HttpRequest, trade_union_id: UUID):
    """One trade union. Roles: REGISTRY_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, REGISTRY_ROLES)
    return get_object_or_404(_trade_unions(request), public_id=trade_union_id)


@router.get("/youth-league-orgs", response=list[YouthLeagueOrgOut])
@paginate(ListPage)
def list_youth_league_orgs(request: HttpRequest, filters: Query[NamedQuery]):  # type: ignore[valid-type]
    """Youth league organisations (团组织). Roles: REGISTRY_ROLES, else 403."""
    require_roles(request, REGISTRY_ROLES)
    return apply_filters(NamedFilter, request, _youth_league_orgs(request))


@router.get("/youth-league-orgs/{org_id}", response=YouthLeagueOrgOut)
def get_youth_league_org(request: HttpRequest, org_id: UUID):
    """One youth league organisation. Roles: REGISTRY_ROLES, else 403; outside the caller's scope, 404."""
    require_roles(request, REGISTRY_ROLES)
    return get_object_or_404(_youth_league_orgs(request), public_id=org_id)


# The writes of the registries kept by their owners answer on the same paths (people/keeping_api.py).
from people import keeping_api  # noqa: E402, F401
