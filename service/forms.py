"""Form pieces the service pages share: the date picker, Bootstrap styling, choosing one member, team
or unit by public id, and a reason. Each noun's own forms are in its package (``service/<noun>/forms.py``);
forms parse and check what was typed, the rules live in the actions."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from people.models import Member

REASON_MAX = 200
NOTE_MAX = 200
OPTIONS_LIMIT = 60
DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def date_widget() -> forms.DateInput:
    """A browser date picker: its value must be ISO (YYYY-MM-DD) whatever the language."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def style_form(form: forms.Form) -> None:
    """Bootstrap classes on the widgets (hidden inputs left alone)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        widget.attrs.setdefault(
            "class", "form-select" if isinstance(widget, forms.Select) else "form-control"
        )


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


def member_label(member: Member) -> str:
    return f"{member.name} · {member.unit.name}" if member.unit_id else member.name


class TargetField(forms.CharField):
    """``kind:<public id>`` — one member, team or unit, looked up among the querysets given."""

    default_error_messages = {"invalid_choice": _("Choose a member, a team or a unit from the list.")}

    def __init__(self, *, kinds: dict | None = None, **kwargs):
        self.kinds = kinds or {}
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = self.resolve(value)
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def resolve(self, value) -> tuple[str, object] | None:
        kind, _sep, raw = str(value or "").partition(":")
        queryset = self.kinds.get(kind)
        try:
            public_id = uuid.UUID(raw)
        except ValueError:
            return None
        found = queryset.filter(public_id=public_id).first() if queryset is not None else None
        return (kind, found) if found is not None else None


def target_select(form: forms.Form, name: str, groups: list) -> forms.Select:
    """The grouped options; what was posted stays chosen even when the list shown does not hold it
    (a suggestion, or a search since)."""
    if form.is_bound:
        posted = form.data.get(form.add_prefix(name), "")
        offered = {value for _label, options in groups for value, _text in options}
        chosen = form.fields[name].resolve(posted) if posted and posted not in offered else None
        if chosen is not None:
            kind, found = chosen
            label = member_label(found) if kind == "member" else str(found)
            groups = [(_("Chosen"), [(posted, label)]), *groups]
    return forms.Select(choices=[("", _("Choose whom")), *groups])


class ReasonForm(forms.Form):
    """A reason (declining, withdrawing, cancelling, ending). The action checks that one is given where it
    must be, with its own message; ``needed`` only marks the field so on the page."""

    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False)

    def __init__(self, *args, needed: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if needed:
            self.fields["reason"].widget.attrs["required"] = True
        style_form(self)
