"""The service menu page (服务菜单): a city's organisation department keeps its city's big categories and
items — add, rename, set the vanguard kind and skills, reorder, retire, restore — and sees the shared
ones beside them; a platform administrator keeps the shared menu too.

Cities come from ``access.kept_cities`` (another city: 404), categories from the rows the user keeps
(another city's: 404); a role other than the organisation department: 403. Every change is one call of
service/menu/actions.py; a refusal shows the form again with what was typed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access import keeps_city, kept_cities
from accounts import roles as R
from accounts.decorators import role_required
from accounts.scope import scope_for
from checkin.models import VanguardKind
from gongjian.pages import lookup_or_404, run_action
from places.models import Area
from service.menu import actions
from service.menu.forms import CategoryForm, NewCategoryForm
from service.models import ServiceCategory

SHARED = "shared"


def chosen_city(request: HttpRequest, value: str | None) -> tuple[Area | None, bool]:
    """The city named by ``value`` among those the user keeps (``shared``: what every city shares, for a
    platform administrator); without one, the only city the user keeps. Answers (city, chosen): chosen
    is False when the user must pick first. The point rules page asks the same."""
    if value == SHARED:
        if not scope_for(request.user).everything:
            raise Http404
        return None, True
    kept = kept_cities(request.user).order_by("code")
    if value:
        return lookup_or_404(kept, value), True
    only = list(kept[:2])
    if len(only) == 1:
        return only[0], True
    return None, False


def city_param(city: Area | None) -> str:
    return str(city.public_id) if city is not None else SHARED


def _kept_category_or_404(request: HttpRequest, public_id: object) -> ServiceCategory:
    """A row of a menu the user keeps: their cities' own rows (and the shared ones, for a platform
    administrator). Another city's row answers 404."""
    rows = ServiceCategory.objects.visible_to(request.user).kept_by(request.user)
    return lookup_or_404(rows.select_related("city", "parent"), public_id)


def _parents(city: Area | None) -> list[tuple[str, str]]:
    bigs = (
        ServiceCategory.objects.for_city(city).active().filter(parent__isnull=True).order_by("sort", "code")
    )
    return [(str(b.public_id), b.name) for b in bigs]


def _tree(city: Area | None, *, retired: bool) -> list[dict]:
    """The menu as the page shows it: each big category with its items, in their order (one query)."""
    rows = ServiceCategory.objects.for_city(city).select_related("city").order_by("sort", "code")
    if city is None:
        rows = rows.filter(city__isnull=True)
    if not retired:
        rows = rows.filter(active=True)
    rows = list(rows)
    tree = [{"big": r, "items": []} for r in rows if r.parent_id is None]
    by_id = {node["big"].pk: node for node in tree}
    for r in rows:
        if r.parent_id in by_id:
            by_id[r.parent_id]["items"].append(r)
    return tree


def _page(
    request: HttpRequest, city: Area | None, *, new_form=None, edit=None, status: int = 200
) -> HttpResponse:
    retired = request.GET.get("retired") == "true"
    query = {"city": city_param(city), **({"retired": "true"} if retired else {})}
    return render(
        request,
        "service/menu/menu.html",
        {
            "city": city,
            "param": city_param(city),
            "tree": _tree(city, retired=retired),
            "retired": retired,
            "keeps": keeps_city(request.user, city),
            "is_admin": scope_for(request.user).everything,
            "new_form": new_form or NewCategoryForm(parents=_parents(city)),
            "edit": edit,  # (public id, form) of a change refused
            "vanguard_kinds": VanguardKind.choices,
            "export_query": urlencode(query),
            "breadcrumbs": [{"label": _("Service menu"), "url": ""}],
        },
        status=status,
    )


@require_GET
@role_required(*R.CITY_RULE_ROLES)
def menu(request: HttpRequest) -> HttpResponse:
    city, chosen = chosen_city(request, request.GET.get("city"))
    if not chosen:
        return render(
            request,
            "service/menu/menu.html",
            {
                "choose": True,
                "cities": list(kept_cities(request.user).order_by("code")[:100]),
                "shared": scope_for(request.user).everything,
                "breadcrumbs": [{"label": _("Service menu"), "url": ""}],
            },
        )
    return _page(request, city)


def _back(city: Area | None, anchor: str = "") -> HttpResponse:
    return redirect(f"{reverse('service:menu')}?{urlencode({'city': city_param(city)})}{anchor}")


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def category_add(request: HttpRequest, city_value: str) -> HttpResponse:
    city, _chosen = chosen_city(request, city_value)
    form = NewCategoryForm(request.POST, parents=_parents(city))
    if form.is_valid():
        data = form.cleaned_data
        parent = (
            lookup_or_404(ServiceCategory.objects.visible_to(request.user).for_city(city), data["parent"])
            if data["parent"]
            else None
        )
        done = run_action(
            request,
            actions.add_category,
            form=form,
            city=city,
            parent=parent,
            name=data["name"],
            code=data["code"],
            vanguard_kind=data["vanguard_kind"],
            keywords=data["keywords"],
            success=lambda c: _("%(name)s is on the menu.") % {"name": c.name},
        )
        if done.ok:
            return _back(city, "#add")
    return _page(request, city, new_form=form, status=400)


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def category_change(request: HttpRequest, public_id: object) -> HttpResponse:
    category = _kept_category_or_404(request, public_id)
    form = CategoryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            actions.change_category,
            form=form,
            category=category,
            name=data["name"],
            vanguard_kind=data["vanguard_kind"],
            keywords=data["keywords"],
            success=_("Saved."),
        )
        if done.ok:
            return _back(category.city, f"#c-{category.public_id}")
    return _page(request, category.city, edit=(str(category.public_id), form), status=400)


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def category_move(request: HttpRequest, public_id: object) -> HttpResponse:
    category = _kept_category_or_404(request, public_id)
    run_action(request, actions.move_category, category=category, direction=request.POST.get("direction", ""))
    return _back(category.city, f"#c-{category.public_id}")


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def category_retire(request: HttpRequest, public_id: object) -> HttpResponse:
    category = _kept_category_or_404(request, public_id)
    run_action(
        request,
        actions.retire_category,
        category=category,
        success=_("%(name)s is retired: no longer offered for new needs.") % {"name": category.name},
    )
    return _back(category.city)


@require_POST
@role_required(*R.CITY_RULE_ROLES)
def category_restore(request: HttpRequest, public_id: object) -> HttpResponse:
    category = _kept_category_or_404(request, public_id)
    run_action(
        request,
        actions.restore_category,
        category=category,
        success=_("%(name)s is offered again.") % {"name": category.name},
    )
    return _back(category.city, f"#c-{category.public_id}")
