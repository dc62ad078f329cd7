"""The exports of the alliance desk (jobs.exports finds ``SPECS`` here): what is owed, one row per
commitment of an agreement in force (``alliances:owed``), and meeting compliance, one row per alliance,
required kind and period (``alliances:compliance``). Both read through ``visible_to`` and the page's
``?alliance=`` filter, and count with the same functions as the pages (alliances/owed.py,
alliances/compliance.py)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from types import SimpleNamespace
from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _

from alliances import compliance, owed
from alliances.models import Alliance, Commitment
from jobs.exports import Col, ExportSpec

BATCH = 500


class OwedFilter(django_filters.FilterSet):
    alliance = django_filters.UUIDFilter(field_name="agreement__alliance__public_id", label=_("Alliance"))

    class Meta:
        model = Commitment
        fields = ["alliance"]


class ComplianceFilter(django_filters.FilterSet):
    alliance = django_filters.UUIDFilter(field_name="public_id", label=_("Alliance"))

    class Meta:
        model = Alliance
        fields = ["alliance"]


def commitments_for(user):
    return (
        Commitment.objects.filter(agreement__in=owed.agreements_in_force(user))
        .select_related("agreement__alliance", "agreement__unit", "project", "resource")
        .order_by("agreement__alliance__area_path", "agreement__unit__name", "agreement_id", "sort", "id")
    )


class OwedExportSpec(ExportSpec):
    """Each commitment with what it delivered, counted a batch at a time (owed.tally)."""

    def prepare(self, objects: Iterator[Any]) -> Iterator[Any]:
        objects = iter(objects)
        while batch := list(islice(objects, BATCH)):
            for line in owed.tally(batch).lines:
                c = line.commitment
                c.delivered_shown = _("not counted") if line.delivered is None else line.delivered
                c.rate_shown = "—" if line.percent is None else f"{line.percent}%"
                c.how_shown = line.how
                c.promised_shown = line.promised
                yield c


class ComplianceExportSpec(ExportSpec):
    """One row per alliance, required kind and period, since the alliance's founding."""

    def prepare(self, objects: Iterator[Any]) -> Iterator[Any]:
        objects = iter(objects)
        while batch := list(islice(objects, BATCH)):
            found = compliance.for_alliances(batch)
            for alliance in batch:
                for row in found[alliance.pk].rows:
                    for period in row.periods:
                        yield SimpleNamespace(
                            name=alliance.name,
                            area=alliance.area,
                            kind=row.label,
                            start=period.start,
                            last_day=period.last_day,
                            status=period.label,
                            held_on=period.held_on,
                            invited=row.attendance.invited,
                            signed_in=row.attendance.signed_in,
                            excused=row.attendance.excused,
                        )


SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        OwedExportSpec(
            "alliance_owed",
            _("What the alliance owes the residents"),
            commitments_for,
            OwedFilter,
            owed.OWED_ROLES,
            (
                Col(_("Alliance"), "agreement.alliance.name", 20),
                Col(_("Unit"), "agreement.unit.name", 24),
                Col(_("Agreement"), "agreement.title", 24),
                Col(_("Ends on"), "agreement.ends_on", 12),
                Col(_("Kind"), "get_kind_display", 10),
                Col(_("Commitment"), "description", 30),
                Col(_("Promised"), "promised_shown", 10),
                Col(_("Measure"), "measure", 8),
                Col(_("Delivered"), "delivered_shown", 10),
                Col(_("Delivery rate"), "rate_shown", 8),
                Col(_("How it is counted"), "how_shown", 30),
            ),
        ),
        ComplianceExportSpec(
            "alliance_compliance",
            _("Meeting compliance"),
            lambda u: Alliance.objects.visible_to(u).select_related("area"),
            ComplianceFilter,
            compliance.COMPLIANCE_ROLES,
            (
                Col(_("Alliance"), "name", 20),
                Col(_("Area"), "area.name", 14),
                Col(_("Kind of meeting"), "kind", 20),
                Col(_("Period from"), "start", 12),
                Col(_("Period until"), "last_day", 12),
                Col(_("Status"), "status", 10),
                Col(_("Held on"), "held_on", 12),
                Col(_("Invited (this kind)"), "invited", 10),
                Col(_("Signed in (this kind)"), "signed_in", 10),
                Col(_("Excused (this kind)"), "excused", 10),
            ),
        ),
    )
}
