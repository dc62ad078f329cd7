"""Filters for the compound and building lists, shared by the pages' export buttons, the exports and
the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import RoleGrant
from places.models import Building, Compound


class CompoundFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    community = django_filters.UUIDFilter(field_name="community__public_id", widget=forms.HiddenInput)
    retired = django_filters.BooleanFilter(
        field_name="retired_on", lookup_expr="isnull", exclude=True, label=_("Retired")
    )

    class Meta:
        model = Compound
        fields = ["q", "community", "retired"]


class BuildingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    compound = django_filters.UUIDFilter(field_name="compound__public_id", widget=forms.HiddenInput)
    grid = django_filters.UUIDFilter(field_name="grid__public_id", widget=forms.HiddenInput)
    retired = django_filters.BooleanFilter(
        field_name="retired_on", lookup_expr="isnull", exclude=True, label=_("Retired")
    )

    class Meta:
        model = Building
        fields = ["q", "compound", "grid", "retired"]


class GridWorkerFilter(django_filters.FilterSet):
    grid = django_filters.UUIDFilter(field_name="grid__public_id", widget=forms.HiddenInput)

    class Meta:
        model = RoleGrant
        fields = ["grid"]
