"""Service posts (服务岗位): the desk's list of posts where the community publishes and closes them, and
the member's claim (认岗) and leave from the pages that show them.

Reads go through ``ServicePost.objects.visible_to(user)`` (outside the scope: 404); each change calls
service/posts/actions.py (PRG; a refusal shows the message)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access import staffed_communities, staffed_q
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.refusals import refusal_message
from service.desk import desk_links, filters_active, paged, style_filter_form
from service.exports import POST_LIST_ROLES, posts_for
from service.filters import PostFilter
from service.models import PostClaim, ServicePost
from service.posts import actions
from service.posts.forms import PostForm

# --- the desk's list ------------------------------------------------------------------------------


def _post_page(request: HttpRequest, *, form: PostForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    communities = staffed_communities(user).order_by("path")
    filterset = PostFilter(
        request.GET, queryset=posts_for(user).filter(staffed_q(user, "community_path")), request=request
    )
    style_filter_form(filterset.form)
    holders = PostClaim.objects.filter(left_at__isnull=True).select_related("member").order_by("claimed_at")
    rows = filterset.qs.prefetch_related(Prefetch("claims", queryset=holders, to_attr="holders"))
    pager = paged(request, rows, per_page=20)
    today = timezone.localdate()
    for post in pager["page"]:
        post.is_open = post.closed_at is None and (post.ends_on is None or post.ends_on >= today)
    if form is None:
        only = list(communities[:2])
        form = PostForm(communities=communities, initial={"community": only[0]} if len(only) == 1 else {})
    return render(
        request,
        "service/workbench/post_list.html",
        {
            "pager": pager,
            "filter_form": filterset.form,
            "searching": filters_active(request, filterset.form),
            "form": form,
            "export": "service_posts",
            "desk_links": desk_links(user, "posts"),
        },
        status=status,
    )


@require_GET
@role_required(*POST_LIST_ROLES)
def post_list(request: HttpRequest) -> HttpResponse:
    return _post_page(request)


@require_POST
@role_required(*POST_LIST_ROLES)
def post_publish(request: HttpRequest) -> HttpResponse:
    form = PostForm(request.POST, communities=staffed_communities(request.user))
    if form.is_valid():
        data = form.cleaned_data
        try:
            post = actions.publish_post(acting_user=request.user, request=request, **data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Published: %(title)s.") % {"title": post.title})
            return redirect("service:post_list")
    return _post_page(request, form=form, status=400)


@require_POST
@role_required(*POST_LIST_ROLES)
def post_close(request: HttpRequest, public_id) -> HttpResponse:
    post = get_object_or_404(
        ServicePost.objects.visible_to(request.user).filter(staffed_q(request.user, "community_path")),
        public_id=public_id,
    )
    try:
        actions.close_post(acting_user=request.user, post=post, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(
            request, _("Closed: %(title)s. Members who held it keep their history.") % {"title": post.title}
        )
    return redirect("service:post_list")


# --- the member ------------------------------------------------------------------------------------


@require_POST
@role_required(Role.MEMBER)
def post_claim(request: HttpRequest, public_id) -> HttpResponse:
    """认岗: take a place on a post."""
    post = get_object_or_404(ServicePost.objects.visible_to(request.user), public_id=public_id)
    try:
        actions.claim_post(acting_user=request.user, post=post, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
        return redirect(reverse("service:member_home") + "#posts")
    messages.success(
        request,
        _("You hold the post “%(title)s”: %(schedule)s.") % {"title": post.title, "schedule": post.schedule},
    )
    return redirect("service:my_tasks")


@require_POST
@role_required(Role.MEMBER)
def post_leave(request: HttpRequest, public_id) -> HttpResponse:
    """Give a post up; the place opens for somebody else."""
    post = get_object_or_404(ServicePost.objects.visible_to(request.user), public_id=public_id)
    claim = get_object_or_404(
        PostClaim.objects.filter(
            post=post, left_at__isnull=True, member_id__in=scope_for(request.user).member_ids
        )
    )
    try:
        actions.leave_post(acting_user=request.user, claim=claim, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("You gave up the post “%(title)s”.") % {"title": post.title})
    return redirect("service:my_tasks")
