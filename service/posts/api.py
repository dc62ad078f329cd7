"""API of service posts (服务岗位): the community publishes and closes them, members claim and leave them.
Conventions as in service/api_lookups.py; shapes in service/posts/schemas.py. Operation ids keep the
names the API published before the service app was split by noun (clients generate code from them)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet, Value
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
from gongjian.api_shapes import ErrorOut, ListPage
from service.api_lookups import REFUSALS, by_category, category_of, community_of
from service.models import PostClaim, ServicePost
from service.posts import actions
from service.posts.schemas import PostDetailOut, PostIn, PostOut, PostQuery

router = Router(tags=["service"])

STAFF = roles.SERVICE_STAFF_ROLES
# Service posts: the areas read them, members claim them (grid workers, units and residents have none).
POST_READ_ROLES = (*roles.AREA_ROLES, Role.MEMBER)


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
    if staffs(request.auth, post.community):
        post.holders = list(post.claims.filter(left_at__isnull=True).select_related("member"))
    return post


@router.get("/service-posts", response=list[PostOut], operation_id="service_post_api_list_posts")
@paginate(ListPage)
def list_posts(request: HttpRequest, filters: Query[PostQuery]):
    """Service posts (服务岗位) the caller may see, newest first, with ``taken`` of ``capacity``:
    the areas theirs, members those of the communities they serve and those they hold.
    Roles: areas, member; else 403."""
    require_roles(request, POST_READ_ROLES)
    posts = by_category(_posts(request), filters.category)
    if filters.community:
        posts = posts.filter(community__public_id=filters.community)
    if filters.open is True:
        posts = posts.published()
    elif filters.open is False:
        posts = posts.exclude(pk__in=ServicePost.objects.published().values("pk"))
    if filters.held is not None:
        posts = posts.filter(held=filters.held)
    return posts


@router.post(
    "/service-posts", response={201: PostDetailOut, **REFUSALS}, operation_id="service_post_api_publish_post"
)
def publish_post(request: HttpRequest, payload: PostIn):
    """Publish a standing post for members to claim. Roles: community, street; else 403."""
    require_roles(request, STAFF)
    post = actions.publish_post(
        acting_user=request.auth,
        community=community_of(payload.community),
        title=payload.title,
        category=category_of(request, payload.category),
        schedule=payload.schedule,
        capacity=payload.capacity,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        place=payload.place,
        request=request,
    )
    return Status(201, _post_detail(request, post.public_id))


@router.get(
    "/service-posts/{post_id}",
    response={200: PostDetailOut, 404: ErrorOut},
    operation_id="service_post_api_get_post",
)
def get_post(request: HttpRequest, post_id: UUID):
    """One post; who holds it only for the community and street. Roles as for the list; outside
    the caller's scope, 404."""
    require_roles(request, POST_READ_ROLES)
    return _post_detail(request, post_id)


@router.post(
    "/service-posts/{post_id}/close",
    response={200: PostDetailOut, **REFUSALS},
    operation_id="service_post_api_close_post",
)
def close_post(request: HttpRequest, post_id: UUID):
    """Stop the post: its holders are released, nobody new can claim. Roles: community, street."""
    require_roles(request, STAFF)
    actions.close_post(acting_user=request.auth, post=_post(request, post_id), request=request)
    return _post_detail(request, post_id)


@router.post(
    "/service-posts/{post_id}/claim",
    response={200: PostDetailOut, **REFUSALS},
    operation_id="service_post_api_claim_post",
)
def claim_post(request: HttpRequest, post_id: UUID):
    """认岗: the calling member claims the post (a full or closed post, or one of a community they
    do not serve, is refused). Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    actions.claim_post(acting_user=request.auth, post=_post(request, post_id), request=request)
    return _post_detail(request, post_id)


@router.post(
    "/service-posts/{post_id}/leave",
    response={200: PostDetailOut, **REFUSALS},
    operation_id="service_post_api_leave_post",
)
def leave_post(request: HttpRequest, post_id: UUID):
    """The calling member gives the post up; the place opens again. Role: member; else 403."""
    require_roles(request, (Role.MEMBER,))
    post = _post(request, post_id)
    claim = PostClaim.objects.filter(post=post, member__user=request.auth, left_at__isnull=True).first()
    if claim is None:
        raise ValidationError(_("You do not hold this post."))
    actions.leave_post(acting_user=request.auth, claim=claim, request=request)
    return _post_detail(request, post_id)
