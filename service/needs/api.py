"""API of needs and wishes (需求, 微心愿), their dispatch (派单), taking (接单) and offers (assignments),
and the dispatch suggestions. Conventions as in service/api_lookups.py; shapes in
service/needs/schemas.py. Operation ids keep the names the API published before the service app was
split by noun (clients generate code from them).
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from access import staffs
from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from orgs.models import Unit
from people.models import Resident
from places.models import Building, Compound, Grid
from service.api_lookups import REFUSALS, by_category, category_of, community_of
from service.models import Assignment, Need, NeedEvent, NeedKind
from service.needs import actions
from service.needs.schemas import (
    AssignmentQuery,
    AssignmentWithNeedOut,
    DispatchIn,
    NeedDetailOut,
    NeedIn,
    NeedOut,
    NeedQuery,
    SuggestionOut,
    TakeIn,
)
from service.needs.suggestions import suggest
from service.queries import community_teams, serving_members, serving_units
from service.schemas import NoteIn, ReasonIn

router = Router(tags=["service"])

STAFF = roles.SERVICE_STAFF_ROLES
TAKE_ROLES = (Role.MEMBER, Role.UNIT_ADMIN)
COMPLETE_ROLES = (*TAKE_ROLES, *STAFF)


# --- needs and wishes -----------------------------------------------------------------------------


def _current_assignments() -> Prefetch:
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.current().select_related("member", "team", "unit"),
        to_attr="current_assignments",
    )


def _needs(request: HttpRequest, kind: str) -> QuerySet[Need]:
    return (
        Need.objects.visible_to(request.auth)
        .filter(kind=kind)
        .select_related("category", "community", "compound", "building", "grid")
        .prefetch_related(_current_assignments())
    )


def _need(request: HttpRequest, kind: str, need_id: UUID) -> Need:
    return get_object_or_404(_needs(request, kind), public_id=need_id)


def _need_detail(request: HttpRequest, kind: str, need_id: UUID) -> Need:
    needs = _needs(request, kind).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("member", "team", "unit")),
        Prefetch("events", queryset=NeedEvent.objects.select_related("actor")),
    )
    return get_object_or_404(needs, public_id=need_id)


def _add_need_routes(collection: str, kind: str) -> None:
    """The same endpoints for /needs and /wishes (a wish is a need of kind ``wish``)."""
    noun = "wish" if kind == NeedKind.WISH else "need"
    base = f"/{collection}"
    one = f"/{collection}/{{need_id}}"

    @router.get(
        base,
        response=list[NeedOut],
        operation_id=f"list_{collection}",
        description=f"The {noun}s the caller may see, newest first: the areas and grid workers theirs, "
        f"residents those they posted or benefit from, members and units those offered to them and the "
        f"open ones of communities they serve. The beneficiary's name and address only for those who "
        f"serve them. Roles: areas, grid worker, unit admin, member, resident; else 403.",
    )
    @paginate(ListPage)
    def list_needs(request: HttpRequest, filters: Query[NeedQuery]):
        require_roles(request, roles.NEED_READ_ROLES)
        needs = by_category(_needs(request, kind), filters.category)
        if filters.state:
            needs = needs.filter(state=filters.state)
        if filters.community:
            needs = needs.filter(community__public_id=filters.community)
        if filters.urgency:
            needs = needs.filter(urgency=filters.urgency)
        if filters.overdue is True:
            needs = needs.overdue()
        elif filters.overdue is False:
            needs = needs.exclude(pk__in=Need.objects.overdue().values("pk"))
        return needs

    @router.post(
        base,
        response={201: NeedDetailOut, **REFUSALS},
        operation_id=f"post_{noun}",
        description=f"Post a {noun}: a resident for themself (community, place and beneficiary are "
        f"theirs); a grid worker, the community or the street for someone (``community`` needed). "
        f"Roles: community, street, grid worker, resident; else 403.",
    )
    def post(request: HttpRequest, payload: NeedIn):
        require_roles(request, roles.NEED_POST_ROLES)
        user = request.auth
        need = actions.post_need(
            acting_user=user,
            kind=kind,
            title=payload.title,
            category=category_of(request, payload.category),
            community=community_of(payload.community),
            description=payload.description,
            compound=one_of(Compound.objects.visible_to(user), payload.compound, _("Unknown compound.")),
            building=one_of(Building.objects.visible_to(user), payload.building, _("Unknown building.")),
            grid=one_of(Grid.objects.visible_to(user), payload.grid, _("Unknown grid.")),
            urgency=payload.urgency,
            budget=payload.budget,
            due_at=payload.due_at,
            beneficiary_resident=one_of(
                Resident.objects.visible_to(user), payload.beneficiary, _("Unknown resident.")
            ),
            beneficiary_name=payload.beneficiary_name,
            beneficiary_address=payload.beneficiary_address,
            request=request,
        )
        return Status(201, _need_detail(request, kind, need.public_id))

    @router.get(
        one,
        response={200: NeedDetailOut, 404: ErrorOut},
        operation_id=f"get_{noun}",
        description=f"One {noun} with every offer and its history. Roles as for the list; outside the "
        f"caller's scope, 404.",
    )
    def get(request: HttpRequest, need_id: UUID):
        require_roles(request, roles.NEED_READ_ROLES)
        return _need_detail(request, kind, need_id)

    @router.post(
        f"{one}/dispatch",
        response={200: NeedDetailOut, **REFUSALS},
        operation_id=f"dispatch_{noun}",
        description=f"派单: offer an open {noun} to one member who lives in or reports to its community, "
        f"one of its teams, or one unit of its street or paired with it; they accept or decline "
        f"(POST /assignments/{{id}}/…). Anyone else answers as an unknown id (422). "
        f"Roles: community, street; else 403.",
    )
    def dispatch(request: HttpRequest, need_id: UUID, payload: DispatchIn):
        require_roles(request, STAFF)
        need = _need(request, kind, need_id)
        user = request.auth
        # Only those the page offers: members who live in or report to the community, its teams, and
        # units nearby or paired with it (anyone else answers like an unknown id; the action checks too).
        actions.dispatch_need(
            acting_user=user,
            need=need,
            member=one_of(serving_members(user, need.community), payload.member, _("Choose a member.")),
            team=one_of(community_teams(user, need.community), payload.team, _("Choose a team.")),
            unit=one_of(serving_units(user, need.community), payload.unit, _("Choose a unit.")),
            note=payload.note,
            respond_by=payload.respond_by,
            suggestion_reason=payload.suggestion_reason,
            request=request,
        )
        return _need_detail(request, kind, need_id)

    @router.post(
        f"{one}/take",
        response={200: NeedDetailOut, **REFUSALS},
        operation_id=f"take_{noun}",
        description=f"接单: a member takes an open {noun} of a community they serve; a unit admin takes "
        f"it for the unit (``unit``). Roles: member, unit admin; else 403.",
    )
    def take(request: HttpRequest, need_id: UUID, payload: TakeIn):
        require_roles(request, TAKE_ROLES)
        need = _need(request, kind, need_id)
        unit = one_of(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit."))
        actions.take_need(acting_user=request.auth, need=need, unit=unit, request=request)
        return _need_detail(request, kind, need_id)

    @router.post(
        f"{one}/complete",
        response={200: NeedDetailOut, **REFUSALS},
        operation_id=f"complete_{noun}",
        description=f"Report a taken {noun} served (logging a service record against it does this "
        f"too). Roles: whoever took it (member, unit admin), the community, the street; else 403.",
    )
    def complete(request: HttpRequest, need_id: UUID, payload: NoteIn):
        require_roles(request, COMPLETE_ROLES)
        need = _need(request, kind, need_id)
        actions.complete_need(acting_user=request.auth, need=need, note=payload.note, request=request)
        return _need_detail(request, kind, need_id)

    @router.post(
        f"{one}/close",
        response={200: NeedDetailOut, **REFUSALS},
        operation_id=f"close_{noun}",
        description=f"Close a served {noun}. Roles: community, street; else 403.",
    )
    def close(request: HttpRequest, need_id: UUID, payload: NoteIn):
        require_roles(request, STAFF)
        need = _need(request, kind, need_id)
        actions.close_need(acting_user=request.auth, need=need, note=payload.note, request=request)
        return _need_detail(request, kind, need_id)

    @router.post(
        f"{one}/cancel",
        response={200: NeedDetailOut, **REFUSALS},
        operation_id=f"cancel_{noun}",
        description=f"Call a {noun} off, with a reason (withdraws any offer). Roles: whoever posted it "
        f"(resident, grid worker), the community, the street; else 403.",
    )
    def cancel(request: HttpRequest, need_id: UUID, payload: ReasonIn):
        require_roles(request, roles.NEED_POST_ROLES)
        need = _need(request, kind, need_id)
        actions.cancel_need(acting_user=request.auth, need=need, reason=payload.reason, request=request)
        return _need_detail(request, kind, need_id)

    @router.get(
        f"{one}/suggestions",
        response={200: list[SuggestionOut], 403: ErrorOut, 404: ErrorOut},
        operation_id=f"suggest_for_{noun}",
        description=f"Who could take the {noun}: members, teams and units' resources, best first, each "
        f"with the reasons (a resource is dispatched to its ``unit``). Roles: community, street; else 403.",
    )
    def suggestions(request: HttpRequest, need_id: UUID):
        require_roles(request, STAFF)
        need = _need(request, kind, need_id)
        if not staffs(request.auth, need.community):
            raise PermissionDenied(_("Only the community or its street can dispatch this need."))
        return [_suggestion_out(s) for s in suggest(need)]


def _suggestion_out(suggestion) -> dict:
    target = suggestion.target
    is_resource = suggestion.kind == "resource"
    return {
        "kind": suggestion.kind,
        "id": target.public_id,
        "name": target.title if is_resource else target.name,
        "unit": target.unit if is_resource else None,
        "score": suggestion.score,
        "reasons": [str(reason) for reason in suggestion.reasons],
    }


_add_need_routes("needs", NeedKind.NEED)
_add_need_routes("wishes", NeedKind.WISH)


# --- assignments (offers) -------------------------------------------------------------------------


def _assignments(request: HttpRequest) -> QuerySet[Assignment]:
    """Offers of the needs the caller may see: all of them for the areas and grid workers, else only
    those made to the caller, their teams and their units (not who else declined, and why)."""
    user = request.auth
    scope = scope_for(user)
    offers = Assignment.objects.filter(need__in=Need.objects.visible_to(user))
    if not (scope.everything or scope.area_paths or scope.grid_paths):
        offers = offers.filter(pk__in=Assignment.objects.for_user(user).values("pk"))
    return offers.select_related("need__community", "member", "team", "unit")


def _assignment(request: HttpRequest, assignment_id: UUID) -> Assignment:
    return get_object_or_404(_assignments(request), public_id=assignment_id)


@router.get("/assignments", response=list[AssignmentWithNeedOut], operation_id="service_api_list_assignments")
@paginate(ListPage)
def list_assignments(request: HttpRequest, filters: Query[AssignmentQuery]):
    """Offers (派单) and takings, newest first: the areas and grid workers those of their needs,
    members and unit admins those made to them; ``mine=true``: only those to the caller, their teams
    and their units (my tasks). Roles as for needs; else 403."""
    require_roles(request, roles.NEED_READ_ROLES)
    assignments = _assignments(request)
    if filters.mine:
        assignments = assignments.for_user(request.auth)
    if filters.state:
        assignments = assignments.filter(state=filters.state)
    return assignments


@router.get(
    "/assignments/{assignment_id}",
    response={200: AssignmentWithNeedOut, 404: ErrorOut},
    operation_id="service_api_get_assignment",
)
def get_assignment(request: HttpRequest, assignment_id: UUID):
    """One offer. Roles as for needs; outside the caller's scope, 404."""
    require_roles(request, roles.NEED_READ_ROLES)
    return _assignment(request, assignment_id)


@router.post(
    "/assignments/{assignment_id}/accept",
    response={200: AssignmentWithNeedOut, **REFUSALS},
    operation_id="service_api_accept_assignment",
)
def accept_assignment(request: HttpRequest, assignment_id: UUID):
    """The member, a member of the team, or the unit's admin says yes. Roles: member, unit admin."""
    require_roles(request, TAKE_ROLES)
    actions.accept_assignment(
        acting_user=request.auth, assignment=_assignment(request, assignment_id), request=request
    )
    return _assignment(request, assignment_id)


@router.post(
    "/assignments/{assignment_id}/decline",
    response={200: AssignmentWithNeedOut, **REFUSALS},
    operation_id="service_api_decline_assignment",
)
def decline_assignment(request: HttpRequest, assignment_id: UUID, payload: ReasonIn):
    """They say no, with a reason; the need goes back to the community's board.
    Roles: member, unit admin; else 403."""
    require_roles(request, TAKE_ROLES)
    actions.decline_assignment(
        acting_user=request.auth,
        assignment=_assignment(request, assignment_id),
        reason=payload.reason,
        request=request,
    )
    return _assignment(request, assignment_id)


@router.post(
    "/assignments/{assignment_id}/withdraw",
    response={200: AssignmentWithNeedOut, **REFUSALS},
    operation_id="service_api_withdraw_assignment",
)
def withdraw_assignment(request: HttpRequest, assignment_id: UUID, payload: ReasonIn):
    """The community takes the need back (no reply, not served), with a reason, to dispatch again.
    Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.withdraw_assignment(
        acting_user=request.auth,
        assignment=_assignment(request, assignment_id),
        reason=payload.reason,
        request=request,
    )
    return _assignment(request, assignment_id)
