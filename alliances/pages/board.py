"""The alliance board (alliances:board): posts by kind, each with its read receipts per member unit — who
has read it, who has not — and the publish form; a post's page (alliances:board_post), whose opening
records the reader's unit's receipt (``board.mark_read``)."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from alliances import board
from alliances.access import leads
from alliances.forms_act import PostForm
from alliances.models import Alliance, BoardPost, BoardPostKind
from alliances.queries_act import posts_with_reads
from gongjian.pages import get_visible_or_404, paginate, run_action

BOARD_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)


def receipts(post: BoardPost, members: list) -> dict:
    """The member units that have read the post, and those that have not (the post's reads prefetched)."""
    read = {r.unit_id: r for r in post.reads.all()}
    return {
        "read": [(m.unit, read[m.unit_id]) for m in members if m.unit_id in read],
        "unread": [m.unit for m in members if m.unit_id not in read],
    }


def show(request, alliance: Alliance, *, form=None, status=200):
    kind = request.GET.get("kind") or ""
    posts = posts_with_reads(alliance)
    if kind in BoardPostKind.values:
        posts = posts.filter(kind=kind)
    pager = paginate(request, posts, per_page=20)
    members = list(alliance.members.current().select_related("unit"))
    rows = [{"post": post, **receipts(post, members)} for post in pager["page"].object_list]
    can_post = leads(request.user, alliance) or bool(board.posting_units(request.user, alliance))
    context = {
        "alliance": alliance,
        "rows": rows,
        "pager": pager,
        "kind": kind,
        "kinds": BoardPostKind.choices,
        "can_post": can_post,
        "form": form or PostForm(),
    }
    return render(request, "alliances/board_list.html", context, status=status)


@role_required(*BOARD_ROLES)
def board_page(request, public_id):
    return show(request, get_visible_or_404(Alliance, request.user, public_id))


@require_POST
@role_required(*BOARD_ROLES)
def publish(request, public_id):
    alliance = get_visible_or_404(Alliance, request.user, public_id)
    form = PostForm(request.POST)
    if form.is_valid():
        done = run_action(
            request,
            board.publish_post,
            form=form,
            alliance=alliance,
            success=gettext_lazy("Posted on the board."),
            **form.cleaned_data,
        )
        if done.ok:
            return redirect("alliances:board", public_id=alliance.public_id)
    return show(request, alliance, form=form, status=422)


@role_required(*BOARD_ROLES)
def board_post(request, public_id):
    post = get_visible_or_404(
        BoardPost.objects.select_related("alliance", "author", "author_unit"), request.user, public_id
    )
    board.mark_read(acting_user=request.user, post=post, request=request)
    members = list(post.alliance.members.current().select_related("unit"))
    post = posts_with_reads(post.alliance).get(pk=post.pk)
    context = {"post": post, **receipts(post, members)}
    return render(request, "alliances/board_post.html", context)


urlpatterns: list = [
    path("alliances/<uuid:public_id>/board/", board_page, name="board"),
    path("alliances/<uuid:public_id>/board/publish/", publish, name="board_publish"),
    path("alliances/board/<uuid:public_id>/", board_post, name="board_post"),
]
