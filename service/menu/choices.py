"""The service menu (服务菜单) as the pages offer it: its active items grouped under their big categories
for a select with <optgroup>s, and the city whose menu applies (a city may add items to the shared one).

Each page keeps the grouping it has always shown: the member's log form and the resident's ask form take
the city's menu, the desk's post form and the unit pages the shared items."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from places.models import Area, AreaLevel
from service.models import ServiceCategory


def city_of(community) -> Area | None:
    """The city a community belongs to (its menu may add items to the shared one)."""
    if community is None:
        return None
    return community.ancestors().filter(level=AreaLevel.CITY).first()


def cities_of(paths) -> list[Area]:
    """The cities above the given area or grid paths (a city may keep its own service menu)."""
    codes = {code for path in paths for code in path.split(".") if code}
    return list(Area.objects.filter(code__in=codes, level=AreaLevel.CITY))


def grouped_menu(city) -> tuple[list, dict]:
    """The active items of the menu for ``city``, grouped under their big category (for <optgroup>),
    and the items by public id."""
    items = (
        ServiceCategory.objects.active()
        .items()
        .for_city(city)
        .select_related("parent")
        .order_by("parent__sort", "parent__code", "sort", "code")
    )
    groups: dict[str, list] = {}
    by_id: dict[str, ServiceCategory] = {}
    for item in items:
        groups.setdefault(item.parent.name, []).append((str(item.public_id), item.name))
        by_id[str(item.public_id)] = item
    return list(groups.items()), by_id


def category_groups(cities) -> list:
    """Items of the service menu grouped under their big category, for a select with <optgroup>s."""
    items = (
        ServiceCategory.objects.active()
        .items()
        .filter(parent__active=True)
        .filter(Q(city__isnull=True) | Q(city__in=cities))
        .select_related("parent")
        .order_by("parent__sort", "parent__code", "sort", "code")
    )
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.parent.name, []).append((str(item.public_id), item.name))
    return list(groups.items())


def category_choices() -> list:
    """The service menu's items, grouped under their big categories."""
    groups: dict[str, list] = {}
    items = ServiceCategory.objects.active().items().select_related("parent")
    for item in items.order_by("parent__sort", "parent__code", "sort", "code"):
        groups.setdefault(item.parent.name, []).append((str(item.public_id), item.name))
    return [("", _("Choose an item")), *groups.items()]


def menu_items():
    """Active items of the service menu, with their big category (for the selects)."""
    return (
        ServiceCategory.objects.active()
        .items()
        .select_related("parent")
        .order_by("parent__sort", "sort", "code")
    )


def grouped_items(items) -> list:
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.parent.name, []).append((str(item.public_id), item.name))
    return list(groups.items())
