"""The audit log's export, found by ``jobs.exports.all_specs`` like every app's ``exports.py``.

It reads through ``AuditEvent.objects.visible_to`` (platform administrators only, as the pages) and the
page's own filters, and holds the page's columns, as stored: who and what were already masked when the
row was written (a failed sign-in's attempted phone or ID number, ``accounts.backends.sign_in_label``),
and no number is revealed here that the page does not show. Exporting it is audited as every export is
(``export.audit_events``, by ``jobs.export_actions``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from audit.filters import AuditEventFilter
from audit.labels import action_label
from audit.models import AuditEvent
from jobs.exports import Col, ExportSpec, resolve

AUDIT_READ_ROLES = (Role.PLATFORM_ADMIN,)
LABEL = "action_label"


class AuditExportSpec(ExportSpec):
    """The action in words beside its code, as the page shows it."""

    def row(self, obj: Any) -> list[Any]:
        return [
            str(action_label(obj.action)) if col.accessor == LABEL else resolve(obj, col.accessor)
            for col in self.columns
        ]


SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        AuditExportSpec(
            "audit_events",
            _("Audit log"),
            lambda u: AuditEvent.objects.visible_to(u),
            AuditEventFilter,
            AUDIT_READ_ROLES,
            (
                Col(_("When"), "at", 17),
                Col(_("Who"), "actor_label", 16),
                Col(_("What"), LABEL, 20),
                Col(_("Action code"), "action", 22),
                Col(_("Target"), "target_label", 30),
                Col(_("From"), "ip_address", 16),
                Col(_("Outcome"), "get_outcome_display", 10),
            ),
        ),
    )
}
