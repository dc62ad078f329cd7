"""Input shapes of the points pages: the reward forms, and the filters of the ledger, the rankings and
the redemptions, which the pages and their Excel exports share (so a sheet holds what the page shows).
Forms only parse and check what was typed; the rules live in points/actions.py."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.scope import scope_for
from checkin.reconciliation import Period
from gongjian.pickers import PickerSelect, picker
from orgs.models import Unit
from people.models import Member
from places.models import Area
from points import queries
from points.actions import MAX_ADDED, MAX_COST
from points.models import EntryKind, PointEntry, PointRule, Redemption, RedemptionState
from points.rule_actions import MAX_BONUS, MAX_CAP, MAX_PER_HOUR
from service.filters import check_day

PERIOD_CHOICES = [
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("year", _("This year")),
    ("custom", _("Custom")),
]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


# --- the shop ---------------------------------------------------------------------------------------


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Reward"), max_length=60)
    cost = forms.IntegerField(label=_("Points"), min_value=1, max_value=MAX_COST)
    stock = forms.IntegerField(label=_("Stock"), min_value=0, max_value=MAX_ADDED)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["cost"].widget.attrs["inputmode"] = "numeric"
        self.fields["stock"].widget.attrs["inputmode"] = "numeric"


class RestockForm(forms.Form):
    added = forms.IntegerField(label=_("Add to stock"), min_value=1, max_value=MAX_ADDED)


# --- shared filter pieces ---------------------------------------------------------------------------


class PeriodFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        typed_wrong = self.has_error("start") or self.has_error("end")  # that message says enough
        if data.get("period") == "custom" and not (data.get("start") and data.get("end")) and not typed_wrong:
            raise forms.ValidationError(_("Give both dates of a custom period."))
        return data


def _date_filter(label):
    return django_filters.DateFilter(
        label=label,
        method="_keep",
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}),
        validators=[check_day],  # 2000-01-01 … 2099-12-31: a period's bounds stay inside the calendar
    )


def _select(**attrs):
    return forms.Select(attrs={"class": "form-select form-select-sm", **attrs})


def _picker(name: str):
    """A select of one page of options at most, with a search box past that (gongjian/pickers.py)."""
    return PickerSelect(name, attrs={"class": "form-select form-select-sm"})


@picker("ranking-communities")
def _communities(request):
    return queries.ranking_communities(request.user).order_by("path") if request else Area.objects.none()


@picker("ranking-units")
def _units(request):
    return queries.ranking_units(request.user).order_by("name") if request else Unit.objects.none()


class PeriodFilterSet(django_filters.FilterSet):
    """A filterset whose ``period``/``start``/``end`` are read together after the other filters."""

    period_required = True

    def _keep(self, queryset, name, value):
        return queryset  # read together in filter_queryset

    def chosen_period(self) -> Period | None:
        """The period asked for; a custom one without both dates counts as none asked for (this
        month where a period is required, any time where it is not)."""
        data = getattr(self.form, "cleaned_data", {}) or {}
        kind = data.get("period") or ""
        if kind == "custom" and not (data.get("start") and data.get("end")):
            kind = ""
        kind = kind or ("month" if self.period_required else "")
        if not kind:
            return None
        return Period.of(kind, start=data.get("start"), end=data.get("end"))

    @property
    def period(self) -> Period | None:
        if not hasattr(self, "_period"):
            self.errors  # noqa: B018 - validate the form first
            self._period = self.chosen_period()
        return self._period


# --- rankings ---------------------------------------------------------------------------------------


class RankingFilter(PeriodFilterSet):
    """The rankings page: a community or a unit, and a period; rows are ranking rows, not entries."""

    community = django_filters.ModelChoiceFilter(
        queryset=_communities,
        to_field_name="public_id",
        label=_("Community"),
        empty_label=_("All my communities"),
        widget=_picker("ranking-communities"),
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=_units,
        to_field_name="public_id",
        label=_("Unit"),
        empty_label=_("All units"),
        widget=_picker("ranking-units"),
    )
    period = django_filters.ChoiceFilter(
        choices=PERIOD_CHOICES, method="_keep", label=_("Period"), empty_label=None, widget=_select()
    )
    start = _date_filter(_("Start date"))
    end = _date_filter(_("End date"))

    class Meta:
        model = PointEntry
        fields = ["community", "unit", "period", "start", "end"]
        form = PeriodFilterForm

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if self.data.get("community") is None and not self.data.get("unit"):
            default = self.default_community()
            if default is not None:
                self.data = self.data.copy()
                self.data["community"] = str(default.public_id)

    def default_community(self):
        """A member with no area or unit role ranks within the community they live in (else the first
        they serve) until they choose another, or all of theirs."""
        scope = scope_for(getattr(self.request, "user", None))
        if scope.everything or not scope.member_ids or scope.area_paths or scope.unit_ids:
            return None
        communities = list(self.filters["community"].get_queryset(self.request))
        home = set(Member.objects.filter(pk__in=scope.member_ids).values_list("residence_area_id", flat=True))
        return next((c for c in communities if c.pk in home), communities[0] if communities else None)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        self.chosen_community = self.form.cleaned_data.get("community")
        self.entries = queryset  # the entries ranked, for the units' chart
        start, end = self.period.bounds()
        return queries.ranking_rows(queryset, start, end)


# --- the ledger -------------------------------------------------------------------------------------


class LedgerFilter(PeriodFilterSet):
    """The ledger page of a community or street: member, kind, community, period (any time)."""

    period_required = False

    q = django_filters.CharFilter(
        method="filter_q",
        label=_("Member"),
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-sm", "placeholder": _("Name or initials")}
        ),
    )
    kind = django_filters.ChoiceFilter(
        choices=EntryKind.choices, label=_("Kind"), empty_label=_("All kinds"), widget=_select()
    )
    community = django_filters.ModelChoiceFilter(
        queryset=_communities,
        to_field_name="public_id",
        label=_("Community"),
        empty_label=_("All my communities"),
        widget=_picker("ranking-communities"),
    )
    period = django_filters.ChoiceFilter(
        choices=PERIOD_CHOICES, method="_keep", label=_("Period"), empty_label=_("Any time"), widget=_select()
    )
    start = _date_filter(_("Start date"))
    end = _date_filter(_("End date"))

    class Meta:
        model = PointEntry
        fields = ["q", "kind", "community", "period", "start", "end"]
        form = PeriodFilterForm

    def filter_q(self, queryset, name, value):
        return queryset.filter(member__in=Member.objects.search(value).order_by().values("pk"))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.period is not None:
            queryset = queryset.in_period(*self.period.bounds())
        return queryset


# --- redemptions ------------------------------------------------------------------------------------


@picker("catalogue-areas")
def _catalogue_areas(request):
    return queries.catalogue_areas(request.user) if request else Area.objects.none()


class RedemptionFilter(django_filters.FilterSet):
    """The shop's redemptions: one catalogue, a state."""

    area = django_filters.ModelChoiceFilter(
        queryset=_catalogue_areas,
        to_field_name="public_id",
        field_name="reward__area",
        label=_("Catalogue"),
        widget=_picker("catalogue-areas"),
    )
    state = django_filters.ChoiceFilter(
        choices=RedemptionState.choices, label=_("State"), empty_label=_("All states"), widget=_select()
    )

    class Meta:
        model = Redemption
        fields = ["area", "state"]


# --- the point rules (积分规则) -----------------------------------------------------------------------


class PointRuleFilter(django_filters.FilterSet):
    """The versions of the point rules that apply in a city: its own and the shared ones (the rules
    page and its export)."""

    city = django_filters.UUIDFilter(label=_("City"), method="_city")

    class Meta:
        model = PointRule
        fields = ["city"]

    def _city(self, queryset, name, value):
        return queryset.filter(Q(city__public_id=value) | Q(city__isnull=True))


class RuleForm(forms.Form):
    """A new version of a rule: the category (empty: the default rule), the points and the first day."""

    category = forms.ChoiceField(label=_("Rule of"), required=False)
    points_per_hour = forms.IntegerField(label=_("Points per hour"), min_value=0, max_value=MAX_PER_HOUR)
    urgent_bonus = forms.IntegerField(
        label=_("Bonus for an urgent need"), min_value=0, max_value=MAX_BONUS, initial=0
    )
    daily_cap = forms.IntegerField(
        label=_("Most points a day"),
        min_value=1,
        max_value=MAX_CAP,
        required=False,
        help_text=_("Empty: no cap."),
    )
    effective_from = forms.DateField(
        label=_("In force from"), widget=forms.DateInput(attrs={"type": "date"}), validators=[check_day]
    )

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("The default rule (every category)")), *categories]
        _style(self)
        for name in ("points_per_hour", "urgent_bonus", "daily_cap"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"


class EndRuleForm(forms.Form):
    effective_from = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}), validators=[check_day]
    )
