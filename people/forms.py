"""Input shapes of the people pages: keeping residents, applicants and the area registries, and
transfers. Forms parse what was typed; the rules live in the actions (people/residents.py,
applicants.py, registries.py, transfers.py). Objects are chosen by public id, among querysets the
view has already cut to the user's scope."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import PartyOrg, Unit
from people.models import ApplicantStage, Gender, RegistryEntry
from people.registries import REGISTRY_FIELDS
from places.forms import PublicIdChoiceField
from places.models import Area, Building, Compound


def date_widget() -> forms.DateInput:
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault(
                    "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
                )


def _offer(form: forms.Form, name: str, queryset: QuerySet) -> None:
    """The choices of one of the form's public-id fields (set by the view, cut to the user's scope)."""
    cast(PublicIdChoiceField, form.fields[name]).queryset = queryset


class BuildingChoiceField(PublicIdChoiceField):
    def label_from_instance(self, obj: Building) -> str:
        return f"{obj.compound.name} {obj.name}"


class HomeFields(StyledForm):
    """A community, and optionally a compound and a building in it (people.homes.check_home decides)."""

    area = PublicIdChoiceField(Area.objects.none(), label=_("Community"), empty_label=None)
    compound = PublicIdChoiceField(Compound.objects.none(), required=False, label=_("Compound"))
    building = BuildingChoiceField(Building.objects.none(), required=False, label=_("Building"))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        _offer(self, "area", communities)
        _offer(self, "compound", Compound.objects.filter(community__in=communities).order_by("name"))
        _offer(
            self,
            "building",
            (
                Building.objects.filter(compound__community__in=communities)
                .select_related("compound")
                .order_by("compound__name", "name")
            ),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("building") is not None and data.get("compound") is None:
            data["compound"] = data["building"].compound
        return data


class ResidentForm(HomeFields):
    name = forms.CharField(max_length=32, label=_("Full name"))
    phone = forms.CharField(max_length=20, required=False, label=_("Mobile phone"))
    household_note = forms.CharField(max_length=200, required=False, label=_("Household note"))
    field_order = ["name", "phone", "area", "compound", "building", "household_note"]

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["phone"].help_text = _("Leave empty to keep the number on record.")


class ApplicantForm(StyledForm):
    name = forms.CharField(max_length=32, label=_("Full name"))
    gender = forms.ChoiceField(choices=Gender.choices, label=_("Gender"))
    id_number = forms.CharField(max_length=18, required=False, label=_("ID card number"))
    phone = forms.CharField(max_length=20, required=False, label=_("Mobile phone"))
    area = PublicIdChoiceField(Area.objects.none(), label=_("Area"), empty_label=None)
    unit = PublicIdChoiceField(Unit.objects.none(), required=False, label=_("Unit"))
    party_org = PublicIdChoiceField(PartyOrg.objects.none(), label=_("Party organisation"), empty_label=None)
    applied_on = forms.DateField(label=_("Applied on"), widget=date_widget())

    def __init__(self, *args, areas, units, orgs, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        _offer(self, "area", areas)
        _offer(self, "unit", units)
        _offer(self, "party_org", orgs)
        if editing:  # place, unit and the steps' dates are not corrected here
            for name in ("area", "unit", "applied_on"):
                del self.fields[name]
            for name in ("id_number", "phone"):
                self.fields[name].help_text = _("Leave empty to keep the number on record.")
        else:
            self.initial.setdefault("applied_on", timezone.localdate())


class AdvanceForm(StyledForm):
    stage = forms.ChoiceField(choices=ApplicantStage.choices, widget=forms.HiddenInput)
    on = forms.DateField(label=_("On"), widget=date_widget())


class ReasonForm(StyledForm):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


def registry_form_class(model: type[RegistryEntry]) -> type[StyledForm]:
    """The form of one registry: name, place, unit, and the registry's own fields (REGISTRY_FIELDS)."""
    own = forms.fields_for_model(model, fields=[f for f in REGISTRY_FIELDS[model] if f != "party_org"])
    extra: dict[str, forms.Field] = {}
    if "party_org" in REGISTRY_FIELDS[model]:
        extra["party_org"] = PublicIdChoiceField(
            PartyOrg.objects.none(), required=False, label=_("Party organisation")
        )

    def __init__(self, *args, areas, units, orgs, **kwargs):
        StyledForm.__init__(self, *args, **kwargs)
        _offer(self, "area", areas)
        _offer(self, "unit", units)
        if "party_org" in self.fields:
            _offer(self, "party_org", orgs)

    attrs = {
        "name": forms.CharField(max_length=128, label=_("Name")),
        "area": PublicIdChoiceField(Area.objects.none(), label=_("Area"), empty_label=None),
        "unit": PublicIdChoiceField(Unit.objects.none(), required=False, label=_("Unit")),
        **extra,
        **own,
        "__init__": __init__,
    }
    return type(f"{model.__name__}Form", (StyledForm,), attrs)


class OrgChoiceField(PublicIdChoiceField):
    def label_from_instance(self, obj: PartyOrg) -> str:
        return f"{obj.name} ({obj.code})"


class TransferForm(StyledForm):
    to_org = OrgChoiceField(PartyOrg.objects.none(), label=_("To the party organisation"))
    note = forms.CharField(max_length=200, required=False, label=_("Note"))

    def __init__(self, *args, orgs, **kwargs):
        super().__init__(*args, **kwargs)
        _offer(self, "to_org", orgs)
