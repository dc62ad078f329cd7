"""Input shapes of the household-pairing pages: pairing a household (结对帮扶) and logging a visit. The
rules live in service/pairings/actions.py; the choices come from the user's scope."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from checkin.forms import PublicIdChoiceField
from people.models import Resident
from service.forms import TargetField, date_widget, member_label, style_form, target_select


class PairingForm(forms.Form):
    """结对帮扶: which household, with whom (a member who serves the community, or a unit), and why."""

    household = PublicIdChoiceField(Resident.objects.none(), label=_("Household"), empty_label=_("Choose"))
    helper = TargetField(label=_("Paired with"))
    reason = forms.CharField(
        label=_("Why paired"),
        max_length=120,
        widget=forms.TextInput(attrs={"placeholder": _("For example: elderly living alone")}),
    )
    started_on = forms.DateField(label=_("Paired since"), required=False, widget=date_widget())

    def __init__(
        self,
        *args,
        households,
        members,
        units,
        household_options=(),
        member_options=(),
        unit_options=(),
        **kw,
    ):
        kw.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kw)
        self.fields["household"].queryset = households
        self.fields["household"].widget.choices = [
            ("", _("Choose a household")),
            *[(str(r.public_id), _household_label(r)) for r in household_options],
        ]
        self.fields["helper"].kinds = {"member": members, "unit": units}
        groups = []
        if member_options:
            groups.append(
                (_("Members"), [(f"member:{m.public_id}", member_label(m)) for m in member_options])
            )
        if unit_options:
            groups.append((_("Units"), [(f"unit:{u.public_id}", u.name) for u in unit_options]))
        self.fields["helper"].widget = target_select(self, "helper", groups)
        style_form(self)

    def helper_kwargs(self) -> dict:
        kind, found = self.cleaned_data["helper"]
        return {kind: found}


def _household_label(resident: Resident) -> str:
    place = " ".join(
        str(p) for p in (resident.residence_compound, resident.residence_building) if p is not None
    )
    return f"{resident.name} · {place}" if place else resident.name


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=date_widget())
    note = forms.CharField(
        label=_("What was done"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. checked the gas, talked about her medicine")}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("visited_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        style_form(self)
