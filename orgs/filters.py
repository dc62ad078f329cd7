"""Filters for the unit and party organisation lists, shared by the pages, the API and the exports."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleGrant
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from places.models import Area
from places.paths import subtree_q


def _in_area(queryset, value, *path_fields: str):
    """Rows located in the area ``value`` (a public id) names: the figure cards link here."""
    area = Area.objects.filter(public_id=value).only("path").first()
    if area is None:
        return queryset.none()
    found = Q()
    for field in path_fields:
        found |= subtree_q(field, area.path)
    return queryset.filter(found)


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))
    area = django_filters.UUIDFilter(method="filter_area", widget=forms.HiddenInput)
    admin = django_filters.BooleanFilter(method="filter_admin", label=_("Has a party admin"))

    class Meta:
        model = Unit
        fields = ["q", "kind", "area", "admin"]

    def filter_admin(self, queryset, name, value):
        """true: units with a party admin; false: those (departments aside) with none, the home's to-do item."""
        return queryset.with_admin() if value else queryset.without_admin()

    def filter_area(self, queryset, name, value):
        return _in_area(queryset, value, "address_area__path")

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__startswith=value))


class PartyOrgFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=PartyOrgKind.choices, label=_("Kind"))
    area = django_filters.UUIDFilter(method="filter_area", widget=forms.HiddenInput)
    dissolved = django_filters.BooleanFilter(
        field_name="dissolved_on", lookup_expr="isnull", exclude=True, label=_("Dissolved")
    )

    class Meta:
        model = PartyOrg
        fields = ["q", "kind", "area", "dissolved"]

    def filter_area(self, queryset, name, value):
        return _in_area(queryset, value, "area__path", "unit__address_area__path")


class PostFilter(django_filters.FilterSet):
    """Posts of one organisation (the detail page's export), by title, current or ended."""

    party_org = django_filters.UUIDFilter(field_name="party_org__public_id", widget=forms.HiddenInput)
    title = django_filters.ChoiceFilter(choices=PostTitle.choices, label=_("Post"))
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("Current"))

    class Meta:
        model = Post
        fields = ["party_org", "title", "current"]


class UnitAdminFilter(django_filters.FilterSet):
    unit = django_filters.UUIDFilter(field_name="unit__public_id", widget=forms.HiddenInput)

    class Meta:
        model = RoleGrant
        fields = ["unit"]
