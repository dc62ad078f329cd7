"""The grid's pages, phone first: reporting a problem in a few taps (grid workers, residents, members,
the community and street on somebody's behalf), "my grid" (the worker's open cases, overdue first), and a
grid at work (网格: its workers, compounds and buildings, responsibility areas, open cases and needs,
and the people to visit).

Reads go through each model's ``visible_to(user)``; a grid outside the scope is a 404. Reporting and the
responsibility areas call cases/actions.py through ``run_action``; a refusal keeps what was typed."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Case as When_
from django.db.models import Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access import own_member, own_resident, staffed_communities, staffs
from accounts.decorators import role_required
from accounts.models import Role, RoleGrant
from accounts.scope import grants_of, scope_for
from cases import actions, keeping
from cases.forms import PlaceChoice, ReportForm, ResponsibilityForm
from cases.models import OPEN_CASE_STATES, Case, CaseCategory, CaseState, ResponsibilityArea
from cases.pages.detail import due_words
from checkin.models import Team
from gongjian.pages import get_visible_or_404, paginate, public_id_or_404, run_action
from people.models import Member, Resident
from places.models import Area, Building, Compound, Grid
from places.paths import ancestor_paths, any_subtree_q, subtree_q
from service.models import LIVE_NEED_STATES, Need

REPORT_ROLES = (Role.GRID_WORKER, Role.RESIDENT, Role.MEMBER, Role.COMMUNITY, Role.STREET)
ON_BEHALF_ROLES = (Role.GRID_WORKER, Role.COMMUNITY, Role.STREET)
GRID_DESK_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.GRID_WORKER)
PLACES_LIMIT = 300
VISIT_DAYS = 30


# --- reporting ------------------------------------------------------------------------------------------


def category_tree() -> list[tuple[CaseCategory, list[CaseCategory]]]:
    """The groups in use, each with its items in use (the two taps of the picker)."""
    groups = (
        CaseCategory.objects.active()
        .filter(parent__isnull=True)
        .prefetch_related(Prefetch("children", queryset=CaseCategory.objects.active()))
    )
    tree = []
    for group in groups:
        items = list(group.children.all())
        tree.append((group, items or [group]))
    return tree


def _grids_of(user):
    """The grid worker's grids and those below them."""
    scope = scope_for(user)
    if not scope.grid_paths:
        return Grid.objects.none()
    return Grid.objects.filter(any_subtree_q("path", scope.grid_paths))


def report_places(user) -> tuple[list[tuple[str, list[PlaceChoice]]], str, dict[int, Grid]]:
    """Where the user may say a problem is, grouped by community: for a grid worker the communities,
    compounds and buildings of their grids; for the community and street the communities they staff;
    for a resident or member their home. With the place chosen first, and for a grid worker the grid a
    community or compound is reported in (the shallowest of theirs there)."""
    scope = scope_for(user)
    by_community: dict[int, tuple[Area, list[PlaceChoice]]] = {}
    grid_for: dict[int, Grid] = {}
    initial = ""

    def add(community: Area, choice: PlaceChoice | None = None) -> None:
        entry = by_community.setdefault(
            community.pk,
            (
                community,
                [
                    PlaceChoice(
                        "community", community, _("%(name)s (the whole community)") % {"name": community.name}
                    )
                ],
            ),
        )
        if choice is not None and choice.value not in {c.value for c in entry[1]}:
            entry[1].append(choice)

    if scope.grid_paths:
        grids = list(
            _grids_of(user)
            .filter(community__isnull=False)
            .select_related("community")
            .order_by("level", "path")
        )
        for grid in grids:
            grid_for.setdefault(grid.community_id, grid)
            add(grid.community)
        buildings = (
            Building.objects.in_use()
            .filter(grid__in=_grids_of(user))
            .select_related("compound__community")
            .order_by("compound__name", "name")[:PLACES_LIMIT]
        )
        for building in buildings:
            community = building.compound.community
            add(community, PlaceChoice("compound", building.compound, building.compound.name))
            add(community, PlaceChoice("building", building, f"{building.compound.name} {building.name}"))
        if len(by_community) == 1:
            initial = f"community:{next(iter(by_community.values()))[0].public_id}"
    if scope.has(Role.COMMUNITY, Role.STREET) and not scope.everything:
        for community in staffed_communities(user).order_by("path")[:PLACES_LIMIT]:
            add(community)
    home = own_resident(user) or own_member(user)
    if home is not None and home.residence_area_id:
        add(home.residence_area)
        initial = initial or f"community:{home.residence_area.public_id}"
        if home.residence_building_id:
            b = home.residence_building
            add(home.residence_area, PlaceChoice("compound", b.compound, b.compound.name))
            choice = PlaceChoice("building", b, f"{b.compound.name} {b.name}")
            add(home.residence_area, choice)
            initial = choice.value
    if scope.everything:
        for community in staffed_communities(user).order_by("path")[:PLACES_LIMIT]:
            add(community)
    grouped = [(community.name, choices) for community, choices in by_community.values()]
    if not initial and len(grouped) == 1 and len(grouped[0][1]) == 1:
        initial = grouped[0][1][0].value
    return grouped, initial, grid_for


def _place_kwargs(choice: PlaceChoice, grid_for: dict[int, Grid]) -> dict:
    if choice.kind == "building":
        return {"building": choice.obj}
    if choice.kind == "compound":
        return {"compound": choice.obj, "grid": grid_for.get(choice.obj.community_id)}
    return {"community": choice.obj, "grid": grid_for.get(choice.obj.pk)}


@require_http_methods(["GET", "POST"])
@role_required(*REPORT_ROLES)
def report(request: HttpRequest) -> HttpResponse:
    """报告问题: one screen, few taps; the case page follows."""
    user = request.user
    grouped, initial, grid_for = report_places(user)
    places = [c for _label, choices in grouped for c in choices]
    bound = request.method == "POST"
    form = ReportForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        places=places,
        categories=category_tree(),
        initial_place=initial,
    )
    form.fields["place"].choices = [
        ("", _("Choose…")),
        *((label, [(c.value, c.label) for c in choices]) for label, choices in grouped),
    ]
    on_behalf = scope_for(user).has(*ON_BEHALF_ROLES)
    if not on_behalf:
        del form.fields["reporter_name"]
        del form.fields["reporter_phone"]
    if bound and form.is_valid():
        data = form.cleaned_data
        outcome = run_action(
            request,
            actions.report_case,
            form=form,
            title=data["title"],
            category=data["category"],
            description=data["description"],
            address=data["address"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            photos=data["photos"],
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            success=lambda case: _("Reported. Case number %(number)s.") % {"number": case.number},
            **_place_kwargs(data["place"], grid_for),
        )
        if outcome.ok:
            return redirect("cases:case_detail", public_id=outcome.result.public_id)
    return render(
        request,
        "cases/field_report.html",
        {"form": form, "on_behalf": on_behalf, "no_places": not places},
        status=400 if bound else 200,
    )


# --- my grid ----------------------------------------------------------------------------------------------


def overdue_first(rows, now):
    """Overdue cases first, then by deadline."""
    late = When_(When(due_at__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField())
    return rows.annotate(late=late).order_by("late", "due_at", "id")


@role_required(Role.GRID_WORKER)
def my_grid(request: HttpRequest) -> HttpResponse:
    """The grid worker's grids: their open cases by state, overdue first, and the big "report" button."""
    user = request.user
    now = timezone.now()
    grids = [g.grid for g in grants_of(user) if g.role == Role.GRID_WORKER and g.grid_id]
    mine = Case.objects.visible_to(user).open().filter(scope_for(user).grid_q("grid_path"))
    counts = dict(mine.order_by().values_list("state").annotate(n=Count("id")))
    state = request.GET.get("state", "")
    rows = mine.filter(state=state) if state in OPEN_CASE_STATES else mine
    rows = overdue_first(
        rows.select_related("category__parent", "community", "street", "compound", "building__compound"), now
    )
    pager = paginate(request, rows, per_page=30)
    page = pager["page"]
    page.object_list = [{"case": c, "due": due_words(c, now), "late": c.is_overdue} for c in page.object_list]
    tabs = [{"state": "", "label": _("All open"), "n": sum(counts.values())}] + [
        {"state": s.value, "label": s.label, "n": counts.get(s.value, 0)}
        for s in (CaseState.TRIAGE, CaseState.DISPATCHED, CaseState.HANDLING)
    ]
    return render(
        request,
        "cases/field_my_grid.html",
        {"grids": grids, "pager": pager, "tabs": tabs, "state": state if state in OPEN_CASE_STATES else ""},
    )


# --- a grid at work ---------------------------------------------------------------------------------------


def _responsibility_form(user, grid: Grid, buildings, data=None) -> ResponsibilityForm:
    home = grid.community or grid.street
    compounds = Compound.objects.filter(pk__in={b.compound_id for b in buildings}).order_by("name")
    return ResponsibilityForm(
        data,
        members=Member.objects.visible_to(user)
        .filter(subtree_q("residence_path", home.path))
        .order_by("name"),
        teams=Team.objects.visible_to(user).filter(subtree_q("community__path", home.path)).order_by("name"),
        buildings=Building.objects.filter(pk__in=[b.pk for b in buildings]).select_related("compound"),
        compounds=compounds,
        auto_id="resp_%s",
    )


def _grid_page(request: HttpRequest, grid: Grid, *, status: int = 200, form=None) -> HttpResponse:
    user = request.user
    now = timezone.now()
    subtree = Grid.objects.filter(subtree_q("path", grid.path))
    workers = list(
        RoleGrant.objects.filter(role=Role.GRID_WORKER, grid__path__in=ancestor_paths(grid.path))
        .select_related("user", "grid")
        .order_by("grid__level", "user__username")
    )
    buildings = list(
        Building.objects.visible_to(user)
        .in_use()
        .filter(grid__in=subtree)
        .select_related("compound", "grid")
        .order_by("compound__name", "name")[:PLACES_LIMIT]
    )
    compounds: dict[int, dict] = {}
    for b in buildings:
        compounds.setdefault(b.compound_id, {"compound": b.compound, "buildings": []})["buildings"].append(b)
    areas = list(
        ResponsibilityArea.objects.visible_to(user)
        .filter(grid=grid)
        .select_related("member", "team", "compound", "building__compound")
        .order_by("created_at", "id")
    )
    keeper = staffs(user, grid.community or grid.street)
    if keeper and form is None:
        form = _responsibility_form(user, grid, buildings)
    cases = overdue_first(
        Case.objects.visible_to(user)
        .open()
        .filter(subtree_q("grid_path", grid.path))
        .select_related("category", "community", "street", "compound", "building__compound"),
        now,
    )[:50]
    needs = (
        Need.objects.visible_to(user)
        .live()
        .filter(subtree_q("grid_path", grid.path))
        .select_related("category", "building__compound")
        .order_by("due_at", "id")[:50]
    )
    since = now - timedelta(days=VISIT_DAYS)
    visit = (
        Resident.objects.visible_to(user)
        .filter(residence_building__grid__in=subtree)
        .annotate(
            open_needs=Count("needs", filter=Q(needs__state__in=LIVE_NEED_STATES), distinct=True),
            recent_cases=Count(
                "user__reported_cases", filter=Q(user__reported_cases__reported_at__gte=since), distinct=True
            ),
        )
        .filter(Q(open_needs__gt=0) | Q(recent_cases__gt=0))
        .select_related("residence_building__compound")
        .order_by("residence_building__compound__name", "residence_building__name", "name")[:30]
    )
    return render(
        request,
        "cases/field_grid_desk.html",
        {
            "grid": grid,
            "workers": workers,
            "compounds": list(compounds.values()),
            "areas": areas,
            "keeper": keeper,
            "form": form,
            "cases": [{"case": c, "due": due_words(c, now), "late": c.is_overdue} for c in cases],
            "needs": list(needs),
            "visit": list(visit),
            "days": VISIT_DAYS,
        },
        status=status,
    )


def _grid(request: HttpRequest, public_id) -> Grid:
    return get_visible_or_404(Grid.objects.select_related("street", "community"), request.user, public_id)


@role_required(*GRID_DESK_ROLES)
def grid_desk(request: HttpRequest, public_id) -> HttpResponse:
    return _grid_page(request, _grid(request, public_id))


@require_POST
@role_required(Role.COMMUNITY, Role.STREET)
def responsibility_add(request: HttpRequest, public_id) -> HttpResponse:
    grid = _grid(request, public_id)
    buildings = list(
        Building.objects.in_use().filter(grid__in=Grid.objects.filter(subtree_q("path", grid.path)))
    )
    form = _responsibility_form(request.user, grid, buildings, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_action(
            request,
            keeping.set_responsibility_area,
            form=form,
            grid=grid,
            member=data["member"],
            team=data["team"],
            compound=data["compound"],
            building=data["building"],
            note=data["note"],
            success=_("Responsibility area set."),
        )
        if outcome.ok:
            return redirect(reverse("cases:grid_desk", args=[grid.public_id]) + "#areas")
    return _grid_page(request, grid, status=400, form=form)


@require_POST
@role_required(Role.COMMUNITY, Role.STREET)
def responsibility_remove(request: HttpRequest, public_id) -> HttpResponse:
    area = get_object_or_404(
        ResponsibilityArea.objects.visible_to(request.user).select_related("grid__community", "grid__street"),
        public_id=public_id_or_404(public_id),
    )
    run_action(
        request, keeping.remove_responsibility_area, area=area, success=_("Responsibility area removed.")
    )
    return redirect(reverse("cases:grid_desk", args=[area.grid.public_id]) + "#areas")


urlpatterns = [
    path("cases/report/", report, name="report"),
    path("cases/my-grid/", my_grid, name="my_grid"),
    path("cases/grids/<uuid:public_id>/", grid_desk, name="grid_desk"),
    path("cases/grids/<uuid:public_id>/areas/", responsibility_add, name="responsibility_add"),
    path("cases/areas/<uuid:public_id>/remove/", responsibility_remove, name="responsibility_remove"),
]
