"""API of the service menu (服务菜单): big categories and their items, flat or as a tree, for every
signed-in user. Conventions as in service/api_lookups.py; operation ids keep the names the API published
before the service app was split by noun (clients generate code from them)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate

from gongjian.api_shapes import ErrorOut, ListPage
from places.models import Area, AreaLevel
from service.menu.schemas import CategoryOut, CategoryQuery, CategoryTreeOut
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
