"""API of the service loop: the menu, needs and wishes with their dispatch (this module), service posts
and household pairings (post_api.py), resources and projects (unit_api.py), service records with their
confirmation (record_api.py). Points: points/api.py. Each module has its own router; gongjian/api.py
mounts them.

Every write calls service/actions.py or service/record_actions.py: the rules live there. A refused
action answers 422 (ValidationError) or 403 (PermissionDenied) with ``{"detail": message}`` and changes
nothing; an object outside the caller's scope answers 404 exactly like a missing one. Shapes:
service/api_schemas.py.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts import roles
from accounts.api import require_roles
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.api_shapes import ErrorOut, ListPage
from orgs.models import Unit
from people.models import Resident
from places.models import Area, AreaLevel, Building, Compound, Grid
from service import actions
from service.api_schemas import (
    AssignmentQuery,
    AssignmentWithNeedOut,
    CategoryOut,
    CategoryQuery,
    CategoryTreeOut,
    DispatchIn,
    NeedDetailOut,
    NeedIn,
    NeedOut,
    NeedQuery,
    NoteIn,
    ReasonIn,
    SuggestionOut,
    TakeIn,
)
from service.models import (
    Assignment,
    Need,
    NeedEvent,
    NeedKind,
    ServiceCategory,
)
from service.suggestions import suggest
from service.workbench_forms import community_teams, serving_members, serving_units

router = Router(tags=["service"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
STAFF = roles.SERVICE_STAFF_ROLES
# Service posts: the areas read them, members claim them (grid workers, units and residents have none).
POST_READ_ROLES = (*roles.AREA_ROLES, Role.MEMBER)
TAKE_ROLES = (Role.MEMBER, Role.UNIT_ADMIN)
COMPLETE_ROLES = (*TAKE_ROLES, *STAFF)
VISIT_ROLES = (Role.MEMBER, Role.UNIT_ADMIN, *STAFF)
PROJECT_WRITE_ROLES = (*STAFF, Role.UNIT_ADMIN)


# --- lookups --------------------------------------------------------------------------------------


def _community(public_id: UUID | None) -> Area | None:
    """Any community of the city: members serve where they report to, not only where they live; the
    action decides whether the caller may act there."""
    if public_id is None:
        return None
    community = Area.objects.filter(public_id=public_id, level=AreaLevel.COMMUNITY).first()
    if community is None:
        raise ValidationError(_("Choose a community."))
    return community


def _category(request: HttpRequest, public_id: UUID) -> ServiceCategory:
    category = ServiceCategory.objects.visible_to(request.auth).filter(public_id=public_id).first()
    if category is None:
        raise ValidationError(_("Choose an item of the service menu."))
    return category


def _one(queryset: QuerySet, public_id: UUID | None, message: str):
    """An object named in a request body, looked up in ``queryset`` (the caller's scope, or the city
    where the action itself decides who may be named); unknown → 422 with ``message``."""
    if public_id is None:
        return None
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise ValidationError(message)
    return found


def _by_category(queryset: QuerySet, public_id: UUID | None) -> QuerySet:
    """Filed under the item, or under any item of the big category."""
    if public_id is None:
        return queryset
    return queryset.filter(Q(category__public_id=public_id) | Q(category__parent__public_id=public_id))


# --- the menu -------------------------------------------------------------------------------------


def _categories(request: HttpRequest, filters: CategoryQuery) -> QuerySet[ServiceCategory]:
    categories = ServiceCategory.objects.visible_to(request.auth).select_related("parent", "city")
    if filters.city:
        city = Area.objects.filter(public_id=filters.city, level=AreaLevel.CITY).first()
        if city is None:
            raise ValidationError(_("Choose a city."))
        categories = categories.for_city(city)
    if not filters.retired:
        categories = categories.active()
    return categories


@router.get("/service-categories", response=list[CategoryOut])
@paginate(ListPage)
def list_categories(request: HttpRequest, filters: Query[CategoryQuery]):
    """The service menu (服务菜单), flat: big categories and their items, each item naming its big
    category's id in ``parent``. Any signed-in user."""
    categories = _categories(request, filters)
    if filters.parent:
        categories = categories.filter(parent__public_id=filters.parent)
    if filters.big is not None:
        categories = categories.filter(parent__isnull=filters.big)
    return categories


@router.get("/service-categories/tree", response=list[CategoryTreeOut])
def category_tree(request: HttpRequest, filters: Query[CategoryQuery]):
    """The menu as a tree: big categories, each with its items (one page, not paged).
    ``parent`` and ``big`` are ignored here. Any signed-in user."""
    categories = _categories(request, filters)
    items = list(categories.filter(parent__isnull=False))
    tree = list(categories.filter(parent__isnull=True))
    for big in tree:
        big.items = [item for item in items if item.parent_id == big.pk]
    return tree


@router.get("/service-categories/{category_id}", response={200: CategoryOut, 404: ErrorOut})
def get_category(request: HttpRequest, category_id: UUID):
    """One menu entry (retired ones too). Any signed-in user."""
    categories = ServiceCategory.objects.visible_to(request.auth).select_related("parent", "city")
    return get_object_or_404(categories, public_id=category_id)


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
        needs = _by_category(_needs(request, kind), filters.category)
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
            category=_category(request, payload.category),
            community=_community(payload.community),
            description=payload.description,
            compound=_one(Compound.objects.visible_to(user), payload.compound, _("Unknown compound.")),
            building=_one(Building.objects.visible_to(user), payload.building, _("Unknown building.")),
            grid=_one(Grid.objects.visible_to(user), payload.grid, _("Unknown grid.")),
            urgency=payload.urgency,
            budget=payload.budget,
            due_at=payload.due_at,
            beneficiary_resident=_one(
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
            member=_one(serving_members(user, need.community), payload.member, _("Choose a member.")),
            team=_one(community_teams(user, need.community), payload.team, _("Choose a team.")),
            unit=_one(serving_units(user, need.community), payload.unit, _("Choose a unit.")),
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
        unit = _one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit."))
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
        if not actions.staffs_community(request.auth, need.community):
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


@router.get("/assignments", response=list[AssignmentWithNeedOut])
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


@router.get("/assignments/{assignment_id}", response={200: AssignmentWithNeedOut, 404: ErrorOut})
def get_assignment(request: HttpRequest, assignment_id: UUID):
    """One offer. Roles as for needs; outside the caller's scope, 404."""
    require_roles(request, roles.NEED_READ_ROLES)
    return _assignment(request, assignment_id)


@router.post("/assignments/{assignment_id}/accept", response={200: AssignmentWithNeedOut, **REFUSALS})
def accept_assignment(request: HttpRequest, assignment_id: UUID):
    """The member, a member of the team, or the unit's admin says yes. Roles: member, unit admin."""
    require_roles(request, TAKE_ROLES)
    actions.accept_assignment(
        acting_user=request.auth, assignment=_assignment(request, assignment_id), request=request
    )
    return _assignment(request, assignment_id)


@router.post("/assignments/{assignment_id}/decline", response={200: AssignmentWithNeedOut, **REFUSALS})
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


@router.post("/assignments/{assignment_id}/withdraw", response={200: AssignmentWithNeedOut, **REFUSALS})
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
