"""The roster upload form: a file, and the unit when the user may import for several."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongjian.pickers import PickerSelect, picker
from jobs.actions import importable_units
from orgs.models import Unit


@picker("importable-units")
def units_to_import_for(request):
    """The units the user may import rosters for, by name (the form's choices and its picker's)."""
    return importable_units(request.user).order_by("name") if request else Unit.objects.none()


class RosterUploadForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=None,
        to_field_name="public_id",
        label=_("Unit"),
        empty_label=None,
        widget=PickerSelect("importable-units", attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("Excel (.xlsx) or CSV (.csv), laid out like the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        first = list(units[:2])
        self.only_unit = first[0] if len(first) == 1 else None
        if self.only_unit is not None:
            # One unit: nothing to choose.
            self.fields["unit"].required = False
            self.fields["unit"].widget = forms.HiddenInput()

    def clean_unit(self):
        return self.cleaned_data.get("unit") or self.only_unit
