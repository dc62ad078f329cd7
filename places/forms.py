"""Input shapes of the places registry pages (compounds, buildings, grids, grid workers), and the form
pieces the registry pages of places and orgs share. Forms parse what was typed; the rules live in the
actions (places/actions.py, orgs/actions.py) and who may use them in places/access.py, orgs/access.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.pickers import PickerSelect
from places.models import Area, Building, Grid


class PublicIdChoiceField(forms.ModelChoiceField):
    """A model choice by public id (integer keys never leave the server); a value that is not among
    the choices, or not even a UUID, is the same "choose one of the list"."""

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        # One page of options at most, a search box past that (gongjian/pickers.py): a form choosing
        # among a city's areas or units never lists thousands.
        kwargs.setdefault("widget", PickerSelect())
        super().__init__(queryset, **kwargs)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as exc:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from exc


class PublicIdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("to_field_name", "public_id")
        super().__init__(queryset, **kwargs)


class RegistryForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes (check boxes and hidden inputs aside)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxSelectMultiple):
                continue
            widget.attrs.setdefault(
                "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
            )

    def choose(self, name: str, queryset: Any) -> None:
        """Set the choices of the model choice field ``name``."""
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


def date_widget() -> forms.DateInput:
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CompoundForm(RegistryForm):
    community = PublicIdChoiceField(Area.objects.none(), label=_("Community"), empty_label=None)
    name = forms.CharField(max_length=64, label=_("Name"))
    address = forms.CharField(max_length=200, required=False, label=_("Address"))

    def __init__(self, *args, communities=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["community"]
        else:
            self.choose("community", communities)


class BuildingForm(RegistryForm):
    name = forms.CharField(max_length=64, label=_("Name"), help_text=_("e.g. 3号楼"))
    grid = PublicIdChoiceField(
        Grid.objects.none(), required=False, label=_("Grid"), empty_label=_("No grid yet")
    )

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("grid", grids)


class GridForm(RegistryForm):
    street = PublicIdChoiceField(Area.objects.none(), label=_("Street"), empty_label=None)
    parent = PublicIdChoiceField(
        Grid.objects.none(), required=False, label=_("Parent grid"), empty_label=_("None: a level-1 grid")
    )
    code = forms.CharField(max_length=32, label=_("Grid code"))
    name = forms.CharField(max_length=64, label=_("Name"))
    community = PublicIdChoiceField(
        Area.objects.none(),
        required=False,
        label=_("Community"),
        empty_label=_("None (level 1 only)"),
        help_text=_("Level-2 and level-3 grids lie inside one community of the street."),
    )

    def __init__(self, *args, streets=None, parents=None, communities, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("community", communities)
        if editing:
            for name in ("street", "parent", "code"):
                del self.fields[name]
        else:
            self.choose("street", streets)
            self.choose("parent", parents)


class PersonForm(RegistryForm):
    """A person named to a role: found by phone, or given an account (no password) if new."""

    full_name = forms.CharField(
        max_length=64,
        required=False,
        label=_("Name"),
        help_text=_("Needed only if no account has this phone number yet."),
    )
    phone = forms.CharField(max_length=20, label=_("Mobile number"))


class GridBuildingsForm(RegistryForm):
    buildings = PublicIdMultipleChoiceField(
        Building.objects.none(),
        required=False,
        label=_("Buildings this grid covers"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.choose("buildings", buildings)
        self.fields["buildings"].label_from_instance = lambda b: f"{b.compound.name} {b.name}"  # type: ignore[attr-defined]
