"""Input shapes of the case pages: reporting a problem on a phone, and each step on a case's page
(dispatch, return, progress, result, rating, reopening, merging, meetings) and on a grid's desk
(responsibility areas). Forms parse what was typed; who may do what, and every rule of a case, live in
cases/access.py and cases/actions.py."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseCategory, Satisfaction
from checkin.models import Team
from orgs.models import Unit
from people.models import Member
from places.forms import PublicIdChoiceField
from places.models import Area, Building, Compound
from service.forms import DATETIME_INPUT, REASON_MAX, style_form
from service.records.forms import PhotosField

TEXT = {"class": "form-control"}
PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"


def photos_field(label) -> PhotosField:
    """Several photos; on a phone the camera is offered first (``capture``). Named types rather than
    image/*: a phone then converts a HEIC photo into JPEG, which the content check accepts."""
    field = PhotosField(label=label, required=False)
    field.widget.attrs.update({"accept": PHOTO_ACCEPT, "capture": "environment", "class": "form-control"})
    return field


# --- reporting ----------------------------------------------------------------------------------------


class PlaceChoice:
    """One place a reporter can pick: a community, a compound or a building, as ``kind:<public id>``."""

    def __init__(self, kind: str, obj, label: str):
        self.kind, self.obj, self.label = kind, obj, label

    @property
    def value(self) -> str:
        return f"{self.kind}:{self.obj.public_id}"


class ReportForm(forms.Form):
    """报告问题: a category (group, then item), a title, where, and optionally more words, the coordinates,
    photos and who called."""

    category = forms.CharField(label=_("What kind of problem"))
    title = forms.CharField(
        label=_("The problem in a few words"),
        max_length=80,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("e.g. Rubbish piled in the stairwell")}),
    )
    place = forms.ChoiceField(label=_("Where"), widget=forms.Select(attrs={"class": "form-select"}))
    address = forms.CharField(
        label=_("Exact spot"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("e.g. beside unit 2's entrance")}),
    )
    description = forms.CharField(
        label=_("More details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    latitude = forms.CharField(required=False, widget=forms.HiddenInput)
    longitude = forms.CharField(required=False, widget=forms.HiddenInput)
    photos = photos_field(_("Photos"))
    reporter_name = forms.CharField(
        label=_("Name of the person who raised it"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
    )
    reporter_phone = forms.CharField(
        label=_("Their phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={**TEXT, "inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, places: list[PlaceChoice], categories, initial_place: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {p.value: p for p in places}
        self.fields["place"].choices = [("", _("Choose…")), *((p.value, p.label) for p in places)]
        if initial_place and not self.is_bound:
            self.initial["place"] = initial_place
        self.groups = categories

    def chosen_category(self) -> str:
        return str(self.data.get("category", "")) if self.is_bound else ""

    def chosen_group(self) -> str:
        """The group of the category chosen (to show its items again after an error)."""
        chosen = self.chosen_category()
        for group, items in self.groups:
            if any(str(item.public_id) == chosen for item in items):
                return group.code
        return ""

    def clean_category(self) -> CaseCategory:
        try:
            public_id = uuid.UUID(str(self.cleaned_data["category"]))
        except ValueError:
            public_id = None
        found = CaseCategory.objects.active().filter(public_id=public_id).first() if public_id else None
        if found is None:
            raise forms.ValidationError(_("Choose a kind of problem from the list."))
        return found

    def clean_place(self) -> PlaceChoice:
        chosen = self.places.get(self.cleaned_data["place"])
        if chosen is None:
            raise forms.ValidationError(_("Choose where the problem is."))
        return chosen

    def _coordinate(self, name: str):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value:
            return None
        try:
            number = Decimal(value).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            raise forms.ValidationError(
                _("The location could not be read; try again or leave it out.")
            ) from None
        if not number.is_finite():
            raise forms.ValidationError(_("The location could not be read; try again or leave it out."))
        return number

    def clean_latitude(self):
        return self._coordinate("latitude")

    def clean_longitude(self):
        return self._coordinate("longitude")


# --- the case page ------------------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """A reason or note (passing up, returning, reopening, merging): the action says when one is needed."""

    reason = forms.CharField(
        label=_("Reason"), max_length=REASON_MAX, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class TextPhotosForm(forms.Form):
    """Progress or the result, with photos as evidence."""

    text = forms.CharField(
        label=_("What has been done"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )
    photos = photos_field(_("Photos"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["required"] = True  # the action asks for it


class DispatchForm(forms.Form):
    """吹哨: a lead handler and co-handlers among the units the case may be whistled to, and a deadline."""

    lead = forms.ChoiceField(label=_("Lead handler"), required=False)
    co_handlers = forms.MultipleChoiceField(
        label=_("Co-handlers"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    due_on = forms.DateField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for the category's deadline in working days."),
    )
    note = forms.CharField(label=_("Instructions"), max_length=200, required=False)

    def __init__(self, *args, units, has_lead: bool, default_lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["lead"].choices = [("", _("Choose…")), *((str(u.public_id), u.name) for u in units)]
        self.fields["co_handlers"].choices = [(str(u.public_id), u.name) for u in units]
        if has_lead:
            del self.fields["lead"]
        else:
            self.fields["lead"].widget.attrs["required"] = True  # the action asks for it: not "optional"
            if default_lead is not None and not self.is_bound:
                self.initial["lead"] = str(default_lead.public_id)
        style_form(self)

    def clean_lead(self) -> Unit | None:
        wanted = self.cleaned_data.get("lead")
        return next((u for u in self.units if str(u.public_id) == wanted), None)

    def clean_co_handlers(self) -> list[Unit]:
        wanted = set(self.cleaned_data["co_handlers"])
        return [u for u in self.units if str(u.public_id) in wanted]

    def due_at(self) -> datetime | None:
        day = self.cleaned_data.get("due_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day, time(23, 59)))


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied?"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT)
    )


class MergeForm(forms.Form):
    into = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=REASON_MAX, required=False, widget=forms.HiddenInput)


class MeetingForm(forms.Form):
    """A multi-party meeting (六方会议): what, when, where, which units and who else is invited."""

    title = forms.CharField(label=_("Meeting title"), max_length=80, required=False)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        input_formats=[DATETIME_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    invited_units = forms.MultipleChoiceField(
        label=_("Units invited"), required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    other_parties = forms.CharField(
        label=_("Other parties"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("e.g. residents' committee, property management, police")}
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["invited_units"].choices = [(str(u.public_id), u.name) for u in units]
        for name in ("title", "place"):  # the action asks for them
            self.fields[name].widget.attrs["required"] = True
        style_form(self)

    def clean_invited_units(self) -> list[Unit]:
        wanted = set(self.cleaned_data["invited_units"])
        return [u for u in self.units if str(u.public_id) in wanted]


class MeetingRecordForm(forms.Form):
    """Who came (units, others) and what was agreed."""

    attended_units = forms.MultipleChoiceField(
        label=_("Units present"), required=False, widget=forms.CheckboxSelectMultiple
    )
    attendees = forms.CharField(label=_("Others present"), max_length=300, required=False)
    agreed = forms.CharField(
        label=_("What was agreed"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        self.fields["attended_units"].choices = [(str(u.public_id), u.name) for u in units]
        for name in ("attendees", "agreed"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        self.fields["agreed"].widget.attrs["required"] = True

    def clean_attended_units(self) -> list[Unit]:
        wanted = set(self.cleaned_data["attended_units"])
        return [u for u in self.units if str(u.public_id) in wanted]


# --- a grid's desk -------------------------------------------------------------------------------------


class ResponsibilityForm(forms.Form):
    """党建责任区: a member or a team answers for the grid, or one of its compounds or buildings."""

    member = PublicIdChoiceField(Member.objects.none(), label=_("Member"), required=False, empty_label="—")
    team = PublicIdChoiceField(Team.objects.none(), label=_("Team"), required=False, empty_label="—")
    building = PublicIdChoiceField(
        Building.objects.none(), label=_("Building"), required=False, empty_label=_("The whole grid")
    )
    compound = PublicIdChoiceField(
        Compound.objects.none(), label=_("Compound"), required=False, empty_label=_("The whole grid")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, members, teams, buildings, compounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["team"].queryset = teams
        self.fields["building"].queryset = buildings
        self.fields["building"].label_from_instance = str
        self.fields["compound"].queryset = compounds
        style_form(self)


def community_place(area: Area) -> PlaceChoice:
    return PlaceChoice("community", area, str(area.name))
