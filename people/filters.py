"""Filters for the people lists, shared by the pages, the API and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _

from gongjian.pickers import PickerSelect, picker
from gongjian.prefixes import indexed_prefix_q
from orgs.models import Unit
from people.keepers import orgs_spoken_for_q
from people.models import (
    Applicant,
    ApplicantStage,
    Member,
    MemberStatus,
    MemberTransfer,
    Resident,
    TransferState,
    person_search_q,
)
from places.models import Area
from places.paths import subtree_q


@picker("units")
def visible_units(request):
    """The units the user may see (a picker's choices: gongjian/pickers.py)."""
    return Unit.objects.visible_to(request.user) if request else Unit.objects.none()


@picker("areas")
def visible_areas(request):
    """The areas the user may see, in tree order."""
    return Area.objects.visible_to(request.user).order_by("path") if request else Area.objects.none()


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))

    def filter_q(self, queryset, name, value):
        return queryset.search(value)


class MemberFilter(SearchFilterSet):
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("Status"))
    in_service = django_filters.BooleanFilter(label=_("In service"))
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units, to_field_name="public_id", label=_("Unit"), widget=PickerSelect("units")
    )
    area = django_filters.ModelChoiceFilter(
        queryset=visible_areas,
        to_field_name="public_id",
        method="filter_area",
        label=_("Lives in"),
        widget=PickerSelect("areas"),
    )

    class Meta:
        model = Member
        fields = ["q", "status", "in_service", "unit", "area"]

    def filter_area(self, queryset, name, value):
        return queryset.filter(subtree_q("residence_path", value.path))


class ResidentFilter(SearchFilterSet):
    awaiting = django_filters.BooleanFilter(method="filter_awaiting", label=_("Awaiting verification"))
    area = django_filters.ModelChoiceFilter(
        queryset=visible_areas,
        to_field_name="public_id",
        method="filter_area",
        label=_("Lives in"),
        widget=PickerSelect("areas"),
    )

    class Meta:
        model = Resident
        fields = ["q", "area", "awaiting"]

    def filter_awaiting(self, queryset, name, value):
        """Self-registered residents the community has not verified yet (or, false: the others)."""
        if value is None:
            return queryset
        awaiting = queryset.awaiting_verification()
        return awaiting if value else queryset.exclude(pk__in=awaiting.values("pk"))

    def filter_area(self, queryset, name, value):
        return queryset.filter(subtree_q("residence_path", value.path))


class ApplicantFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    stage = django_filters.ChoiceFilter(choices=ApplicantStage.choices, label=_("Stage"))

    class Meta:
        model = Applicant
        fields = ["q", "stage"]

    def filter_q(self, queryset, name, value):
        """As for members: the name's beginning, pinyin initials or the phone's last four digits."""
        return queryset.filter(person_search_q(value))


class NamedFilter(django_filters.FilterSet):
    """For the simple registries (commercial buildings, trade unions, youth league organisations)."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))


class TransferFilter(django_filters.FilterSet):
    """Organisation transfers: by the member's name, state, and side (to or from the user's organisations)."""

    q = django_filters.CharFilter(method="filter_q", label=_("Member"))
    state = django_filters.ChoiceFilter(choices=TransferState.choices, label=_("State"))
    side = django_filters.ChoiceFilter(
        choices=[("incoming", _("Transferred to us")), ("outgoing", _("Transferred from us"))],
        method="filter_side",
        label=_("Direction"),
    )

    class Meta:
        model = MemberTransfer
        fields = ["q", "state", "side"]

    def filter_q(self, queryset, name, value):
        """The member's name, from its beginning (an index range on the member's name)."""
        return queryset.filter(indexed_prefix_q("member__name", value.strip()))

    def filter_side(self, queryset, name, value):
        # the API's caller is request.auth (a bearer token leaves request.user anonymous)
        user = getattr(self.request, "auth", None) or getattr(self.request, "user", None)
        return queryset.filter(orgs_spoken_for_q(user, "to_org__" if value == "incoming" else "from_org__"))
