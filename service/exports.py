"""Export specs of this app's lists (registered in jobs.exports.APP_SPEC_MODULES): needs and wishes,
service records, service posts and household pairings (the desk), resources, projects and a unit's
members' service for a period (the unit pages); and who may read each list.

Each reads through ``visible_to`` and the list page's FilterSet, so a sheet holds the rows the page
shows. A beneficiary's name is exported only to the community and street that serve them
(``access.exports_beneficiary_q``, decided in the query): everyone else gets an empty cell.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Count, F, Value
from django.db.models.expressions import Case, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from access import exports_beneficiary_q
from accounts import roles as R
from accounts.models import Role
from jobs.exports import Col, ExportSpec, resolve
from people.models import Member
from service.filters import (
    NeedFilter,
    PairingFilter,
    PostFilter,
    ProjectFilter,
    RecordFilter,
    ResourceFilter,
    UnitServiceFilter,
)
from service.menu.exports import SPECS as MENU_SPECS
from service.models import HouseholdPairing, Need, Project, Resource, ServicePost, ServiceRecord

NEED_LIST_ROLES = R.SERVICE_AREA_ROLES
RECORD_LIST_ROLES = (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR)
POST_LIST_ROLES = R.SERVICE_STAFF_ROLES
PAIRING_LIST_ROLES = (*R.SERVICE_AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR)
# Who reads a unit's members' service: the areas, the unit's party admin and its inspector.
UNIT_SERVICE_ROLES = (*R.AREA_ROLES, Role.UNIT_ADMIN, Role.INSPECTOR)


def with_beneficiary(queryset, user):
    """Annotate ``beneficiary_shown``: the name where the export may name the beneficiary, else empty."""
    return queryset.annotate(
        beneficiary_shown=Case(
            When(exports_beneficiary_q(user), then=F("beneficiary_name")),
            default=Value(""),
            output_field=CharField(),
        )
    )


class ServiceExportSpec(ExportSpec):
    def row(self, obj) -> list[Any]:
        """Lists (flags) as one cell of text."""
        values = []
        for col in self.columns:
            value = resolve(obj, col.accessor)
            values.append("；".join(str(v) for v in value) if isinstance(value, list | tuple) else value)
        return values


def needs_for(user):
    return with_beneficiary(
        Need.objects.visible_to(user).select_related(
            "category", "community", "compound", "building", "grid", "posted_by"
        ),
        user,
    )


def records_for(user):
    return with_beneficiary(
        ServiceRecord.objects.visible_to(user).select_related(
            "member", "unit", "community", "category", "need"
        ),
        user,
    )


def posts_for(user):
    return (
        ServicePost.objects.visible_to(user)
        .with_taken()
        .select_related("community", "category")
        .order_by("-created_at", "-id")
    )


def pairings_for(user):
    return (
        HouseholdPairing.objects.visible_to(user)
        .select_related(
            "household__residence_compound", "household__residence_building", "member", "unit", "community"
        )
        .annotate(visit_count=Count("visits"))
        .order_by("-started_on", "-id")
    )


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


COMMUNITY = Col(_("Community"), "community.name", 14)
CATEGORY = Col(_("Category"), "category.name", 14)

SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ServiceExportSpec(
            "service_needs",
            _("Needs and wishes"),
            needs_for,
            NeedFilter,
            NEED_LIST_ROLES,
            (
                Col(_("Title"), "title", 28),
                Col(_("Need or wish"), "get_kind_display", 8),
                CATEGORY,
                COMMUNITY,
                Col(_("Compound"), "compound.name", 14),
                Col(_("Building"), "building.name", 10),
                Col(_("Urgency"), "get_urgency_display", 8),
                Col(_("State"), "get_state_display", 16),
                Col(_("Posted at"), "created_at", 16),
                Col(_("Posted as"), "get_posted_as_display", 10),
                Col(_("Needed by"), "due_at", 16),
                Col(_("Overdue"), "is_overdue", 8),
                Col(_("Budget (yuan)"), "budget", 10),
                Col(_("Beneficiary"), "beneficiary_shown", 10),
                Col(_("Closed at"), "closed_at", 16),
            ),
        ),
        ServiceExportSpec(
            "service_records",
            _("Service records"),
            records_for,
            RecordFilter,
            RECORD_LIST_ROLES,
            (
                Col(_("Member"), "member.name", 10),
                Col(_("Unit"), "unit.name", 24),
                COMMUNITY,
                CATEGORY,
                Col(_("Started at"), "started_at", 16),
                Col(_("Minutes"), "minutes", 8),
                Col(_("What was done"), "description", 36),
                Col(_("Beneficiary"), "beneficiary_shown", 10),
                Col(_("Need"), "need.title", 20),
                Col(_("State"), "get_state_display", 14),
                Col(_("Flags"), "flag_labels", 28),
                Col(_("Confirmed by"), "get_confirmed_via_display", 12),
                Col(_("Confirmed at"), "confirmed_at", 16),
                Col(_("Reason"), "reject_reason", 20),
            ),
        ),
        ServiceExportSpec(
            "service_posts",
            _("Service posts"),
            posts_for,
            PostFilter,
            POST_LIST_ROLES,
            (
                Col(_("Title"), "title", 24),
                CATEGORY,
                COMMUNITY,
                Col(_("Schedule"), "schedule", 20),
                Col(_("Place"), "place", 16),
                Col(_("Places"), "capacity", 8),
                Col(_("Places taken"), "taken", 8),
                Col(pgettext_lazy("date range", "From"), "starts_on", 12),
                Col(pgettext_lazy("date range", "Until"), "ends_on", 12),
                Col(_("Closed at"), "closed_at", 16),
            ),
        ),
        ServiceExportSpec(
            "household_pairings",
            _("Household pairings"),
            pairings_for,
            PairingFilter,
            PAIRING_LIST_ROLES,
            (
                Col(_("Household"), "household.name", 10),
                Col(_("Compound"), "household.residence_compound.name", 14),
                Col(_("Building"), "household.residence_building.name", 10),
                COMMUNITY,
                Col(_("Member"), "member.name", 10),
                Col(_("Unit"), "unit.name", 24),
                Col(_("Why paired"), "reason", 24),
                Col(_("Paired since"), "started_on", 12),
                Col(_("Ended on"), "ended_on", 12),
                Col(_("Visits"), "visit_count", 8),
            ),
        ),
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

# The service menu's export lives beside its pages (service/menu/exports.py).
SPECS.update(MENU_SPECS)
