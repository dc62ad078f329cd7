"""API for unit↔community pairings (结对共建): list, detail, and creation by the street committee.

Mounted under checkin/api.py's router. Creation goes through checkin.pairing_actions.create_unit_pairing,
which checks the street, the dates and overlaps; a refusal answers 422 or 403 with ``{"detail"}``.
"""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.models import Role
from accounts.roles import PAIRING_ROLES
from checkin.models import UnitPairing
from checkin.pairing_actions import NOTE_MAX_LENGTH, create_unit_pairing
from gongjian.api_shapes import ErrorOut, ListPage, Ref
from orgs.models import Unit
from places.models import Area, AreaLevel

router = Router(tags=["checkin"])


class UnitPairingOut(Schema):
    id: UUID = Field(alias="public_id")
    unit: Ref
    community: Ref
    started_on: date
    ended_on: date | None
    note: str
    created_at: datetime


class UnitPairingQuery(Schema):
    unit: UUID | None = None
    community: UUID | None = None
    active_on: date | None = Field(None, description="Only pairings in force on this day.")


class UnitPairingIn(Schema):
    unit: UUID
    community: UUID
    started_on: date
    ended_on: date | None = None
    note: str = Field("", max_length=NOTE_MAX_LENGTH)


def _pairings(request: HttpRequest) -> QuerySet[UnitPairing]:
    return UnitPairing.objects.visible_to(request.auth).select_related("unit", "community")


@router.get("/unit-pairings", response=list[UnitPairingOut])
@paginate(ListPage)
def list_unit_pairings(request: HttpRequest, filters: Query[UnitPairingQuery]):
    """Unit↔community pairings (结对共建) the caller may see: of communities in their areas and of
    their units. Roles: areas, unit admin, inspector; else 403."""
    require_roles(request, PAIRING_ROLES)
    pairings = _pairings(request)
    if filters.unit:
        pairings = pairings.filter(unit__public_id=filters.unit)
    if filters.community:
        pairings = pairings.filter(community__public_id=filters.community)
    if filters.active_on:
        pairings = pairings.active_on(filters.active_on)
    return pairings


@router.get("/unit-pairings/{pairing_id}", response={200: UnitPairingOut, 404: ErrorOut})
def get_unit_pairing(request: HttpRequest, pairing_id: UUID):
    """One pairing. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, PAIRING_ROLES)
    return get_object_or_404(_pairings(request), public_id=pairing_id)


@router.post("/unit-pairings", response={201: UnitPairingOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_pairing(request: HttpRequest, payload: UnitPairingIn):
    """Pair a unit with a community of the caller's street, from ``started_on`` (to ``ended_on``).
    Overlapping pairings of the same unit and community are refused (422).
    Role: street committee (or platform admin); else 403."""
    require_roles(request, (Role.STREET,))
    # Unit and community are looked up city-wide: a street's partners are often located elsewhere,
    # and the action decides whether this street may pair this community.
    unit = Unit.objects.filter(public_id=payload.unit).first()
    if unit is None:
        raise ValidationError(_("Choose a unit."))
    community = Area.objects.filter(public_id=payload.community, level=AreaLevel.COMMUNITY).first()
    if community is None:
        raise ValidationError(_("Choose a community."))
    pairing = create_unit_pairing(
        acting_user=request.auth,
        unit=unit,
        community=community,
        started_on=payload.started_on,
        ended_on=payload.ended_on,
        note=payload.note,
        request=request,
    )
    return Status(201, pairing)
