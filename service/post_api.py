"""API of service posts (服务岗位) and household pairings (结对帮扶); conventions as in service/api.py."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, QuerySet, Value
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
from people.models import Resident
from service import actions
from service.api import (
    POST_READ_ROLES,
    REFUSALS,
    STAFF,
    VISIT_ROLES,
    _by_category,
    _category,
    _community,
    _one,
)
from service.api_schemas import (
    OptionalReasonIn,
    PairingDetailOut,
    PairingIn,
    PairingOut,
    PairingQuery,
    PostDetailOut,
    PostIn,
    PostOut,
    PostQuery,
    VisitIn,
)
from service.models import (
    HouseholdPairing,
    PostClaim,
    ServicePost,
)
from service.workbench_forms import serving_members, serving_units

router = Router(tags=["service"])


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
