"""API writes of the organisations registry (分级管理): party organisations (found, change, merge,
dissolve), their posts (appoint, end a term), units and their party admins. Rules in orgs/actions.py,
who keeps what in orgs/access.py (the organisation department and the street over the place); reads in
orgs/api.py.

A wrong role answers 403; an object in the path outside the caller's scope 404, like a missing one; an
object named in the body that does not exist or lies outside the scope 422 (saying which); a refused
change 422 (ValidationError: a cycle, a duplicate code, a dissolved organisation that still has
members…) or 403 (an object seen but not kept), changing nothing.

The operations join the reads' router (places.api.router, orgs.api.router; gongjian/api.py mounts it
from here): ninja answers a path from one router only, so a second router's POST /compounds beside
GET /compounds would never be reached.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from accounts.api import require_roles
from accounts.roles import ORG_CHART_ROLES
from gongjian.api_shapes import ErrorOut, Ref, one_of
from orgs import actions
from orgs.access import (
    ORG_KEEPER_ROLES,
    UNIT_KEEPER_ROLES,
    admin_grants,
    keeps_party_org,
    keeps_unit,
    org_keeping_areas,
)
from orgs.api import PartyOrgOut, UnitOut, router
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from places.models import Area, Compound, Grid
from places.write_api import (
    RoleHolderIn,
    RoleHolderOut,
    end_holder,
    name_holder,
    require_kept,
)

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PartyOrgIn(Schema):
    name: str = Field(..., min_length=1, max_length=128)
    kind: PartyOrgKind
    code: str = Field(..., min_length=1, max_length=32, description="Unique; makes the organisation's path.")
    parent: UUID | None = Field(None, description="The parent organisation (one the caller sees).")
    area: UUID | None = Field(None, description="Attached to this area (one the caller keeps).")
    unit: UUID | None = Field(None, description="Attached to this unit (area or unit needed).")
    compound: UUID | None = Field(None, description="Needed for a compound organisation (兼合式).")
    grid: UUID | None = Field(None, description="Needed for a grid branch.")
    founded_on: date | None = None


class PartyOrgPatch(Schema):
    """Fields left out stay as they are; ``null`` clears an attachment or the parent."""

    name: str | None = Field(None, min_length=1, max_length=128)
    kind: PartyOrgKind | None = None
    parent: UUID | None = None
    area: UUID | None = None
    unit: UUID | None = None
    compound: UUID | None = None
    grid: UUID | None = None
    founded_on: date | None = None


class MergeIn(Schema):
    into: UUID = Field(description="The surviving organisation: members and sub-organisations move there.")


class OrgPostIn(Schema):
    title: PostTitle
    holder_name: str = Field(..., min_length=1, max_length=32)
    from_unit: UUID | None = Field(
        None, description="The sending unit: needed for part-time members and first secretaries."
    )
    started_on: date | None = None


class OrgPostOut(Schema):
    id: UUID = Field(alias="public_id")
    party_org: Ref
    title: PostTitle
    holder_name: str
    from_unit: Ref | None
    started_on: date | None
    ended_on: date | None


class EndTermIn(Schema):
    ended_on: date | None = Field(None, description="Omitted: today.")


class UnitRegistryIn(Schema):
    name: str = Field(..., min_length=1, max_length=128)
    kind: UnitKind
    address_area: UUID = Field(description="Where the unit is located (an area the caller keeps).")
    credit_code: str = Field("", max_length=18, description="统一社会信用代码, 18 characters; unique.")
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=32)


class UnitPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=128)
    kind: UnitKind | None = None
    address_area: UUID | None = None
    credit_code: str | None = Field(None, max_length=18)
    address: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=32)


def _refs(request: HttpRequest, payload: PartyOrgIn | PartyOrgPatch, org: PartyOrg | None = None) -> dict:
    """The objects the body names (each in the caller's scope); for a patch, those left out stay."""
    user = request.auth
    lookups = {
        "parent": (PartyOrg.objects.visible_to(user), _("No such parent organisation in your scope.")),
        "area": (Area.objects.visible_to(user), _("No such area in your scope.")),
        "unit": (
            Unit.objects.visible_to(user).select_related("address_area"),
            _("No such unit in your scope."),
        ),
        "compound": (
            Compound.objects.visible_to(user).select_related("community"),
            _("No such compound in your scope."),
        ),
        "grid": (Grid.objects.visible_to(user), _("No such grid in your scope.")),
    }
    found = {}
    for name, (queryset, message) in lookups.items():
        if org is not None and name not in payload.model_fields_set:
            found[name] = getattr(org, name)
        else:
            found[name] = one_of(queryset, getattr(payload, name), message)
    return found


def _kept_org(request: HttpRequest, party_org_id: UUID) -> PartyOrg:
    org = get_object_or_404(
        PartyOrg.objects.visible_to(request.auth).select_related(
            "parent", "area", "unit__address_area", "grid", "compound"
        ),
        public_id=party_org_id,
    )
    require_kept(keeps_party_org(request.auth, org))
    return org


def _org_out(org: PartyOrg) -> PartyOrg:
    return PartyOrg.objects.select_related("parent", "area", "unit", "grid", "compound").get(pk=org.pk)


# --- party organisations --------------------------------------------------------------------------


@router.post("/party-orgs", response={201: PartyOrgOut, **REFUSALS})
def create_party_org(request: HttpRequest, payload: PartyOrgIn):
    """Found a party organisation, attached to an area or a unit the caller keeps. A taken code, an unknown
    parent and a missing grid or compound are refused (422). Roles: org dept, street (ORG_KEEPER_ROLES)."""
    require_roles(request, ORG_KEEPER_ROLES)
    org = actions.create_party_org(
        acting_user=request.auth,
        name=payload.name,
        kind=payload.kind,
        code=payload.code,
        founded_on=payload.founded_on,
        request=request,
        **_refs(request, payload),
    )
    return Status(201, _org_out(org))


@router.patch("/party-orgs/{party_org_id}", response={200: PartyOrgOut, **REFUSALS})
def update_party_org(request: HttpRequest, party_org_id: UUID, payload: PartyOrgPatch):
    """Change an organisation; a parent below the organisation itself (a cycle) is refused (422).
    Roles: org dept, street."""
    require_roles(request, ORG_KEEPER_ROLES)
    org = _kept_org(request, party_org_id)
    fields = payload.model_fields_set
    actions.update_party_org(
        acting_user=request.auth,
        party_org=org,
        name=payload.name if payload.name is not None else org.name,
        kind=payload.kind if payload.kind is not None else org.kind,
        founded_on=payload.founded_on if "founded_on" in fields else org.founded_on,
        request=request,
        **_refs(request, payload, org),
    )
    return _org_out(org)


@router.post("/party-orgs/{party_org_id}/merge", response={200: PartyOrgOut, **REFUSALS})
def merge_party_org(request: HttpRequest, party_org_id: UUID, payload: MergeIn):
    """Merge the organisation into ``into``: members, applicants and sub-organisations move there, its posts
    end and it is dissolved; answers the survivor. Roles: org dept, street."""
    require_roles(request, ORG_KEEPER_ROLES)
    org = _kept_org(request, party_org_id)
    into = one_of(
        PartyOrg.objects.visible_to(request.auth).select_related("area", "unit__address_area"),
        payload.into,
        _("No such organisation in your scope."),
    )
    survivor = actions.merge_party_orgs(acting_user=request.auth, party_org=org, into=into, request=request)
    return _org_out(survivor)


@router.post("/party-orgs/{party_org_id}/dissolve", response={200: PartyOrgOut, **REFUSALS})
def dissolve_party_org(request: HttpRequest, party_org_id: UUID):
    """Dissolve an organisation: refused (422) while it has members or organisations under it. Roles: org
    dept, street."""
    require_roles(request, ORG_KEEPER_ROLES)
    org = actions.dissolve_party_org(
        acting_user=request.auth, party_org=_kept_org(request, party_org_id), request=request
    )
    return _org_out(org)


# --- posts ----------------------------------------------------------------------------------------


def _posts(request: HttpRequest) -> QuerySet[Post]:
    return Post.objects.filter(party_org__in=PartyOrg.objects.visible_to(request.auth)).select_related(
        "party_org", "from_unit"
    )


@router.get("/party-orgs/{party_org_id}/posts", response={200: list[OrgPostOut], **REFUSALS})
def list_posts(request: HttpRequest, party_org_id: UUID, current: bool = False):
    """The organisation's posts with their terms (``?current=true``: those not ended). Roles: ORG_CHART_ROLES."""
    require_roles(request, ORG_CHART_ROLES)
    org = get_object_or_404(PartyOrg.objects.visible_to(request.auth), public_id=party_org_id)
    posts = _posts(request).filter(party_org=org)
    if current:
        posts = posts.current()
    return list(posts.order_by("title", "started_on", "pk"))


@router.post("/party-orgs/{party_org_id}/posts", response={201: OrgPostOut, **REFUSALS})
def appoint_post(request: HttpRequest, party_org_id: UUID, payload: OrgPostIn):
    """Appoint a post holder: secretary, deputy, committee member, 兼职委员 (from a unit), 第一书记 (from a
    unit, to a community's organisation). Roles: org dept, street."""
    require_roles(request, ORG_KEEPER_ROLES)
    post = actions.appoint_post(
        acting_user=request.auth,
        party_org=_kept_org(request, party_org_id),
        title=payload.title,
        holder_name=payload.holder_name,
        from_unit=one_of(
            Unit.objects.visible_to(request.auth), payload.from_unit, _("No such unit in your scope.")
        ),
        started_on=payload.started_on,
        request=request,
    )
    return Status(201, _posts(request).get(pk=post.pk))


@router.post("/posts/{post_id}/end", response={200: OrgPostOut, **REFUSALS})
def end_post(request: HttpRequest, post_id: UUID, payload: EndTermIn):
    """End a post holder's term (the post stays on record). Roles: org dept, street."""
    require_roles(request, ORG_KEEPER_ROLES)
    post = get_object_or_404(_posts(request), public_id=post_id)
    require_kept(keeps_party_org(request.auth, post.party_org))
    actions.end_post(acting_user=request.auth, post=post, ended_on=payload.ended_on, request=request)
    return _posts(request).get(pk=post.pk)


# --- units ----------------------------------------------------------------------------------------


def _area(request: HttpRequest, public_id: UUID) -> Area:
    return one_of(org_keeping_areas(request.auth), public_id, _("No such area among those you keep."))


def _kept_unit(request: HttpRequest, unit_id: UUID) -> Unit:
    unit = get_object_or_404(
        Unit.objects.visible_to(request.auth).select_related("address_area"), public_id=unit_id
    )
    require_kept(keeps_unit(request.auth, unit))
    return unit


@router.post("/units", response={201: UnitOut, **REFUSALS})
def create_unit(request: HttpRequest, payload: UnitRegistryIn):
    """Register a unit where it is located; a taken name or credit code is refused (422). Roles: org dept,
    street (UNIT_KEEPER_ROLES)."""
    require_roles(request, UNIT_KEEPER_ROLES)
    unit = actions.create_unit(
        acting_user=request.auth,
        name=payload.name,
        kind=payload.kind,
        address_area=_area(request, payload.address_area),
        credit_code=payload.credit_code,
        address=payload.address,
        contact_name=payload.contact_name,
        request=request,
    )
    return Status(201, unit)


@router.patch("/units/{unit_id}", response={200: UnitOut, **REFUSALS})
def update_unit(request: HttpRequest, unit_id: UUID, payload: UnitPatch):
    """Change a unit (fields left out stay); moving it needs the keeper of both places. Roles: org dept,
    street."""
    require_roles(request, UNIT_KEEPER_ROLES)
    unit = _kept_unit(request, unit_id)

    def given(name: str):
        value = getattr(payload, name)
        return value if value is not None else getattr(unit, name)

    return actions.update_unit(
        acting_user=request.auth,
        unit=unit,
        name=given("name"),
        kind=given("kind"),
        address_area=_area(request, payload.address_area) if payload.address_area else unit.address_area,
        credit_code=given("credit_code"),
        address=given("address"),
        contact_name=given("contact_name"),
        request=request,
    )


@router.get("/units/{unit_id}/admins", response={200: list[RoleHolderOut], **REFUSALS})
def list_unit_admins(request: HttpRequest, unit_id: UUID):
    """The unit's party admins, phones masked. Roles: org dept, street."""
    require_roles(request, UNIT_KEEPER_ROLES)
    return list(admin_grants(_kept_unit(request, unit_id)))


@router.post("/units/{unit_id}/admins", response={201: RoleHolderOut, **REFUSALS})
def add_unit_admin(request: HttpRequest, unit_id: UUID, payload: RoleHolderIn):
    """Name a unit party admin by phone: the person's one account (or a new one, without a password) gets
    the unit admin role over the unit. Roles: org dept, street."""
    require_roles(request, UNIT_KEEPER_ROLES)
    return name_holder(
        request, payload, grant=actions.grant_unit_admin, held={"unit": _kept_unit(request, unit_id)}
    )


@router.delete("/units/{unit_id}/admins/{grant_id}", response={204: None, **REFUSALS})
def remove_unit_admin(request: HttpRequest, unit_id: UUID, grant_id: UUID):
    """End a unit party admin's role (the account stays). Roles: org dept, street."""
    require_roles(request, UNIT_KEEPER_ROLES)
    return end_holder(
        request, admin_grants(_kept_unit(request, unit_id)), grant_id, revoke=actions.revoke_unit_admin
    )
