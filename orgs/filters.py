"""Filters for the unit and party organisation lists, shared by the pages, the API and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orgs.models import PartyOrg, PartyOrgKind, Unit, UnitKind


class UnitFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))

    class Meta:
        model = Unit
        fields = ["q", "kind"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(credit_code__startswith=value))


class PartyOrgFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=PartyOrgKind.choices, label=_("Kind"))

    class Meta:
        model = PartyOrg
        fields = ["q", "kind"]
