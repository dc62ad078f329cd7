"""The party member's service pages (phone first) and the shared service-record page.

member_home: what I can do near me; my_tasks: offers, taken needs, posts, pairings; log_service and
my_records: 服务记实; record_detail: one record for everyone who may see it (the member shows the
code and QR, the community confirms or rejects, the beneficiary confirms and rates); confirm_by_code:
the public page a beneficiary opens from the QR code, with or without an account.

Reads go through ``visible_to(user)`` (outside the scope: 404); every change calls one action of
service/actions.py or service/record_actions.py.
"""

from __future__ import annotations

import uuid

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from accounts.roles import RECORD_READ_ROLES, SERVICE_STAFF_ROLES
from accounts.scope import scope_for
from checkin.models import CheckIn
from gongjian.refusals import refusal_message
from places.models import Area
from points.actions import balance_of
from service import actions, codes, record_actions
from service.member_forms import (
    CodeForm,
    LogServiceForm,
    NoteForm,
    RatingForm,
    RejectForm,
    city_of,
    duration_label,
    grouped_menu,
)
from service.models import (
    Assignment,
    AssignmentState,
    ConfirmedVia,
    Flag,
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
from service.privacy import HIDDEN, beneficiary_label
from service.queries import served_community_ids

PER_PAGE = 20

# How near a need is to where the member lives or reports (the badge on member_home).
SAME_BUILDING, SAME_COMPOUND, SAME_GRID, SAME_COMMUNITY = range(4)
NEARNESS_LABELS = {
    SAME_BUILDING: gettext_lazy("Same building"),
    SAME_COMPOUND: gettext_lazy("Same compound"),
    SAME_GRID: gettext_lazy("Same grid"),
    SAME_COMMUNITY: gettext_lazy("Same community"),
}
EVENT_LABELS = {
    "log": gettext_lazy("Logged"),
    "confirm": gettext_lazy("Confirmed"),
    "code_failed": gettext_lazy("A wrong code was entered"),
    "flag": gettext_lazy("Held for review"),
    "reject": gettext_lazy("Rejected"),
}
CODE_ATTEMPTS_FLAG = "code_attempts"  # set by confirm_with_code; not one of the plausibility flags
PENDING_STATES = (RecordState.SUBMITTED, RecordState.FLAGGED)
RECORD_FILTERS = {
    "pending": Q(state__in=PENDING_STATES),
    "confirmed": Q(state=RecordState.CONFIRMED),
    "rejected": Q(state=RecordState.REJECTED),
}
# Photos are served as images only when their name says they are one (anything else is a download).
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def _page(request: HttpRequest, queryset, param: str = "page", per_page: int = PER_PAGE) -> dict:
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    others = {k: v for k, v in request.GET.items() if k != param}
    return {"page": page, "param": param, "query": urlencode(others)}


def _optional_url(name: str, *args) -> str:
    """A link to a page another part of the service loop provides (empty until it exists)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


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
    member = actions.member_of(request.user)
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
    context["needs"] = _page(request, needs)
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
    the grounds on which service.privacy shows the beneficiary: their name and address are shown."""
    member = actions.member_of(request.user)
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
            return kind, get_object_or_404(scoped[kind](), public_id=_uuid_or_404(value))
    return "", None


def _link_summary(request: HttpRequest, kind: str, target) -> dict:
    if not kind:
        return {}
    summary = {"kind": kind, "title": str(target), "community": target.community, "for_whom": ""}
    if kind == "need":
        summary.update(
            label=target.get_kind_display(),
            url=_optional_url("service:need_detail", target.public_id),
            for_whom=beneficiary_label(request.user, target),
        )
    elif kind == "post":
        summary.update(label=_("Service post"), title=f"{target.title} · {target.schedule}")
    elif kind == "pairing":
        summary.update(
            label=_("Household pairing"),
            title=target.reason,
            url=_optional_url("service:pairing_detail", target.public_id),
            for_whom=target.household.name,
        )
    else:
        summary.update(label=_("Project"), url=_optional_url("service:project_detail", target.public_id))
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
    member = actions.member_of(request.user)
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
            except (ValidationError, PermissionDenied) as exc:
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
    context.update(form=form, link=_link_summary(request, kind, target), action_url=request.get_full_path())
    return _member_page(request, "log.html", "log_service", context, status=status)


# --- my records ------------------------------------------------------------------------------------


@require_GET
@role_required(Role.MEMBER)
def my_records(request: HttpRequest) -> HttpResponse:
    """The member's service records: state, flags, rejection reasons, points booked."""
    member = actions.member_of(request.user)
    context: dict = {"member": member}
    if member is None:
        return _member_page(request, "records.html", "my_records", context)
    mine = ServiceRecord.objects.visible_to(request.user).filter(member=member)
    context["totals"] = mine.aggregate(
        pending=Count("id", filter=Q(state__in=PENDING_STATES)),
        confirmed_minutes=Sum("minutes", filter=Q(state=RecordState.CONFIRMED)),
    )
    context["totals"]["confirmed_hours"] = round((context["totals"]["confirmed_minutes"] or 0) / 60, 1)
    context["balance"] = balance_of(member)
    state = request.GET.get("state", "")
    listed = mine.filter(RECORD_FILTERS[state]) if state in RECORD_FILTERS else mine
    context["state"] = state if state in RECORD_FILTERS else ""
    context["filters"] = [
        ("", _("All")),
        ("pending", _("Awaiting confirmation")),
        ("confirmed", _("Confirmed")),
        ("rejected", _("Rejected")),
    ]
    context["records"] = _page(
        request,
        listed.select_related("category", "community", "need", "post", "rating")
        .annotate(points=Sum("point_entries__amount"))
        .order_by("-started_at", "-id"),
    )
    for record in context["records"]["page"]:
        record.flags_shown = _flag_labels(record)
    return _member_page(request, "records.html", "my_records", context)


# --- the record page (shared) ----------------------------------------------------------------------


def _record(request: HttpRequest, public_id) -> ServiceRecord:
    queryset = ServiceRecord.objects.visible_to(request.user).select_related(
        "member",
        "community",
        "category__parent",
        "need",
        "post",
        "pairing",
        "project",
        "beneficiary_resident",
        "confirmed_by",
    )
    return get_object_or_404(queryset, public_id=public_id)


def _flag_labels(record: ServiceRecord) -> list[str]:
    labels = record.flag_labels()
    if CODE_ATTEMPTS_FLAG in record.flags:
        labels.append(_("Too many wrong codes were entered"))
    return labels


def _event_row(event) -> dict:
    if event.actor is not None:
        actor = str(event.actor)
    elif event.via == ConfirmedVia.CODE or event.action == "code_failed":
        actor = _("beneficiary (code)")
    else:
        actor = _("system")
    reason = event.reason
    if event.action in ("log", "flag") and reason:
        labels = dict(Flag.choices) | {CODE_ATTEMPTS_FLAG: _("Too many wrong codes were entered")}
        reason = "、".join(str(labels.get(code, code)) for code in reason.split(","))
    return {
        "at": event.at,
        "label": EVENT_LABELS.get(event.action, event.action),
        "actor": actor,
        "via": ConfirmedVia(event.via).label if event.via in ConfirmedVia.values else "",
        "reason": reason,
    }


def _rating_of(record: ServiceRecord):
    try:
        return record.rating
    except ServiceRecord.rating.RelatedObjectDoesNotExist:
        return None


def _record_page(request: HttpRequest, record: ServiceRecord, *, status: int = 200, **kept) -> HttpResponse:
    user = request.user
    own = record.member.user_id == user.pk
    organiser = not own and record_actions.organises(user, record)
    community_staff = not own and actions.staffs_community(user, record.community)
    beneficiary = (
        record.beneficiary_resident_id is not None and record.beneficiary_resident.user_id == user.pk
    )
    pending = record.state in PENDING_STATES
    rating = _rating_of(record)
    context: dict = {
        "record": record,
        "own": own,
        "rating": rating,
        "photos": list(record.photos.all()),
        "events": [_event_row(event) for event in record.events.select_related("actor")],
        "flags": _flag_labels(record),
        "duration": duration_label(record.minutes),
        "beneficiary": record.beneficiary_name
        if (own or organiser or community_staff or beneficiary)
        else (HIDDEN if record.beneficiary_name else ""),
        "can_confirm": organiser and pending and (record.state == RecordState.SUBMITTED or community_staff),
        "can_reject": community_staff and pending,
        "can_confirm_mine": beneficiary and record.state == RecordState.SUBMITTED,
        "can_rate": beneficiary and record.state == RecordState.CONFIRMED and rating is None,
        "need_url": _optional_url("service:need_detail", record.need.public_id) if record.need_id else "",
        "pairing_url": _optional_url("service:pairing_detail", record.pairing.public_id)
        if record.pairing_id
        else "",
        "project_url": _optional_url("service:project_detail", record.project.public_id)
        if record.project_id
        else "",
        "kept": kept,
    }
    if own or organiser or community_staff:
        context["points"] = record.point_entries.aggregate(total=Sum("amount"))["total"]
    if own and record.state == RecordState.SUBMITTED:
        context["code"] = codes.confirmation_code(record)
    kept.setdefault("note_form", NoteForm())
    kept.setdefault("reject_form", RejectForm())
    kept.setdefault("mine_form", RatingForm(prefix="mine"))
    kept.setdefault("rate_form", RatingForm(prefix="rate", score_required=True))
    shown = {
        "note_form": context["can_confirm"],
        "reject_form": context["can_reject"],
        "mine_form": context["can_confirm_mine"],
        "rate_form": context["can_rate"],
    }
    # a refusal for a form the page no longer offers (rated meanwhile, confirmed by someone else…)
    context["stray_errors"] = [
        error for key, form in kept.items() if not shown[key] for error in form.non_field_errors()
    ]
    if own:
        context["breadcrumbs"] = [
            {"label": _("My records"), "url": reverse("service:my_records")},
            {"label": _("Service record"), "url": ""},
        ]
    elif organiser or community_staff:
        back = _optional_url("service:record_list")
        if back:
            context["breadcrumbs"] = [
                {"label": _("Service records"), "url": back},
                {"label": _("Service record"), "url": ""},
            ]
    return render(request, "service/record_detail.html", context, status=status)


@require_GET
@role_required(*RECORD_READ_ROLES)
def record_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _record_page(request, _record(request, public_id))


@require_GET
@role_required(*RECORD_READ_ROLES)
def record_qr(request: HttpRequest, public_id) -> HttpResponse:
    """The QR code the member shows: the confirmation page with the code, as an SVG image."""
    record = _record(request, public_id)
    own = record.member.user_id == request.user.pk
    if not (own or record_actions.organises(request.user, record)):
        raise PermissionDenied
    if record.state != RecordState.SUBMITTED:
        raise Http404
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(request.build_absolute_uri(codes.confirmation_url(record)))
    qr.make(fit=True)
    response = HttpResponse(qr.make_image().to_string(), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@role_required(*RECORD_READ_ROLES)
def record_photo(request: HttpRequest, public_id, n: int) -> FileResponse:
    """The record's n-th photo (from 1), for whoever may see the record (photos are not public media)."""
    if not 1 <= n <= record_actions.PHOTOS_PER_RECORD:  # none there, and a huge n overflows the query
        raise Http404
    return photo_response(_record(request, public_id), n)


def photo_response(record: ServiceRecord, n: int) -> FileResponse:
    """The n-th photo (from 1) of a record the caller may see, as a private download (page and API)."""
    if not 1 <= n <= record_actions.PHOTOS_PER_RECORD:
        raise Http404
    photo = next(iter(record.photos.all()[n - 1 : n]), None)
    if photo is None:
        raise Http404
    ext = photo.image.name.rsplit(".", 1)[-1].lower() if "." in photo.image.name else ""
    content_type = PHOTO_TYPES.get(ext)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=f"service-{record.public_id}-{n}.{ext or 'bin'}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _record_post(request: HttpRequest, public_id, *, key: str, form, run, done: str) -> HttpResponse:
    """One change from the record page: on success back to the page with a message; a refusal shows
    the page again with the message and what was typed."""
    record = _record(request, public_id)
    status = 400
    if form.is_valid():
        try:
            run(record, form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, refusal_message(exc))
        except PermissionDenied as exc:
            form.add_error(None, refusal_message(exc))
            status = 403
        else:
            messages.success(request, done)
            return redirect("service:record_detail", record.public_id)
    return _record_page(request, _record(request, public_id), status=status, **{key: form})


@require_POST
@role_required(*SERVICE_STAFF_ROLES)
def record_confirm(request: HttpRequest, public_id) -> HttpResponse:
    return _record_post(
        request,
        public_id,
        key="note_form",
        form=NoteForm(request.POST),
        run=lambda record, data: record_actions.confirm_as_organiser(
            acting_user=request.user, record=record, note=data["note"], request=request
        ),
        done=_("Confirmed; the member's points are booked."),
    )


@require_POST
@role_required(*SERVICE_STAFF_ROLES)
def record_reject(request: HttpRequest, public_id) -> HttpResponse:
    return _record_post(
        request,
        public_id,
        key="reject_form",
        form=RejectForm(request.POST),
        run=lambda record, data: record_actions.reject_service_record(
            acting_user=request.user, record=record, reason=data["reason"], request=request
        ),
        done=_("Rejected; the member sees your reason."),
    )


@require_POST
@role_required(Role.RESIDENT)
def record_confirm_mine(request: HttpRequest, public_id) -> HttpResponse:
    return _record_post(
        request,
        public_id,
        key="mine_form",
        form=RatingForm(request.POST, prefix="mine"),
        run=lambda record, data: record_actions.confirm_as_beneficiary(
            acting_user=request.user,
            record=record,
            score=data["score"],
            comment=data["comment"],
            request=request,
        ),
        done=_("Thank you! The service is confirmed."),
    )


@require_POST
@role_required(Role.RESIDENT)
def record_rate(request: HttpRequest, public_id) -> HttpResponse:
    return _record_post(
        request,
        public_id,
        key="rate_form",
        form=RatingForm(request.POST, prefix="rate", score_required=True),
        run=lambda record, data: record_actions.rate_service(
            acting_user=request.user,
            record=record,
            score=data["score"],
            comment=data["comment"],
            request=request,
        ),
        done=_("Thank you for your rating."),
    )


# --- confirming by code (public) -------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_by_code(request: HttpRequest, public_id) -> HttpResponse:
    """The page the QR code opens on the beneficiary's phone, no account needed: what was done and by
    whom (never the beneficiary's data), the code, optional stars, Confirm."""
    record = get_object_or_404(
        ServiceRecord.objects.select_related("member", "category", "community"), public_id=public_id
    )
    user = request.user if request.user.is_authenticated else None
    error, status = "", 200
    if user is not None and record.member.user_id == user.pk:
        form = None
        error, status = _("You cannot confirm your own service record."), 403
    elif request.method == "POST":
        form = CodeForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                confirmed = record_actions.confirm_with_code(
                    record=record,
                    code=data["code"],
                    acting_user=user,
                    score=data["score"],
                    comment=data["comment"],
                    request=request,
                )
            except ValidationError as exc:
                error = refusal_message(exc)
            except PermissionDenied as exc:
                error, status = refusal_message(exc), 403
            else:
                if confirmed is not None:
                    messages.success(request, _("Thank you! The service is confirmed."))
                    return redirect("service:confirm_by_code", record.public_id)
                record.refresh_from_db(fields=["state", "flags"])
                error = (
                    _(
                        "Too many wrong codes: the code no longer works. The community will confirm this service."
                    )
                    if record.state == RecordState.FLAGGED
                    else _(
                        "That code is not right. Check the six digits on the member's phone and try again."
                    )
                )
    else:
        form = CodeForm(initial={"code": request.GET.get("code", "")[:12]})
    context = {
        "record": record,
        "form": form if record.state == RecordState.SUBMITTED else None,
        "error": error,
        "duration": duration_label(record.minutes),
    }
    return render(request, "service/confirm_by_code.html", context, status=status)


# --- posts -----------------------------------------------------------------------------------------


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
