"""Writes to units, party organisations and their posts.

Who may make each change is written once in orgs/access.py (the organisation department and the street
over the place); the actions ask it, so the pages, the API and imports follow the same rule. A refused
change raises ValidationError or PermissionDenied with its reason and changes nothing.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from orgs.access import (
    require_keeps_orgs_in,
    require_keeps_party_org,
    require_keeps_unit,
    require_keeps_units_in,
)
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from places.models import AreaLevel
from places.paths import child_path, subtree_q

if TYPE_CHECKING:
    from accounts.models import RoleGrant, User
    from people.models import Member
    from places.models import Area, Compound, Grid

NAME_MAX = 128
ORG_CODE_MAX = 32
PATH_MAX = 255
# 统一社会信用代码: 18 characters of digits and capitals without I, O, Z, S, V (GB 32100-2015).
CREDIT_CODE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give it a name."))
    if len(name) > NAME_MAX:
        raise ValidationError(_("A name has at most %(n)d characters.") % {"n": NAME_MAX})
    return name


# --- units ----------------------------------------------------------------------------------------


def _check_unit(
    name: str, kind: str, credit_code: str, address_area: Area, *, exclude: Unit | None = None
) -> str:
    """The unit's name, kind and credit code are sound and not another unit's; the credit code cleaned."""
    others = Unit.objects.exclude(pk=exclude.pk) if exclude is not None else Unit.objects.all()
    if others.filter(name=name).exists():
        raise ValidationError(_("A unit named %(name)s exists already.") % {"name": name})
    if kind not in UnitKind.values:
        raise ValidationError(_("Choose the kind of unit."))
    credit_code = (credit_code or "").strip().upper()
    if credit_code:
        if not CREDIT_CODE.fullmatch(credit_code):
            raise ValidationError(_("A unified social credit code has 18 digits and capital letters."))
        if others.filter(credit_code=credit_code).exists():
            raise ValidationError(_("Another unit has the credit code %(code)s.") % {"code": credit_code})
    if address_area.level not in (AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.CITY):
        raise ValidationError(_("Choose where the unit is located."))
    return credit_code


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
    """Register a unit (驻区单位, 职能部门) where it is located. Kept by the organisation department and
    the street over that place (orgs/access.py)."""
    require_keeps_units_in(acting_user, address_area)
    name = _name(name)
    credit_code = _check_unit(name, kind, credit_code, address_area)
    unit = Unit.objects.create(
        name=name,
        kind=kind,
        address_area=address_area,
        credit_code=credit_code,
        address=(address or "").strip()[:200],
        contact_name=(contact_name or "").strip()[:32],
    )
    record_event(actor=acting_user, action="unit.create", target=unit, request=request)
    return unit


@transaction.atomic
def update_unit(
    *,
    acting_user: User | None,
    unit: Unit,
    name: str,
    kind: str,
    address_area: Area,
    credit_code: str = "",
    address: str = "",
    contact_name: str = "",
    request: HttpRequest | None = None,
) -> Unit:
    """Change a unit's facts; moving it elsewhere needs the keeper of both places, and its members'
    copies of its place follow (they decide who sees them)."""
    from people.actions import refresh_place_paths
    from people.models import Member

    unit = Unit.objects.select_for_update().select_related("address_area").get(pk=unit.pk)
    require_keeps_unit(acting_user, unit)
    require_keeps_units_in(acting_user, address_area)
    name = _name(name)
    credit_code = _check_unit(name, kind, credit_code, address_area, exclude=unit)
    before = {"name": unit.name, "kind": unit.kind, "area": unit.address_area.code}
    moved = unit.address_area_id != address_area.pk
    unit.name, unit.kind, unit.address_area, unit.credit_code = name, kind, address_area, credit_code
    unit.address, unit.contact_name = (address or "").strip()[:200], (contact_name or "").strip()[:32]
    unit.save()
    if moved:
        refresh_place_paths(members=Member.objects.filter(unit=unit))
    record_event(
        actor=acting_user, action="unit.update", target=unit, request=request, detail={"before": before}
    )
    return unit


@transaction.atomic
def grant_unit_admin(
    *,
    acting_user: User | None,
    unit: Unit,
    full_name: str,
    phone: str,
    request: HttpRequest | None = None,
) -> RoleGrant:
    """Make a person the unit's party admin: their account, found by phone (one person, one account) or
    made without a password, gets the unit admin role over the unit."""
    from accounts.by_phone import grant_role_by_phone
    from accounts.models import Role

    require_keeps_unit(acting_user, unit)
    return grant_role_by_phone(
        acting_user=acting_user,
        role=Role.UNIT_ADMIN,
        unit=unit,
        full_name=full_name,
        phone=phone,
        already=_("%(name)s is already a party admin of this unit."),
        request=request,
    )


@transaction.atomic
def revoke_unit_admin(
    *, acting_user: User | None, grant: RoleGrant, request: HttpRequest | None = None
) -> None:
    """End a person's unit admin role (the account and its other roles stay)."""
    from accounts.actions import revoke_role
    from accounts.models import Role

    if grant.role != Role.UNIT_ADMIN or grant.unit is None:
        raise ValidationError(_("This is not a unit admin's role."))
    require_keeps_unit(acting_user, grant.unit)
    revoke_role(acting_user=acting_user, grant=grant, request=request)


# --- party organisations --------------------------------------------------------------------------


def _check_attachments(
    kind: str, area: Area | None, unit: Unit | None, grid: Grid | None, compound: Compound | None
) -> None:
    if area is None and unit is None:
        raise ValidationError(_("A party organisation is attached to an area or to a unit."))
    if kind not in PartyOrgKind.values:
        raise ValidationError(_("Choose the kind of organisation."))
    if kind == PartyOrgKind.GRID_BRANCH and grid is None:
        raise ValidationError(_("A grid branch needs its grid."))
    if kind == PartyOrgKind.COMPOUND and compound is None:
        raise ValidationError(_("A compound organisation needs its compound."))
    if area is not None and compound is not None and not compound.community.path.startswith(area.path):
        raise ValidationError(_("The compound must lie in the organisation's area."))


def _check_parent(parent: PartyOrg | None, org: PartyOrg | None = None) -> None:
    if parent is None:
        return
    if parent.dissolved_on is not None:
        raise ValidationError(_("%(org)s is dissolved: choose another parent.") % {"org": parent.name})
    if org is not None and parent.path.startswith(org.path):
        raise ValidationError(
            _("%(parent)s lies under %(org)s: an organisation cannot sit under itself.")
            % {"parent": parent.name, "org": org.name}
        )


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
    _check_attachments(kind, area, unit, grid, compound)
    require_keeps_orgs_in(acting_user, area if area is not None else unit.address_area)  # type: ignore[union-attr]
    _check_parent(parent)
    code = (code or "").strip()
    if not code or len(code) > ORG_CODE_MAX or "." in code:
        raise ValidationError(
            _("An organisation code has 1 to %(n)d characters and no dot.") % {"n": ORG_CODE_MAX}
        )
    if PartyOrg.objects.filter(code=code).exists():
        raise ValidationError(_("The organisation code %(code)s is taken.") % {"code": code})
    path = child_path(parent.path if parent else None, code)
    if len(path) > PATH_MAX:
        raise ValidationError(_("The organisation tree is too deep here."))
    org = PartyOrg.objects.create(
        name=_name(name),
        kind=kind,
        code=code,
        parent=parent,
        area=area,
        unit=unit,
        grid=grid,
        compound=compound,
        founded_on=founded_on,
        path=path,
    )
    record_event(actor=acting_user, action="party_org.create", target=org, request=request)
    return org


def _subtree(org: PartyOrg) -> list[PartyOrg]:
    """The organisation and everything below it, locked."""
    return list(PartyOrg.objects.select_for_update().filter(subtree_q("path", org.path)).order_by("path"))


def _move_under(org: PartyOrg, parent: PartyOrg | None) -> int:
    """Re-root ``org``'s subtree under ``parent``: each path keeps its tail after the new prefix."""
    old = org.path
    new = child_path(parent.path if parent else None, org.code)
    rows = _subtree(org)
    for row in rows:
        row.path = new + row.path[len(old) :]
        if len(row.path) > PATH_MAX:
            raise ValidationError(_("The organisation tree is too deep here."))
    PartyOrg.objects.bulk_update(rows, ["path"], batch_size=500)
    org.parent, org.path = parent, new
    org.save(update_fields=["parent", "path"])
    return len(rows)


def _locked_org(org: PartyOrg) -> PartyOrg:
    return (
        PartyOrg.objects.select_for_update(of=("self",))
        .select_related("area", "unit__address_area", "parent")
        .get(pk=org.pk)
    )


@transaction.atomic
def update_party_org(
    *,
    acting_user: User | None,
    party_org: PartyOrg,
    name: str,
    kind: str,
    parent: PartyOrg | None = None,
    area: Area | None = None,
    unit: Unit | None = None,
    grid: Grid | None = None,
    compound: Compound | None = None,
    founded_on: date | None = None,
    request: HttpRequest | None = None,
) -> PartyOrg:
    """Change an organisation: its name and kind, what it is attached to (area, unit, compound, grid)
    and its parent organisation. The tree cannot get a cycle: a parent below the organisation itself
    is refused. Its keeper must keep both its old and its new place."""
    org = _locked_org(party_org)
    require_keeps_party_org(acting_user, org)
    if org.dissolved_on is not None:
        raise ValidationError(_("%(org)s is dissolved.") % {"org": org.name})
    _check_attachments(kind, area, unit, grid, compound)
    require_keeps_orgs_in(acting_user, area if area is not None else unit.address_area)  # type: ignore[union-attr]
    _check_parent(parent, org)
    before = {
        "name": org.name,
        "kind": org.kind,
        "parent": org.parent.code if org.parent else "",
        "area": org.area.code if org.area else "",
        "unit": org.unit.name if org.unit else "",
    }
    org.name, org.kind, org.area, org.unit = _name(name), kind, area, unit
    org.grid, org.compound, org.founded_on = grid, compound, founded_on
    org.save(update_fields=["name", "kind", "area", "unit", "grid", "compound", "founded_on"])
    moved = 0
    if org.parent_id != (parent.pk if parent else None):
        moved = _move_under(org, parent)
    record_event(
        actor=acting_user,
        action="party_org.update",
        target=org,
        request=request,
        detail={"before": before, "parent": parent.code if parent else "", "moved": moved},
    )
    return org


def _still_has(org: PartyOrg) -> tuple[int, int]:
    from people.models import Member

    members = Member.objects.filter(party_org=org).count()
    children = PartyOrg.objects.active().filter(parent=org).count()
    return members, children


def _end_posts(org: PartyOrg, on: date) -> int:
    return Post.objects.current().filter(party_org=org).update(ended_on=on)


@transaction.atomic
def dissolve_party_org(
    *, acting_user: User | None, party_org: PartyOrg, request: HttpRequest | None = None
) -> PartyOrg:
    """Dissolve an organisation (撤销): refused while it still has members or organisations under it
    (move them first, or merge it into another). Its current posts end today."""
    org = _locked_org(party_org)
    require_keeps_party_org(acting_user, org)
    if org.dissolved_on is not None:
        raise ValidationError(_("%(org)s is dissolved already.") % {"org": org.name})
    members, children = _still_has(org)
    if members or children:
        raise ValidationError(
            _(
                "%(org)s still has %(members)d members and %(children)d organisations under it: "
                "move them first, or merge it into another organisation."
            )
            % {"org": org.name, "members": members, "children": children}
        )
    today = timezone.localdate()
    ended = _end_posts(org, today)
    org.dissolved_on = today
    org.save(update_fields=["dissolved_on"])
    record_event(
        actor=acting_user,
        action="party_org.dissolve",
        target=org,
        request=request,
        detail={"posts_ended": ended},
    )
    return org


@transaction.atomic
def merge_party_orgs(
    *,
    acting_user: User | None,
    party_org: PartyOrg,
    into: PartyOrg,
    request: HttpRequest | None = None,
) -> PartyOrg:
    """Merge ``party_org`` into ``into`` (the survivor): its members, its applicants and the
    organisations under it move to the survivor; its posts end and it is dissolved. The survivor may
    not lie under it (a cycle)."""
    from people.models import Applicant, Member

    org, survivor = _locked_org(party_org), _locked_org(into)
    require_keeps_party_org(acting_user, org)
    require_keeps_party_org(acting_user, survivor)
    if org.pk == survivor.pk:
        raise ValidationError(_("Choose another organisation to merge into."))
    for one in (org, survivor):
        if one.dissolved_on is not None:
            raise ValidationError(_("%(org)s is dissolved already.") % {"org": one.name})
    if survivor.path.startswith(org.path):
        raise ValidationError(
            _("%(survivor)s lies under %(org)s: merge the other way round, or move it first.")
            % {"survivor": survivor.name, "org": org.name}
        )
    members = Member.objects.filter(party_org=org).update(party_org=survivor)
    applicants = Applicant.objects.filter(party_org=org).update(party_org=survivor)
    children = list(PartyOrg.objects.filter(parent=org).order_by("path"))
    for child in children:
        _move_under(child, survivor)
    today = timezone.localdate()
    ended = _end_posts(org, today)
    org.dissolved_on = today
    org.save(update_fields=["dissolved_on"])
    record_event(
        actor=acting_user,
        action="party_org.merge",
        target=org,
        request=request,
        detail={
            "into": str(survivor.public_id),
            "into_name": survivor.name,
            "members": members,
            "applicants": applicants,
            "children": len(children),
            "posts_ended": ended,
        },
    )
    return survivor


# --- posts ----------------------------------------------------------------------------------------


def _check_post(org: PartyOrg, title: str, holder_name: str, from_unit: Unit | None) -> str:
    if org.dissolved_on is not None:
        raise ValidationError(_("%(org)s is dissolved.") % {"org": org.name})
    if title not in PostTitle.values:
        raise ValidationError(_("Choose the post."))
    holder_name = (holder_name or "").strip()
    if not holder_name:
        raise ValidationError(_("Give the holder's name."))
    if title in (PostTitle.PART_TIME, PostTitle.FIRST_SECRETARY) and from_unit is None:
        raise ValidationError(
            _("A part-time committee member or a first secretary is sent by a unit: choose it.")
        )
    if title == PostTitle.FIRST_SECRETARY and (org.area is None or org.area.level != AreaLevel.COMMUNITY):
        raise ValidationError(_("A first secretary is sent to a community's party organisation."))
    return holder_name[:32]


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
    """Appoint a post holder (secretary, deputy, committee member, 兼职委员 from a unit, 第一书记 sent
    to a community) from a date; the term runs until ended."""
    require_keeps_party_org(acting_user, party_org)
    holder_name = _check_post(party_org, title, holder_name or (member.name if member else ""), from_unit)
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
        detail={"title": title, "holder": holder_name, "post": str(post.public_id)},
    )
    return post


@transaction.atomic
def end_post(
    *, acting_user: User | None, post: Post, ended_on: date | None = None, request: HttpRequest | None = None
) -> Post:
    """End a term (换届, 调离): the post stays on record with its dates."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("party_org__area", "party_org__unit")
        .get(pk=post.pk)
    )
    require_keeps_party_org(acting_user, post.party_org)
    if post.ended_on is not None:
        raise ValidationError(_("This term has ended already."))
    ended_on = ended_on or timezone.localdate()
    if post.started_on is not None and ended_on < post.started_on:
        raise ValidationError(_("A term cannot end before it started."))
    post.ended_on = ended_on
    post.save(update_fields=["ended_on"])
    record_event(
        actor=acting_user,
        action="post.end",
        target=post.party_org,
        request=request,
        detail={"title": post.title, "holder": post.holder_name, "post": str(post.public_id)},
    )
    return post
