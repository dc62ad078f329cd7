"""API of the service loop: the menu, needs and wishes with their dispatch, service posts, household
pairings, resources, projects and service records with their confirmation. Points: points/api.py.

Every write calls service/actions.py or service/record_actions.py: the rules live there. A refused
action answers 422 (ValidationError) or 403 (PermissionDenied) with ``{"detail": message}`` and changes
nothing; an object outside the caller's scope answers 404 exactly like a missing one. Shapes:
service/api_schemas.py.
"""

from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value
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
from service import actions, codes, record_actions, unit_actions
from service.api_schemas import (
    AssignmentQuery,
    AssignmentWithNeedOut,
    CategoryOut,
    CategoryQuery,
    CategoryTreeOut,
    CommitmentIn,
    CompleteProjectIn,
    ConfirmIn,
    DispatchIn,
    EvaluateIn,
    MilestoneIn,
    NeedDetailOut,
    NeedIn,
    NeedOut,
    NeedQuery,
    NoteIn,
    OptionalReasonIn,
    PairingDetailOut,
    PairingIn,
    PairingOut,
    PairingQuery,
    PostDetailOut,
    PostIn,
    PostOut,
    PostQuery,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ProjectQuery,
    RateIn,
    ReasonIn,
    RecordDetailOut,
    RecordIn,
    RecordOut,
    RecordQuery,
    ResourceIn,
    ResourceOut,
    ResourceQuery,
    SuggestionOut,
    TakeIn,
    UnitIn,
    VisitIn,
)
from service.models import (
    Assignment,
    HouseholdPairing,
    Need,
    NeedEvent,
    NeedKind,
    PostClaim,
    Project,
    ProjectEvent,
    ProjectUnit,
    RecordState,
    Resource,
    ServiceCategory,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
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


# --- service posts --------------------------------------------------------------------------------


def _posts(request: HttpRequest) -> QuerySet[ServicePost]:
    member_ids = scope_for(request.auth).member_ids
    held = (
        Exists(PostClaim.objects.filter(post=OuterRef("pk"), member_id__in=member_ids, left_at__isnull=True))
        if member_ids
        else Value(False)
    )
    return (
        ServicePost.objects.visible_to(request.auth)
        .with_taken()
        .annotate(held=held)
        .select_related("community", "category")
    )


def _post(request: HttpRequest, post_id: UUID) -> ServicePost:
    return get_object_or_404(_posts(request), public_id=post_id)


def _post_detail(request: HttpRequest, post_id: UUID) -> ServicePost:
    post = _post(request, post_id)
    post.holders = None
    if actions.staffs_community(request.auth, post.community):
        post.holders = list(post.claims.filter(left_at__isnull=True).select_related("member"))
    return post


@router.get("/service-posts", response=list[PostOut])
@paginate(ListPage)
def list_posts(request: HttpRequest, filters: Query[PostQuery]):
    """Service posts (服务岗位) the caller may see, newest first, with ``taken`` of ``capacity``:
    the areas theirs, members those of the communities they serve and those they hold.
    Roles: areas, member; else 403."""
    require_roles(request, POST_READ_ROLES)
    posts = _by_category(_posts(request), filters.category)
    if filters.community:
        posts = posts.filter(community__public_id=filters.community)
    if filters.open is True:
        posts = posts.published()
    elif filters.open is False:
        posts = posts.exclude(pk__in=ServicePost.objects.published().values("pk"))
    if filters.held is not None:
        posts = posts.filter(held=filters.held)
    return posts


@router.post("/service-posts", response={201: PostDetailOut, **REFUSALS})
def publish_post(request: HttpRequest, payload: PostIn):
    """Publish a standing post for members to claim. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    post = actions.publish_post(
        acting_user=request.auth,
        community=_community(payload.community),
        title=payload.title,
        category=_category(request, payload.category),
        schedule=payload.schedule,
        capacity=payload.capacity,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        place=payload.place,
        request=request,
    )
    return Status(201, _post_detail(request, post.public_id))


@router.get("/service-posts/{post_id}", response={200: PostDetailOut, 404: ErrorOut})
def get_post(request: HttpRequest, post_id: UUID):
    """One post; who holds it only for the community and street. Roles as for the list; outside
    the caller's scope, 404."""
    require_roles(request, POST_READ_ROLES)
    return _post_detail(request, post_id)


@router.post("/service-posts/{post_id}/close", response={200: PostDetailOut, **REFUSALS})
def close_post(request: HttpRequest, post_id: UUID):
    """Stop the post: its holders are released, nobody new can claim. Roles: community, street."""
    require_roles(request, STAFF)
    actions.close_post(acting_user=request.auth, post=_post(request, post_id), request=request)
    return _post_detail(request, post_id)


@router.post("/service-posts/{post_id}/claim", response={200: PostDetailOut, **REFUSALS})
def claim_post(request: HttpRequest, post_id: UUID):
    """认岗: the calling member claims the post (a full or closed post, or one of a community they
    do not serve, is refused). Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    actions.claim_post(acting_user=request.auth, post=_post(request, post_id), request=request)
    return _post_detail(request, post_id)


@router.post("/service-posts/{post_id}/leave", response={200: PostDetailOut, **REFUSALS})
def leave_post(request: HttpRequest, post_id: UUID):
    """The calling member gives the post up; the place opens again. Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    post = _post(request, post_id)
    claim = PostClaim.objects.filter(post=post, member__user=request.auth, left_at__isnull=True).first()
    if claim is None:
        raise ValidationError(_("You do not hold this post."))
    actions.leave_post(acting_user=request.auth, claim=claim, request=request)
    return _post_detail(request, post_id)


# --- household pairings ---------------------------------------------------------------------------


def _pairings(request: HttpRequest) -> QuerySet[HouseholdPairing]:
    return (
        HouseholdPairing.objects.visible_to(request.auth)
        .select_related("member", "unit", "household", "community")
        .annotate(visit_count=Count("visits"))
    )


def _pairing(request: HttpRequest, pairing_id: UUID) -> HouseholdPairing:
    return get_object_or_404(_pairings(request), public_id=pairing_id)


def _pairing_detail(request: HttpRequest, pairing_id: UUID) -> HouseholdPairing:
    pairings = _pairings(request).prefetch_related("visits__logged_by")
    return get_object_or_404(pairings, public_id=pairing_id)


@router.get("/household-pairings", response=list[PairingOut])
@paginate(ListPage)
def list_pairings(request: HttpRequest, filters: Query[PairingQuery]):
    """结对帮扶: members and units paired with households, newest first: the areas and grid workers
    theirs, the member and unit their own, the household its own.
    Roles: areas, grid worker, unit admin, inspector, member, resident; else 403."""
    require_roles(request, roles.PAIRING_READ_ROLES)
    pairings = _pairings(request)
    if filters.community:
        pairings = pairings.filter(community__public_id=filters.community)
    if filters.member:
        pairings = pairings.filter(member__public_id=filters.member)
    if filters.unit:
        pairings = pairings.filter(unit__public_id=filters.unit)
    if filters.active is not None:
        pairings = pairings.filter(ended_on__isnull=filters.active)
    return pairings


@router.post("/household-pairings", response={201: PairingDetailOut, **REFUSALS})
def pair_household(request: HttpRequest, payload: PairingIn):
    """Pair a household with one member who lives in or reports to its community, or one unit of its
    street or paired with it, saying why (anyone else answers as an unknown id, 422).
    Roles: community, street."""
    require_roles(request, STAFF)
    user = request.auth
    household = _one(Resident.objects.visible_to(user), payload.household, _("Unknown resident."))
    # Helpers as the page offers them: those who serve the household's community (the action checks too).
    community = household.residence_area
    pairing = actions.pair_household(
        acting_user=user,
        household=household,
        member=_one(serving_members(user, community), payload.member, _("Choose a member.")),
        unit=_one(serving_units(user, community), payload.unit, _("Choose a unit.")),
        reason=payload.reason,
        started_on=payload.started_on,
        request=request,
    )
    return Status(201, _pairing_detail(request, pairing.public_id))


@router.get("/household-pairings/{pairing_id}", response={200: PairingDetailOut, 404: ErrorOut})
def get_pairing(request: HttpRequest, pairing_id: UUID):
    """One pairing with its visits. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.PAIRING_READ_ROLES)
    return _pairing_detail(request, pairing_id)


@router.post("/household-pairings/{pairing_id}/visits", response={201: PairingDetailOut, **REFUSALS})
def log_visit(request: HttpRequest, pairing_id: UUID, payload: VisitIn):
    """The paired member or unit (or the community) logs a visit. Roles: member, unit admin,
    community, street; else 403."""
    require_roles(request, VISIT_ROLES)
    actions.log_pairing_visit(
        acting_user=request.auth,
        pairing=_pairing(request, pairing_id),
        visited_on=payload.visited_on,
        note=payload.note,
        request=request,
    )
    return Status(201, _pairing_detail(request, pairing_id))


@router.post("/household-pairings/{pairing_id}/end", response={200: PairingDetailOut, **REFUSALS})
def end_pairing(request: HttpRequest, pairing_id: UUID, payload: OptionalReasonIn):
    """End the pairing (the visits stay). Roles: community, street; else 403."""
    require_roles(request, STAFF)
    actions.end_household_pairing(
        acting_user=request.auth,
        pairing=_pairing(request, pairing_id),
        reason=payload.reason,
        request=request,
    )
    return _pairing_detail(request, pairing_id)


# --- resources ----------------------------------------------------------------------------------


def _resources(request: HttpRequest) -> QuerySet[Resource]:
    return Resource.objects.visible_to(request.auth).select_related("unit", "category", "community")


@router.get("/resources", response=list[ResourceOut])
@paginate(ListPage)
def list_resources(request: HttpRequest, filters: Query[ResourceQuery]):
    """资源清单: what units offer, newest first: of units the caller administers or inspects, of
    units in their areas, and offered to their communities. Roles: areas, unit admin, inspector."""
    require_roles(request, roles.RESOURCE_ROLES)
    resources = _by_category(_resources(request), filters.category)
    if filters.unit:
        resources = resources.filter(unit__public_id=filters.unit)
    if filters.kind:
        resources = resources.filter(kind=filters.kind)
    if filters.community:
        resources = resources.filter(Q(community__public_id=filters.community) | Q(community__isnull=True))
    if filters.available is True:
        resources = resources.available()
    elif filters.available is False:
        resources = resources.exclude(pk__in=Resource.objects.available().values("pk"))
    return resources


@router.post("/resources", response={201: ResourceOut, **REFUSALS})
def add_resource(request: HttpRequest, payload: ResourceIn):
    """A unit's party admin offers what the unit brings, to any community or to one of its street or
    paired with it. Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    resource = unit_actions.add_resource(
        acting_user=request.auth,
        unit=_one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        kind=payload.kind,
        title=payload.title,
        quantity=payload.quantity,
        measure=payload.measure,
        available_from=payload.available_from,
        available_until=payload.available_until,
        category=_category(request, payload.category) if payload.category else None,
        community=_community(payload.community),
        note=payload.note,
        request=request,
    )
    return Status(201, _resource(request, resource.public_id))


def _resource(request: HttpRequest, resource_id: UUID) -> Resource:
    return get_object_or_404(_resources(request), public_id=resource_id)


@router.get("/resources/{resource_id}", response={200: ResourceOut, 404: ErrorOut})
def get_resource(request: HttpRequest, resource_id: UUID):
    """One resource. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.RESOURCE_ROLES)
    return _resource(request, resource_id)


@router.post("/resources/{resource_id}/withdraw", response={200: ResourceOut, **REFUSALS})
def withdraw_resource(request: HttpRequest, resource_id: UUID, payload: OptionalReasonIn):
    """The unit's party admin takes the offer back (commitments made stay). Role: unit admin."""
    require_roles(request, (Role.UNIT_ADMIN,))
    unit_actions.withdraw_resource(
        acting_user=request.auth,
        resource=_resource(request, resource_id),
        reason=payload.reason,
        request=request,
    )
    return _resource(request, resource_id)


# --- projects -------------------------------------------------------------------------------------


def _projects(request: HttpRequest) -> QuerySet[Project]:
    return (
        Project.objects.visible_to(request.auth)
        .select_related("community", "category")
        .prefetch_related("units")
        .annotate(rating_mean=Avg("ratings__score"), rating_count=Count("ratings"))
    )


@router.get("/projects", response=list[ProjectOut])
@paginate(ListPage)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]):
    """项目清单: co-building projects, newest first, with the residents' mean rating: the areas
    theirs, units those they take part in, members and residents their community's.
    Roles: areas, unit admin, inspector, member, resident; else 403."""
    require_roles(request, roles.PROJECT_ROLES)
    projects = _projects(request)
    if filters.state:
        projects = projects.filter(state=filters.state)
    if filters.community:
        projects = projects.filter(community__public_id=filters.community)
    if filters.unit:
        projects = projects.filter(
            pk__in=ProjectUnit.objects.filter(unit__public_id=filters.unit).values("project_id")
        )
    return projects


def _project(request: HttpRequest, project_id: UUID) -> Project:
    return get_object_or_404(_projects(request), public_id=project_id)


def _project_detail(request: HttpRequest, project_id: UUID) -> Project:
    projects = _projects(request).prefetch_related(
        "milestones",
        "commitments__unit",
        "commitments__resource",
        Prefetch("events", queryset=ProjectEvent.objects.select_related("actor")),
    )
    return get_object_or_404(projects, public_id=project_id)


@router.post("/projects", response={201: ProjectDetailOut, **REFUSALS})
def propose_project(request: HttpRequest, payload: ProjectIn):
    """Propose a co-building project: the community or its street (optionally with a ``unit``), or a
    unit's party admin with their ``unit`` to a community of its street or paired with it.
    Roles: community, street, unit admin; else 403."""
    require_roles(request, PROJECT_WRITE_ROLES)
    project = unit_actions.propose_project(
        acting_user=request.auth,
        community=_community(payload.community),
        title=payload.title,
        description=payload.description,
        category=_category(request, payload.category) if payload.category else None,
        budget=payload.budget,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        # the units the caller may see, as on the page: the action checks who may bring which unit
        unit=_one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        request=request,
    )
    return Status(201, _project_detail(request, project.public_id))


@router.get("/projects/{project_id}", response={200: ProjectDetailOut, 404: ErrorOut})
def get_project(request: HttpRequest, project_id: UUID):
    """One project with its milestones, the units' commitments and its history.
    Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.PROJECT_ROLES)
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/units", response={200: ProjectDetailOut, **REFUSALS})
def add_project_unit(request: HttpRequest, project_id: UUID, payload: UnitIn):
    """A unit joins: the community or street adds it, or the unit's party admin joins a project of a
    community of its street or paired with it. Roles: community, street, unit admin; else 403."""
    require_roles(request, PROJECT_WRITE_ROLES)
    unit_actions.add_project_unit(
        acting_user=request.auth,
        project=_project(request, project_id),
        unit=_one(Unit.objects.visible_to(request.auth), payload.unit, _("Choose a unit.")),
        request=request,
    )
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/commitments", response={201: ProjectDetailOut, **REFUSALS})
def commit_to_project(request: HttpRequest, project_id: UUID, payload: CommitmentIn):
    """A participating unit's party admin commits part of a resource, or a contribution in words,
    never more of a resource than is left. Role: unit admin; else 403."""
    require_roles(request, (Role.UNIT_ADMIN,))
    user = request.auth
    unit_actions.commit_to_project(
        acting_user=user,
        project=_project(request, project_id),
        unit=_one(Unit.objects.visible_to(user), payload.unit, _("Choose a unit.")),
        resource=_one(Resource.objects.visible_to(user), payload.resource, _("Unknown resource.")),
        description=payload.description,
        quantity=payload.quantity,
        measure=payload.measure,
        request=request,
    )
    return Status(201, _project_detail(request, project_id))


@router.post("/projects/{project_id}/milestones", response={201: ProjectDetailOut, **REFUSALS})
def add_milestone(request: HttpRequest, project_id: UUID, payload: MilestoneIn):
    """Mark a step of an open project. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    unit_actions.add_milestone(
        acting_user=request.auth,
        project=_project(request, project_id),
        title=payload.title,
        due_on=payload.due_on,
        request=request,
    )
    return Status(201, _project_detail(request, project_id))


def _move_project(request: HttpRequest, project_id: UUID, move, **fields) -> Project:
    require_roles(request, STAFF)
    move(acting_user=request.auth, project=_project(request, project_id), request=request, **fields)
    return _project_detail(request, project_id)


@router.post("/projects/{project_id}/agree", response={200: ProjectDetailOut, **REFUSALS})
def agree_project(request: HttpRequest, project_id: UUID):
    """proposed → agreed (a unit must take part). Roles: community, street; else 403."""
    return _move_project(request, project_id, unit_actions.agree_project)


@router.post("/projects/{project_id}/start", response={200: ProjectDetailOut, **REFUSALS})
def start_project(request: HttpRequest, project_id: UUID):
    """agreed → in progress. Roles: community, street; else 403."""
    return _move_project(request, project_id, unit_actions.start_project)


@router.post("/projects/{project_id}/complete", response={200: ProjectDetailOut, **REFUSALS})
def complete_project(request: HttpRequest, project_id: UUID, payload: CompleteProjectIn):
    """in progress → completed, saying how many people it served. Roles: community, street."""
    return _move_project(
        request, project_id, unit_actions.complete_project, beneficiaries_served=payload.beneficiaries_served
    )


@router.post("/projects/{project_id}/evaluate", response={200: ProjectDetailOut, **REFUSALS})
def evaluate_project(request: HttpRequest, project_id: UUID, payload: EvaluateIn):
    """completed → evaluated, with the community's evaluation. Roles: community, street."""
    return _move_project(request, project_id, unit_actions.evaluate_project, evaluation=payload.evaluation)


@router.post("/projects/{project_id}/drop", response={200: ProjectDetailOut, **REFUSALS})
def drop_project(request: HttpRequest, project_id: UUID, payload: ReasonIn):
    """Drop a project not yet completed, with a reason. Roles: community, street; else 403."""
    return _move_project(request, project_id, unit_actions.drop_project, reason=payload.reason)


@router.post("/projects/{project_id}/rate", response={200: ProjectDetailOut, **REFUSALS})
def rate_project(request: HttpRequest, project_id: UUID, payload: RateIn):
    """A resident of the project's community rates a completed project, once (1–5).
    Role: resident; else 403."""
    require_roles(request, (Role.RESIDENT,))
    record_actions.rate_project(
        acting_user=request.auth,
        project=_project(request, project_id),
        score=payload.score,
        comment=payload.comment,
        request=request,
    )
    return _project_detail(request, project_id)


# --- service records ------------------------------------------------------------------------------


def _records(request: HttpRequest) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.visible_to(request.auth)
        .select_related("member", "unit", "community", "category", "beneficiary_resident", "rating", "post")
        .annotate(
            need_uuid=F("need__public_id"),
            post_uuid=F("post__public_id"),
            pairing_uuid=F("pairing__public_id"),
            project_uuid=F("project__public_id"),
        )
    )


def _record(request: HttpRequest, record_id: UUID) -> ServiceRecord:
    return get_object_or_404(_records(request), public_id=record_id)


def _record_detail(request: HttpRequest, record_id: UUID) -> ServiceRecord:
    records = _records(request).prefetch_related(
        "photos", Prefetch("events", queryset=ServiceRecordEvent.objects.select_related("actor"))
    )
    record = get_object_or_404(records, public_id=record_id)
    # The member shows this code to the person served (typed, or as the QR code of the record page).
    own = record.member.user_id == request.auth.pk
    record.confirmation_code = (
        codes.confirmation_code(record) if own and record.state == RecordState.SUBMITTED else None
    )
    return record


@router.get("/service-records", response=list[RecordOut])
@paginate(ListPage)
def list_records(request: HttpRequest, filters: Query[RecordQuery]):
    """服务记实: service records, latest service first: the areas theirs, units their members', the
    member their own, residents those they were served by. Roles: areas, unit admin, inspector,
    member, resident; else 403."""
    require_roles(request, roles.RECORD_READ_ROLES)
    records = _records(request)
    if filters.state:
        records = records.filter(state=filters.state)
    if filters.member:
        records = records.filter(member__public_id=filters.member)
    if filters.community:
        records = records.filter(community__public_id=filters.community)
    start, end = filters.bounds()
    if start:
        records = records.filter(started_at__gte=start)
    if end:
        records = records.filter(started_at__lt=end)
    return records


@router.post("/service-records", response={201: RecordDetailOut, **REFUSALS})
def log_record(request: HttpRequest, payload: RecordIn):
    """A member logs service they gave (photos: on the record page). Against a need they took, the
    need becomes served. Implausible records are flagged for the community. Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    user = request.auth
    record = record_actions.log_service_record(
        acting_user=user,
        category=_category(request, payload.category),
        started_at=payload.started_at,
        minutes=payload.minutes,
        description=payload.description,
        community=_community(payload.community),
        need=_one(Need.objects.visible_to(user), payload.need, _("Unknown need.")),
        post=_one(ServicePost.objects.visible_to(user), payload.post, _("Unknown service post.")),
        pairing=_one(HouseholdPairing.objects.visible_to(user), payload.pairing, _("Unknown pairing.")),
        project=_one(Project.objects.visible_to(user), payload.project, _("Unknown project.")),
        beneficiary_resident=_one(
            Resident.objects.visible_to(user), payload.beneficiary, _("Unknown resident.")
        ),
        beneficiary_name=payload.beneficiary_name,
        request=request,
    )
    return Status(201, _record_detail(request, record.public_id))


@router.get("/service-records/{record_id}", response={200: RecordDetailOut, 404: ErrorOut})
def get_record(request: HttpRequest, record_id: UUID):
    """One record with its photos and history; its member also gets the confirmation code while it
    waits. Roles as for the list; outside the caller's scope, 404."""
    require_roles(request, roles.RECORD_READ_ROLES)
    return _record_detail(request, record_id)


@router.get("/service-records/{record_id}/photos/{n}", response={404: ErrorOut})
def get_record_photo(request: HttpRequest, record_id: UUID, n: int):
    """The record's n-th photo (from 1) as an image file, for callers who may see the record."""
    from service.member_views import photo_response

    require_roles(request, roles.RECORD_READ_ROLES)
    if not 1 <= n <= record_actions.PHOTOS_PER_RECORD:
        return Status(404, {"detail": _("Not found.")})
    return photo_response(get_object_or_404(_records(request), public_id=record_id), n)


@router.post("/service-records/{record_id}/confirm", response={200: RecordDetailOut, **REFUSALS})
def confirm_record(request: HttpRequest, record_id: UUID, payload: ConfirmIn):
    """服务确认, decided by who calls: the person served (their resident account) confirms and may
    rate (``score``, ``comment``); the community or the post's organiser confirms (``note``, needed
    for a flagged record); anyone else who can see the record confirms with the member's ``code``
    (a wrong code answers 422 and counts towards the limit). One's own record, a record already
    confirmed or rejected, or a flagged one by code are refused. Confirmation books the points.
    Roles as for the list; else 403."""
    require_roles(request, roles.RECORD_READ_ROLES)
    user = request.auth
    record = _record(request, record_id)
    resident = record.beneficiary_resident
    if resident is not None and resident.user_id == user.pk:
        record_actions.confirm_as_beneficiary(
            acting_user=user, record=record, score=payload.score, comment=payload.comment, request=request
        )
    elif payload.code and not record_actions.organises(user, record):
        confirmed = record_actions.confirm_with_code(
            record=record,
            code=payload.code,
            acting_user=user,
            score=payload.score,
            comment=payload.comment,
            request=request,
        )
        if confirmed is None:
            raise ValidationError(_("The code does not match."))
    else:  # the organiser or the community; anyone else is refused with the action's message
        record_actions.confirm_as_organiser(
            acting_user=user, record=record, note=payload.note, request=request
        )
    return _record_detail(request, record_id)


@router.post("/service-records/{record_id}/reject", response={200: RecordDetailOut, **REFUSALS})
def reject_record(request: HttpRequest, record_id: UUID, payload: ReasonIn):
    """The community rejects a waiting record, with the reason the member sees.
    Roles: community, street; else 403."""
    require_roles(request, STAFF)
    record_actions.reject_service_record(
        acting_user=request.auth, record=_record(request, record_id), reason=payload.reason, request=request
    )
    return _record_detail(request, record_id)


@router.post("/service-records/{record_id}/rate", response={200: RecordDetailOut, **REFUSALS})
def rate_record(request: HttpRequest, record_id: UUID, payload: RateIn):
    """The person served rates a confirmed service, once (1–5). Role: resident; else 403."""
    require_roles(request, (Role.RESIDENT,))
    record_actions.rate_service(
        acting_user=request.auth,
        record=_record(request, record_id),
        score=payload.score,
        comment=payload.comment,
        request=request,
    )
    return _record_detail(request, record_id)
