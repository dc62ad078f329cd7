"""Pages of the organisation chart (party organisations) and of the units."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tables2 import RequestConfig

from accounts.decorators import role_required
from accounts.roles import ORG_CHART_ROLES, UNIT_LIST_ROLES
from accounts.scope import scope_for
from gongjian.pages import CappedPaginator, get_visible_or_404, lookup_or_404, paginate
from orgs.access import ORG_KEEPER_ROLES, UNIT_KEEPER_ROLES, keeps_party_org, keeps_unit
from orgs.filters import PartyOrgFilter, UnitFilter
from orgs.models import PartyOrg, Post, PostTitle, Unit
from orgs.tables import UnitTable
from people.models import Member
from places.models import Area, Compound, Grid
from places.paths import SEPARATOR

ORGS_PER_PAGE = 100
UNITS_PER_PAGE = 25
MAX_INDENT = 6


def _current_posts(title: str | None = None) -> Prefetch:
    posts = Post.objects.filter(ended_on__isnull=True).select_related("member", "from_unit")
    if title:
        return Prefetch(
            "posts", queryset=posts.filter(title=title).order_by("started_on", "id"), to_attr="secretaries"
        )
    return Prefetch("posts", queryset=posts.order_by("title", "started_on", "id"), to_attr="current_posts")


def _tree_indents(orgs: list[PartyOrg]) -> list[tuple[PartyOrg, int]]:
    """Indent each organisation by how many of its ancestors are listed with it."""
    shown = {org.path for org in orgs}
    rows = []
    for org in orgs:
        codes = org.path.split(SEPARATOR)[:-2]
        ancestors = sum(1 for i in range(len(codes)) if SEPARATOR.join(codes[: i + 1]) + SEPARATOR in shown)
        rows.append((org, min(ancestors, MAX_INDENT)))
    return rows


@role_required(*ORG_CHART_ROLES)
def party_org_list(request: HttpRequest) -> HttpResponse:
    """The visible party organisations as an indented tree, searchable and filtered by kind."""
    orgs = (
        PartyOrg.objects.visible_to(request.user)
        .select_related("area", "unit")
        .prefetch_related(_current_posts(PostTitle.SECRETARY))
    )
    filterset = PartyOrgFilter(request.GET, queryset=orgs)
    pager = paginate(request, filterset.qs.order_by("path"), per_page=ORGS_PER_PAGE)
    page = pager["page"]
    return render(
        request,
        "orgs/party_org_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": _tree_indents(list(page)),
            "query": pager["query"],
            "filtered": any(request.GET.get(k) for k in ("q", "kind")),
            "can_found": scope_for(request.user).has(*ORG_KEEPER_ROLES),
        },
    )


@role_required(*ORG_CHART_ROLES)
def party_org_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A party organisation: what it is attached to, its place in the tree, its posts and members."""
    user = request.user
    visible = PartyOrg.objects.visible_to(user)
    org = lookup_or_404(
        visible.select_related("parent", "area", "unit", "grid", "compound").prefetch_related(
            _current_posts()
        ),
        public_id,
    )
    parent_visible = org.parent_id is not None and visible.filter(pk=org.parent_id).exists()
    links = {
        "area": org.area_id and Area.objects.visible_to(user).filter(pk=org.area_id).exists(),
        "unit": org.unit_id and Unit.objects.visible_to(user).filter(pk=org.unit_id).exists(),
        "grid": org.grid_id and Grid.objects.visible_to(user).filter(pk=org.grid_id).exists(),
        "compound": org.compound_id and Compound.objects.visible_to(user).filter(pk=org.compound_id).exists(),
    }
    counts = (
        Member.objects.visible_to(user)
        .filter(party_org=org)
        .aggregate(members=Count("id"), in_service=Count("id", filter=Q(in_service=True)))
    )
    crumbs = [{"label": _("Party organisations"), "url": reverse("orgs:party_org_list")}]
    if parent_visible:
        crumbs.append(
            {"label": org.parent.name, "url": reverse("orgs:party_org_detail", args=[org.parent.public_id])}
        )
    crumbs.append({"label": org.name, "url": None})
    return render(
        request,
        "orgs/party_org_detail.html",
        {
            "org": org,
            "parent_visible": parent_visible,
            "links": links,
            "counts": counts,
            "children": visible.filter(parent=org).order_by("path"),
            "breadcrumbs": crumbs,
            "can_keep": org.dissolved_on is None and keeps_party_org(user, org),
            "export_query": f"party_org={org.public_id}",
        },
    )


def _members_of_unit(**filters: object) -> Coalesce:
    """How many members a unit has (``filters``: of which kind), counted per row of the page: a
    GROUP BY over the units' members aggregated every member of the scope before the 25 rows were
    cut (a city's two million); this reads the ``member_unit_in_service`` index for each row shown."""
    counted = (
        Member.objects.filter(unit=OuterRef("pk"), **filters)
        .order_by()
        .values("unit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


@role_required(*UNIT_LIST_ROLES)
def unit_list(request: HttpRequest) -> HttpResponse:
    """The visible units in a sortable, filterable table with member and in-service counts."""
    units = (
        Unit.objects.visible_to(request.user)
        .select_related("address_area")
        .annotate(
            member_count=_members_of_unit(),
            in_service_count=_members_of_unit(in_service=True),
        )
        .order_by("name")
    )
    filterset = UnitFilter(request.GET, queryset=units)
    table = UnitTable(filterset.qs)
    RequestConfig(
        request, paginate={"paginator_class": CappedPaginator, "per_page": UNITS_PER_PAGE}
    ).configure(table)
    return render(
        request,
        "orgs/unit_list.html",
        {
            "filter": filterset,
            "table": table,
            "filtered": any(request.GET.get(k) for k in ("q", "kind", "admin")),
            "can_register": scope_for(request.user).has(*UNIT_KEEPER_ROLES),
        },
    )


@role_required(*UNIT_LIST_ROLES)
def unit_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A unit: its facts, its party organisations and its member figures."""
    user = request.user
    unit = get_visible_or_404(Unit.objects.select_related("address_area"), user, public_id)
    counts = (
        Member.objects.visible_to(user)
        .filter(unit=unit)
        .aggregate(members=Count("id"), in_service=Count("id", filter=Q(in_service=True)))
    )
    party_orgs = (
        PartyOrg.objects.visible_to(user)
        .filter(unit=unit)
        .prefetch_related(_current_posts(PostTitle.SECRETARY))
        .order_by("path")
    )
    area_visible = Area.objects.visible_to(user).filter(pk=unit.address_area_id).exists()
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "counts": counts,
            "party_orgs": party_orgs,
            "area_visible": area_visible,
            "can_keep": keeps_unit(user, unit),
            "breadcrumbs": [
                {"label": _("Units"), "url": reverse("orgs:unit_list")},
                {"label": unit.name, "url": None},
            ],
        },
    )
