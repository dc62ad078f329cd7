"""Forms of the set-up pages: a set-up file, and the streets chosen from the national list."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV (.csv), laid out like the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )


class DivisionsForm(forms.Form):
    city = forms.RegexField(regex=r"^\d{6}$", widget=forms.HiddenInput)
    district = forms.MultipleChoiceField(required=False, choices=())
    street = forms.MultipleChoiceField(required=False, choices=())

    def __init__(self, *args, tree=None, **kwargs):
        super().__init__(*args, **kwargs)
        districts = tree.districts if tree is not None else []
        self.fields["district"].choices = [(d.code, d.name) for d in districts]
        self.fields["street"].choices = [(s.code, s.name) for d in districts for s in d.streets]
        self.tree = tree

    def street_codes(self) -> list[str]:
        """The ticked streets, and every street of a ticked district."""
        chosen = set(self.cleaned_data.get("street") or [])
        ticked = set(self.cleaned_data.get("district") or [])
        for district in self.tree.districts if self.tree is not None else []:
            if district.code in ticked:
                chosen |= {s.code for s in district.streets}
        return sorted(chosen)
