"""Input shapes of the resource pages (资源清单): offering or correcting a resource, and withdrawing one.
Forms parse what was typed; the rules live in service/resources/actions.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkin.forms import PublicIdChoiceField
from orgs.models import Unit
from places.models import Area, AreaLevel
from service.forms import StyledForm, date_widget
from service.menu.choices import grouped_items, menu_items
from service.models import ResourceKind, ServiceCategory


class ResourceForm(StyledForm):
    """Offer a resource (the unit is chosen when the admin holds several) or correct one."""

    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), empty_label=None)
    kind = forms.ChoiceField(choices=ResourceKind.choices, label=_("Kind"))
    title = forms.CharField(
        max_length=80,
        label=_("What the unit offers"),
        widget=forms.TextInput(attrs={"placeholder": _("e.g. legal advice by our lawyers")}),
    )
    category = PublicIdChoiceField(
        ServiceCategory.objects.none(), required=False, label=_("Service item"), empty_label=_("Any")
    )
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, min_value=0.01)
    measure = forms.CharField(
        max_length=16,
        label=_("Measure"),
        widget=forms.TextInput(attrs={"placeholder": _("hours, yuan, items, m²…")}),
    )
    available_from = forms.DateField(label=_("Offered from"), widget=date_widget())
    available_until = forms.DateField(label=_("Offered until"), required=False, widget=date_widget())
    community = PublicIdChoiceField(
        Area.objects.filter(level=AreaLevel.COMMUNITY),
        required=False,
        label=_("Offered to"),
        empty_label=_("Any community"),
    )
    note = forms.CharField(
        max_length=300, required=False, label=_("Note"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, units, communities, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        items = list(menu_items())
        self.fields["category"].queryset = ServiceCategory.objects.filter(pk__in=[i.pk for i in items])
        self.fields["category"].widget.choices = [("", _("Any")), *grouped_items(items)]
        self.fields["community"].queryset = communities
        self.fields["community"].widget.choices = [
            ("", _("Any community")),
            *((str(c.public_id), c.name) for c in communities),
        ]
        self.initial.setdefault("available_from", timezone.localdate())
        if editing:  # the unit and the kind of an offer stay what they were
            del self.fields["unit"]
            del self.fields["kind"]

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until", _("The end comes before the start."))
        return data


class ReasonForm(StyledForm):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))
