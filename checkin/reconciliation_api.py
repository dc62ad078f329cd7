"""API for reconciliation (信息比对): ``GET /reconciliation?unit=<id>`` or ``?area=<id>``.

A thin wrapper of checkin/reconciliation.py, looked up exactly as the pages do
(checkin/reconciliation_views.py): a unit through ``Unit.objects.visible_to`` (areas, unit admin,
inspector), an area inside the caller's area subtrees (area roles only). Outside the scope: 404.
Rosters carry masked phone numbers only. A rate with no in-service members is null, with a note.
"""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.roles import AREA_ROLES, RECONCILIATION_ROLES
from checkin import chase
from checkin import reconciliation as rec
from checkin.models import CheckInState
from gongjian.api_shapes import ErrorOut, ListPage, Ref, apply_filters, filter_params
from gongjian.pages import public_id_or_404
from orgs.models import Unit
from people.models import Member
from places.models import Area

router = Router(tags=["checkin"])

RosterStatus = Literal[rec.STATUSES]  # type: ignore[valid-type]


class ReconciliationQuery(Schema):
    unit: UUID | None = Field(None, description="A unit: its in-service roster against check-ins.")
    area: UUID | None = Field(None, description="An area: check-ins into it, its rate, its child areas.")
    start: date | None = Field(None, description="First day of the period (with end); default: this month.")
    end: date | None = Field(None, description="Last day of the period (with start).")


class PeriodOut(Schema):
    start: date
    end: date


class RateOut(Schema):
    members: int = Field(description="In-service members in scope.")
    reported: int = Field(description="Of them, with a check-in that counts for the period.")
    value: float | None = Field(description="reported ÷ members; null when there are no members.")
    percent: float | None
    note: str

    @staticmethod
    def resolve_note(obj) -> str:
        return "" if obj.members else _("No in-service members.")


class RosterRowOut(Schema):
    member: Ref
    phone_masked: str
    status: RosterStatus
    checkin: UUID | None
    state: CheckInState | None
    community: Ref | None
    days_waiting: int | None


class UnitCountsOut(Schema):
    members: int
    not_submitted: int
    awaiting_certificate: int
    awaiting_confirmation: int
    confirmed: int


class UnitReconciliationOut(Schema):
    kind: Literal["unit"]
    unit: Ref
    period: PeriodOut
    rate: RateOut
    summary: UnitCountsOut
    roster: list[RosterRowOut]


class AreaCountsOut(Schema):
    awaiting_certificate: int
    awaiting_confirmation: int
    confirmed: int
    oldest_pending_days: int | None = Field(description="Age of the oldest certified, unconfirmed check-in.")


class ChildRowOut(Schema):
    area: Ref
    rate: RateOut
    counts: AreaCountsOut


class TopUnitOut(Schema):
    id: UUID
    name: str
    checkins: int
    confirmed: int


class AreaReconciliationOut(Schema):
    kind: Literal["area"]
    area: Ref
    period: PeriodOut
    rate: RateOut
    summary: AreaCountsOut
    children: list[ChildRowOut]
    top_units: list[TopUnitOut]


def _period(query: ReconciliationQuery) -> rec.Period:
    if query.start is None and query.end is None:
        return rec.Period.of("month")
    if query.start is None or query.end is None:
        raise ValidationError(_("Give both dates of a custom period."))
    if query.start > query.end:
        raise ValidationError(_("The period cannot end before it starts."))
    return rec.Period.of("custom", start=query.start, end=query.end)


def _unit(unit: Unit, period: rec.Period) -> dict:
    rows = rec.unit_roster(unit)
    summary = rec.summarize(rows)
    return {
        "kind": "unit",
        "unit": unit,
        "period": period,
        "rate": rec.rates(units=[unit], start=period.start, end=period.end),
        "summary": summary,
        "roster": [
            {
                "member": row.member,
                "phone_masked": row.member.masked_phone,
                "status": row.status,
                "checkin": row.checkin.public_id if row.checkin else None,
                "state": row.checkin.state if row.checkin else None,
                "community": row.checkin.community if row.checkin else None,
                "days_waiting": row.days_waiting,
            }
            for row in rows
        ],
    }


def _counts(counts: dict, oldest_pending_days: int | None) -> dict:
    return {**counts, "oldest_pending_days": oldest_pending_days}


def _area(request: HttpRequest, area: Area, period: rec.Period) -> dict:
    summary = rec.area_summary(area, request.auth, period=period)
    return {
        "kind": "area",
        "area": area,
        "period": period,
        "rate": summary.rate,
        "summary": _counts(summary.counts, summary.oldest_pending_days),
        "children": [
            {"area": row.area, "rate": row.rate, "counts": _counts(row.counts, row.oldest_pending_days)}
            for row in summary.children
        ],
        "top_units": [
            {"id": u.public_id, "name": u.name, "checkins": u.checkins, "confirmed": u.confirmed}
            for u in summary.top_units
        ],
    }


@router.get(
    "/reconciliation",
    response={
        200: UnitReconciliationOut | AreaReconciliationOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
)
def reconciliation(request: HttpRequest, query: Query[ReconciliationQuery]):
    """Give ``unit`` or ``area`` (not both). A unit: the rate for the period (default this month),
    counts per status and its in-service roster with each member's status (masked phone only);
    roles: areas, unit admin, inspector. An area: the rate, check-ins by status with the pending
    backlog's age, one row per child area (with its rate) and the top units; roles: areas.
    Outside the caller's scope, 404."""
    require_roles(request, RECONCILIATION_ROLES)
    if (query.unit is None) == (query.area is None):
        raise ValidationError(_("Give a unit or an area."))
    period = _period(query)
    if query.unit is not None:
        unit = get_object_or_404(Unit.objects.visible_to(request.auth), public_id=query.unit)
        return _unit(unit, period)
    require_roles(request, AREA_ROLES)
    # Homes and units' places, which Area.visible_to also shows, open no area figures.
    return _area(request, get_object_or_404(chase.openable_areas(request.auth), public_id=query.area), period)


UnreportedQuery = filter_params(chase.ChaseFilter, "UnreportedQuery")


class UnreportedOut(Schema):
    member: Ref
    phone_masked: str
    status: RosterStatus = Field(description="Where the member's active check-in stands, if any.")
    unit: Ref | None
    unit_contact: str = Field(description="The unit's contact person.")
    counted_in: str | None = Field(description="The community whose rate counts the member.")
    checked_in_to: str | None = Field(description="The community of the active check-in, if any.")
    waiting_since: datetime | None = Field(description="Submitted, or certified when awaiting confirmation.")
    days_waiting: int | None

    @staticmethod
    def resolve_member(obj) -> Member:
        return obj

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return obj.masked_phone

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.checkin_status

    @staticmethod
    def resolve_unit_contact(obj) -> str:
        return obj.unit.contact_name if obj.unit else ""

    @staticmethod
    def resolve_counted_in(obj) -> str | None:
        return obj.answers_to

    @staticmethod
    def resolve_days_waiting(obj) -> int | None:
        return chase.days_waiting(obj.waiting_since, timezone.localdate())


@router.get("/reconciliation/unreported", response=list[UnreportedOut])
@paginate(ListPage)
def unreported(request: HttpRequest, filters: Query[UnreportedQuery]):  # type: ignore[valid-type]
    """Whom to chase in an area (``area``, required): the in-service members its rate counts with no
    check-in that counts for the period (default this month; ``period`` month / quarter / year, or
    custom with ``start`` and ``end``), with their active check-in's status, their unit and its
    contact; ``status`` and ``q`` narrow the list. The rows the area's reconciliation page lists and
    exports, in the same order; masked phones only. Roles: areas; an area outside the caller's: 404."""
    require_roles(request, AREA_ROLES)
    wanted = request.GET.get("area")
    if not wanted:
        raise ValidationError(_("Give an area."))
    get_object_or_404(chase.openable_areas(request.auth), public_id=public_id_or_404(wanted))
    return apply_filters(
        chase.ChaseFilter, request, Member.objects.visible_to(request.auth).select_related("unit")
    )
