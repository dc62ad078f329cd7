"""The roster upload form: a file, and the unit when the user may import for several."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RosterUploadForm(forms.Form):
    unit = forms.ModelChoiceField(
        queryset=None,
        to_field_name="public_id",
        label=_("Unit"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
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
