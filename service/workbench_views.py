"""The community's (and street's) service desk: the board of needs by state, overdue needs and replies,
service records waiting for confirmation or review; the list of all service records; service posts.

Reads go through ``visible_to`` and are narrowed to the communities the user staffs. The need page and
its changes are in need_views.py, household pairings in pairing_views.py."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import roles as R
from accounts.decorators import role_required
from accounts.scope import scope_for
from gongjian.refusals import refusal_message
from service import actions
from service.exports import (
    NEED_LIST_ROLES,
    PAIRING_LIST_ROLES,
    POST_LIST_ROLES,
    RECORD_LIST_ROLES,
    posts_for,
    records_for,
    staff_q,
)
from service.filters import PENDING, PostFilter, RecordFilter
from service.models import (
    Assignment,
    AssignmentState,
    Need,
    NeedState,
    PostClaim,
    RecordState,
    ServicePost,
    ServiceRecord,
    Urgency,
)
from service.privacy import beneficiary_label
from service.workbench_forms import PostForm, staffed_communities

COLUMN_LIMIT = 12
PER_PAGE = 25

# --- shared by the service desk's pages -----------------------------------------------------------


def paged(request: HttpRequest, queryset, *, per_page: int = PER_PAGE, param: str = "page") -> dict:
    """One page of ``queryset`` and the querystring that keeps the filters on the page links."""
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    others = {k: v for k, v in request.GET.items() if k != param}
    return {"page": page, "param": param, "query": urlencode(others)}


def pick_community(request: HttpRequest, communities: list):
    """The community named by ``?community=<public_id>`` among ``communities`` (404 if not there); the
    only one if there is one; None means all of them."""
    wanted = request.GET.get("community", "")
    if wanted:
        try:
            public_id = uuid.UUID(wanted)
        except ValueError as exc:
            raise Http404 from exc
        found = next((c for c in communities if c.public_id == public_id), None)
        if found is None:
            raise Http404
        return found
    return communities[0] if len(communities) == 1 else None


def style_filter_form(form) -> None:
    """Bootstrap classes on the filter widgets, and "All" for an empty choice."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("All")
        elif isinstance(field, forms.ChoiceField):
            widget.choices = [("", _("All")), *[c for c in widget.choices if c[0] != ""]]
        widget.attrs["class"] = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )


def filters_active(request: HttpRequest, form) -> bool:
    return any(request.GET.get(name) not in (None, "", "unknown") for name in form.fields)


DESK_LINKS = (
    ("workbench", "service:workbench", gettext_lazy("Desk"), R.SERVICE_STAFF_ROLES),
    ("needs", "service:need_list", gettext_lazy("Needs and wishes"), NEED_LIST_ROLES),
    ("records", "service:record_list", gettext_lazy("Service records"), RECORD_LIST_ROLES),
    ("posts", "service:post_list", gettext_lazy("Service posts"), POST_LIST_ROLES),
    ("pairings", "service:pairing_list", gettext_lazy("Household pairings"), PAIRING_LIST_ROLES),
)


def desk_links(user, here: str) -> list[dict]:
    """The service desk's pages this user may open, ``here`` marked."""
    scope = scope_for(user)
    return [
        {"label": label, "url": reverse(name), "active": key == here}
        for key, name, label, roles in DESK_LINKS
        if scope.has(*roles)
    ]


def crumbs_to(user, here: str, label) -> list[dict]:
    """Breadcrumbs from the desk's list ``here`` (if the user may open it) to the page ``label``."""
    link = next((link for link in desk_links(user, "") if link["url"] == reverse(here)), None)
    return [{"label": link["label"], "url": link["url"]}, {"label": label}] if link else []


def place_of(need: Need, with_community: bool = False) -> str:
    """Building, else compound; the community's name first when the list spans several."""
    parts = [need.community.name] if with_community else []
    if need.building_id:
        parts.append(f"{need.compound.name if need.compound_id else ''}{need.building.name}")
    elif need.compound_id:
        parts.append(need.compound.name)
    return " · ".join(parts)


def age_of(moment, now) -> dict:
    delta = now - moment
    return {"days": delta.days, "hours": max(int(delta.total_seconds() // 3600), 0)}


def current_assignments() -> Prefetch:
    """Prefetch who the need is offered to, taken by or served by (at most one) as ``current``."""
    return Prefetch(
        "assignments",
        queryset=Assignment.objects.filter(
            state__in=(AssignmentState.OFFERED, AssignmentState.ACCEPTED, AssignmentState.DONE)
        ).select_related("member", "team", "unit"),
        to_attr="current",
    )


def dress_needs(user, needs, *, now, late=frozenset(), with_community=False) -> list[Need]:
    """What a row shows: place, age, beneficiary (or the placeholder), the current assignee."""
    for need in needs:
        need.place = place_of(need, with_community)
        need.age = age_of(need.created_at, now)
        need.beneficiary_shown = beneficiary_label(user, need)
        current = getattr(need, "current", None)
        need.assignment = current[0] if current else None
        need.reply_late = need.pk in late
    return needs


# --- the service desk -----------------------------------------------------------------------------

COLUMNS = (
    (NeedState.OPEN, "danger"),
    (NeedState.OFFERED, "warning"),
    (NeedState.TAKEN, "primary"),
    (NeedState.DONE, "info"),
)
URGENCY_RANK = Case(
    When(urgency=Urgency.URGENT, then=Value(0)),
    When(urgency=Urgency.NORMAL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


@require_GET
@role_required(*R.SERVICE_STAFF_ROLES)
def workbench(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities = list(staffed_communities(user).select_related("parent").order_by("path"))
    community = pick_community(request, communities)
    needs = Need.objects.visible_to(user).filter(staff_q(user))
    records = ServiceRecord.objects.visible_to(user).filter(staff_q(user))
    if community is not None:
        needs = needs.filter(community=community)
        records = records.filter(community=community)
    now = timezone.now()
    counts = dict(needs.live().values_list("state").annotate(n=Count("id")).order_by())
    late = set(
        Assignment.objects.awaiting_reply_too_long(now)
        .filter(need__in=needs.filter(state=NeedState.OFFERED))
        .values_list("need_id", flat=True)
    )
    # Each column's first rows in one query: urgent first, then the longest waiting.
    ranked = (
        needs.live()
        .select_related("category", "community", "compound", "building")
        .annotate(
            column_rank=Window(
                RowNumber(),
                partition_by=[F("state")],
                order_by=[URGENCY_RANK.asc(), F("created_at").asc(), F("id").asc()],
            )
        )
        .filter(column_rank__lte=COLUMN_LIMIT)
        .prefetch_related(current_assignments())
        .order_by(URGENCY_RANK.asc(), "created_at", "id")
    )
    several = community is None and len(communities) > 1
    rows = dress_needs(user, list(ranked), now=now, late=late, with_community=several)
    overdue = dress_needs(
        user,
        list(
            needs.overdue(now)
            .select_related("category", "community", "compound", "building")
            .order_by("due_at", "id")[:COLUMN_LIMIT]
        ),
        now=now,
        with_community=several,
    )
    record_counts = dict(records.pending().values_list("state").annotate(n=Count("id")).order_by())
    pending_rows = records.select_related("member", "category", "community").order_by("started_at", "id")
    chosen = {"community": community.public_id} if community else {}
    context = {
        "communities": communities,
        "community": community,
        "columns": [
            {
                "state": state,
                "label": NeedState(state).label,
                "colour": colour,
                "count": counts.get(state, 0),
                "items": [n for n in rows if n.state == state],
                "more_url": _list_url("service:need_list", state=state, **chosen),
            }
            for state, colour in COLUMNS
        ],
        "late_count": len(late),
        "overdue": overdue,
        "overdue_count": needs.overdue(now).count() if len(overdue) >= COLUMN_LIMIT else len(overdue),
        "overdue_url": _list_url("service:need_list", overdue="true", **chosen),
        "submitted": list(pending_rows.filter(state=RecordState.SUBMITTED)[:COLUMN_LIMIT]),
        "submitted_count": record_counts.get(RecordState.SUBMITTED, 0),
        "submitted_url": _list_url("service:record_list", state=RecordState.SUBMITTED, **chosen),
        "flagged": list(pending_rows.filter(state=RecordState.FLAGGED)[:COLUMN_LIMIT]),
        "flagged_count": record_counts.get(RecordState.FLAGGED, 0),
        "flagged_url": _list_url("service:record_list", state=RecordState.FLAGGED, **chosen),
        "several": several,
        "desk_links": desk_links(user, "workbench"),
    }
    return render(request, "service/workbench/workbench.html", context)


def _list_url(viewname: str, **query) -> str:
    return reverse(viewname) + "?" + urlencode({k: str(v) for k, v in query.items()})


# --- all service records --------------------------------------------------------------------------


@require_GET
@role_required(*RECORD_LIST_ROLES)
def record_list(request: HttpRequest) -> HttpResponse:
    filterset = RecordFilter(request.GET, queryset=records_for(request.user), request=request)
    style_filter_form(filterset.form)
    pager = paged(request, filterset.qs)
    state = request.GET.get("state", "")
    tabs = [
        {"label": _("All"), "state": "", "active": state == ""},
        {"label": _("Awaiting confirmation or review"), "state": PENDING, "active": state == PENDING},
        {
            "label": _("Flagged for review"),
            "state": RecordState.FLAGGED,
            "active": state == RecordState.FLAGGED,
        },
    ]
    others = {k: v for k, v in request.GET.items() if k not in ("state", "page")}
    for tab in tabs:
        tab["url"] = "?" + urlencode({**others, **({"state": tab["state"]} if tab["state"] else {})})
    return render(
        request,
        "service/workbench/record_list.html",
        {
            "pager": pager,
            "form": filterset.form,
            "tabs": tabs,
            "searching": filters_active(request, filterset.form),
            "export": "service_records",
            "several": True,
            "desk_links": desk_links(request.user, "records"),
        },
        status=400 if filterset.form.errors else 200,
    )


# --- service posts --------------------------------------------------------------------------------


def _post_page(request: HttpRequest, *, form: PostForm | None = None, status: int = 200) -> HttpResponse:
    user = request.user
    communities = staffed_communities(user).order_by("path")
    filterset = PostFilter(request.GET, queryset=posts_for(user).filter(staff_q(user)), request=request)
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
        ServicePost.objects.visible_to(request.user).filter(staff_q(request.user)), public_id=public_id
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
