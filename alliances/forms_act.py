"""The forms of the rotating chair, the activities and the board (part act): they read the input; the
actions decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.models import BoardPostKind, OpenTo
from places.models import Area, AreaLevel
from service.models import ServiceCategory

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def datetime_field(label):
    return forms.DateTimeField(
        label=label,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_LOCAL
        ),
    )


def text(label, max_length, *, required=True, rows=None):
    widget = (
        forms.Textarea(attrs={"class": "form-control", "rows": rows})
        if rows
        else forms.TextInput(attrs={"class": "form-control"})
    )
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget)


class GenerateForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"),
        min_value=2000,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    start_month = forms.IntegerField(
        label=_("From month"),
        min_value=1,
        max_value=12,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


class SwapForm(forms.Form):
    first = forms.UUIDField(label=_("First month"), widget=forms.Select(attrs={"class": "form-select"}))
    second = forms.UUIDField(label=_("Second month"), widget=forms.Select(attrs={"class": "form-select"}))
    reason = text(_("Reason"), 200)

    def __init__(self, *args, turns=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(t.public_id), f"{t.month:%Y-%m} {t.unit.name}") for t in turns]
        self.fields["first"].widget.choices = choices
        self.fields["second"].widget.choices = choices


class PlanForm(forms.Form):
    theme = text(_("Theme"), 80)
    plan = text(_("Plan"), 2000, rows=3)


class ReportForm(forms.Form):
    report = text(_("Report"), 4000, rows=4)


class ActivityForm(forms.Form):
    title = text(_("Title"), 100)
    theme = text(_("Theme"), 80, required=False)
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Area.objects.none(),
        to_field_name="public_id",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    place = text(_("Place"), 120)
    starts_at = datetime_field(_("Starts at"))
    ends_at = datetime_field(_("Ends at"))
    category = forms.ModelChoiceField(
        label=_("Service item"),
        queryset=ServiceCategory.objects.none(),
        to_field_name="public_id",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    organiser_unit = forms.ChoiceField(
        label=_("Organiser"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    capacity = forms.IntegerField(
        label=_("Places"),
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    open_to = forms.ChoiceField(
        label=_("Open to"), choices=OpenTo.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    description = text(_("Description"), 4000, required=False, rows=3)

    def __init__(self, *args, alliance, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Area.objects.filter(
            level=AreaLevel.COMMUNITY, path__startswith=alliance.area_path
        ).order_by("path")
        self.fields["category"].queryset = (
            ServiceCategory.objects.active().filter(parent__isnull=False).order_by("parent_id", "id")
        )
        self.fields["organiser_unit"].choices = [("", _("The alliance"))] + [
            (str(u.public_id), u.name) for u in units
        ]
        self.units = {str(u.public_id): u for u in units}
        if not self.is_bound:
            self.initial.setdefault(
                "starts_at",
                (timezone.localtime() + timezone.timedelta(days=7)).replace(
                    minute=0, second=0, microsecond=0
                ),
            )


class CancelForm(forms.Form):
    reason = text(_("Reason"), 200)


class PostForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=BoardPostKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = text(_("Title"), 100)
    body = text(_("Text"), 8000, rows=5)
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
