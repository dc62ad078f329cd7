"""The service menu's export (merged into service/exports.py's SPECS): a city's menu as its page lists
it — its own rows and the shared ones, big categories each followed by their items, retired ones too
when the page shows them."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import CharField, F, Q, Value
from django.db.models.expressions import Case, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from jobs.exports import Col, ExportSpec
from service.models import ServiceCategory


class MenuFilter(django_filters.FilterSet):
    """The menu of one city (its rows and the shared ones; ``shared``: the shared ones only) and whether
    to show retired rows: the menu page and its export."""

    city = django_filters.CharFilter(label=_("City"), method="_city")
    retired = django_filters.BooleanFilter(label=_("Include retired"), method="_retired")

    class Meta:
        model = ServiceCategory
        fields = ["city", "retired"]

    def _city(self, queryset, name, value):
        if value == "shared":
            return queryset.filter(city__isnull=True)
        try:
            return queryset.filter(Q(city__public_id=value) | Q(city__isnull=True))
        except ValidationError:  # a malformed id shows nothing rather than failing
            return queryset.none()

    def _retired(self, queryset, name, value):
        return queryset if value else queryset.filter(active=True)


def menu_rows(user):
    """The menu in its order: each big category, then its items."""
    return (
        ServiceCategory.objects.visible_to(user)
        .select_related("parent", "city")
        .annotate(
            big=Coalesce(F("parent__name"), F("name")),
            item=Case(
                When(parent__isnull=False, then=F("name")), default=Value(""), output_field=CharField()
            ),
            big_sort=Coalesce(F("parent__sort"), F("sort")),
            big_code=Coalesce(F("parent__code"), F("code")),
        )
        .order_by("big_sort", "big_code", F("parent_id").asc(nulls_first=True), "sort", "code")
    )


SPECS: dict[str, ExportSpec] = {
    "service_menu": ExportSpec(
        "service_menu",
        _("Service menu"),
        menu_rows,
        MenuFilter,
        R.CITY_RULE_ROLES,
        (
            Col(_("Big category"), "big", 14),
            Col(_("Item"), "item", 14),
            Col(_("Code"), "code", 16),
            Col(_("Vanguard kind"), "get_vanguard_kind_display", 14),
            Col(_("Skills"), "keywords", 24),
            Col(_("Offered"), "active", 8),
            Col(_("City"), "city.name", 10),
        ),
    )
}
