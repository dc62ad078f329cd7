"""Every change to the service menu (服务菜单): a city's organisation department keeps the city's own
big categories and items (and a platform administrator the ones every city shares): add, rename, set the
vanguard kind and the skills, reorder, retire and restore.

Nothing is deleted: needs, posts, resources and records keep pointing at the items they were filed
under, so a category is retired instead (no longer offered for new needs, posts and records; still
shown where it was used) and can be restored. Each action checks who is acting (``access.keeps_city``),
writes the change and its audit row in one transaction, and refuses with a message otherwise.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from access import keeps_city
from audit.actions import record_event
from checkin.models import VanguardKind
from places.models import Area, AreaLevel
from service.models import ServiceCategory

NAME_MAX = 48
CODE_MAX = 48
KEYWORDS_MAX = 200
SORT_STEP = 10
UP, DOWN = "up", "down"


def keeps_category(user, category: ServiceCategory) -> bool:
    """Whether the user keeps this row of the menu: the city's own rows by its organisation department,
    the shared rows (no city) by a platform administrator."""
    return keeps_city(user, category.city)


def _check_keeper(acting_user, city: Area | None) -> None:
    if city is not None and city.level != AreaLevel.CITY:
        raise ValidationError(_("A service menu belongs to a city."))
    if not keeps_city(acting_user, city):
        if city is None:
            raise PermissionDenied(_("Only a platform administrator changes the menu every city shares."))
        raise PermissionDenied(_("Only the city's organisation department changes its service menu."))


def _locked(category: ServiceCategory) -> ServiceCategory:
    return (
        ServiceCategory.objects.select_for_update(of=("self",))
        .select_related("city", "parent")
        .get(pk=category.pk)
    )


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("Name the category."))
    if len(name) > NAME_MAX:
        raise ValidationError(_("A name has at most %(max)d characters.") % {"max": NAME_MAX})
    return name


def _clean_kind(kind: str) -> str:
    kind = kind or ""
    if kind and kind not in VanguardKind.values:
        raise ValidationError(_("Unknown vanguard kind."))
    return kind


def _clean_keywords(keywords: str) -> str:
    words = " ".join((keywords or "").replace("，", " ").replace(",", " ").split())
    if len(words) > KEYWORDS_MAX:
        raise ValidationError(_("Skills: at most %(max)d characters.") % {"max": KEYWORDS_MAX})
    return words


def _siblings(city: Area | None, parent: ServiceCategory | None):
    """The rows beside a new or moved one in the city's menu (its own and the shared ones)."""
    return ServiceCategory.objects.for_city(city).filter(parent=parent)


def _check_name_free(city, parent, name: str, *, exclude: int | None = None) -> None:
    taken = _siblings(city, parent).filter(name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError(_("%(name)s is already on the menu here.") % {"name": name})


def _new_code(city: Area | None, code: str) -> str:
    code = slugify(code or "")[:CODE_MAX]
    if not code:
        code = f"c-{uuid.uuid4().hex[:10]}"
    if ServiceCategory.objects.for_city(city).filter(code=code).exists() or (
        city is None and ServiceCategory.objects.filter(code=code).exists()
    ):
        raise ValidationError(_("The code %(code)s is taken on this menu.") % {"code": code})
    return code


def _detail(category: ServiceCategory, **extra) -> dict:
    return {
        "city": category.city.code if category.city is not None else None,
        "code": category.code,
        "name": category.name,
        **extra,
    }


@transaction.atomic
def add_category(
    *,
    acting_user,
    city: Area | None,
    name: str,
    parent: ServiceCategory | None = None,
    code: str = "",
    vanguard_kind: str = "",
    keywords: str = "",
    request=None,
) -> ServiceCategory:
    """A new big category (no ``parent``) or item of the city's menu (None: the shared menu), last among
    its siblings. An item may go under one of the city's big categories or a shared one."""
    _check_keeper(acting_user, city)
    if parent is not None:
        parent = _locked(parent)
        if parent.parent_id is not None:
            raise ValidationError(_("Items go under a big category."))
        if parent.city_id is not None and parent.city_id != getattr(city, "pk", None):
            raise ValidationError(_("This big category is not on the city's menu."))
        if city is None and parent.city_id is not None:
            raise ValidationError(_("A shared item goes under a shared big category."))
        if not parent.active:
            raise ValidationError(_("%(name)s is retired: restore it first.") % {"name": parent.name})
    name = _clean_name(name)
    _check_name_free(city, parent, name)
    last = _siblings(city, parent).aggregate(m=Max("sort"))["m"] or 0
    category = ServiceCategory.objects.create(
        city=city,
        parent=parent,
        code=_new_code(city, code),
        name=name,
        vanguard_kind=_clean_kind(vanguard_kind),
        keywords=_clean_keywords(keywords),
        sort=min(last + SORT_STEP, 32000),
    )
    record_event(
        actor=acting_user,
        action="service.category_added",
        request=request,
        target=category,
        detail=_detail(category, parent=parent.code if parent else None),
    )
    return category


@transaction.atomic
def change_category(
    *,
    acting_user,
    category: ServiceCategory,
    name: str,
    vanguard_kind: str = "",
    keywords: str = "",
    request=None,
) -> ServiceCategory:
    """Rename a category, or change its vanguard kind and skills (needs and records filed under it follow:
    they point at it, not at its name). Its code stays: exports and clients may know it."""
    category = _locked(category)
    _check_keeper(acting_user, category.city)
    name = _clean_name(name)
    _check_name_free(category.city, category.parent, name, exclude=category.pk)
    before = {"name": category.name, "vanguard_kind": category.vanguard_kind, "keywords": category.keywords}
    category.name = name
    category.vanguard_kind = _clean_kind(vanguard_kind)
    category.keywords = _clean_keywords(keywords)
    category.save(update_fields=["name", "vanguard_kind", "keywords"])
    record_event(
        actor=acting_user,
        action="service.category_changed",
        request=request,
        target=category,
        detail=_detail(category, before=before),
    )
    return category


@transaction.atomic
def move_category(*, acting_user, category: ServiceCategory, direction: str, request=None) -> ServiceCategory:
    """Move a category one place up or down among the siblings the user keeps (the city's own rows; a
    platform administrator's, all of them): their order is numbered again, the others' stays."""
    if direction not in (UP, DOWN):
        raise ValidationError(_("Move up or down."))
    category = _locked(category)
    _check_keeper(acting_user, category.city)
    kept = list(
        _siblings(category.city, category.parent)
        .filter(city=category.city)
        .select_for_update(of=("self",))
        .order_by("sort", "code")
    )
    at = next(n for n, row in enumerate(kept) if row.pk == category.pk)
    to = at - 1 if direction == UP else at + 1
    if not 0 <= to < len(kept):
        raise ValidationError(_("%(name)s is already at the end of its list.") % {"name": category.name})
    start = min(row.sort for row in kept)
    kept[at], kept[to] = kept[to], kept[at]
    for n, row in enumerate(kept):
        row.sort = start + n
    ServiceCategory.objects.bulk_update(kept, ["sort"])
    record_event(
        actor=acting_user,
        action="service.category_moved",
        request=request,
        target=category,
        detail=_detail(category, direction=direction),
    )
    return category


@transaction.atomic
def retire_category(*, acting_user, category: ServiceCategory, request=None) -> ServiceCategory:
    """No longer offered for new needs, posts, resources and records; what was filed under it keeps it.
    Retiring a big category retires its items too."""
    category = _locked(category)
    _check_keeper(acting_user, category.city)
    if not category.active:
        raise ValidationError(_("%(name)s is already retired.") % {"name": category.name})
    items = []
    if category.parent_id is None:
        items = list(category.children.filter(active=True).values_list("code", flat=True))
        category.children.filter(active=True).update(active=False)
    category.active = False
    category.save(update_fields=["active"])
    record_event(
        actor=acting_user,
        action="service.category_retired",
        request=request,
        target=category,
        detail=_detail(category, items=items),
    )
    return category


@transaction.atomic
def restore_category(*, acting_user, category: ServiceCategory, request=None) -> ServiceCategory:
    """Offer a retired category again (an item only while its big category is offered)."""
    category = _locked(category)
    _check_keeper(acting_user, category.city)
    if category.active:
        raise ValidationError(_("%(name)s is offered.") % {"name": category.name})
    if category.parent is not None and not category.parent.active:
        raise ValidationError(_("%(name)s is retired: restore it first.") % {"name": category.parent.name})
    category.active = True
    category.save(update_fields=["active"])
    record_event(
        actor=acting_user,
        action="service.category_restored",
        request=request,
        target=category,
        detail=_detail(category),
    )
    return category
