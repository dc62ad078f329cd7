"""Input shapes of the unit pages (resources, projects, a unit's service) and the filters their lists,
exports and the API share. Forms parse what was typed; the rules live in service/unit_actions.py."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkin.forms import PublicIdChoiceField, _style
from checkin.reconciliation import Period
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel
from service.models import Project, ProjectState, Resource, ResourceKind, ServiceCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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


def _communities():
    return Area.objects.filter(level=AreaLevel.COMMUNITY)


class _Base(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


# --- resources ------------------------------------------------------------------------------------


class ResourceForm(_Base):
    """Offer a resource (the unit is chosen when the admin holds several) or correct one."""

    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), empty_label=None)
    kind = forms.ChoiceField(choices=ResourceKind.choices, label=_("Kind"))
    title = forms.CharField(
        max_length=80,
        label=_("What the unit offers"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. legal advice by our lawyers")}),
    )
    category = PublicIdChoiceField(
        ServiceCategory.objects.none(), required=False, label=_("Service item"), empty_label=_("Any")
    )
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, min_value=0.01)
    measure = forms.CharField(
        max_length=16,
        label=_("Measure"),
        widget=forms.TextInput(attrs={"placeholder": _("hours, yuan, items, m²…")}),
    )
    available_from = forms.DateField(label=_("Offered from"), widget=DATE)
    available_until = forms.DateField(label=_("Offered until"), required=False, widget=DATE)
    community = PublicIdChoiceField(
        _communities(), required=False, label=_("Offered to"), empty_label=_("Any community")
    )
    note = forms.CharField(
        max_length=300, required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units, communities, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        items = list(menu_items())
        self.fields["category"].queryset = ServiceCategory.objects.filter(pk__in=[i.pk for i in items])
        self.fields["category"].widget.choices = [("", _("Any")), *grouped_items(items)]
        self.fields["community"].queryset = communities
        self.fields["community"].widget.choices = [
            ("", _("Any community")),
            *((str(c.public_id), c.name) for c in communities),
        ]
        self.initial.setdefault("available_from", timezone.localdate())
        if editing:  # the unit and the kind of an offer stay what they were
            del self.fields["unit"]
            del self.fields["kind"]

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The end comes before the start."))
        return data


class ReasonForm(_Base):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


# --- projects -------------------------------------------------------------------------------------


class ProjectForm(_Base):
    """Propose a project: the community, what and when; a unit that takes part (required when the
    proposer is a unit's admin, not the community)."""

    community = PublicIdChoiceField(_communities(), label=_("Community"), empty_label=_("Choose a community"))
    title = forms.CharField(max_length=100, label=_("Title"))
    description = forms.CharField(
        max_length=4000, required=False, label=_("Description"), widget=forms.Textarea(attrs={"rows": 4})
    )
    category = PublicIdChoiceField(
        ServiceCategory.objects.none(), required=False, label=_("Service item"), empty_label=_("Any")
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"), required=False, max_digits=12, decimal_places=2, min_value=0
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    unit = PublicIdChoiceField(Unit.objects.none(), required=False, label=_("Unit taking part"))

    def __init__(self, *args, communities, units, unit_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        communities = list(communities)
        self.fields["community"].queryset = _communities().filter(pk__in=[c.pk for c in communities])
        self.fields["community"].widget.choices = [
            ("", _("Choose a community")),
            *((str(c.public_id), c.name) for c in communities),
        ]
        units = list(units)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["unit"].widget.choices = [
            *(
                []
                if unit_required and len(units) == 1
                else [("", _("None yet") if not unit_required else _("Choose a unit"))]
            ),
            *((str(u.public_id), u.name) for u in units),
        ]
        self.fields["unit"].required = unit_required
        if len(communities) == 1:
            self.initial.setdefault("community", communities[0])
        items = list(menu_items())
        self.fields["category"].queryset = ServiceCategory.objects.filter(pk__in=[i.pk for i in items])
        self.fields["category"].widget.choices = [("", _("Any")), *grouped_items(items)]

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end comes before the start."))
        return data


class UnitChoiceForm(_Base):
    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), empty_label=_("Choose a unit"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CommitmentForm(_Base):
    """A participating unit commits part of one of its resources, or describes what it brings."""

    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), empty_label=None)
    resource = PublicIdChoiceField(
        Resource.objects.none(),
        required=False,
        label=_("From our resources"),
        empty_label=_("Described below"),
    )
    description = forms.CharField(max_length=200, required=False, label=_("Contribution"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, min_value=0.01)
    measure = forms.CharField(max_length=16, required=False, label=_("Measure"))

    def __init__(self, *args, units, resources, **kwargs):
        kwargs.setdefault("prefix", "commit")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["resource"].queryset = resources

    def clean(self):
        data = super().clean()
        if not data.get("resource") and not (data.get("description") or "").strip():
            self.add_error(
                "description", _("Choose one of the unit's resources or say what the unit commits.")
            )
        return data


class MilestoneForm(_Base):
    title = forms.CharField(max_length=100, label=_("Milestone"))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "milestone")
        super().__init__(*args, **kwargs)


class MoveForm(_Base):
    """A move of the project; completing needs the people served, evaluating the evaluation, dropping a reason."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("agree", "start", "complete", "evaluate", "drop")])
    beneficiaries_served = forms.IntegerField(label=_("People served"), required=False, min_value=0)
    evaluation = forms.CharField(
        max_length=2000, required=False, label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


# --- a unit's service -----------------------------------------------------------------------------

PERIOD_CHOICES = [
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("year", _("This year")),
]


def period_of(value: str | None) -> Period:
    """This month, quarter or year (this month for anything else)."""
    return Period.of(value if value in ("month", "quarter", "year") else "month")


# --- filters (pages, exports, API) ----------------------------------------------------------------


def _visible_units(request):
    return Unit.objects.visible_to(request.user) if request else Unit.objects.none()


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
        queryset=_visible_units, to_field_name="public_id", label=_("Unit")
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
        queryset=_visible_communities, to_field_name="public_id", label=_("Community")
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.all(), to_field_name="public_id", method="filter_unit", label=_("Unit")
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
        queryset=_visible_units, to_field_name="public_id", method="filter_nothing", label=_("Unit")
    )
    period = django_filters.ChoiceFilter(choices=PERIOD_CHOICES, method="filter_nothing", label=_("Period"))

    class Meta:
        model = Member
        fields = ["unit", "period"]

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        from service.figures import member_rows

        self.form.is_valid()  # fills cleaned_data with the valid fields; a bad period means this month
        unit = self.form.cleaned_data.get("unit")
        if unit is None:
            return queryset.none()
        return member_rows(unit, period_of(self.form.cleaned_data.get("period")), members=queryset)
