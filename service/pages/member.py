"""The member's desk (phone first): what I can do near me, my tasks, logging service (服务记实) and my
records. It gathers needs, posts, pairings, projects and service records for one person; the changes
are the nouns' own (posts are claimed on service/posts/views.py, a record is shown on its page).

Reads go through ``visible_to(user)`` (outside the scope: 404); the one write, logging service, calls
service/records/actions.py."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from access import beneficiary_label, own_member, served_community_ids
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from checkin.models import CheckIn
from gongjian.pages import public_id_or_404
from gongjian.refusals import refusal_message
from places.models import Area
from service.desk import optional_url, paged
from service.ledger import ledger
from service.menu.choices import city_of, grouped_menu
from service.models import (
    Assignment,
    AssignmentState,
    HouseholdPairing,
    Need,
    NeedKind,
    PostClaim,
    Project,
    RecordState,
    ServicePost,
    ServiceRecord,
    Urgency,
)
from service.records import actions as record_actions
from service.records.forms import LogServiceForm
from service.records.views import PENDING_STATES, flag_labels

PER_PAGE = 20

# How near a need is to where the member lives or reports (the badge on member_home).
SAME_BUILDING, SAME_COMPOUND, SAME_GRID, SAME_COMMUNITY = range(4)
NEARNESS_LABELS = {
    SAME_BUILDING: gettext_lazy("Same building"),
    SAME_COMPOUND: gettext_lazy("Same compound"),
    SAME_GRID: gettext_lazy("Same grid"),
    SAME_COMMUNITY: gettext_lazy("Same community"),
}
RECORD_FILTERS = {
    "pending": Q(state__in=PENDING_STATES),
    "confirmed": Q(state=RecordState.CONFIRMED),
    "rejected": Q(state=RecordState.REJECTED),
}


def _tabs(active: str) -> list[dict]:
    return [
        {"key": key, "label": label, "url": reverse(f"service:{key}"), "active": key == active}
        for key, label in (
            ("member_home", _("Near me")),
            ("my_tasks", _("My tasks")),
            ("log_service", _("Log service")),
            ("my_records", _("My records")),
        )
    ]


def _member_page(request: HttpRequest, template: str, active: str, context: dict, status: int = 200):
    context.setdefault("tabs", _tabs(active))
    return render(request, f"service/member/{template}", context, status=status)


# --- what I can do near me --------------------------------------------------------------------------


def _home_places(member) -> tuple[set[int], set[int], set[str], bool]:
    """Buildings, compounds and grids where the member lives or reports, and whether they report
    (have an active check-in) anywhere."""
    buildings = {member.residence_building_id}
    compounds = {member.residence_compound_id}
    grids = {member.grid_path}
    checkins = list(
        CheckIn.objects.filter(member=member)
        .active()
        .values_list("building_id", "compound_id", "building__grid__path")
    )
    for building, compound, grid in checkins:
        buildings.add(building)
        compounds.add(compound)
        grids.add(grid)
    return buildings - {None}, compounds - {None}, grids - {None, ""}, bool(checkins)


def _nearness(buildings: set[int], compounds: set[int], grids: set[str]) -> Case | Value:
    whens = []
    if buildings:
        whens.append(When(building_id__in=buildings, then=Value(SAME_BUILDING)))
    if compounds:
        whens.append(When(compound_id__in=compounds, then=Value(SAME_COMPOUND)))
    if grids:
        whens.append(When(grid_path__in=grids, then=Value(SAME_GRID)))
    if not whens:
        return Value(SAME_COMMUNITY, output_field=IntegerField())
    return Case(*whens, default=Value(SAME_COMMUNITY), output_field=IntegerField())


@require_GET
@role_required(Role.MEMBER)
def member_home(request: HttpRequest) -> HttpResponse:
    """Open needs and wishes of the communities the member serves, nearest and most urgent first, and
    posts with places left."""
    member = own_member(request.user)
    context: dict = {"member": member}
    if member is None:
        return _member_page(request, "home.html", "member_home", context)
    served = served_community_ids(scope_for(request.user))
    context["communities"] = list(Area.objects.filter(pk__in=served).order_by("path"))
    buildings, compounds, grids, context["checked_in"] = _home_places(member)
    kind = request.GET.get("kind", "")
    needs = (
        Need.objects.visible_to(request.user)
        .open()
        .filter(community_id__in=served)
        .annotate(
            nearness=_nearness(buildings, compounds, grids),
            urgent_first=Case(When(urgency=Urgency.URGENT, then=Value(0)), default=Value(1)),
        )
        .select_related("category", "community", "compound", "building")
        .order_by("nearness", "urgent_first", F("due_at").asc(nulls_last=True), "-created_at", "-id")
    )
    if kind in NeedKind.values:
        needs = needs.filter(kind=kind)
    context["kind"] = kind if kind in NeedKind.values else ""
    context["kinds"] = [("", _("All"))] + [(k, label) for k, label in NeedKind.choices]
    context["needs"] = paged(request, needs, per_page=PER_PAGE)
    for need in context["needs"]["page"]:
        need.nearness_label = NEARNESS_LABELS[need.nearness]
    held = PostClaim.objects.filter(member=member, left_at__isnull=True).values("post_id")
    context["posts"] = list(
        ServicePost.objects.visible_to(request.user)
        .published()
        .with_taken()
        .filter(community_id__in=served, taken__lt=F("capacity"))
        .exclude(pk__in=held)
        .select_related("category", "community")
        .order_by("starts_on", "title", "id")[:PER_PAGE]
    )
    for post in context["posts"]:
        post.places_left = post.capacity - post.taken
    return _member_page(request, "home.html", "member_home", context)


# --- my tasks --------------------------------------------------------------------------------------


@require_GET
@role_required(Role.MEMBER)
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Offers awaiting my reply, needs I have taken, posts I hold, households I am paired with.

    Every need listed here is one the member (or their team) currently answers for, which is one of
    the grounds on which access.sees_beneficiary shows the beneficiary: their name and address are shown."""
    member = own_member(request.user)
    context: dict = {"member": member}
    if member is None:
        return _member_page(request, "tasks.html", "my_tasks", context)
    mine = (
        Assignment.objects.for_user(request.user)
        .select_related("need__category", "need__community", "need__compound", "need__building", "team")
        .order_by("respond_by", "offered_at", "id")
    )
    context["offers"] = list(mine.filter(state=AssignmentState.OFFERED))
    context["taken"] = list(mine.filter(state=AssignmentState.ACCEPTED))
    context["claims"] = list(
        PostClaim.objects.filter(member=member, left_at__isnull=True)
        .select_related("post__category", "post__community")
        .order_by("claimed_at", "id")
    )
    context["pairings"] = list(
        HouseholdPairing.objects.visible_to(request.user)
        .active()
        .filter(member=member)
        .select_related("household__residence_compound", "household__residence_building", "community")
    )
    context["empty"] = not any(context[k] for k in ("offers", "taken", "claims", "pairings"))
    context["now"] = timezone.now()
    return _member_page(request, "tasks.html", "my_tasks", context)


# --- logging service -------------------------------------------------------------------------------

LINKS = ("need", "post", "pairing", "project")


def _linked(request: HttpRequest) -> tuple[str, object]:
    """What the record is for, from ?need= / post= / pairing= / project= (looked up in the scope)."""
    user = request.user
    scoped = {
        "need": lambda: Need.objects.visible_to(user).select_related("category", "community"),
        "post": lambda: ServicePost.objects.visible_to(user).select_related("category", "community"),
        "pairing": lambda: HouseholdPairing.objects.visible_to(user).select_related("household", "community"),
        "project": lambda: Project.objects.visible_to(user).select_related("category", "community"),
    }
    for kind in LINKS:
        value = request.GET.get(kind)
        if value:
            return kind, get_object_or_404(scoped[kind](), public_id=public_id_or_404(value))
    return "", None


def _link_summary(request: HttpRequest, kind: str, target) -> dict:
    if not kind:
        return {}
    summary = {"kind": kind, "title": str(target), "community": target.community, "for_whom": ""}
    if kind == "need":
        summary.update(
            label=target.get_kind_display(),
            url=optional_url("service:need_detail", target.public_id),
            for_whom=beneficiary_label(request.user, target),
        )
    elif kind == "post":
        summary.update(label=_("Service post"), title=f"{target.title} · {target.schedule}")
    elif kind == "pairing":
        summary.update(
            label=_("Household pairing"),
            title=target.reason,
            url=optional_url("service:pairing_detail", target.public_id),
            for_whom=target.household.name,
        )
    else:
        summary.update(label=_("Project"), url=optional_url("service:project_detail", target.public_id))
    return summary


def _log_form(request: HttpRequest, member, kind: str, target, data=None, files=None) -> LogServiceForm:
    communities = []
    if target is None:
        served = served_community_ids(scope_for(request.user))
        communities = list(Area.objects.filter(pk__in=served).order_by("path"))
    community = target.community if target is not None else member.residence_area
    menu, items = grouped_menu(city_of(community or (communities[0] if communities else None)))
    initial = {}
    category = getattr(target, "category", None)
    if category is not None and str(category.public_id) in items:
        initial["category"] = str(category.public_id)
    return LogServiceForm(
        data,
        files,
        initial=initial,
        menu=menu,
        items=items,
        communities=communities,
        ask_beneficiary=kind not in ("need", "pairing"),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@role_required(Role.MEMBER)
def log_service(request: HttpRequest) -> HttpResponse:
    """服务记实: the member logs what they did; linked to a need, post, pairing or project when asked."""
    member = own_member(request.user)
    context: dict = {"member": member}
    if member is None:
        return _member_page(request, "log.html", "log_service", context)
    kind, target = _linked(request)
    status = 200
    if request.method == "POST":
        form = _log_form(request, member, kind, target, request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = record_actions.log_service_record(
                    acting_user=request.user,
                    category=data["category"],
                    started_at=data["started_at"],
                    minutes=data["minutes"],
                    description=data["description"],
                    community=data.get("community"),
                    beneficiary_name=data.get("beneficiary_name", ""),
                    photos=data["photos"],
                    request=request,
                    **({kind: target} if kind else {}),
                )
            except ValidationError as exc:
                # the photos' refusals (one per file, naming it) go under the photos field
                form.add_error(None, exc if hasattr(exc, "error_dict") else refusal_message(exc))
            except PermissionDenied as exc:
                form.add_error(None, refusal_message(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Logged. Show the code below to the person you served, or ask the community to confirm."
                    ),
                )
                return redirect("service:record_detail", record.public_id)
        status = 400
        context["photos_lost"] = bool(request.FILES.getlist("photos"))
    else:
        form = _log_form(request, member, kind, target)
    context.update(
        form=form,
        link=_link_summary(request, kind, target),
        action_url=request.get_full_path(),
        photo_limits={
            "count": settings.PHOTOS_PER_RECORD,
            "megabytes": f"{settings.PHOTO_MAX_BYTES / 2**20:g}",
        },
    )
    return _member_page(request, "log.html", "log_service", context, status=status)


# --- my records ------------------------------------------------------------------------------------


@require_GET
@role_required(Role.MEMBER)
def my_records(request: HttpRequest) -> HttpResponse:
    """The member's service records: state, flags, rejection reasons, points booked."""
    member = own_member(request.user)
    context: dict = {"member": member}
    if member is None:
        return _member_page(request, "records.html", "my_records", context)
    mine = ServiceRecord.objects.visible_to(request.user).filter(member=member)
    context["totals"] = mine.aggregate(
        pending=Count("id", filter=Q(state__in=PENDING_STATES)),
        confirmed_minutes=Sum("minutes", filter=Q(state=RecordState.CONFIRMED)),
    )
    context["totals"]["confirmed_hours"] = round((context["totals"]["confirmed_minutes"] or 0) / 60, 1)
    context["balance"] = ledger().balance(member)
    state = request.GET.get("state", "")
    listed = mine.filter(RECORD_FILTERS[state]) if state in RECORD_FILTERS else mine
    context["state"] = state if state in RECORD_FILTERS else ""
    context["filters"] = [
        ("", _("All")),
        ("pending", _("Awaiting confirmation")),
        ("confirmed", _("Confirmed")),
        ("rejected", _("Rejected")),
    ]
    context["records"] = paged(
        request,
        listed.select_related("category", "community", "need", "post", "rating")
        .annotate(points=Sum("point_entries__amount"))
        .order_by("-started_at", "-id"),
        per_page=PER_PAGE,
    )
    for record in context["records"]["page"]:
        record.flags_shown = flag_labels(record)
    return _member_page(request, "records.html", "my_records", context)
