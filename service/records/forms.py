"""Input shapes of service records: logging one (the member's log page), and confirming, rejecting and
rating one (the record page and the public confirmation page). Forms parse what was typed; the rules
(who may log, confirm, rate; plausibility; codes) live in service/records/actions.py."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# What a member picks from, in minutes: most service is an hour or two.
COMMON_DURATIONS = (15, 30, 45, 60, 90, 120, 150, 180, 240, 300, 360, 480)
STARS = ((5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★"))


def duration_label(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d minutes") % {"m": rest}
    if not rest:
        return _("%(h)d h") % {"h": hours}
    return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one (or more) file inputs of the same name; each is checked by the action
    (by content, size and count: service/records/checks.py)."""

    def __init__(self, *args, **kwargs):
        # named types, not image/*: a phone then converts what it would send as HEIC into JPEG
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class LogServiceForm(forms.Form):
    """服务记实: what, when, how long, for whom, photos. ``communities`` is offered when the record is
    not linked to a need, post, pairing or project (which name their community themselves)."""

    category = forms.ChoiceField(label=gettext_lazy("Service item"))
    community = forms.ChoiceField(label=gettext_lazy("Community served"), required=False)
    started_at = forms.DateTimeField(
        label=gettext_lazy("Started at"),
        input_formats=[DATETIME_LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    minutes = forms.TypedChoiceField(label=gettext_lazy("How long"), coerce=int)
    description = forms.CharField(
        label=gettext_lazy("What you did"),
        max_length=500,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": gettext_lazy("e.g. replaced the kitchen tap washer")}
        ),
    )
    beneficiary_name = forms.CharField(
        label=gettext_lazy("For whom (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    photos = PhotosField(label=gettext_lazy("Photos (optional)"), required=False)

    def __init__(self, *args, menu=(), items=None, communities=(), ask_beneficiary=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items or {}
        self.communities = {str(c.public_id): c for c in communities}
        self.fields["category"].choices = [("", _("Choose what you did")), *menu]
        self.fields["minutes"].choices = [("", _("Choose"))] + [
            (m, duration_label(m)) for m in COMMON_DURATIONS
        ]
        if self.communities:
            self.fields["community"].choices = [(k, c.name) for k, c in self.communities.items()]
            self.fields["community"].required = True
            if len(self.communities) == 1:
                self.initial.setdefault("community", next(iter(self.communities)))
        else:
            del self.fields["community"]
        if not ask_beneficiary:
            del self.fields["beneficiary_name"]
        self.initial.setdefault(
            "started_at", timezone.localtime().replace(second=0, microsecond=0) - timedelta(hours=1)
        )
        self.initial.setdefault("minutes", 60)
        for name, field in self.fields.items():
            if name == "photos":
                field.widget.attrs.setdefault("class", "form-control")
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            else:
                field.widget.attrs.setdefault("class", "form-control")

    def clean_category(self):
        item = self.items.get(self.cleaned_data["category"])
        if item is None:
            raise ValidationError(_("Choose an item of the service menu."))
        return item

    def clean_community(self):
        value = self.cleaned_data.get("community")
        community = self.communities.get(value)
        if community is None:
            raise ValidationError(_("Choose the community you served."))
        return community


class NoteForm(forms.Form):
    """The community's or organiser's confirmation: a note (the action requires one for a flagged record)."""

    note = forms.CharField(label=gettext_lazy("What you checked"), max_length=200, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is rejected"), max_length=200, required=False)


class RatingForm(forms.Form):
    """Stars and a comment: required when rating a confirmed service, optional when confirming."""

    score = forms.TypedChoiceField(
        label=gettext_lazy("How was the service?"),
        choices=STARS,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, score_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].required = score_required


class CodeForm(RatingForm):
    """The public confirmation page: the member's code, and optional stars and comment."""

    code = forms.CharField(
        label=gettext_lazy("Confirmation code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*"}
        ),
    )

    field_order = ["code", "score", "comment"]

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


class DisputeForm(forms.Form):
    """The person served says the service did not happen: why (the action requires it and limits it)."""

    reason = forms.CharField(
        label=gettext_lazy("Why you think it did not happen"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
    )


class CodeDisputeForm(DisputeForm):
    """The same on the public code page: the member's code proves the person was given it."""

    code = forms.CharField(label=gettext_lazy("Confirmation code"), max_length=12)

    field_order = ["code", "reason"]

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())
