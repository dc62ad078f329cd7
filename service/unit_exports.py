"""Export specs of the unit pages' lists (registered in jobs.exports.APP_SPEC_MODULES): resources,
projects, and a unit's members' service for a period."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from jobs.exports import Col, ExportSpec, resolve
from people.models import Member
from service.models import Project, Resource
from service.unit_forms import ProjectFilter, ResourceFilter, UnitServiceFilter

# Who reads a unit's members' service: the areas, the unit's party admin and its inspector.
UNIT_SERVICE_ROLES = (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR)


class UnitExportSpec(ExportSpec):
    """Two touches over the plain spec: a project's units (prefetched) are joined into one cell, and
    averages and hours are rounded."""

    def row(self, obj) -> list[Any]:
        return [self._cell(obj, col.accessor) for col in self.columns]

    @staticmethod
    def _cell(obj, accessor: str) -> Any:
        if accessor == "units":
            return "、".join(unit.name for unit in obj.units.all())
        value = resolve(obj, accessor)
        return round(value, 2) if isinstance(value, float) else value


SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "resources",
            _("Resources"),
            lambda u: Resource.objects.visible_to(u).select_related("unit", "category", "community"),
            ResourceFilter,
            R.RESOURCE_ROLES,
            (
                Col(_("Unit"), "unit.name", 28),
                Col(_("Kind"), "get_kind_display", 12),
                Col(_("Title"), "title", 30),
                Col(_("Service item"), "category.name", 14),
                Col(_("Quantity"), "quantity", 10),
                Col(_("Measure"), "measure", 8),
                Col(_("Offered from"), "available_from", 12),
                Col(_("Offered until"), "available_until", 12),
                Col(_("Offered to"), "community.name", 16),
                Col(_("Withdrawn at"), "withdrawn_at", 17),
                Col(_("Note"), "note", 30),
            ),
        ),
        UnitExportSpec(
            "projects",
            _("Co-building projects"),
            lambda u: (
                Project.objects.visible_to(u)
                .select_related("community", "category")
                .prefetch_related("units")
            ),
            ProjectFilter,
            R.PROJECT_ROLES,
            (
                Col(_("Title"), "title", 30),
                Col(_("Community"), "community.name", 16),
                Col(_("Service item"), "category.name", 14),
                Col(_("State"), "get_state_display", 10),
                Col(_("Units taking part"), "units", 36),
                Col(_("Budget (yuan)"), "budget", 12),
                Col(_("Starts on"), "starts_on", 12),
                Col(_("Ends on"), "ends_on", 12),
                Col(_("People served"), "beneficiaries_served", 10),
                Col(_("Evaluation"), "evaluation", 40),
            ),
        ),
        UnitExportSpec(
            "unit_service",
            _("Members' service"),
            lambda u: Member.objects.visible_to(u).select_related("unit"),
            UnitServiceFilter,
            UNIT_SERVICE_ROLES,
            (
                Col(_("Full name"), "name", 12),
                Col(_("Phone"), "masked_phone", 15),
                Col(_("Unit now"), "unit.name", 28),
                Col(_("In service"), "in_service", 8),
                Col(_("Service records"), "n_records", 10),
                Col(_("Hours"), "n_hours", 8),
                Col(_("Points"), "n_points", 8),
                Col(_("Ratings"), "n_ratings", 8),
                Col(_("Average rating"), "avg_rating", 10),
            ),
        ),
    )
}
