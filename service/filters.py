"""Filters of the service lists (needs and wishes, service records, posts, household pairings, resources,
projects, a unit's members' service), shared by the pages, the API and the exports. Choices come from the user's scope; the rows are filtered after
``visible_to``, never instead of it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongjian.pickers import PickerSelect, picker
from gongjian.prefixes import indexed_prefix_q, prefix_range_q
from people.filters import visible_units
from people.models import Member
from places.models import Area, AreaLevel
from places.paths import subtree_q
from service.figures import PERIOD_CHOICES, member_rows, period_of
from service.forms import date_widget
from service.models import (
    HouseholdPairing,
    Need,
    NeedKind,
    NeedState,
    Project,
    ProjectState,
    RecordState,
    Resource,
    ResourceKind,
    ServiceCategory,
    ServicePost,
    ServiceRecord,
    Urgency,
)

PENDING = "pending"
LIVE = "live"

# The days a filter (page, export or API) accepts: the calendar's own ends overflow a day's bounds.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def check_day(day: date) -> None:
    """Refuse a day outside FIRST_DAY … LAST_DAY (a slip of the keyboard, or a probe)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValidationError(
            _("Choose a day between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            code="out_of_range",
        )


@picker("service-areas")
def _areas(request):
    """Streets and communities the user may see (a street picks all its communities at once)."""
    if request is None:
        return Area.objects.none()
    return (
        Area.objects.visible_to(request.user)
        .filter(level__in=(AreaLevel.STREET, AreaLevel.COMMUNITY))
        .order_by("path")
    )


def _categories(request):
    return ServiceCategory.objects.active().select_related("parent").order_by("parent__sort", "sort", "code")


class _AreaFilterMixin(django_filters.FilterSet):
    community = django_filters.ModelChoiceFilter(
        queryset=_areas,
        to_field_name="public_id",
        method="filter_community",
        label=_("Community"),
        widget=PickerSelect("service-areas"),
    )

    def filter_community(self, queryset, name, value):
        return queryset.filter(subtree_q("community_path", value.path))


class _CategoryFilterMixin(django_filters.FilterSet):
    category = django_filters.ModelChoiceFilter(
        queryset=_categories, to_field_name="public_id", method="filter_category", label=_("Category")
    )

    def filter_category(self, queryset, name, value):
        """A big category takes in all its items."""
        return queryset.filter(Q(category=value) | Q(category__parent=value))


class NeedFilter(_AreaFilterMixin, _CategoryFilterMixin):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Search"))
    state = django_filters.ChoiceFilter(
        choices=[(LIVE, _("Not yet closed")), *NeedState.choices], method="filter_state", label=_("State")
    )
    kind = django_filters.ChoiceFilter(choices=NeedKind.choices, label=_("Need or wish"))
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices, label=_("Urgency"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))

    class Meta:
        model = Need
        fields = ["q", "state", "kind", "category", "community", "urgency", "overdue"]

    def filter_state(self, queryset, name, value):
        return queryset.live() if value == LIVE else queryset.filter(state=value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Need.objects.overdue().values("pk")
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class RecordFilter(_AreaFilterMixin, _CategoryFilterMixin):
    state = django_filters.ChoiceFilter(
        choices=[(PENDING, _("Awaiting confirmation or review")), *RecordState.choices],
        method="filter_state",
        label=_("State"),
    )
    member = django_filters.CharFilter(method="filter_member", label=_("Member"))
    start = django_filters.DateFilter(
        method="filter_start",
        label=pgettext_lazy("date range", "From"),
        widget=date_widget(),
        validators=[check_day],
    )
    end = django_filters.DateFilter(
        method="filter_end",
        label=pgettext_lazy("date range", "Until"),
        widget=date_widget(),
        validators=[check_day],
    )

    class Meta:
        model = ServiceRecord
        fields = ["state", "member", "category", "community", "start", "end"]

    def filter_state(self, queryset, name, value):
        return queryset.pending() if value == PENDING else queryset.filter(state=value)

    def filter_member(self, queryset, name, value):
        """The member's name (its beginning) or pinyin initials."""
        value = value.strip()[:32]
        if not value:
            return queryset
        if value.isascii() and value.isalpha():
            return queryset.filter(prefix_range_q("member__name_initials", value.lower()))
        return queryset.filter(indexed_prefix_q("member__name", value))

    def filter_start(self, queryset, name, value):
        return queryset.filter(started_at__gte=_day_start(value))

    def filter_end(self, queryset, name, value):
        """Up to and including that day."""
        return queryset.filter(started_at__lt=_day_start(value + timedelta(days=1)))


def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


class PostFilter(_AreaFilterMixin, _CategoryFilterMixin):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("Search"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open for claims"))

    class Meta:
        model = ServicePost
        fields = ["q", "category", "community", "open"]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        published = ServicePost.objects.published().values("pk")
        return queryset.filter(pk__in=published) if value else queryset.exclude(pk__in=published)


class PairingFilter(_AreaFilterMixin):
    q = django_filters.CharFilter(method="filter_q", label=_("Household"))
    active = django_filters.BooleanFilter(method="filter_active", label=_("Active"))

    class Meta:
        model = HouseholdPairing
        fields = ["q", "community", "active"]

    def filter_q(self, queryset, name, value):
        value = value.strip()[:32]
        if not value:
            return queryset
        if value.isascii() and value.isalpha():
            return queryset.filter(prefix_range_q("household__name_initials", value.lower()))
        return queryset.filter(indexed_prefix_q("household__name", value))

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(ended_on__isnull=value)


# --- the unit pages' lists -------------------------------------------------------------------------


@picker("communities")
def _visible_communities(request):
    return (
        Area.objects.visible_to(request.user).filter(level=AreaLevel.COMMUNITY)
        if request
        else Area.objects.none()
    )


def _category_q(field: str, category) -> Q:
    """An item, or a big category with all its items."""
    return Q(**{field: category}) | Q(**{f"{field}__parent": category})


class ResourceFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices, label=_("Kind"))
    category = django_filters.ModelChoiceFilter(
        queryset=ServiceCategory.objects.all(),
        to_field_name="public_id",
        method="filter_category",
        label=_("Service item"),
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units, to_field_name="public_id", label=_("Unit"), widget=PickerSelect("units")
    )
    available = django_filters.BooleanFilter(method="filter_available", label=_("Offered now"))

    class Meta:
        model = Resource
        fields = ["kind", "category", "unit", "available"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(_category_q("category", value))

    def filter_available(self, queryset, name, value):
        if value is None:
            return queryset
        available = Resource.objects.available().values("pk")
        return queryset.filter(pk__in=available) if value else queryset.exclude(pk__in=available)


class ProjectFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=ProjectState.choices, label=_("State"))
    community = django_filters.ModelChoiceFilter(
        queryset=_visible_communities,
        to_field_name="public_id",
        label=_("Community"),
        widget=PickerSelect("communities"),
    )
    # Among the units the user may see: a picker lists nothing outside the scope (gongjian/pickers.py).
    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units,
        to_field_name="public_id",
        method="filter_unit",
        label=_("Unit"),
        widget=PickerSelect("units"),
    )

    class Meta:
        model = Project
        fields = ["state", "community", "unit"]

    def filter_unit(self, queryset, name, value):
        return queryset.filter(participants__unit=value)


class UnitServiceFilter(django_filters.FilterSet):
    """The member rows of one unit's service page: ``unit`` (required, among the units the user may see)
    and ``period`` (month, quarter or year)."""

    unit = django_filters.ModelChoiceFilter(
        queryset=visible_units,
        to_field_name="public_id",
        method="filter_nothing",
        label=_("Unit"),
        widget=PickerSelect("units"),
    )
    period = django_filters.ChoiceFilter(choices=PERIOD_CHOICES, method="filter_nothing", label=_("Period"))

    class Meta:
        model = Member
        fields = ["unit", "period"]

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        self.form.is_valid()  # fills cleaned_data with the valid fields; a bad period means this month
        unit = self.form.cleaned_data.get("unit")
        if unit is None:
            return queryset.none()
        return member_rows(unit, period_of(self.form.cleaned_data.get("period")), members=queryset)
