"""The audit log's filters, shared by its page and its export (``AUDIT_SPECS`` in jobs/exports.py)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent, Outcome

_TEXT = {"class": "form-control form-control-sm", "autocomplete": "off"}
_DATE = {"class": "form-control form-control-sm", "type": "date"}


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(
        field_name="action",
        lookup_expr="startswith",
        label=_("Action starts with"),
        widget=forms.TextInput(attrs={**_TEXT, "placeholder": "privacy.reveal"}),
    )
    actor = django_filters.CharFilter(
        field_name="actor_label",
        lookup_expr="iexact",
        label=_("User name"),
        widget=forms.TextInput(attrs=_TEXT),
    )
    outcome = django_filters.ChoiceFilter(
        choices=Outcome.choices,
        label=_("Outcome"),
        empty_label=_("All"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    since = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__gte",
        label=_("From date"),
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
    )
    until = django_filters.DateFilter(
        field_name="at",
        lookup_expr="date__lte",
        label=_("To date"),
        widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "outcome", "since", "until"]
