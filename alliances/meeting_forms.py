"""Input shapes of the meetings and resolutions pages. Forms parse what was typed and keep it on a refusal;
who may do what and every rule live in alliances/meetings.py and alliances/resolutions.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from alliances.models import MeetingKind
from service.forms import DATETIME_INPUT, date_widget, style_form
from service.records.forms import MultipleFileInput, PhotosField

DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": DATETIME_INPUT}


def _by_public_id(choices: list, value: str):
    for obj in choices:
        if str(obj.public_id) == value:
            return obj
    return None


class CallMeetingForm(forms.Form):
    """Call a meeting: the host (an alliance the user leads, or a party organisation they keep), kind,
    title, when, where, agenda, the period it counts for, and the units invited."""

    host = forms.ChoiceField(label=_("Alliance or party organisation"))
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), input_formats=[DATETIME_INPUT], widget=forms.DateTimeInput(**DATETIME_WIDGET)
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), input_formats=[DATETIME_INPUT], widget=forms.DateTimeInput(**DATETIME_WIDGET)
    )
    place = forms.CharField(label=_("Place"), max_length=120)
    agenda = forms.CharField(
        label=_("Agenda"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    period_start = forms.DateField(
        label=_("Makes up for the period of"),
        required=False,
        widget=date_widget(),
        help_text=_("Leave empty unless this meeting makes up for an earlier period's missed meeting."),
    )
    invite_units = forms.MultipleChoiceField(
        label=_("Units invited"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, alliances, orgs, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.alliances, self.orgs, self.units = list(alliances), list(orgs), list(units)
        self.fields["host"].choices = [(f"a:{a.public_id}", a.name) for a in self.alliances] + [
            (f"o:{o.public_id}", o.name) for o in self.orgs
        ]
        self.fields["invite_units"].choices = [(str(u.public_id), u.name) for u in self.units]
        style_form(self)
        self.fields["invite_units"].widget.attrs.pop("class", None)

    def clean_host(self) -> dict:
        value = self.cleaned_data["host"]
        prefix, _sep, public_id = value.partition(":")
        if prefix == "a":
            return {"alliance": _by_public_id(self.alliances, public_id), "party_org": None}
        return {"alliance": None, "party_org": _by_public_id(self.orgs, public_id)}

    def clean_invite_units(self) -> list:
        wanted = set(self.cleaned_data["invite_units"])
        return [u for u in self.units if str(u.public_id) in wanted]


class MinutesForm(forms.Form):
    text = forms.CharField(
        label=_("Meeting minutes"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    note = forms.CharField(
        label=_("What the amendment changes"),
        max_length=200,
        required=False,
        help_text=_("Needed once the minutes are published."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class ResolutionForm(forms.Form):
    text = forms.CharField(label=_("Resolution"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    owner_unit = forms.ChoiceField(label=_("Owner"))
    due_on = forms.DateField(label=_("Due on"), widget=date_widget())

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.fields["owner_unit"].choices = [("", "—")] + [(str(u.public_id), u.name) for u in self.units]
        style_form(self)

    def clean_owner_unit(self):
        return _by_public_id(self.units, self.cleaned_data["owner_unit"])


class AttendanceForm(forms.Form):
    invitation = forms.UUIDField(widget=forms.HiddenInput)
    present = forms.TypedChoiceField(
        choices=[("1", _("Present")), ("0", _("Absent"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    excused = forms.CharField(label=_("Leave of absence"), max_length=200, required=False)


class InviteForm(forms.Form):
    units = forms.MultipleChoiceField(label=_("Units invited"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = list(units)
        self.fields["units"].choices = [(str(u.public_id), u.name) for u in self.units]

    def clean_units(self) -> list:
        wanted = set(self.cleaned_data["units"])
        return [u for u in self.units if str(u.public_id) in wanted]


class CaseForm(forms.Form):
    case = forms.ChoiceField(label=_("Case"))

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = list(cases)
        self.fields["case"].choices = [(str(c.public_id), f"{c.number} {c.title}") for c in self.cases]
        style_form(self)

    def clean_case(self):
        return _by_public_id(self.cases, self.cleaned_data["case"])


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("Progress"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.BooleanField(label=_("This is the evidence that it is done"), required=False)
    files = PhotosField(label=_("Photos or documents"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget = MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf", "class": "form-control"}
        )
        self.fields["note"].widget.attrs["class"] = "form-control"
        self.fields["evidence"].widget.attrs["class"] = "form-check-input"


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class ToCaseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category of problem"))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.fields["category"].choices = [(str(c.pk), c.name) for c in self.categories]
        style_form(self)

    def clean_category(self):
        wanted = self.cleaned_data["category"]
        return next((c for c in self.categories if str(c.pk) == wanted), None)
