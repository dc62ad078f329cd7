"""Input shapes of the organisations registry pages: party organisations (found, change, merge), posts
(appoint, end a term), units. Forms parse what was typed; the rules live in orgs/actions.py and who may
use them in orgs/access.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import PartyOrg, PartyOrgKind, PostTitle, Unit, UnitKind
from places.forms import PublicIdChoiceField, RegistryForm, date_widget
from places.models import Area, Compound, Grid


class PartyOrgForm(RegistryForm):
    name = forms.CharField(max_length=128, label=_("Name"))
    kind = forms.ChoiceField(choices=PartyOrgKind.choices, label=_("Kind"))
    code = forms.CharField(max_length=32, label=_("Organisation code"))
    parent = PublicIdChoiceField(
        PartyOrg.objects.none(), required=False, label=_("Parent organisation"), empty_label=_("None")
    )
    area = PublicIdChoiceField(
        Area.objects.none(),
        required=False,
        label=_("Area"),
        empty_label=_("None"),
        help_text=_("An organisation is attached to an area, to a unit, or both."),
    )
    unit = PublicIdChoiceField(Unit.objects.none(), required=False, label=_("Unit"), empty_label=_("None"))
    compound = PublicIdChoiceField(
        Compound.objects.none(), required=False, label=_("Compound"), empty_label=_("None")
    )
    grid = PublicIdChoiceField(Grid.objects.none(), required=False, label=_("Grid"), empty_label=_("None"))
    founded_on = forms.DateField(required=False, label=_("Founded on"), widget=date_widget())

    def __init__(self, *args, parents, areas, units, compounds, grids, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("parent", parents)
        self.choose("area", areas)
        self.choose("unit", units)
        self.choose("compound", compounds)
        self.choose("grid", grids)
        if editing:  # the code makes the organisation's path: it stays
            del self.fields["code"]


class MergeForm(RegistryForm):
    into = PublicIdChoiceField(
        PartyOrg.objects.none(),
        label=_("Merge into"),
        empty_label=None,
        help_text=_("Its members and the organisations under it move there; this one is dissolved."),
    )

    def __init__(self, *args, survivors, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("into", survivors)


class PostForm(RegistryForm):
    title = forms.ChoiceField(choices=PostTitle.choices, label=_("Post"))
    holder_name = forms.CharField(max_length=32, label=_("Holder"))
    from_unit = PublicIdChoiceField(
        Unit.objects.none(),
        required=False,
        label=_("Sent by unit"),
        empty_label=_("None"),
        help_text=_("For part-time committee members and first secretaries."),
    )
    started_on = forms.DateField(required=False, label=_("Since"), widget=date_widget())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("from_unit", units)


class UnitForm(RegistryForm):
    name = forms.CharField(max_length=128, label=_("Name"))
    kind = forms.ChoiceField(choices=UnitKind.choices, label=_("Kind"))
    address_area = PublicIdChoiceField(Area.objects.none(), label=_("Located in"), empty_label=None)
    credit_code = forms.CharField(max_length=18, required=False, label=_("Unified social credit code"))
    address = forms.CharField(max_length=200, required=False, label=_("Address"))
    contact_name = forms.CharField(max_length=32, required=False, label=_("Contact"))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("address_area", areas)
