"""Writes to units, party organisations and their posts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit.actions import record_event
from orgs.models import PartyOrg, PartyOrgKind, Post, Unit
from places.paths import child_path

if TYPE_CHECKING:
    from accounts.models import User
    from people.models import Member
    from places.models import Area, Compound, Grid


@transaction.atomic
def create_unit(
    *,
    acting_user: User | None,
    name: str,
    kind: str,
    address_area: Area,
    credit_code: str = "",
    address: str = "",
    contact_name: str = "",
    request: HttpRequest | None = None,
) -> Unit:
    if Unit.objects.filter(name=name.strip()).exists():
        raise ValidationError(_("A unit named %(name)s exists already.") % {"name": name})
    unit = Unit.objects.create(
        name=name.strip(),
        kind=kind,
        address_area=address_area,
        credit_code=credit_code,
        address=address,
        contact_name=contact_name,
    )
    record_event(actor=acting_user, action="unit.create", target=unit, request=request)
    return unit


@transaction.atomic
def create_party_org(
    *,
    acting_user: User | None,
    name: str,
    kind: str,
    code: str,
    parent: PartyOrg | None = None,
    area: Area | None = None,
    unit: Unit | None = None,
    grid: Grid | None = None,
    compound: Compound | None = None,
    founded_on: date | None = None,
    request: HttpRequest | None = None,
) -> PartyOrg:
    """Found a party organisation, attached to an area or a unit, under its parent organisation."""
    if area is None and unit is None:
        raise ValidationError(_("A party organisation is attached to an area or to a unit."))
    if kind == PartyOrgKind.GRID_BRANCH and grid is None:
        raise ValidationError(_("A grid branch needs its grid."))
    if kind == PartyOrgKind.COMPOUND and compound is None:
        raise ValidationError(_("A compound organisation needs its compound."))
    if PartyOrg.objects.filter(code=code).exists():
        raise ValidationError(_("The organisation code %(code)s is taken.") % {"code": code})
    org = PartyOrg.objects.create(
        name=name.strip(),
        kind=kind,
        code=code,
        parent=parent,
        area=area,
        unit=unit,
        grid=grid,
        compound=compound,
        founded_on=founded_on,
        path=child_path(parent.path if parent else None, code),
    )
    record_event(actor=acting_user, action="party_org.create", target=org, request=request)
    return org


@transaction.atomic
def appoint_post(
    *,
    acting_user: User | None,
    party_org: PartyOrg,
    title: str,
    holder_name: str,
    member: Member | None = None,
    from_unit: Unit | None = None,
    started_on: date | None = None,
    request: HttpRequest | None = None,
) -> Post:
    post = Post.objects.create(
        party_org=party_org,
        title=title,
        holder_name=holder_name,
        member=member,
        from_unit=from_unit,
        started_on=started_on,
    )
    record_event(
        actor=acting_user,
        action="post.appoint",
        target=party_org,
        request=request,
        detail={"title": title, "holder": holder_name},
    )
    return post
