"""Pages of the area tree (city → … → community → compound → building) and of the grids."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.decorators import role_required
from accounts.roles import AREA_TREE_ROLES, IMPORT_ROLES
from accounts.scope import scope_for
from gongjian.charts import bar_chart
from gongjian.figures import area_figures
from gongjian.pages import get_visible_or_404, paginate
from orgs.models import PartyOrg
from places import directory, queries
from places.access import GRID_KEEPER_ROLES, keeps_grids, keeps_places
from places.models import Area, AreaLevel, Building, Compound, Grid
from places.queries import Counts

GRIDS_PER_PAGE = 200
COMMUNITIES_PER_PAGE = 50


def _area_crumbs(user, area: Area, *, link_self: bool = False) -> list[dict]:
    crumbs = [{"label": _("Areas"), "url": reverse("places:area_list")}]
    for ancestor, visible in queries.breadcrumb_ancestors(user, area):
        crumbs.append(
            {
                "label": ancestor.name,
                "url": reverse("places:area_detail", args=[ancestor.public_id]) if visible else None,
            }
        )
    crumbs.append(
        {
            "label": area.name,
            "url": reverse("places:area_detail", args=[area.public_id]) if link_self else None,
        }
    )
    return crumbs


def _chart(rows: list[dict]) -> dict:
    """Members and in-service members living in each child, as the list beside the chart shows them."""
    return bar_chart(
        _("Members living in each"),
        [row["name"] for row in rows],
        [
            (_("Members"), [row["counts"].members for row in rows]),
            (_("In-service members"), [row["counts"].in_service for row in rows]),
        ],
    )


# An area's figures on its page and its children's rows: one definition each (gongjian.figures,
# docs/FIGURES.md), so "in service" here is the number that should report there, as on the home and
# the reconciliation pages. A compound's and a building's figures count who lives there.
AREA_PAGE_FIGURES = ("members", "in_service", "residents", "units", "party_orgs")
IN_SERVICE_MEANS = _("In-service members who should report here (see the figure's definition)")


def _area_counts(user, areas: list[Area]) -> dict[int, Counts]:
    shown = area_figures(user, areas, AREA_PAGE_FIGURES)
    return {pk: Counts(**{f.key: f.value for f in figures}) for pk, figures in shown.items()}


@role_required(*AREA_TREE_ROLES)
def area_list(request: HttpRequest) -> HttpResponse:
    """Where the user's drill-down starts: their top visible areas (straight there if only one)."""
    areas = list(queries.top_areas(request.user)[:2])
    if len(areas) == 1:
        return redirect("places:area_detail", public_id=areas[0].public_id)
    areas = list(queries.top_areas(request.user))
    figures = _area_counts(request.user, areas)
    rows = [
        {
            "obj": a,
            "name": a.name,
            "code": a.code,
            "note": a.get_level_display(),
            "counts": figures[a.pk],
            "means": IN_SERVICE_MEANS,
            "url": reverse("places:area_detail", args=[a.public_id]),
        }
        for a in areas
    ]
    return render(request, "places/area_list.html", {"rows": rows})


@role_required(*AREA_TREE_ROLES)
def area_detail(request: HttpRequest, public_id) -> HttpResponse:
    """An area's figures and its children's: sub-areas, or a community's compounds."""
    user = request.user
    area = get_visible_or_404(Area, user, public_id)
    if area.level == AreaLevel.COMMUNITY:
        children = list(Compound.objects.visible_to(user).in_use().filter(community=area).order_by("name"))
        own = area_figures(user, [area], AREA_PAGE_FIGURES)[area.pk]
        counts = queries.community_figures(user, area, children).children
        rows = [
            {
                "obj": c,
                "name": c.name,
                "code": "",
                "note": c.address,
                "counts": counts[c.pk],
                "url": reverse("places:compound_detail", args=[c.public_id]),
            }
            for c in children
        ]
        child_label = _("Compounds")
    else:
        children = list(Area.objects.visible_to(user).filter(parent=area).order_by("code"))
        shown = area_figures(user, [area, *children], AREA_PAGE_FIGURES)
        own = shown[area.pk]
        rows = [
            {
                "obj": c,
                "name": c.name,
                "code": c.code,
                "note": "",
                "counts": Counts(**{f.key: f.value for f in shown[c.pk]}),
                "means": IN_SERVICE_MEANS,
                "url": reverse("places:area_detail", args=[c.public_id]),
            }
            for c in children
        ]
        child_label = _("Sub-areas")
    return render(
        request,
        "places/area_detail.html",
        {
            "area": area,
            "own": Counts(**{f.key: f.value for f in own}),
            "own_figures": own,
            "rows": rows,
            "child_label": child_label,
            "chart": _chart(rows) if len(rows) > 1 else None,
            "breadcrumbs": _area_crumbs(user, area),
            "can_add_compound": area.level == AreaLevel.COMMUNITY and keeps_places(user, area),
            "export_query": f"community={area.public_id}",
        },
    )


@role_required(*AREA_TREE_ROLES)
def compound_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A compound's figures and its buildings'."""
    user = request.user
    compound = get_visible_or_404(Compound.objects.select_related("community"), user, public_id)
    buildings = list(
        Building.objects.visible_to(user)
        .in_use()
        .filter(compound=compound)
        .select_related("grid")
        .order_by("name")
    )
    figures = queries.compound_figures(user, compound, buildings)
    rows = [
        {
            "obj": b,
            "name": b.name,
            "code": "",
            "note": b.grid.name if b.grid else "",
            "counts": figures.children[b.pk],
            "url": reverse("places:building_detail", args=[b.public_id]),
        }
        for b in buildings
    ]
    community_visible = Area.objects.visible_to(user).filter(pk=compound.community_id).exists()
    crumbs = _area_crumbs(user, compound.community, link_self=community_visible)
    crumbs.append({"label": compound.name, "url": None})
    party_orgs = PartyOrg.objects.visible_to(user).filter(compound=compound).order_by("path")
    return render(
        request,
        "places/compound_detail.html",
        {
            "compound": compound,
            "own": figures.own,
            "rows": rows,
            "party_orgs": party_orgs,
            "chart": _chart(rows) if len(rows) > 1 else None,
            "breadcrumbs": crumbs,
            "can_keep": keeps_places(user, compound.community),
            "export_query": f"compound={compound.public_id}",
        },
    )


@role_required(*AREA_TREE_ROLES)
def building_detail(request: HttpRequest, public_id) -> HttpResponse:
    """The members and residents living in a building, as far as the user may see them."""
    user = request.user
    building = get_visible_or_404(
        Building.objects.select_related("compound__community", "grid"), user, public_id
    )
    members, residents = queries.building_people(user, building)
    community = building.compound.community
    crumbs = _area_crumbs(
        user, community, link_self=Area.objects.visible_to(user).filter(pk=community.pk).exists()
    )
    crumbs += [
        {
            "label": building.compound.name,
            "url": reverse("places:compound_detail", args=[building.compound.public_id]),
        },
        {"label": building.name, "url": None},
    ]
    return render(
        request,
        "places/building_detail.html",
        {
            "building": building,
            "members": members,
            "residents": residents,
            "in_service": sum(1 for m in members if m.in_service),
            "breadcrumbs": crumbs,
            "can_keep": keeps_places(user, community),
        },
    )


@role_required(*AREA_TREE_ROLES)
def grid_list(request: HttpRequest) -> HttpResponse:
    """The visible grids as a tree (level 1 → 2 → 3), with buildings and members in each."""
    user = request.user
    grids = Grid.objects.visible_to(user).select_related("street", "community").order_by("path")
    page = paginate(request, grids, per_page=GRIDS_PER_PAGE)["page"]
    figures = queries.grid_figures(user)
    rows = []
    for grid in page:
        buildings, members = figures.of(grid)
        rows.append({"grid": grid, "buildings": buildings, "members": members})
    can_draw = scope_for(user).has(*GRID_KEEPER_ROLES)
    return render(request, "places/grid_list.html", {"rows": rows, "page": page, "can_draw": can_draw})


@role_required(*AREA_TREE_ROLES)
def grid_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A grid: where it lies, its sub-grids and buildings, with visible members in each."""
    user = request.user
    grid = get_visible_or_404(Grid.objects.select_related("street", "community"), user, public_id)
    figures = queries.grid_figures(user, under=grid)
    subgrids = [
        {"grid": g, "buildings": figures.of(g)[0], "members": figures.of(g)[1]}
        for g in Grid.objects.visible_to(user).filter(parent=grid).order_by("path")
    ]
    buildings = list(
        Building.objects.visible_to(user)
        .filter(grid__in=queries.grid_subtree(grid))
        .select_related("compound", "grid")
        .order_by("compound__name", "name")
    )
    per_building = queries.members_per_building(user, buildings)
    crumbs = [{"label": _("Grids"), "url": reverse("places:grid_list")}]
    crumbs += [
        {"label": g.name, "url": reverse("places:grid_detail", args=[g.public_id]) if visible else None}
        for g, visible in queries.grid_ancestors(user, grid)
    ]
    crumbs.append({"label": grid.name, "url": None})
    visible_areas = set(
        Area.objects.visible_to(user)
        .filter(pk__in=[grid.street_id, grid.community_id or 0])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "places/grid_detail.html",
        {
            "grid": grid,
            "subgrids": subgrids,
            "buildings": [{"building": b, "members": per_building.get(b.pk, 0)} for b in buildings],
            "figures": figures.of(grid),
            "party_orgs": PartyOrg.objects.visible_to(user).filter(grid=grid).order_by("path"),
            "street_visible": grid.street_id in visible_areas,
            "community_visible": grid.community_id in visible_areas,
            "breadcrumbs": crumbs,
            "can_keep": keeps_grids(user, grid.street),
        },
    )


@role_required(*directory.DIRECTORY_ROLES)
def community_lookup(request: HttpRequest) -> HttpResponse:
    """The community directory: 12-digit codes to copy into a roster, by name, pinyin initials or code."""
    query = directory.clean_query(request.GET.get("q", ""))
    communities = directory.community_directory(request.user)
    if query and directory.is_initials(query):
        pager = paginate(request, directory.matching_ids(communities, query), per_page=COMMUNITIES_PER_PAGE)
        ids = list(pager["page"].object_list)
        rows = sorted(communities.filter(pk__in=ids).select_related("parent__parent"), key=lambda a: a.code)
    else:
        found = directory.search(communities, query) if query else communities
        pager = paginate(
            request, found.select_related("parent__parent").order_by("code"), per_page=COMMUNITIES_PER_PAGE
        )
        rows = list(pager["page"].object_list)
    can_import = scope_for(request.user).has(*IMPORT_ROLES)
    crumbs = [{"label": _("Roster import"), "url": reverse("jobs:import_members")}] if can_import else []
    return render(
        request,
        "places/community_lookup.html",
        {
            "rows": rows,
            "pager": pager,
            "query": query,
            "can_import": can_import,
            "breadcrumbs": [*crumbs, {"label": _("Community codes"), "url": None}] if crumbs else None,
        },
    )
