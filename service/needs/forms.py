"""Input shapes of the need pages: asking for help (a need or a micro-wish, for oneself or on somebody's
behalf), dispatching it (派单), taking it (接单) and the notes of its changes. Forms parse what was typed;
who may post where, and every rule of a need, live in service/needs/actions.py.

Choices offered on the pages come from the user's scope (``visible_to``): who serves a community
(service/queries.py), its teams, the units that can take a need."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from access import staffed_communities
from accounts.scope import scope_for
from checkin.forms import PublicIdChoiceField
from orgs.models import Unit
from people.models import Resident
from places.models import Area, Grid
from places.paths import any_subtree_q
from service.forms import (
    DATETIME_INPUT,
    NOTE_MAX,
    REASON_MAX,
    TargetField,
    member_label,
    style_form,
    target_select,
)
from service.menu.choices import category_groups, cities_of
from service.models import NeedKind, ServiceCategory, Urgency

TEXT = {"class": "form-control"}


class NeedForm(forms.Form):
    """What a resident types: as short as possible on a phone."""

    kind = forms.ChoiceField(
        label=_("What kind"), choices=NeedKind.choices, initial=NeedKind.NEED, widget=forms.RadioSelect
    )
    title = forms.CharField(
        label=_("What is needed"),
        max_length=80,
        widget=forms.TextInput(
            attrs={**TEXT, "placeholder": _("e.g. The kitchen tap leaks"), "autocomplete": "off"}
        ),
    )
    category = forms.ChoiceField(label=_("Kind of help"), widget=forms.Select(attrs={"class": "form-select"}))
    urgency = forms.ChoiceField(
        label=_("How urgent"), choices=Urgency.choices, initial=Urgency.NORMAL, widget=forms.RadioSelect
    )
    due_on = forms.DateField(
        label=_("Needed by"),
        required=False,
        widget=forms.DateInput(attrs={**TEXT, "type": "date"}),
    )
    budget = forms.DecimalField(
        label=_("Budget (yuan)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "decimal", "step": "0.01"}),
        help_text=_("For a micro-wish: about how much it costs."),
    )
    description = forms.CharField(
        label=_("More details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )

    def __init__(self, *args, cities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choose…")), *category_groups(cities)]

    def clean_category(self) -> ServiceCategory:
        value = self.cleaned_data["category"]
        category = ServiceCategory.objects.filter(public_id=value).select_related("parent").first()
        if category is None:
            raise forms.ValidationError(_("Choose an item of the service menu."))
        return category

    def clean_due_on(self):
        day = self.cleaned_data.get("due_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("The date needed by must be today or later."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("kind") != NeedKind.WISH:
            data["budget"] = None  # a budget belongs to a wish
        return data

    def due_at(self):
        """The end of the day chosen (the need is due that day), as an aware datetime."""
        day = self.cleaned_data.get("due_on")
        if day is None:
            return None
        return datetime.combine(day, time(23, 59), tzinfo=timezone.get_current_timezone())

    def need_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "category": data["category"],
            "urgency": data["urgency"],
            "due_at": self.due_at(),
            "budget": data["budget"],
            "description": data["description"],
        }


def posting_grids(user):
    """Grids of a grid worker (their own and those below) that lie in a community."""
    scope = scope_for(user)
    if not scope.grid_paths:
        return Grid.objects.none()
    return Grid.objects.filter(any_subtree_q("path", scope.grid_paths), community__isnull=False)


class StaffNeedForm(NeedForm):
    """A grid worker, the community or the street posts for somebody: where, and for whom."""

    community = PublicIdChoiceField(
        Area.objects.none(),
        label=_("Community"),
        empty_label=_("Choose…"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    grid = PublicIdChoiceField(
        Grid.objects.none(),
        label=_("Grid"),
        empty_label=_("Choose…"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    beneficiary_resident = PublicIdChoiceField(
        Resident.objects.none(),
        label=_("Resident on record"),
        required=False,
        empty_label=_("Not on record / not chosen"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    beneficiary_name = forms.CharField(
        label=_("Who is it for"), max_length=32, required=False, widget=forms.TextInput(attrs=TEXT)
    )
    beneficiary_address = forms.CharField(
        label=_("Their address"), max_length=120, required=False, widget=forms.TextInput(attrs=TEXT)
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        communities = staffed_communities(user).select_related("parent").order_by("path")
        grids = posting_grids(user).select_related("community").order_by("path")
        self.by_grid = not communities.exists()
        paths = list(scope_for(user).area_paths) + list(scope_for(user).grid_paths)
        super().__init__(*args, cities=cities_of(paths), **kwargs)
        if self.by_grid:
            del self.fields["community"]
            self.fields["grid"].queryset = grids
            self.fields["grid"].label_from_instance = lambda g: f"{g.community.name} · {g.name}"
        else:
            del self.fields["grid"]
            self.fields["community"].queryset = communities
        self.fields["beneficiary_resident"].queryset = Resident.objects.visible_to(user).select_related(
            "residence_compound", "residence_building__grid"
        )

    def chosen_resident(self):
        """The resident chosen (for the select to keep showing them after an error)."""
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get("beneficiary_resident")
        return None

    def need_kwargs(self) -> dict:
        data = self.cleaned_data
        grid = data.get("grid")
        community = grid.community if grid is not None else data["community"]
        resident = data.get("beneficiary_resident")
        place = {}
        if resident is not None and resident.residence_area_id == community.pk:
            # the need is where the person lives: their compound and building (and the building's grid)
            place = {"compound": resident.residence_compound, "building": resident.residence_building}
            building = resident.residence_building
            if grid is not None and building is not None and building.grid_id:
                if building.grid.path.startswith(grid.path):
                    grid = building.grid
        return {
            **super().need_kwargs(),
            "community": community,
            "grid": grid,
            "beneficiary_resident": resident,
            "beneficiary_name": data["beneficiary_name"],
            "beneficiary_address": data["beneficiary_address"],
            **place,
        }


# --- the need page --------------------------------------------------------------------------------


class DispatchForm(forms.Form):
    """派单: to whom (a member who serves the community, one of its teams, or a unit), reply by when."""

    target = TargetField(label=_("Dispatch to"), required=True)
    respond_by = forms.DateTimeField(
        label=_("Reply by"),
        required=False,
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    note = forms.CharField(
        label=_("Note for them"),
        max_length=NOTE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. call her daughter first")}),
    )
    suggestion_reason = forms.CharField(max_length=REASON_MAX, required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, members, teams, units, member_options=(), team_options=(), unit_options=(), **kw
    ):
        super().__init__(*args, **kw)
        self.fields["target"].kinds = {"member": members, "team": teams, "unit": units}
        groups = []
        if member_options:
            groups.append(
                (_("Members"), [(f"member:{m.public_id}", member_label(m)) for m in member_options])
            )
        if team_options:
            groups.append((_("Teams"), [(f"team:{t.public_id}", t.name) for t in team_options]))
        if unit_options:
            groups.append((_("Units"), [(f"unit:{u.public_id}", u.name) for u in unit_options]))
        self.fields["target"].widget = target_select(self, "target", groups)
        style_form(self)

    def assignee(self) -> dict:
        kind, found = self.cleaned_data["target"]
        return {kind: found}


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class TakeForm(forms.Form):
    """接单: a member takes it themself; a unit's party admin chooses the unit."""

    unit = PublicIdChoiceField(Unit.objects.none(), label=_("For the unit"), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        style_form(self)
