"""Forms of the pages by which people get in: activation, sign-in by code, registration, passwords."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gongjian.pickers import PickerSelect, picker
from places.models import Area, AreaLevel, Building, Compound


def community_label(area: Area) -> str:
    """A community as registration names it: its street, then itself (two 中山社区 differ by street)."""
    return f"{area.parent.name} · {area.name}" if area.parent else area.name


@picker("register-communities", label=community_label, public=True)
def registration_communities(request=None):
    """Every community of the city: their names and codes are public (docs/SCOPES.md, "The community
    directory"), and someone registering has no scope yet."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).select_related("parent").order_by("path")


def _styled(form: forms.Form) -> forms.Form:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)
    return form


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


def phone_field() -> forms.CharField:
    return forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def code_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code from the text message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def id_digits_field() -> forms.CharField:
    return forms.CharField(
        label=_("Last 4 characters of your ID number"),
        max_length=4,
        min_length=4,
        help_text=_("The end of your ID card number, as on the roster (an X counts as a character)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class PhoneForm(StyledForm):
    phone = phone_field()


class CodeForm(StyledForm):
    code = code_field()


class ActivateForm(StyledForm):
    code = code_field()
    id_last4 = id_digits_field()


class PrintedCodeForm(StyledForm):
    code = forms.CharField(
        label=_("Activation code on your slip"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    id_last4 = id_digits_field()
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        required=False,
        help_text=_("Optional: with a phone on your account you can sign in by SMS code."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class PasswordForm(StyledForm):
    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class RegisterForm(StyledForm):
    """Code, name and home: community → compound → building. The choices of compound and building
    follow the community (and compound) typed so far, so the page works without JavaScript: "Show
    compounds" posts the form back with ``refresh``; with htmx the lists follow as soon as one changes."""

    code = code_field()
    name = forms.CharField(label=_("Your name"), max_length=32)
    community = forms.ModelChoiceField(
        queryset=Area.objects.none(),
        to_field_name="public_id",
        label=_("Community"),
        widget=PickerSelect("register-communities"),
    )
    compound = forms.ModelChoiceField(
        queryset=Compound.objects.none(), to_field_name="public_id", label=_("Compound"), required=False
    )
    building = forms.ModelChoiceField(
        queryset=Building.objects.none(), to_field_name="public_id", label=_("Building"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = registration_communities()
        self.fields["community"].label_from_instance = community_label
        self.fields["community"].empty_label = _("Choose your community")
        community = self._typed("community", Area, level=AreaLevel.COMMUNITY)
        compounds = (
            Compound.objects.filter(community=community).order_by("name")
            if community
            else Compound.objects.none()
        )
        self.fields["compound"].queryset = compounds
        self.fields["compound"].empty_label = (
            _("Choose your compound") if community else _("Choose a community first")
        )
        compound = self._typed("compound", Compound, community=community) if community else None
        buildings = (
            Building.objects.filter(compound=compound).order_by("name")
            if compound
            else Building.objects.none()
        )
        self.fields["building"].queryset = buildings
        self.fields["building"].empty_label = (
            _("Choose your building") if compound else _("Choose a compound first")
        )
        for name in ("community", "compound", "building"):
            self.fields[name].widget.attrs["data-place"] = name

    def _typed(self, name: str, model, **filters):
        value = self.data.get(self.add_prefix(name)) if self.is_bound else None
        if not value:
            return None
        try:
            return model.objects.filter(public_id=value, **filters).first()
        except (ValueError, ValidationError):  # not a UUID: nothing chosen
            return None
