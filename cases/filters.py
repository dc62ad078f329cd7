"""The case list's filters, shared by the page, its export and the figures' drill-down. Choices come
from the user's scope (pickers: gongjian/pickers.py); rows are filtered after ``visible_to``, never
instead of it, so a drill-down link never shows a case outside the viewer's scope."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import measures
from cases.models import OPEN_CASE_STATES, Case, CaseCategory, CaseDispatch, CaseSource, CaseState
from gongjian.pickers import PickerSelect, picker
from orgs.models import Unit, UnitKind
from places.models import Area, AreaLevel, Grid
from places.paths import subtree_q
from service.filters import check_day

OPEN = "open"


@picker("case-areas")
def case_areas(request):
    """Streets and communities the user may see."""
    if request is None:
        return Area.objects.none()
    return (
        Area.objects.visible_to(request.user)
        .filter(level__in=(AreaLevel.STREET, AreaLevel.COMMUNITY))
        .order_by("path")
    )


@picker("case-grids")
def case_grids(request):
    """The grids the user may see."""
    return Grid.objects.visible_to(request.user).order_by("code") if request else Grid.objects.none()


@picker("case-units")
def case_units(request):
    """Units a case may have been dispatched to, as the user knows them: the units they may see and the
    departments (filtering by one only narrows the cases the user already sees)."""
    if request is None:
        return Unit.objects.none()
    return Unit.objects.filter(
        Q(pk__in=Unit.objects.visible_to(request.user).values("pk")) | Q(kind=UnitKind.DEPARTMENT)
    ).order_by("kind", "name")


def _categories(request):
    return CaseCategory.objects.active().select_related("parent").order_by("sort", "code")


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (what ``<input type=month>`` sends); its first day."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.strip()[:7].split("-"))
            day = date(year, month, 1)
        except ValueError as exc:
            raise forms.ValidationError(_("Choose a month (YYYY-MM).")) from exc
        check_day(day)
        return day


class MonthFilter(django_filters.Filter):
    field_class = MonthField


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    state = django_filters.ChoiceFilter(
        choices=[(OPEN, _("Open (not yet resolved)")), *CaseState.choices],
        method="filter_state",
        label=_("State"),
    )
    category = django_filters.ModelChoiceFilter(
        queryset=_categories, to_field_name="code", method="filter_category", label=_("Category")
    )
    street = django_filters.ModelChoiceFilter(
        queryset=case_areas,
        to_field_name="public_id",
        method="filter_area",
        label=_("Street"),
        widget=PickerSelect("case-areas"),
    )
    community = django_filters.ModelChoiceFilter(
        queryset=case_areas,
        to_field_name="public_id",
        method="filter_area",
        label=_("Community"),
        widget=PickerSelect("case-areas"),
    )
    grid = django_filters.ModelChoiceFilter(
        queryset=case_grids,
        to_field_name="public_id",
        method="filter_grid",
        label=_("Grid"),
        widget=PickerSelect("case-grids"),
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=case_units,
        to_field_name="public_id",
        method="filter_unit",
        label=_("Dispatched to"),
        widget=PickerSelect("case-units"),
    )
    source = django_filters.ChoiceFilter(choices=CaseSource.choices, label=_("Reported by"))
    reported_after = django_filters.DateFilter(
        method="filter_reported_after",
        label=_("Reported from"),
        validators=[check_day],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reported_before = django_filters.DateFilter(
        method="filter_reported_before",
        label=_("Reported to"),
        validators=[check_day],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    escalated = django_filters.BooleanFilter(method="filter_escalated", label=_("Escalated"))
    reopened = django_filters.BooleanFilter(method="filter_reopened", label=_("Reopened"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("Reported by me"))
    # the figures' drill-down: a count of the figures page, for a period
    period = django_filters.ChoiceFilter(
        choices=measures.PERIOD_CHOICES, method="filter_nothing", label=_("Period")
    )
    on = MonthFilter(method="filter_nothing", label=_("Containing the month"))
    figure = django_filters.ChoiceFilter(
        choices=[(key, label) for key, label in measures.LABELS.items()],
        method="filter_figure",
        label=_("Figure"),
    )

    class Meta:
        model = Case
        fields: list[str] = []

    # a figure and a unit together are the unit's figure (its dispatches): see filter_figure
    def _cleaned(self, name):
        return self.form.cleaned_data.get(name)

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_q(self, queryset, name, value):
        text = value.strip()[:40]
        if not text:
            return queryset
        return queryset.filter(Q(number__startswith=text) | Q(title__icontains=text))

    def filter_state(self, queryset, name, value):
        return queryset.open() if value == OPEN else queryset.filter(state=value)

    def filter_category(self, queryset, name, value):
        """A group takes in its categories."""
        return queryset.filter(Q(category=value) | Q(category__parent=value))

    def filter_area(self, queryset, name, value):
        return queryset.filter(subtree_q("area_path", value.path))

    def filter_grid(self, queryset, name, value):
        return queryset.filter(subtree_q("grid_path", value.path))

    def filter_unit(self, queryset, name, value):
        if self._cleaned("figure"):
            return queryset  # the figure counts the unit's own dispatches
        return queryset.filter(pk__in=CaseDispatch.objects.filter(unit=value).values("case_id"))

    def filter_reported_after(self, queryset, name, value: date):
        return queryset.filter(reported_at__date__gte=value)

    def filter_reported_before(self, queryset, name, value: date):
        return queryset.filter(reported_at__date__lte=value)

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = Q(state__in=OPEN_CASE_STATES, due_at__lt=timezone.now())  # CaseQuerySet.overdue
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_escalated(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(escalation_level__gt=0) if value else queryset.filter(escalation_level=0)

    def filter_reopened(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(reopen_count__gt=0) if value else queryset.filter(reopen_count=0)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value is None or user is None or not user.is_authenticated:
            return queryset
        return queryset.filter(reporter_id=user.pk) if value else queryset.exclude(reporter_id=user.pk)

    def filter_figure(self, queryset, name, value):
        period = measures.period_of(self._cleaned("period"), self._cleaned("on"))
        user = getattr(self.request, "user", None)
        return measures.cases_for(user, value, period, cases=queryset, unit=self._cleaned("unit"))
