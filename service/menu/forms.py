"""Input shapes of the service menu's page: a category's name, vanguard kind and skills (and, when it
is added, its code and big category). Forms only parse; the rules live in service/menu/actions.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from checkin.models import VanguardKind
from service.menu.actions import CODE_MAX, KEYWORDS_MAX, NAME_MAX


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    vanguard_kind = forms.ChoiceField(
        label=_("Vanguard kind"), required=False, choices=[("", "—"), *VanguardKind.choices]
    )
    keywords = forms.CharField(
        label=_("Skills that fit"),
        max_length=KEYWORDS_MAX,
        required=False,
        help_text=_("Separated by spaces: 电工 水电 维修"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            widget.attrs.setdefault(
                "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
            )


class NewCategoryForm(CategoryForm):
    """A new big category (no parent chosen) or item."""

    parent = forms.ChoiceField(label=_("Under"), required=False)
    code = forms.SlugField(
        label=_("Code"),
        max_length=CODE_MAX,
        required=False,
        help_text=_("Letters, digits and dashes, for exports and other systems; empty: one is made up."),
    )

    field_order = ["parent", "name", "vanguard_kind", "keywords", "code"]

    def __init__(self, *args, parents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— a new big category —")), *parents]
        self.fields["parent"].widget.attrs["class"] = "form-select"
        self.fields["code"].widget.attrs["class"] = "form-control"
