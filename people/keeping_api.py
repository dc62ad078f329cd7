"""API writes of the people registries kept by their owners (分级管理): residents, applicants and their
steps, commercial buildings, trade unions, youth league organisations, and residents moving house
(members' organisation transfers: people/transfer_api.py). Reads of the same records are in people/api.py.

Each write calls the noun's action (people/residents.py, applicants.py, registries.py, transfers.py,
homes.py), where the rules live. Wrong role: 403; an object outside the caller's scope: 404, like a
missing one; a refused action: 422 (or 403) with ``{"detail": message}``, nothing changed. Objects named
in a body are looked up in the caller's scope (an unknown one: 422).
"""

from datetime import date
from uuid import UUID

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from accounts import roles as R
from accounts.api import require_roles
from accounts.models import Role
from gongjian.api_shapes import ErrorOut, one_of
from orgs.models import PartyOrg, Unit
from people import applicants, registries
from people.api import (
    ApplicantOut,
    CommercialBuildingOut,
    ResidentOut,
    TradeUnionOut,
    YouthLeagueOrgOut,
    router,
)
from people.homes import move_home
from people.models import (
    Applicant,
    ApplicantStage,
    CommercialBuilding,
    Gender,
    Resident,
    TradeUnion,
    YouthLeagueOrg,
)
from people.residents import keep_resident
from places.models import Area, Building, Compound

# The writes share people.api's router: a path (``/residents/{id}``) is one view answering each of its
# methods, so a second router on the same path would shadow the first (405).
REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _area(request: HttpRequest, public_id: UUID | None):
    return one_of(Area.objects.visible_to(request.auth), public_id, _("Choose an area you keep."))


def _unit(request: HttpRequest, public_id: UUID | None):
    return one_of(Unit.objects.visible_to(request.auth), public_id, _("Choose a unit."))


def _org(request: HttpRequest, public_id: UUID | None):
    return one_of(PartyOrg.objects.visible_to(request.auth), public_id, _("Choose a party organisation."))


def _home(payload) -> tuple[Compound | None, Building | None]:
    compound = one_of(Compound.objects.all(), payload.compound, _("Unknown compound."))
    building = one_of(Building.objects.select_related("compound"), payload.building, _("Unknown building."))
    if building is not None and compound is None:
        compound = building.compound
    return compound, building


# --- residents ------------------------------------------------------------------------------------


class ResidentIn(Schema):
    name: str = Field(max_length=32)
    community: UUID
    compound: UUID | None = None
    building: UUID | None = None
    phone: str | None = Field(
        None, max_length=20, description='null keeps the number on record; "" removes it'
    )
    household_note: str = Field("", max_length=200)


def _resident(request: HttpRequest, resident_id: UUID) -> Resident:
    return get_object_or_404(
        Resident.objects.visible_to(request.auth).select_related(
            "residence_area", "residence_compound", "residence_building__grid"
        ),
        public_id=resident_id,
    )


@router.post("/residents", response={201: ResidentOut, **REFUSALS})
def add_resident(request: HttpRequest, payload: ResidentIn):
    """The community (or its street) adds a resident to its list. Roles: community, street; else 403."""
    require_roles(request, R.KEEPER_ROLES)
    compound, building = _home(payload)
    resident = keep_resident(
        acting_user=request.auth,
        name=payload.name,
        residence_area=_area(request, payload.community),
        phone=payload.phone,
        residence_compound=compound,
        residence_building=building,
        household_note=payload.household_note,
        request=request,
    )
    return Status(201, _resident(request, resident.public_id))


@router.put("/residents/{resident_id}", response={200: ResidentOut, **REFUSALS})
def change_resident(request: HttpRequest, resident_id: UUID, payload: ResidentIn):
    """Correct a resident (name, phone, home, household note). Roles: community, street; outside scope 404."""
    require_roles(request, R.KEEPER_ROLES)
    resident = _resident(request, resident_id)
    compound, building = _home(payload)
    keep_resident(
        acting_user=request.auth,
        resident=resident,
        name=payload.name,
        residence_area=_area(request, payload.community),
        phone=payload.phone,
        residence_compound=compound,
        residence_building=building,
        household_note=payload.household_note,
        request=request,
    )
    return _resident(request, resident_id)


class MoveIn(Schema):
    community: UUID
    compound: UUID | None = None
    building: UUID | None = None


@router.post("/residents/{resident_id}/move", response={200: ResidentOut, **REFUSALS})
def move_resident(request: HttpRequest, resident_id: UUID, payload: MoveIn):
    """A resident moved house (to any community of the city). Roles: community, street, the resident."""
    require_roles(request, (*R.KEEPER_ROLES, Role.RESIDENT))
    resident = _resident(request, resident_id)
    compound, building = _home(payload)
    community = one_of(Area.objects.all(), payload.community, _("Choose a community."))
    move_home(
        acting_user=request.auth,
        person=resident,
        area=community,
        compound=compound,
        building=building,
        request=request,
    )
    return resident


# --- applicants -----------------------------------------------------------------------------------


class ApplicantIn(Schema):
    name: str = Field(max_length=32)
    gender: Gender
    area: UUID
    party_org: UUID
    applied_on: date
    unit: UUID | None = None
    phone: str = Field("", max_length=20)
    id_number: str = Field("", max_length=18)


class ApplicantChangeIn(Schema):
    name: str = Field(max_length=32)
    gender: Gender
    party_org: UUID
    phone: str | None = Field(None, max_length=20, description="null keeps the number on record")
    id_number: str | None = Field(None, max_length=18, description="null keeps the number on record")


class AdvanceIn(Schema):
    stage: ApplicantStage = Field(description="the next step; any other is refused (422)")
    on: date


def _applicant(request: HttpRequest, applicant_id: UUID) -> Applicant:
    return get_object_or_404(
        Applicant.objects.visible_to(request.auth).select_related("area", "unit", "party_org"),
        public_id=applicant_id,
    )


@router.post("/applicants", response={201: ApplicantOut, **REFUSALS})
def register_applicant(request: HttpRequest, payload: ApplicantIn):
    """Register an applicant for party membership (入党申请人), at the first step. Roles: community,
    street (their places), unit admin (their unit's applicants); else 403."""
    require_roles(request, R.APPLICANT_KEEPER_ROLES)
    area = one_of(Area.objects.all(), payload.area, _("Choose an area."))
    applicant = applicants.register_applicant(
        acting_user=request.auth,
        name=payload.name,
        gender=payload.gender,
        area=area,
        unit=_unit(request, payload.unit),
        party_org=_org(request, payload.party_org),
        applied_on=payload.applied_on,
        phone=payload.phone,
        id_number=payload.id_number,
        request=request,
    )
    return Status(201, _applicant(request, applicant.public_id))


@router.put("/applicants/{applicant_id}", response={200: ApplicantOut, **REFUSALS})
def change_applicant(request: HttpRequest, applicant_id: UUID, payload: ApplicantChangeIn):
    """Correct an applicant's name, numbers and party organisation (steps move by /advance)."""
    require_roles(request, R.APPLICANT_KEEPER_ROLES)
    applicants.update_applicant(
        acting_user=request.auth,
        applicant=_applicant(request, applicant_id),
        name=payload.name,
        gender=payload.gender,
        party_org=_org(request, payload.party_org),
        phone=payload.phone,
        id_number=payload.id_number,
        request=request,
    )
    return _applicant(request, applicant_id)


@router.post("/applicants/{applicant_id}/advance", response={200: ApplicantOut, **REFUSALS})
def advance_applicant(request: HttpRequest, applicant_id: UUID, payload: AdvanceIn):
    """Move an applicant to the next step on a date. Refused (422): a step out of order or skipped, a
    date before the minimum interval (people.applicants.MIN_MONTHS) or in the future. Admission
    (probationary) makes the applicant a member; full membership updates that member."""
    require_roles(request, R.APPLICANT_KEEPER_ROLES)
    applicants.advance_applicant(
        acting_user=request.auth,
        applicant=_applicant(request, applicant_id),
        stage=payload.stage,
        on=payload.on,
        request=request,
    )
    return _applicant(request, applicant_id)


# --- the area registries --------------------------------------------------------------------------


class EntryIn(Schema):
    name: str = Field(max_length=128)
    area: UUID
    unit: UUID | None = None


class CommercialBuildingIn(EntryIn):
    party_org: UUID | None = None
    floors: int = Field(0, ge=0, le=32767)
    tenant_count: int = Field(0, ge=0, le=2_000_000_000)
    member_count: int = Field(0, ge=0, le=2_000_000_000)


class TradeUnionIn(EntryIn):
    chair_name: str = Field("", max_length=32)
    member_count: int = Field(0, ge=0, le=2_000_000_000)


class YouthLeagueOrgIn(EntryIn):
    secretary_name: str = Field("", max_length=32)
    member_count: int = Field(0, ge=0, le=2_000_000_000)


class RetireIn(Schema):
    reason: str = Field(max_length=200)
    on: date | None = None


def _save(request: HttpRequest, model, payload: EntryIn, entry=None):
    require_roles(request, R.KEEPER_ROLES)
    fields = payload.dict(exclude={"name", "area", "unit"})
    if "party_org" in fields:
        fields["party_org"] = _org(request, fields["party_org"])
    saved = registries.save_registry_entry(
        acting_user=request.auth,
        model=model,
        entry=entry,
        name=payload.name,
        area=one_of(Area.objects.all(), payload.area, _("Choose an area.")),
        unit=_unit(request, payload.unit),
        fields=fields,
        request=request,
    )
    return _entry(request, model, saved.public_id)


def _entry(request: HttpRequest, model, public_id: UUID):
    return get_object_or_404(
        model.objects.visible_to(request.auth).select_related("area", "unit"), public_id=public_id
    )


def _retire(request: HttpRequest, model, public_id: UUID, payload: RetireIn):
    require_roles(request, R.KEEPER_ROLES)
    entry = _entry(request, model, public_id)
    registries.retire_registry_entry(
        acting_user=request.auth, entry=entry, reason=payload.reason, on=payload.on, request=request
    )
    return _entry(request, model, public_id)


@router.post("/commercial-buildings", response={201: CommercialBuildingOut, **REFUSALS})
def add_commercial_building(request: HttpRequest, payload: CommercialBuildingIn):
    """Add a commercial building (商务楼宇). Roles: community, street of its place; else 403."""
    return Status(201, _save(request, CommercialBuilding, payload))


@router.put("/commercial-buildings/{building_id}", response={200: CommercialBuildingOut, **REFUSALS})
def change_commercial_building(request: HttpRequest, building_id: UUID, payload: CommercialBuildingIn):
    """Correct a commercial building. Roles: community, street; outside scope 404; retired: 422."""
    require_roles(request, R.KEEPER_ROLES)
    return _save(request, CommercialBuilding, payload, _entry(request, CommercialBuilding, building_id))


@router.post("/commercial-buildings/{building_id}/retire", response={200: CommercialBuildingOut, **REFUSALS})
def retire_commercial_building(request: HttpRequest, building_id: UUID, payload: RetireIn):
    """Retire a commercial building, with the reason (it stays on the list, marked)."""
    return _retire(request, CommercialBuilding, building_id, payload)


@router.post("/trade-unions", response={201: TradeUnionOut, **REFUSALS})
def add_trade_union(request: HttpRequest, payload: TradeUnionIn):
    """Add a trade union (工会). Roles: community, street of its place; else 403."""
    return Status(201, _save(request, TradeUnion, payload))


@router.put("/trade-unions/{trade_union_id}", response={200: TradeUnionOut, **REFUSALS})
def change_trade_union(request: HttpRequest, trade_union_id: UUID, payload: TradeUnionIn):
    """Correct a trade union. Roles: community, street; outside scope 404; retired: 422."""
    require_roles(request, R.KEEPER_ROLES)
    return _save(request, TradeUnion, payload, _entry(request, TradeUnion, trade_union_id))


@router.post("/trade-unions/{trade_union_id}/retire", response={200: TradeUnionOut, **REFUSALS})
def retire_trade_union(request: HttpRequest, trade_union_id: UUID, payload: RetireIn):
    """Retire a trade union, with the reason."""
    return _retire(request, TradeUnion, trade_union_id, payload)


@router.post("/youth-league-orgs", response={201: YouthLeagueOrgOut, **REFUSALS})
def add_youth_league_org(request: HttpRequest, payload: YouthLeagueOrgIn):
    """Add a youth league organisation (团组织). Roles: community, street of its place; else 403."""
    return Status(201, _save(request, YouthLeagueOrg, payload))


@router.put("/youth-league-orgs/{org_id}", response={200: YouthLeagueOrgOut, **REFUSALS})
def change_youth_league_org(request: HttpRequest, org_id: UUID, payload: YouthLeagueOrgIn):
    """Correct a youth league organisation. Roles: community, street; outside scope 404; retired: 422."""
    require_roles(request, R.KEEPER_ROLES)
    return _save(request, YouthLeagueOrg, payload, _entry(request, YouthLeagueOrg, org_id))


@router.post("/youth-league-orgs/{org_id}/retire", response={200: YouthLeagueOrgOut, **REFUSALS})
def retire_youth_league_org(request: HttpRequest, org_id: UUID, payload: RetireIn):
    """Retire a youth league organisation, with the reason."""
    return _retire(request, YouthLeagueOrg, org_id, payload)
