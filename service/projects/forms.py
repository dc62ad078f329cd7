"""Input shapes of the project pages (项目清单): proposing a project, a unit joining or committing, its
milestones and moves, and a resident's rating. Forms parse what was typed; the rules live in
service/projects/actions.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from checkin.forms import PublicIdChoiceField
from orgs.models import Unit
from places.models import Area, AreaLevel
from service.forms import StyledForm, date_widget
from service.menu.choices import grouped_items, menu_items
from service.models import Resource, ServiceCategory


class ProjectForm(StyledForm):
    """Propose a project: the community, what and when; a unit that takes part (required when the
    proposer is a unit's admin, not the community)."""

    community = PublicIdChoiceField(
        Area.objects.filter(level=AreaLevel.COMMUNITY),
        label=_("Community"),
        empty_label=_("Choose a community"),
    )
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
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=date_widget())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=date_widget())
    unit = PublicIdChoiceField(Unit.objects.none(), required=False, label=_("Unit taking part"))

    def __init__(self, *args, communities, units, unit_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        communities = list(communities)
        self.fields["community"].queryset = Area.objects.filter(level=AreaLevel.COMMUNITY).filter(
            pk__in=[c.pk for c in communities]
        )
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


class UnitChoiceForm(StyledForm):
    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), empty_label=_("Choose a unit"))

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units


class CommitmentForm(StyledForm):
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


class MilestoneForm(StyledForm):
    title = forms.CharField(max_length=100, label=_("Milestone"))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=date_widget())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "milestone")
        super().__init__(*args, **kwargs)


class MoveForm(StyledForm):
    """A move of the project; completing needs the people served, evaluating the evaluation, dropping a reason."""

    action = forms.ChoiceField(choices=[(a, a) for a in ("agree", "start", "complete", "evaluate", "drop")])
    beneficiaries_served = forms.IntegerField(label=_("People served"), required=False, min_value=0)
    evaluation = forms.CharField(
        max_length=2000, required=False, label=_("Evaluation"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class RatingForm(forms.Form):
    """A resident's stars for a completed project (the resident's requests page posts it)."""

    score = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)
