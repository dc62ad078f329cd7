"""Export specs of this app's lists (found by jobs.exports.all_specs): whom to chase, the members an
area answers for who have not reported for the period (``checkin.chase``), as the area's
reconciliation page lists them. The sheet reads through ``Member.objects.visible_to`` and the page's
own FilterSet (``ChaseFilter``), so it holds exactly the page's rows; phones are the masks."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from checkin.chase import ChaseFilter, days_waiting
from checkin.reconciliation import STATUS_LABELS
from jobs.exports import Col, ExportSpec, resolve
from people.models import Member

STATUS = "checkin_status"
DAYS = "days_waiting"


class ChaseExportSpec(ExportSpec):
    """The status as its words, and the days waiting counted from the day of the export."""

    def row(self, obj) -> list[Any]:
        today = timezone.localdate()
        values: list[Any] = []
        for col in self.columns:
            if col.accessor == STATUS:
                values.append(str(STATUS_LABELS[obj.checkin_status]))
            elif col.accessor == DAYS:
                values.append(days_waiting(obj.waiting_since, today))
            else:
                values.append(resolve(obj, col.accessor))
        return values


SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ChaseExportSpec(
            "checkin_unreported",
            _("Members not reported"),
            lambda u: Member.objects.visible_to(u).select_related("unit"),
            ChaseFilter,
            R.AREA_ROLES,
            (
                Col(_("Full name"), "name", 12),
                Col(_("Phone"), "masked_phone", 15),
                Col(_("Status"), STATUS, 14),
                Col(_("Unit"), "unit.name", 28),
                Col(_("Unit contact"), "unit.contact_name", 10),
                Col(_("Counted in"), "answers_to", 14),
                Col(_("Checked in to"), "checked_in_to", 14),
                Col(_("Waiting since"), "waiting_since", 17),
                Col(_("Days waiting"), DAYS, 10),
            ),
        ),
    )
}
