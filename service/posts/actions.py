"""Every change to service posts (服务岗位): the community publishes and closes them, members claim
(认岗) and leave them. Each action checks who is acting and the rule, writes the change and an audit row
in one transaction; a refused action changes nothing and raises ValidationError or PermissionDenied."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import is_member_themself, own_member, serves_in, staffs
from audit.actions import record_event
from people.models import Member
from places.models import AreaLevel
from service.models import PostClaim, ServiceCategory, ServicePost


@transaction.atomic
def publish_post(
    *,
    acting_user,
    community,
    title: str,
    category: ServiceCategory,
    schedule: str,
    capacity: int,
    starts_on,
    ends_on=None,
    description: str = "",
    place: str = "",
    request=None,
) -> ServicePost:
    """The community publishes a standing post (政策宣讲岗, 矛盾调解岗…) for members to claim."""
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    if not staffs(acting_user, community):
        raise PermissionDenied(_("Only the community or its street can publish posts here."))
    if not category.active or not category.is_item:
        raise ValidationError(_("Choose an item of the service menu."))
    if not title.strip() or not schedule.strip():
        raise ValidationError(_("A post needs a title and a schedule."))
    if capacity is None or capacity < 1:
        raise ValidationError(_("A post needs room for at least one member."))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("A post cannot end before it starts."))
    post = ServicePost.objects.create(
        community=community,
        community_path=community.path,
        title=title.strip()[:80],
        category=category,
        schedule=schedule.strip()[:120],
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        place=place[:120],
        published_by=acting_user,
    )
    record_event(actor=acting_user, action="service.post_published", request=request, target=post)
    return post


@transaction.atomic
def close_post(*, acting_user, post: ServicePost, request=None) -> ServicePost:
    """The community stops a post: members who hold it keep their history, nobody new can claim."""
    post = ServicePost.objects.select_for_update().get(pk=post.pk)
    if not staffs(acting_user, post.community):
        raise PermissionDenied(_("Only the community or its street can close this post."))
    if post.closed_at is not None:
        raise ValidationError(_("This post is already closed."))
    post.closed_at = timezone.now()
    post.save(update_fields=["closed_at"])
    post.claims.filter(left_at__isnull=True).update(left_at=post.closed_at)
    record_event(actor=acting_user, action="service.post_closed", request=request, target=post)
    return post


@transaction.atomic
def claim_post(*, acting_user, post: ServicePost, member: Member | None = None, request=None) -> PostClaim:
    """认岗: a member claims a post of a community they serve. The post row is locked before the claims
    are counted, so simultaneous claims can never exceed its capacity."""
    member = member or own_member(acting_user)
    if member is None or not is_member_themself(acting_user, member):
        raise PermissionDenied(_("Only members can claim posts, for themselves."))
    post = ServicePost.objects.select_for_update(of=("self",)).select_related("community").get(pk=post.pk)
    today = timezone.localdate()
    if post.closed_at is not None or (post.ends_on is not None and post.ends_on < today):
        raise ValidationError(_("This post is closed."))
    if not serves_in(member, post.community):
        raise PermissionDenied(
            _("You can claim posts of the community you live in or report to, not of %(community)s.")
            % {"community": post.community.name}
        )
    if post.claims.filter(member=member, left_at__isnull=True).exists():
        raise ValidationError(_("You already hold this post."))
    taken = post.claims.filter(left_at__isnull=True).count()
    if taken >= post.capacity:
        raise ValidationError(
            _("This post is full (%(capacity)d of %(capacity)d places taken).") % {"capacity": post.capacity}
        )
    claim = PostClaim.objects.create(post=post, member=member, claimed_by=acting_user)
    record_event(actor=acting_user, action="service.post_claimed", request=request, target=post)
    return claim


@transaction.atomic
def leave_post(*, acting_user, claim: PostClaim, request=None) -> PostClaim:
    """A member gives a post up (or the community releases them); the place opens for somebody else."""
    claim = (
        PostClaim.objects.select_for_update(of=("self",))
        .select_related("post__community", "member")
        .get(pk=claim.pk)
    )
    own = is_member_themself(acting_user, claim.member)
    if not (own or staffs(acting_user, claim.post.community)):
        raise PermissionDenied(_("Only the member or the community can release this post."))
    if claim.left_at is not None:
        raise ValidationError(_("This post was already given up."))
    claim.left_at = timezone.now()
    claim.save(update_fields=["left_at"])
    record_event(actor=acting_user, action="service.post_left", request=request, target=claim.post)
    return claim
