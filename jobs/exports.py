"""The exportable lists: one spec per list page, with its scope, filters, roles and columns.

A spec reads through ``Model.objects.visible_to(user)`` and the list page's own FilterSet, so an
export holds exactly what the page shows. Sensitive numbers are exported masked, always.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import IO, Any

import django_filters
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from accounts.models import Role
from accounts.scope import scope_for
from audit.filters import AuditEventFilter
from audit.labels import action_label
from audit.models import AuditEvent
from jobs.export_files import DEFAULT_FORMAT, Table, file_format
from jobs.export_values import (
    CHUNK,
    ValuePlan,
    column_kinds,
    in_batches,
    objects_in_batches,
    plan_for,
    planned_whole,
    streamed,
)
from jobs.workbooks import excel_value
from orgs.access import UNIT_KEEPER_ROLES, kept_admin_grants
from orgs.filters import PartyOrgFilter, PostFilter, UnitAdminFilter, UnitFilter
from orgs.models import PartyOrg, Post, Unit
from people.filters import ApplicantFilter, MemberFilter, NamedFilter, ResidentFilter, TransferFilter
from people.models import (
    Applicant,
    CommercialBuilding,
    Member,
    MemberTransfer,
    Resident,
    TradeUnion,
    YouthLeagueOrg,
)
from places.access import GRID_KEEPER_ROLES, kept_worker_grants
from places.filters import BuildingFilter, CompoundFilter, GridWorkerFilter
from places.models import Area, Building, Compound, Grid

IGNORED_PARAMS = ("page", "sort", "per_page")


class AreaNameFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Area
        fields = ["q"]


class GridNameFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Search"))

    class Meta:
        model = Grid
        fields = ["q"]


@dataclass(frozen=True)
class Col:
    header: Any  # lazy text
    accessor: str  # dotted attribute path; a callable at the end is called (get_kind_display)
    width: int = 16
    # The words for the value (audit.labels.action_label): read as values, called once per distinct value.
    label: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class ExportSpec:
    name: str
    title: Any
    scoped: Callable[[Any], QuerySet]  # user -> Model.objects.visible_to(user) with select_related
    filterset: type[django_filters.FilterSet]
    roles: tuple[str, ...]
    columns: tuple[Col, ...]

    def allowed(self, user) -> bool:
        return scope_for(user).has(*self.roles)

    def queryset_for(self, user) -> QuerySet:
        """Everything of this list the user may see."""
        return self.scoped(user)

    def filtered(self, user, query: QueryDict, request=None) -> QuerySet:
        """The user's rows after the list page's filters (given as its querystring)."""
        filterset = self.filterset(
            query, queryset=self.queryset_for(user), request=request or SimpleNamespace(user=user)
        )
        return filterset.qs

    def row(self, obj) -> list[Any]:
        """One row of the instance path: the columns resolved on a model instance."""
        return [
            col.label(resolve(obj, col.accessor)) if col.label else resolve(obj, col.accessor)
            for col in self.columns
        ]

    def prepare(self, objects: Iterator[Any]) -> Iterator[Any]:
        """The instance path's objects before ``row`` (the rankings give them their ranks here)."""
        return objects

    def value_plan(self, queryset: QuerySet) -> ValuePlan | None:
        """The columns read as values (jobs.export_values), where the spec's rows are its columns as
        they stand; None keeps the instance path (a subclass that shapes its rows, a method column)."""
        if type(self).row is not ExportSpec.row or type(self).prepare is not ExportSpec.prepare:
            return None
        return plan_for(queryset, [col.accessor for col in self.columns], [col.label for col in self.columns])

    def cells(self, queryset: QuerySet, *, batched: bool = False) -> Iterator[list[Any]]:
        """The rows as cells ready for either file format, read through one cursor a chunk at a
        time, or (``batched``) a batch of primary keys at a time with no cursor left open between."""
        plan = self.value_plan(queryset)
        if plan is not None:
            if batched:
                return in_batches(queryset, plan)
            return streamed(queryset, plan)
        if batched:
            objects = objects_in_batches(queryset)
        else:
            objects = planned_whole(queryset.iterator(chunk_size=CHUNK), queryset.db)
        return ([excel_value(value) for value in self.row(obj)] for obj in self.prepare(objects))

    def table(self, queryset: QuerySet) -> Table:
        return Table(
            title=str(self.title),
            headers=[str(c.header) for c in self.columns],
            widths=[c.width for c in self.columns],
            kinds=column_kinds(queryset, [col.accessor for col in self.columns]),
        )

    def export(
        self,
        out: IO[bytes],
        queryset: QuerySet,
        *,
        fmt: str = DEFAULT_FORMAT,
        batched: bool = False,
        each: Callable[[Iterator[list[Any]]], Iterator[list[Any]]] | None = None,
    ) -> int:
        """Write the queryset's rows to ``out`` as a .xlsx or .csv file; returns the row count.
        ``each`` sees the rows as they pass (the background run's progress)."""
        rows = self.cells(queryset, batched=batched)
        return file_format(fmt).write(out, self.table(queryset), each(rows) if each else rows)

    def filename(self, fmt: str = DEFAULT_FORMAT) -> str:
        return f"{self.title}-{timezone.localdate():%Y%m%d}.{file_format(fmt).name}"


def resolve(obj: Any, accessor: str) -> Any:
    """Follow ``a.b.c``; a missing link gives None, a method at the end is called."""
    value = obj
    for part in accessor.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value() if callable(value) else value


def clean_filters(query: QueryDict) -> dict[str, Any]:
    """The filters a querystring sets, for the audit log (pagination and sorting left out)."""
    return {
        key: (values[0] if len(values) == 1 else values)
        for key, values in query.lists()
        if key not in IGNORED_PARAMS and any(values)
    }


NAME = Col(_("Name"), "name", 14)
GENDER = Col(_("Gender"), "get_gender_display", 6)
ID_NUMBER = Col(_("ID number"), "masked_id_number", 22)
PHONE = Col(_("Phone"), "masked_phone", 15)
AREA = Col(_("Area"), "area.name", 16)
UNIT = Col(_("Unit"), "unit.name", 28)
PHONE_OF_USER = Col(_("Phone"), "user.masked_phone", 15)
RETIRED = Col(_("Retired on"), "retired_on", 12)

SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "members",
            _("Party members"),
            lambda u: Member.objects.visible_to(u).select_related(
                "unit", "party_org", "residence_area", "residence_compound", "residence_building"
            ),
            MemberFilter,
            R.MEMBER_LIST_ROLES,
            (
                Col(_("Full name"), "name", 12),
                GENDER,
                ID_NUMBER,
                PHONE,
                Col(_("Status"), "get_status_display", 12),
                Col(_("Joined the party on"), "joined_on", 14),
                UNIT,
                Col(_("Party organisation"), "party_org.name", 28),
                Col(_("Community of residence"), "residence_area.name", 16),
                Col(_("Compound"), "residence_compound.name", 16),
                Col(_("Building"), "residence_building.name", 10),
                Col(_("In service"), "in_service", 8),
                Col(_("Skills"), "skills", 24),
            ),
        ),
        ExportSpec(
            "residents",
            _("Residents"),
            lambda u: Resident.objects.visible_to(u).select_related(
                "residence_area", "residence_compound", "residence_building"
            ),
            ResidentFilter,
            R.RESIDENT_LIST_ROLES,
            (
                Col(_("Full name"), "name", 12),
                GENDER,
                ID_NUMBER,
                PHONE,
                Col(_("Community"), "residence_area.name", 16),
                Col(_("Compound"), "residence_compound.name", 16),
                Col(_("Building"), "residence_building.name", 10),
                Col(_("Household note"), "household_note", 30),
            ),
        ),
        ExportSpec(
            "units",
            _("Units"),
            lambda u: Unit.objects.visible_to(u).select_related("address_area"),
            UnitFilter,
            R.UNIT_LIST_ROLES,
            (
                Col(_("Name"), "name", 30),
                Col(_("Kind"), "get_kind_display", 16),
                Col(_("Unified social credit code"), "credit_code", 22),
                Col(_("Located in"), "address_area.name", 16),
                Col(_("Address"), "address", 30),
                Col(_("Contact"), "contact_name", 10),
                Col(_("Registered on"), "created_at", 16),
            ),
        ),
        ExportSpec(
            "party_orgs",
            _("Party organisations"),
            lambda u: PartyOrg.objects.visible_to(u).select_related("parent", "area", "unit"),
            PartyOrgFilter,
            R.ORG_CHART_ROLES,
            (
                Col(_("Name"), "name", 30),
                Col(_("Organisation code"), "code", 14),
                Col(_("Kind"), "get_kind_display", 16),
                Col(_("Parent organisation"), "parent.name", 30),
                AREA,
                UNIT,
                Col(_("Founded on"), "founded_on", 12),
                Col(_("Dissolved on"), "dissolved_on", 12),
            ),
        ),
        ExportSpec(
            "party_org_posts",
            _("Posts"),
            lambda u: Post.objects.filter(party_org__in=PartyOrg.objects.visible_to(u)).select_related(
                "party_org", "from_unit"
            ),
            PostFilter,
            R.ORG_CHART_ROLES,
            (
                Col(_("Party organisation"), "party_org.name", 28),
                Col(_("Post"), "get_title_display", 16),
                Col(_("Holder"), "holder_name", 12),
                Col(_("Sent by unit"), "from_unit.name", 28),
                Col(_("Since"), "started_on", 12),
                Col(_("Until"), "ended_on", 12),
            ),
        ),
        ExportSpec(
            "areas",
            _("Areas"),
            lambda u: Area.objects.visible_to(u).select_related("parent"),
            AreaNameFilter,
            R.AREA_TREE_ROLES,
            (
                Col(_("Division code"), "code", 14),
                Col(_("Name"), "name", 16),
                Col(_("Level"), "get_level_display", 10),
                Col(_("Parent area"), "parent.name", 16),
            ),
        ),
        ExportSpec(
            "grids",
            _("Grids"),
            lambda u: Grid.objects.visible_to(u).select_related("street", "community", "parent"),
            GridNameFilter,
            R.AREA_TREE_ROLES,
            (
                Col(_("Grid code"), "code", 20),
                Col(_("Name"), "name", 20),
                Col(_("Grid level"), "level", 8),
                Col(_("Street"), "street.name", 16),
                Col(_("Community"), "community.name", 16),
                Col(_("Parent grid"), "parent.name", 20),
            ),
        ),
        ExportSpec(
            "compounds",
            _("Compounds"),
            lambda u: Compound.objects.visible_to(u).select_related("community__parent"),
            CompoundFilter,
            R.AREA_TREE_ROLES,
            (
                Col(_("Name"), "name", 20),
                Col(_("Community"), "community.name", 16),
                Col(_("Street"), "community.parent.name", 16),
                Col(_("Address"), "address", 30),
                Col(_("Retired on"), "retired_on", 12),
            ),
        ),
        ExportSpec(
            "buildings",
            _("Buildings"),
            lambda u: Building.objects.visible_to(u).select_related("compound__community", "grid"),
            BuildingFilter,
            R.AREA_TREE_ROLES,
            (
                Col(_("Name"), "name", 12),
                Col(_("Compound"), "compound.name", 20),
                Col(_("Community"), "compound.community.name", 16),
                Col(_("Grid code"), "grid.code", 20),
                Col(_("Grid"), "grid.name", 20),
                Col(_("Retired on"), "retired_on", 12),
            ),
        ),
        ExportSpec(
            "grid_workers",
            _("Grid workers"),
            lambda u: kept_worker_grants(u).select_related("user", "grid__street"),
            GridWorkerFilter,
            GRID_KEEPER_ROLES,
            (
                Col(_("Full name"), "user.full_name", 12),
                PHONE_OF_USER,
                Col(_("Grid"), "grid.name", 20),
                Col(_("Grid code"), "grid.code", 20),
                Col(_("Street"), "grid.street.name", 16),
                Col(_("Since"), "created_at", 16),
            ),
        ),
        ExportSpec(
            "unit_admins",
            _("Unit party admins"),
            lambda u: kept_admin_grants(u).select_related("user", "unit__address_area"),
            UnitAdminFilter,
            UNIT_KEEPER_ROLES,
            (
                Col(_("Full name"), "user.full_name", 12),
                PHONE_OF_USER,
                UNIT,
                Col(_("Located in"), "unit.address_area.name", 16),
                Col(_("Since"), "created_at", 16),
            ),
        ),
        ExportSpec(
            "applicants",
            _("Party applicants"),
            lambda u: Applicant.objects.visible_to(u).select_related("area", "unit", "party_org"),
            ApplicantFilter,
            R.APPLICANT_ROLES,
            (
                Col(_("Full name"), "name", 12),
                GENDER,
                ID_NUMBER,
                PHONE,
                Col(_("Stage"), "get_stage_display", 14),
                AREA,
                UNIT,
                Col(_("Party organisation"), "party_org.name", 28),
                Col(_("Applied on"), "applied_on", 12),
                Col(_("Activist since"), "activist_on", 12),
                Col(_("Development target since"), "development_on", 14),
                Col(_("Admitted on"), "probationary_on", 12),
                Col(_("Full member since"), "full_on", 12),
            ),
        ),
        ExportSpec(
            "commercial_buildings",
            _("Commercial buildings"),
            lambda u: CommercialBuilding.objects.visible_to(u).select_related("area", "unit", "party_org"),
            NamedFilter,
            R.REGISTRY_ROLES,
            (
                Col(_("Name"), "name", 28),
                AREA,
                UNIT,
                Col(_("Party organisation"), "party_org.name", 28),
                Col(_("Floors"), "floors", 8),
                Col(_("Tenant firms"), "tenant_count", 10),
                Col(_("Members working here"), "member_count", 10),
                RETIRED,
            ),
        ),
        ExportSpec(
            "trade_unions",
            _("Trade unions"),
            lambda u: TradeUnion.objects.visible_to(u).select_related("area", "unit"),
            NamedFilter,
            R.REGISTRY_ROLES,
            (
                Col(_("Name"), "name", 28),
                AREA,
                UNIT,
                Col(_("Chair"), "chair_name", 10),
                Col(_("Members"), "member_count", 10),
                RETIRED,
            ),
        ),
        ExportSpec(
            "youth_league_orgs",
            _("Youth league organisations"),
            lambda u: YouthLeagueOrg.objects.visible_to(u).select_related("area", "unit"),
            NamedFilter,
            R.REGISTRY_ROLES,
            (
                Col(_("Name"), "name", 28),
                AREA,
                UNIT,
                Col(_("Secretary"), "secretary_name", 10),
                Col(_("League members"), "member_count", 10),
                RETIRED,
            ),
        ),
        ExportSpec(
            "member_transfers",
            _("Organisation transfers"),
            lambda u: MemberTransfer.objects.visible_to(u).select_related("member", "from_org", "to_org"),
            TransferFilter,
            R.TRANSFER_ROLES,
            (
                Col(_("Full name"), "member.name", 12),
                Col(_("From"), "from_org.name", 28),
                Col(_("To"), "to_org.name", 28),
                Col(_("State"), "get_state_display", 16),
                Col(_("Started"), "started_at", 17),
                Col(_("Decided"), "decided_at", 17),
                Col(_("Note"), "note", 24),
                Col(_("Reason"), "decline_reason", 24),
            ),
        ),
    )
}


# --- the audit log ---------------------------------------------------------------------------------
# Read through AuditEvent.objects.visible_to (platform administrators only, as the pages) and the page's
# own filters, with the page's columns as stored: who and what were already masked when the row was
# written (a failed sign-in's attempted phone or ID number, accounts.backends.sign_in_label), and no
# number is revealed here that the page does not show. Exporting it is audited as every export is
# (``export.audit_events``, by jobs.export_actions).

AUDIT_READ_ROLES = (Role.PLATFORM_ADMIN,)


AUDIT_SPECS: dict[str, ExportSpec] = {
    spec.name: spec
    for spec in (
        ExportSpec(
            "audit_events",
            _("Audit log"),
            lambda u: AuditEvent.objects.visible_to(u),
            AuditEventFilter,
            AUDIT_READ_ROLES,
            (
                Col(_("When"), "at", 17),
                Col(_("Who"), "actor_label", 16),
                Col(_("What"), "action", 20, label=action_label),  # the action in words, as the page
                Col(_("Action code"), "action", 22),
                Col(_("Target"), "target_label", 30),
                Col(_("From"), "ip_address", 16),
                Col(_("Outcome"), "get_outcome_display", 10),
            ),
        ),
    )
}


def all_specs() -> dict[str, ExportSpec]:
    """Every list's export spec: the registries' above, and each installed app's ``<app>/exports.py``
    ``SPECS`` (an app adds its lists' exports beside its views, without touching this module)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    found = {**SPECS, **AUDIT_SPECS}
    for config in apps.get_app_configs():
        name = f"{config.name}.exports"
        if config.name != "jobs" and find_spec(config.name) and find_spec(name):
            found.update(getattr(import_module(name), "SPECS", {}))
    return found


def get_spec(name: str) -> ExportSpec | None:
    return all_specs().get(name)
