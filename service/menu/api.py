"""API of the service menu (服务菜单): big categories and their items, flat or as a tree, for every
signed-in user; and its changes (add, change, move, retire, restore) for the city's organisation
department (its city's rows) and platform administrators (every row), through service/menu/actions.py. Conventions as in service/api_lookups.py; operation ids keep the names the API published
before the service app was split by noun (clients generate code from them)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from access import kept_cities
from accounts import roles as R
from accounts.api import require_roles
from gongjian.api_shapes import ErrorOut, ListPage
from places.models import Area, AreaLevel
from service.menu import actions
from service.menu.schemas import (
    CategoryChangeIn,
    CategoryIn,
    CategoryMoveIn,
    CategoryOut,
    CategoryQuery,
    CategoryTreeOut,
)
from service.models import ServiceCategory

router = Router(tags=["service"])


def _categories(request: HttpRequest, filters: CategoryQuery) -> QuerySet[ServiceCategory]:
    categories = ServiceCategory.objects.visible_to(request.auth).select_related("parent", "city")
    if filters.city:
        city = Area.objects.filter(public_id=filters.city, level=AreaLevel.CITY).first()
        if city is None:
            raise ValidationError(_("Choose a city."))
        categories = categories.for_city(city)
    if not filters.retired:
        categories = categories.active()
    return categories


@router.get("/service-categories", response=list[CategoryOut], operation_id="service_api_list_categories")
@paginate(ListPage)
def list_categories(request: HttpRequest, filters: Query[CategoryQuery]):
    """The service menu (服务菜单), flat: big categories and their items, each item naming its big
    category's id in ``parent``. Any signed-in user."""
    categories = _categories(request, filters)
    if filters.parent:
        categories = categories.filter(parent__public_id=filters.parent)
    if filters.big is not None:
        categories = categories.filter(parent__isnull=filters.big)
    return categories


@router.get(
    "/service-categories/tree", response=list[CategoryTreeOut], operation_id="service_api_category_tree"
)
def category_tree(request: HttpRequest, filters: Query[CategoryQuery]):
    """The menu as a tree: big categories, each with its items (one page, not paged).
    ``parent`` and ``big`` are ignored here. Any signed-in user."""
    categories = _categories(request, filters)
    items = list(categories.filter(parent__isnull=False))
    tree = list(categories.filter(parent__isnull=True))
    for big in tree:
        big.items = [item for item in items if item.parent_id == big.pk]
    return tree


@router.get(
    "/service-categories/{category_id}",
    response={200: CategoryOut, 404: ErrorOut},
    operation_id="service_api_get_category",
)
def get_category(request: HttpRequest, category_id: UUID):
    """One menu entry (retired ones too). Any signed-in user."""
    categories = ServiceCategory.objects.visible_to(request.auth).select_related("parent", "city")
    return get_object_or_404(categories, public_id=category_id)


# --- changes (the city's organisation department) ---------------------------------------------------

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _kept(request: HttpRequest, category_id: UUID) -> ServiceCategory:
    """A row the caller keeps; another city's row answers 404."""
    rows = ServiceCategory.objects.visible_to(request.auth).kept_by(request.auth)
    return get_object_or_404(rows.select_related("parent", "city"), public_id=category_id)


def _out(category: ServiceCategory) -> ServiceCategory:
    return ServiceCategory.objects.select_related("parent", "city").get(pk=category.pk)


@router.post(
    "/service-categories", response={201: CategoryOut, **REFUSALS}, operation_id="service_api_add_category"
)
def add_category(request: HttpRequest, payload: CategoryIn):
    """Add a big category (no ``parent``) or an item to a city's menu (``city`` null: the shared menu, for
    platform administrators). Roles: the city's organisation department, platform administrators; else
    403. A city the caller does not keep: 404."""
    require_roles(request, R.CITY_RULE_ROLES)
    city = get_object_or_404(kept_cities(request.auth), public_id=payload.city) if payload.city else None
    parent = None
    if payload.parent:
        parent = ServiceCategory.objects.for_city(city).filter(public_id=payload.parent).first()
        if parent is None:
            raise ValidationError(_("This big category is not on the city's menu."))
    category = actions.add_category(
        acting_user=request.auth,
        city=city,
        parent=parent,
        name=payload.name,
        code=payload.code,
        vanguard_kind=payload.vanguard_kind,
        keywords=payload.keywords,
        request=request,
    )
    return Status(201, _out(category))


@router.patch(
    "/service-categories/{category_id}",
    response={200: CategoryOut, **REFUSALS},
    operation_id="service_api_change_category",
)
def change_category(request: HttpRequest, category_id: UUID, payload: CategoryChangeIn):
    """Rename a row, or change its vanguard kind or skills (fields left out keep their values); needs and
    records filed under it follow. Roles as for adding; another city's row: 404."""
    require_roles(request, R.CITY_RULE_ROLES)
    category = _kept(request, category_id)
    sent = payload.model_fields_set
    actions.change_category(
        acting_user=request.auth,
        category=category,
        name=payload.name if "name" in sent and payload.name is not None else category.name,
        vanguard_kind=payload.vanguard_kind
        if "vanguard_kind" in sent and payload.vanguard_kind is not None
        else category.vanguard_kind,
        keywords=payload.keywords
        if "keywords" in sent and payload.keywords is not None
        else category.keywords,
        request=request,
    )
    return _out(category)


@router.post(
    "/service-categories/{category_id}/move",
    response={200: CategoryOut, **REFUSALS},
    operation_id="service_api_move_category",
)
def move_category(request: HttpRequest, category_id: UUID, payload: CategoryMoveIn):
    """Move a row one place up or down among its siblings the caller keeps. Roles as for adding."""
    require_roles(request, R.CITY_RULE_ROLES)
    category = _kept(request, category_id)
    actions.move_category(
        acting_user=request.auth, category=category, direction=payload.direction, request=request
    )
    return _out(category)


@router.post(
    "/service-categories/{category_id}/retire",
    response={200: CategoryOut, **REFUSALS},
    operation_id="service_api_retire_category",
)
def retire_category(request: HttpRequest, category_id: UUID):
    """No longer offered for new needs, posts, resources and records (a big category: its items too);
    what was filed under it keeps it. Nothing is deleted. Roles as for adding."""
    require_roles(request, R.CITY_RULE_ROLES)
    category = _kept(request, category_id)
    actions.retire_category(acting_user=request.auth, category=category, request=request)
    return _out(category)


@router.post(
    "/service-categories/{category_id}/restore",
    response={200: CategoryOut, **REFUSALS},
    operation_id="service_api_restore_category",
)
def restore_category(request: HttpRequest, category_id: UUID):
    """Offer a retired row again (an item only while its big category is offered). Roles as for adding."""
    require_roles(request, R.CITY_RULE_ROLES)
    category = _kept(request, category_id)
    actions.restore_category(acting_user=request.auth, category=category, request=request)
    return _out(category)
