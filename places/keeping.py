"""Pages that keep the places registry (分级管理): compounds and buildings (the community and its street),
grids with their workers and buildings (the street). Who keeps what is places/access.py; every change
calls places/actions.py through ``run_action`` (a refusal shows on the form, with what was typed).

A wrong role answers 403 (``role_required``), a place outside the scope 404 (``get_visible_or_404``),
a place seen but not kept (a street's level-1 grid seen by a community) 403."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from gongjian.pages import get_visible_or_404, lookup_or_404, run_action
from places import actions
from places.access import (
    GRID_KEEPER_ROLES,
    PLACE_KEEPER_ROLES,
    keeps_grids,
    keeps_places,
    kept_communities,
    kept_streets,
    worker_grants,
)
from places.forms import BuildingForm, CompoundForm, GridBuildingsForm, GridForm, PersonForm
from places.models import Area, AreaLevel, Building, Compound, Grid


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    submit: str,
    cancel: str,
    subtitle: str = "",
    crumbs: list[dict] | None = None,
    side_actions: list[dict] | None = None,
    rows: list[dict] | None = None,
    rows_label: str = "",
    rows_empty: str = "",
    export: str = "",
    export_query: str = "",
) -> HttpResponse:
    """The registry form page (places/keep_form.html); a refused or invalid POST answers 400."""
    return render(
        request,
        "places/keep_form.html",
        {
            "form": form,
            "title": title,
            "subtitle": subtitle,
            "submit": submit,
            "cancel": cancel,
            "side_actions": side_actions or [],
            "rows": rows,
            "rows_label": rows_label,
            "rows_empty": rows_empty,
            "export": export,
            "export_query": export_query,
            "breadcrumbs": [*(crumbs or []), {"label": title, "url": None}],
        },
        status=400 if request.method == "POST" else 200,
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- people holding a role over an object ---------------------------------------------------------


def holders_page(
    request: HttpRequest,
    *,
    grants: QuerySet[Any],
    remove_url: Callable[[Any], str],
    grant: Callable[..., Any],
    held: dict[str, Any],
    here: str,
    success: str,
    title: str,
    subtitle: str,
    submit: str,
    cancel: str,
    crumbs: list[dict],
    rows_label: str,
    rows_empty: str,
    export: str,
    export_query: str,
) -> HttpResponse:
    """The people holding a role over an object (a unit's party admins, a grid's workers), each with
    a Remove button at ``remove_url(grant)``, and a form naming another one by phone: ``grant`` (an
    action) is called with ``held`` (the object, by the action's keyword) and the form's name and
    phone, then the page comes back to ``here``."""
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, grant, form=form, success=success, **held, **form.cleaned_data)
        if done.ok:
            return redirect(here)
    rows = [
        {
            "label": holding.user.full_name or holding.user.username,
            "note": holding.user.masked_phone,
            "url": remove_url(holding),
            "button": _("Remove"),
        }
        for holding in grants
    ]
    return form_page(
        request,
        form,
        title=title,
        subtitle=subtitle,
        submit=submit,
        cancel=cancel,
        crumbs=crumbs,
        rows=rows,
        rows_label=rows_label,
        rows_empty=rows_empty,
        export=export,
        export_query=export_query,
    )


def end_holding(
    request: HttpRequest,
    *,
    grants: QuerySet[Any],
    grant_id: object,
    revoke: Callable[..., Any],
    success: str,
    back: str,
) -> HttpResponse:
    """End one of ``grants`` (404 if it is not among them) with the ``revoke`` action, back to ``back``."""
    holding = lookup_or_404(grants, grant_id)
    run_action(request, revoke, grant=holding, success=success)
    return redirect(back)


# --- compounds ------------------------------------------------------------------------------------


@role_required(*PLACE_KEEPER_ROLES)
def compound_new(request: HttpRequest) -> HttpResponse:
    """Add a compound to a community the user keeps (``?community=`` chooses it)."""
    communities = kept_communities(request.user).order_by("path")
    chosen = request.GET.get("community")
    initial = {"community": chosen} if chosen else {}
    form = CompoundForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.create_compound,
            form=form,
            success=_("The compound is added."),
            **form.cleaned_data,
        )
        if done.ok and done.result is not None:
            return redirect("places:compound_detail", public_id=done.result.public_id)
    return form_page(
        request,
        form,
        title=_("Add a compound"),
        submit=_("Add"),
        cancel=reverse("places:area_list"),
        crumbs=[{"label": _("Areas"), "url": reverse("places:area_list")}],
    )


def _kept_compound(request: HttpRequest, public_id: object) -> Compound:
    compound = get_visible_or_404(Compound.objects.select_related("community"), request.user, public_id)
    _require(keeps_places(request.user, compound.community))
    return compound


@role_required(*PLACE_KEEPER_ROLES)
def compound_edit(request: HttpRequest, public_id: object) -> HttpResponse:
    compound = _kept_compound(request, public_id)
    initial = {"name": compound.name, "address": compound.address}
    form = CompoundForm(request.POST or None, editing=True, initial=initial)
    back = reverse("places:compound_detail", args=[compound.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.update_compound,
            form=form,
            compound=compound,
            success=_("The compound is changed."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Change the compound"),
        subtitle=f"{compound.community.name} · {compound.name}",
        submit=_("Save"),
        cancel=back,
        crumbs=[{"label": compound.name, "url": back}],
        side_actions=[
            {
                "url": reverse("places:compound_retire", args=[compound.public_id]),
                "label": _("Retire the compound"),
                "note": _("Only once none of its buildings is in use."),
            }
        ],
    )


@require_POST
@role_required(*PLACE_KEEPER_ROLES)
def compound_retire(request: HttpRequest, public_id: object) -> HttpResponse:
    compound = _kept_compound(request, public_id)
    done = run_action(
        request, actions.retire_compound, compound=compound, success=_("The compound is retired.")
    )
    if done.ok:
        return redirect("places:area_detail", public_id=compound.community.public_id)
    return redirect("places:compound_detail", public_id=compound.public_id)


# --- buildings ------------------------------------------------------------------------------------


def _street_grids(community: Area) -> QuerySet[Grid]:
    return Grid.objects.filter(street_id=community.parent_id).order_by("path")


@role_required(*PLACE_KEEPER_ROLES)
def building_new(request: HttpRequest, public_id: object) -> HttpResponse:
    """Add a building to a compound."""
    compound = _kept_compound(request, public_id)
    form = BuildingForm(request.POST or None, grids=_street_grids(compound.community))
    back = reverse("places:compound_detail", args=[compound.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.create_building,
            form=form,
            compound=compound,
            success=_("The building is added."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Add a building"),
        subtitle=compound.name,
        submit=_("Add"),
        cancel=back,
        crumbs=[{"label": compound.name, "url": back}],
    )


def _kept_building(request: HttpRequest, public_id: object) -> Building:
    building = get_visible_or_404(
        Building.objects.select_related("compound__community", "grid"), request.user, public_id
    )
    _require(keeps_places(request.user, building.compound.community))
    return building


@role_required(*PLACE_KEEPER_ROLES)
def building_edit(request: HttpRequest, public_id: object) -> HttpResponse:
    """Rename a building or move it to another grid of its street."""
    building = _kept_building(request, public_id)
    initial = {"name": building.name, "grid": building.grid.public_id if building.grid else None}
    form = BuildingForm(
        request.POST or None, grids=_street_grids(building.compound.community), initial=initial
    )
    back = reverse("places:building_detail", args=[building.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.update_building,
            form=form,
            building=building,
            success=_("The building is changed."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Change the building"),
        subtitle=str(building),
        submit=_("Save"),
        cancel=back,
        crumbs=[{"label": str(building), "url": back}],
        side_actions=[
            {
                "url": reverse("places:building_retire", args=[building.public_id]),
                "label": _("Retire the building"),
                "note": _("Only once nobody is recorded as living in it."),
            }
        ],
    )


@require_POST
@role_required(*PLACE_KEEPER_ROLES)
def building_retire(request: HttpRequest, public_id: object) -> HttpResponse:
    building = _kept_building(request, public_id)
    done = run_action(
        request, actions.retire_building, building=building, success=_("The building is retired.")
    )
    if done.ok:
        return redirect("places:compound_detail", public_id=building.compound.public_id)
    return redirect("places:building_detail", public_id=building.public_id)


# --- grids ----------------------------------------------------------------------------------------


@role_required(*GRID_KEEPER_ROLES)
def grid_new(request: HttpRequest) -> HttpResponse:
    """Draw a grid in a street the user keeps: level 1, or under a grid of the same street."""
    streets = kept_streets(request.user).order_by("path")
    form = GridForm(
        request.POST or None,
        streets=streets,
        parents=Grid.objects.filter(street__in=streets, level__lt=3).order_by("path"),
        communities=Area.objects.filter(level=AreaLevel.COMMUNITY, parent__in=streets).order_by("path"),
        initial={"parent": request.GET.get("parent")} if request.GET.get("parent") else {},
    )
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request, actions.create_grid, form=form, success=_("The grid is drawn."), **form.cleaned_data
        )
        if done.ok and done.result is not None:
            return redirect("places:grid_detail", public_id=done.result.public_id)
    return form_page(
        request,
        form,
        title=_("Draw a grid"),
        submit=_("Add"),
        cancel=reverse("places:grid_list"),
        crumbs=[{"label": _("Grids"), "url": reverse("places:grid_list")}],
    )


def _kept_grid(request: HttpRequest, public_id: object) -> Grid:
    grid = get_visible_or_404(Grid.objects.select_related("street", "community"), request.user, public_id)
    _require(keeps_grids(request.user, grid.street))
    return grid


def _grid_crumbs(grid: Grid) -> list[dict]:
    return [
        {"label": _("Grids"), "url": reverse("places:grid_list")},
        {"label": grid.name, "url": reverse("places:grid_detail", args=[grid.public_id])},
    ]


@role_required(*GRID_KEEPER_ROLES)
def grid_edit(request: HttpRequest, public_id: object) -> HttpResponse:
    grid = _kept_grid(request, public_id)
    initial = {"name": grid.name, "community": grid.community.public_id if grid.community else None}
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY, parent=grid.street).order_by("path")
    form = GridForm(request.POST or None, communities=communities, editing=True, initial=initial)
    back = reverse("places:grid_detail", args=[grid.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.update_grid,
            form=form,
            grid=grid,
            success=_("The grid is changed."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Change the grid"),
        subtitle=f"{grid.name} · {grid.code}",
        submit=_("Save"),
        cancel=back,
        crumbs=_grid_crumbs(grid),
    )


@role_required(*GRID_KEEPER_ROLES)
def grid_workers(request: HttpRequest, public_id: object) -> HttpResponse:
    """The grid's workers, and a form naming another one by phone."""
    grid = _kept_grid(request, public_id)
    return holders_page(
        request,
        grants=worker_grants(grid),
        remove_url=lambda grant: reverse("places:grid_worker_remove", args=[grid.public_id, grant.public_id]),
        grant=actions.assign_grid_worker,
        held={"grid": grid},
        here=reverse("places:grid_workers", args=[grid.public_id]),
        success=_("The grid worker is named."),
        title=_("Grid workers"),
        subtitle=f"{grid.name} · {grid.code}",
        submit=_("Name a grid worker"),
        cancel=reverse("places:grid_detail", args=[grid.public_id]),
        crumbs=_grid_crumbs(grid),
        rows_label=_("Workers of this grid"),
        rows_empty=_("This grid has no worker yet."),
        export="grid_workers",
        export_query=f"grid={grid.public_id}",
    )


@require_POST
@role_required(*GRID_KEEPER_ROLES)
def grid_worker_remove(request: HttpRequest, public_id: object, grant_id: object) -> HttpResponse:
    grid = _kept_grid(request, public_id)
    return end_holding(
        request,
        grants=worker_grants(grid),
        grant_id=grant_id,
        revoke=actions.remove_grid_worker,
        success=_("The grid worker's role has ended."),
        back=reverse("places:grid_workers", args=[grid.public_id]),
    )


def grid_building_choices(grid: Grid) -> QuerySet[Building]:
    """The buildings a grid may cover: those in use in its community, or in its street."""
    buildings = Building.objects.in_use().select_related("compound")
    if grid.community_id is not None:
        buildings = buildings.filter(compound__community_id=grid.community_id)
    else:
        buildings = buildings.filter(compound__community__parent_id=grid.street_id)
    return buildings.order_by("compound__name", "name")


@role_required(*GRID_KEEPER_ROLES)
def grid_buildings(request: HttpRequest, public_id: object) -> HttpResponse:
    """Choose the buildings the grid covers."""
    grid = _kept_grid(request, public_id)
    choices = grid_building_choices(grid)
    initial = {"buildings": [b.public_id for b in choices if b.grid_id == grid.pk]}
    form = GridBuildingsForm(request.POST or None, buildings=choices, initial=initial)
    back = reverse("places:grid_detail", args=[grid.public_id])
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            actions.set_grid_buildings,
            form=form,
            grid=grid,
            buildings=list(form.cleaned_data["buildings"]),
            success=_("The grid's buildings are saved."),
        )
        if done.ok:
            return redirect(back)
    return form_page(
        request,
        form,
        title=_("Buildings of the grid"),
        subtitle=f"{grid.name} · {grid.code}",
        submit=_("Save"),
        cancel=back,
        crumbs=_grid_crumbs(grid),
    )
