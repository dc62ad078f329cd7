"""Pages that keep the organisations registry (分级管理): party organisations (found, change, merge,
dissolve), their posts (appoint, end a term), units and their party admins. Who keeps what is
orgs/access.py; every change calls orgs/actions.py through ``run_action`` (a refusal shows on the form,
with what was typed).

A wrong role answers 403 (``role_required``), an object outside the scope 404 (``get_visible_or_404``),
an object seen but not kept (a unit located in another district, seen through its members) 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from gongjian.pages import get_visible_or_404, lookup_or_404, run_action
from orgs import actions
from orgs.access import (
    ORG_KEEPER_ROLES,
    UNIT_KEEPER_ROLES,
    admin_grants,
    keeps_party_org,
    keeps_unit,
    org_keeping_areas,
)
from orgs.forms import MergeForm, PartyOrgForm, PostForm, UnitForm
from orgs.models import PartyOrg, Post, Unit
from places.keeping import end_holding, form_page, holders_page
from places.models import Compound, Grid


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _org_choices(user: Any, *, exclude: PartyOrg | None = None) -> dict[str, Any]:
    """What an organisation may be placed under and attached to, among what the user sees."""
    parents = PartyOrg.objects.visible_to(user).active().order_by("path")
    if exclude is not None:
        parents = parents.exclude(pk=exclude.pk)
    return {
        "parents": parents,
        "areas": org_keeping_areas(user).order_by("path"),
        "units": Unit.objects.visible_to(user).order_by("name"),
        "compounds": Compound.objects.visible_to(user).in_use().select_related("community").order_by("name"),
        "grids": Grid.objects.visible_to(user).order_by("path"),
    }


def _org_crumbs(org: PartyOrg | None = None) -> list[dict]:
    crumbs = [{"label": _("Party organisations"), "url": reverse("orgs:party_org_list")}]
    if org is not None:
        crumbs.append({"label": org.name, "url": reverse("orgs:party_org_detail", args=[org.public_id])})
    return crumbs


# --- party organisations --------------------------------------------------------------------------


@role_required(*ORG_KEEPER_ROLES)
def party_org_new(request: HttpRequest) -> HttpResponse:
    """Found a party organisation in an area the user keeps (``?parent=`` chooses its parent)."""
    initial = {"parent": request.GET["parent"]} if request.GET.get("parent") else {}
    form = PartyOrgForm(request.POST or None, initial=initial, **_org_choices(request.user))
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.create_party_org,
            form=form,
            success=_("The party organisation is founded."),
            **form.cleaned_data,
        )
        if done.ok and done.result is not None:
            return redirect("orgs:party_org_detail", public_id=done.result.public_id)
    return form_page(
        request,
        form,
        title=_("Found a party organisation"),
        submit=_("Found it"),
        cancel=reverse("orgs:party_org_list"),
        crumbs=_org_crumbs(),
    )


def _kept_org(request: HttpRequest, public_id: object) -> PartyOrg:
    org = get_visible_or_404(
        PartyOrg.objects.select_related("parent", "area", "unit__address_area", "grid", "compound"),
        request.user,
        public_id,
    )
    _require(keeps_party_org(request.user, org))
    return org


def _pid(obj: Any) -> Any:
    return obj.public_id if obj is not None else None


@role_required(*ORG_KEEPER_ROLES)
def party_org_edit(request: HttpRequest, public_id: object) -> HttpResponse:
    """Change an organisation: name, kind, attachments, parent (no cycle); dissolve or merge it."""
    org = _kept_org(request, public_id)
    initial = {
        "name": org.name,
        "kind": org.kind,
        "parent": _pid(org.parent),
        "area": _pid(org.area),
        "unit": _pid(org.unit),
        "compound": _pid(org.compound),
        "grid": _pid(org.grid),
        "founded_on": org.founded_on,
    }
    form = PartyOrgForm(
        request.POST or None, initial=initial, editing=True, **_org_choices(request.user, exclude=org)
    )
    back = reverse("orgs:party_org_detail", args=[org.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.update_party_org,
            form=form,
            party_org=org,
            success=_("The party organisation is changed."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Change the party organisation"),
        subtitle=f"{org.name} · {org.code}",
        submit=_("Save"),
        cancel=back,
        crumbs=_org_crumbs(org),
        side_actions=[
            {
                "url": reverse("orgs:party_org_dissolve", args=[org.public_id]),
                "label": _("Dissolve"),
                "note": _("Only once it has no members and no organisations under it."),
            }
        ],
    )


@role_required(*ORG_KEEPER_ROLES)
def party_org_merge(request: HttpRequest, public_id: object) -> HttpResponse:
    """Merge the organisation into another: its members and sub-organisations move there."""
    org = _kept_org(request, public_id)
    survivors = PartyOrg.objects.visible_to(request.user).active().exclude(pk=org.pk).order_by("path")
    form = MergeForm(request.POST or None, survivors=survivors)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.merge_party_orgs,
            form=form,
            party_org=org,
            into=form.cleaned_data["into"],
            success=_("The organisations are merged."),
        )
        if done.ok and done.result is not None:
            return redirect("orgs:party_org_detail", public_id=done.result.public_id)
    return form_page(
        request,
        form,
        title=_("Merge into another organisation"),
        subtitle=f"{org.name} · {org.code}",
        submit=_("Merge"),
        cancel=reverse("orgs:party_org_detail", args=[org.public_id]),
        crumbs=_org_crumbs(org),
    )


@require_POST
@role_required(*ORG_KEEPER_ROLES)
def party_org_dissolve(request: HttpRequest, public_id: object) -> HttpResponse:
    org = _kept_org(request, public_id)
    run_action(
        request, actions.dissolve_party_org, party_org=org, success=_("The party organisation is dissolved.")
    )
    return redirect("orgs:party_org_detail", public_id=org.public_id)


# --- posts ----------------------------------------------------------------------------------------


@role_required(*ORG_KEEPER_ROLES)
def post_new(request: HttpRequest, public_id: object) -> HttpResponse:
    """Appoint a post holder in the organisation."""
    org = _kept_org(request, public_id)
    form = PostForm(request.POST or None, units=Unit.objects.visible_to(request.user).order_by("name"))
    back = reverse("orgs:party_org_detail", args=[org.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.appoint_post,
            form=form,
            party_org=org,
            success=_("The post holder is appointed."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Appoint a post holder"),
        subtitle=org.name,
        submit=_("Appoint"),
        cancel=back,
        crumbs=_org_crumbs(org),
    )


@require_POST
@role_required(*ORG_KEEPER_ROLES)
def post_end(request: HttpRequest, public_id: object, post_id: object) -> HttpResponse:
    """End a post holder's term today."""
    org = _kept_org(request, public_id)
    post = lookup_or_404(Post.objects.filter(party_org=org), post_id)
    run_action(request, actions.end_post, post=post, success=_("The term has ended."))
    return redirect("orgs:party_org_detail", public_id=org.public_id)


# --- units ----------------------------------------------------------------------------------------


def _unit_crumbs(unit: Unit | None = None) -> list[dict]:
    crumbs = [{"label": _("Units"), "url": reverse("orgs:unit_list")}]
    if unit is not None:
        crumbs.append({"label": unit.name, "url": reverse("orgs:unit_detail", args=[unit.public_id])})
    return crumbs


@role_required(*UNIT_KEEPER_ROLES)
def unit_new(request: HttpRequest) -> HttpResponse:
    form = UnitForm(request.POST or None, areas=org_keeping_areas(request.user).order_by("path"))
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request, actions.create_unit, form=form, success=_("The unit is registered."), **form.cleaned_data
        )
        if done.ok and done.result is not None:
            return redirect("orgs:unit_detail", public_id=done.result.public_id)
    return form_page(
        request,
        form,
        title=_("Register a unit"),
        submit=_("Register"),
        cancel=reverse("orgs:unit_list"),
        crumbs=_unit_crumbs(),
    )


def _kept_unit(request: HttpRequest, public_id: object) -> Unit:
    unit = get_visible_or_404(Unit.objects.select_related("address_area"), request.user, public_id)
    _require(keeps_unit(request.user, unit))
    return unit


@role_required(*UNIT_KEEPER_ROLES)
def unit_edit(request: HttpRequest, public_id: object) -> HttpResponse:
    unit = _kept_unit(request, public_id)
    initial = {
        "name": unit.name,
        "kind": unit.kind,
        "address_area": unit.address_area.public_id,
        "credit_code": unit.credit_code,
        "address": unit.address,
        "contact_name": unit.contact_name,
    }
    form = UnitForm(
        request.POST or None, areas=org_keeping_areas(request.user).order_by("path"), initial=initial
    )
    back = reverse("orgs:unit_detail", args=[unit.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.update_unit,
            form=form,
            unit=unit,
            success=_("The unit is changed."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Change the unit"),
        subtitle=unit.name,
        submit=_("Save"),
        cancel=back,
        crumbs=_unit_crumbs(unit),
    )


@role_required(*UNIT_KEEPER_ROLES)
def unit_admins(request: HttpRequest, public_id: object) -> HttpResponse:
    """The unit's party admins, and a form naming another one by phone (one person, one account)."""
    unit = _kept_unit(request, public_id)
    return holders_page(
        request,
        grants=admin_grants(unit),
        remove_url=lambda grant: reverse("orgs:unit_admin_remove", args=[unit.public_id, grant.public_id]),
        grant=actions.grant_unit_admin,
        held={"unit": unit},
        here=reverse("orgs:unit_admins", args=[unit.public_id]),
        success=_("The unit's party admin is named."),
        title=_("Unit party admins"),
        subtitle=unit.name,
        submit=_("Name a party admin"),
        cancel=reverse("orgs:unit_detail", args=[unit.public_id]),
        crumbs=_unit_crumbs(unit),
        rows_label=_("Party admins of this unit"),
        rows_empty=_("This unit has no party admin yet."),
        export="unit_admins",
        export_query=f"unit={unit.public_id}",
    )


@require_POST
@role_required(*UNIT_KEEPER_ROLES)
def unit_admin_remove(request: HttpRequest, public_id: object, grant_id: object) -> HttpResponse:
    unit = _kept_unit(request, public_id)
    return end_holding(
        request,
        grants=admin_grants(unit),
        grant_id=grant_id,
        revoke=actions.revoke_unit_admin,
        success=_("The party admin's role has ended."),
        back=reverse("orgs:unit_admins", args=[unit.public_id]),
    )
