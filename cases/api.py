"""The cases API: /api/v1/case-categories (the tree) and /api/v1/cases (the list, a report, one case,
and the whistle's steps: dispatch, accept, return, progress, close, rate, reopen, merge). Shapes in
cases/schemas.py.

Reads go through ``Case.objects.visible_to`` (outside the caller's scope: 404, exactly like a missing
case). Each write calls one action of cases/actions.py, where the rules live: a refusal answers 403
(PermissionDenied) or 422 (ValidationError) with ``{"detail": message}`` and changes nothing.
"""

from datetime import datetime, time, timedelta
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.models import Role
from cases import actions
from cases.access import dispatchable_units, handler_unit_ids
from cases.models import (
    CURRENT_DISPATCH_STATES,
    Case,
    CaseCategory,
    CaseDispatch,
    CaseEvent,
    CaseSource,
    CaseUpdate,
    DispatchState,
)
from cases.schemas import (
    CaseCategoryGroupOut,
    CaseCloseIn,
    CaseDetailOut,
    CaseDispatchIn,
    CaseHandlerIn,
    CaseIn,
    CaseMergeIn,
    CaseOut,
    CaseProgressIn,
    CaseQuery,
    CaseRateIn,
    CaseReopenIn,
    CaseReturnIn,
)
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from places.models import Area, AreaLevel, Building, Compound, Grid
from places.paths import subtree_q

router = Router(tags=["cases"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Who reads cases: everyone who reports, triages, dispatches or handles them. An inspector follows
# units, not cases; a user with no role has none to read.
CASE_READ_ROLES = (
    Role.ORG_DEPT,
    Role.STREET,
    Role.COMMUNITY,
    Role.GRID_WORKER,
    Role.DEPARTMENT,
    Role.UNIT_ADMIN,
    Role.MEMBER,
    Role.RESIDENT,
)
REPORT_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.GRID_WORKER, Role.MEMBER, Role.RESIDENT)
DISPATCH_ROLES = (Role.STREET, Role.ORG_DEPT)
HANDLER_ROLES = (Role.DEPARTMENT, Role.UNIT_ADMIN)
STAFF_ROLES = (Role.COMMUNITY, Role.STREET, Role.ORG_DEPT)
WORK_ROLES = (*STAFF_ROLES, *HANDLER_ROLES)


# --- categories ------------------------------------------------------------------------------------


@router.get(
    "/case-categories",
    response=list[CaseCategoryGroupOut],
    operation_id="list_case_categories",
    description="The category tree in use: each group with the categories a case is filed under, their "
    "deadlines in Chinese working days and default handlers. A category's ``code`` is its Open311 "
    "service_code. Roles: any that reads cases; else 403.",
)
def list_case_categories(request: HttpRequest):
    require_roles(request, CASE_READ_ROLES)
    leaves = CaseCategory.objects.active().select_related("default_handler")
    return (
        CaseCategory.objects.active()
        .filter(parent__isnull=True)
        .select_related("default_handler")
        .prefetch_related(Prefetch("children", queryset=leaves, to_attr="active_children"))
    )


# --- cases -----------------------------------------------------------------------------------------


def _cases(request: HttpRequest) -> QuerySet[Case]:
    return Case.objects.visible_to(request.auth).select_related(
        "category", "street", "community", "grid", "holder_area"
    )


def _case(request: HttpRequest, case_id: UUID) -> Case:
    return get_object_or_404(_cases(request), public_id=case_id)


def _case_detail(request: HttpRequest, case_id: UUID) -> Case:
    cases = (
        _cases(request)
        .select_related("compound", "building", "reporter", "merged_into")
        .prefetch_related(
            Prefetch("dispatches", queryset=CaseDispatch.objects.select_related("unit")),
            Prefetch(
                "updates",
                queryset=CaseUpdate.objects.select_related("author", "dispatch__unit").prefetch_related(
                    "photos"
                ),
            ),
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor", "unit")),
        )
    )
    return get_object_or_404(cases, public_id=case_id)


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(cases: QuerySet[Case], filters: CaseQuery) -> QuerySet[Case]:
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.category:
        cases = cases.filter(
            Q(category__public_id=filters.category) | Q(category__parent__public_id=filters.category)
        )
    if filters.community:
        cases = cases.filter(community__public_id=filters.community)
    if filters.street:
        cases = cases.filter(street__public_id=filters.street)
    if filters.grid:
        grid = Grid.objects.filter(public_id=filters.grid).only("path").first()
        cases = cases.filter(subtree_q("grid_path", grid.path)) if grid else cases.none()
    if filters.unit:
        called = CaseDispatch.objects.filter(unit__public_id=filters.unit).exclude(
            state=DispatchState.WITHDRAWN
        )
        cases = cases.filter(pk__in=called.values("case_id"))
    if filters.overdue is True:
        cases = cases.overdue()
    elif filters.overdue is False:
        cases = cases.exclude(pk__in=Case.objects.overdue().values("pk"))
    if filters.reported_from:
        cases = cases.filter(reported_at__gte=_midnight(filters.reported_from))
    if filters.reported_to:
        cases = cases.filter(reported_at__lt=_midnight(filters.reported_to + timedelta(days=1)))
    return cases


@router.get(
    "/cases",
    response=list[CaseOut],
    operation_id="list_cases",
    description="The cases the caller may see, newest first: the areas and grids theirs, a department or "
    "unit those it was called to (whatever became of the call), anyone the cases they reported. Roles: "
    "any that reads cases; else 403.",
)
@paginate(ListPage)
def list_cases(request: HttpRequest, filters: Query[CaseQuery]):
    require_roles(request, CASE_READ_ROLES)
    return _filtered(_cases(request), filters)


def _area(public_id: UUID | None, level: str, message: str) -> Area | None:
    if public_id is None:
        return None
    area = Area.objects.filter(public_id=public_id, level=level).first()
    if area is None:
        raise ValidationError(message)
    return area


@router.post(
    "/cases",
    response={201: CaseDetailOut, **REFUSALS},
    operation_id="report_case",
    description="Report a problem: a grid worker in their grid, a resident or member in their community, "
    "the community's or street's staff in their area (for somebody: ``reporter_name``, "
    "``reporter_phone``); the street or the organisation department files 12345 tickets with "
    "``hotline`` and the ticket's number. It lands with the community (or the street), due the "
    "category's working days later. Roles: organisation department, street, community, grid worker, "
    "member, resident; else 403.",
)
def report_case(request: HttpRequest, payload: CaseIn):
    require_roles(request, REPORT_ROLES)
    category = CaseCategory.objects.filter(public_id=payload.category).first()
    if category is None:
        raise ValidationError(_("Choose a category of problem (not a group)."))
    case = actions.report_case(
        acting_user=request.auth,
        title=payload.title,
        category=category,
        description=payload.description,
        community=_area(payload.community, AreaLevel.COMMUNITY, _("Choose a community.")),
        street=_area(payload.street, AreaLevel.STREET, _("Choose a street.")),
        # Any place of the city: the action decides whether the caller may report there.
        grid=one_of(Grid.objects.all(), payload.grid, _("Unknown grid.")),
        compound=one_of(Compound.objects.all(), payload.compound, _("Unknown compound.")),
        building=one_of(Building.objects.all(), payload.building, _("Unknown building.")),
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        source=CaseSource.HOTLINE if payload.hotline else "",
        external_id=payload.external_id,
        request=request,
    )
    return Status(201, _case_detail(request, case.public_id))


@router.get(
    "/cases/{case_id}",
    response={200: CaseDetailOut, 404: ErrorOut},
    operation_id="get_case",
    description="One case with its dispatches, what was written on it and its history. The reporter's "
    "name and masked phone only for the reporter, the case's staff and its handlers. Roles as for the "
    "list; outside the caller's scope, 404.",
)
def get_case(request: HttpRequest, case_id: UUID):
    require_roles(request, CASE_READ_ROLES)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/dispatch",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="dispatch_case",
    description="吹哨: the street committee or the organisation department over the case calls a lead "
    "handler and co-handlers (departments of the city, member units that reach the case's community), "
    "each to accept within the category's window; a case with a lead can be given more co-handlers. "
    "A unit that cannot be called answers 422. Roles: street, organisation department; else 403.",
)
def dispatch_case(request: HttpRequest, case_id: UUID, payload: CaseDispatchIn):
    require_roles(request, DISPATCH_ROLES)
    case = _case(request, case_id)
    units = dispatchable_units(case)
    message = _("Choose a department or unit that can be called to this case.")
    co_handlers = []
    for unit_id in dict.fromkeys(payload.co_handlers):
        co_handlers.append(one_of(units, unit_id, message))
    actions.dispatch_case(
        acting_user=request.auth,
        case=case,
        lead=one_of(units, payload.lead, message),
        co_handlers=co_handlers,
        note=payload.note,
        due_at=payload.due_at,
        request=request,
    )
    return _case_detail(request, case_id)


def _own_dispatch(request: HttpRequest, case: Case, unit_id: UUID | None, doing: str) -> CaseDispatch:
    """The caller's current dispatch on the case (of ``unit_id`` when they answer for several units)."""
    mine = case.dispatches.filter(unit_id__in=handler_unit_ids(request.auth)).select_related("unit")
    if not mine.exists():
        raise PermissionDenied(
            _("Only a department or unit called to this case %(doing)s it.") % {"doing": doing}
        )
    current = mine.filter(state__in=CURRENT_DISPATCH_STATES)
    if unit_id is not None:
        current = current.filter(unit__public_id=unit_id)
    found = list(current[:2])
    if not found:
        raise ValidationError(_("Your department or unit has no call on this case to answer."))
    if len(found) > 1:
        raise ValidationError({"unit": _("Say which of your units answers (unit).")})
    return found[0]


@router.post(
    "/cases/{case_id}/accept",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="accept_case",
    description="报到: the department or unit called to the case accepts it; the lead's acceptance starts "
    "the handling. Roles: department, unit admin (of a unit called to it); else 403.",
)
def accept_case(request: HttpRequest, case_id: UUID, payload: CaseHandlerIn):
    require_roles(request, HANDLER_ROLES)
    case = _case(request, case_id)
    dispatch = _own_dispatch(request, case, payload.unit, _("accepts"))
    actions.accept_dispatch(acting_user=request.auth, dispatch=dispatch, request=request)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/return",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="return_case",
    description="退回: the department or unit returns the case with a reason; nothing is lost — a returned "
    "lead puts the case back on the street's board. Roles: department, unit admin; else 403.",
)
def return_case(request: HttpRequest, case_id: UUID, payload: CaseReturnIn):
    require_roles(request, HANDLER_ROLES)
    case = _case(request, case_id)
    dispatch = _own_dispatch(request, case, payload.unit, _("returns"))
    actions.return_dispatch(
        acting_user=request.auth, dispatch=dispatch, reason=payload.reason, request=request
    )
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/progress",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="record_case_progress",
    description="What has been done so far: a handler that accepted the case, or its staff. Roles: "
    "community, street, organisation department, department, unit admin; else 403.",
)
def record_progress(request: HttpRequest, case_id: UUID, payload: CaseProgressIn):
    require_roles(request, WORK_ROLES)
    case = _case(request, case_id)
    actions.record_progress(acting_user=request.auth, case=case, text=payload.text, request=request)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/close",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="close_case",
    description="办结: the result, by the lead handler of a case being handled, or by the community or "
    "street closing a case in triage themselves. No result, no closing (422). It then waits for the "
    "reporter to confirm and rate it. Roles: community, street, organisation department, department, "
    "unit admin; else 403.",
)
def close_case(request: HttpRequest, case_id: UUID, payload: CaseCloseIn):
    require_roles(request, WORK_ROLES)
    case = _case(request, case_id)
    actions.resolve_case(acting_user=request.auth, case=case, result=payload.result, request=request)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/rate",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="rate_case",
    description="The reporter, and nobody else, confirms and rates a resolved case: satisfied or basically "
    "satisfied closes it; unsatisfied reopens it once to the same handler, then escalates it. Roles: "
    "any that reads cases (the action checks it is the reporter); else 403.",
)
def rate_case(request: HttpRequest, case_id: UUID, payload: CaseRateIn):
    require_roles(request, CASE_READ_ROLES)
    case = _case(request, case_id)
    actions.rate_case(
        acting_user=request.auth, case=case, rating=payload.rating, comment=payload.comment, request=request
    )
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/reopen",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="reopen_case",
    description="Not fixed: the reporter, or the case's staff on the reporter's word, sends a resolved or "
    "closed case back — once to the same handler, then one level up. Roles: any that reads cases; "
    "else 403.",
)
def reopen_case(request: HttpRequest, case_id: UUID, payload: CaseReopenIn):
    require_roles(request, CASE_READ_ROLES)
    case = _case(request, case_id)
    actions.reopen_case(acting_user=request.auth, case=case, reason=payload.reason, request=request)
    return _case_detail(request, case_id)


@router.post(
    "/cases/{case_id}/merge",
    response={200: CaseDetailOut, **REFUSALS},
    operation_id="merge_case",
    description="A duplicate merged into the case that carries on (``into``, a case the caller sees): its "
    "calls are withdrawn and its reporter follows the other case. Answers the merged case. Roles: "
    "community, street, organisation department (over both cases); else 403.",
)
def merge_case(request: HttpRequest, case_id: UUID, payload: CaseMergeIn):
    require_roles(request, STAFF_ROLES)
    case = _case(request, case_id)
    into = Case.objects.visible_to(request.auth).filter(public_id=payload.into).first()
    if into is None:
        raise ValidationError({"into": _("Choose a case you can see to merge into.")})
    actions.merge_case(acting_user=request.auth, case=case, into=into, reason=payload.reason, request=request)
    return _case_detail(request, case_id)
