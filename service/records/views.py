"""The service record page — one record for everyone who may see it: the member shows the code and QR,
the community confirms or rejects, the beneficiary confirms and rates — with its photos; the public page
a beneficiary opens from the QR code, with or without an account; and the desk's list of all records.

Reads go through ``visible_to(user)`` (outside the scope: 404); every change calls one action of
service/records/actions.py. The member's own log and records pages are on the member desk
(service/pages/member.py)."""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import is_member_themself, is_resident_themself, origin_of, record_beneficiary_label, staffs
from accounts.decorators import role_required
from accounts.models import Role
from accounts.roles import RECORD_READ_ROLES, SERVICE_STAFF_ROLES
from gongjian.refusals import refusal_message
from service.desk import optional_url
from service.models import ConfirmedVia, Flag, RecordState, ServiceRecord
from service.records import actions, codes, disputes
from service.records.forms import (
    CodeDisputeForm,
    CodeForm,
    DisputeForm,
    NoteForm,
    RatingForm,
    RejectForm,
    duration_label,
)
from service.records.imaging import DEFAULT_SIZE
from service.records.photos import photo_response

EVENT_LABELS = {
    "log": pgettext_lazy("service record", "Logged"),  # 已登记, not the reveal badge's 已留痕
    "confirm": gettext_lazy("Confirmed"),
    "code_failed": gettext_lazy("A wrong code was entered"),
    "flag": gettext_lazy("Held for review"),
    "reject": gettext_lazy("Rejected"),
    "dispute": gettext_lazy("Disputed: the person served says it did not happen"),
}
CODE_ATTEMPTS_FLAG = "code_attempts"  # set by confirm_with_code; not one of the plausibility flags
PENDING_STATES = (RecordState.SUBMITTED, RecordState.FLAGGED)


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


def flag_labels(record: ServiceRecord) -> list[str]:
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
        "action": event.action,
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
    own = is_member_themself(user, record.member)
    organiser = not own and actions.organises(user, record)
    community_staff = not own and staffs(user, record.community)
    beneficiary = is_resident_themself(user, record.beneficiary_resident)
    pending = record.state in PENDING_STATES
    rating = _rating_of(record)
    events = [_event_row(event) for event in record.events.select_related("actor")]
    context: dict = {
        "record": record,
        "own": own,
        "rating": rating,
        "photos": list(record.photos.all()),
        "events": events,
        "dispute_reason": next((e["reason"] for e in reversed(events) if e["action"] == "dispute"), ""),
        "flags": flag_labels(record),
        "duration": duration_label(record.minutes),
        "beneficiary": record_beneficiary_label(user, record),
        "can_confirm": organiser and pending and (record.state == RecordState.SUBMITTED or community_staff),
        "can_reject": community_staff and pending,
        "can_confirm_mine": beneficiary and record.state == RecordState.SUBMITTED,
        "can_dispute_mine": beneficiary and pending and Flag.DISPUTED not in record.flags,
        "can_rate": beneficiary and record.state == RecordState.CONFIRMED and rating is None,
        "need_url": optional_url("service:need_detail", record.need.public_id) if record.need_id else "",
        "pairing_url": optional_url("service:pairing_detail", record.pairing.public_id)
        if record.pairing_id
        else "",
        "project_url": optional_url("service:project_detail", record.project.public_id)
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
    kept.setdefault("dispute_form", DisputeForm(prefix="dispute"))
    shown = {
        "dispute_form": context["can_dispute_mine"],
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
        back = optional_url("service:record_list")
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
    if not (is_member_themself(request.user, record.member) or actions.organises(request.user, record)):
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
def record_photo(request: HttpRequest, public_id, n: int) -> HttpResponse:
    """The record's n-th photo (from 1), for whoever may see the record (photos are not public media):
    ``?size=phone`` (the default), ``thumb`` or ``original``."""
    if not 1 <= n <= settings.PHOTOS_PER_RECORD:  # none there, and a huge n overflows the query
        raise Http404
    return photo_response(_record(request, public_id), n, request.GET.get("size", DEFAULT_SIZE))


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
        run=lambda record, data: actions.confirm_as_organiser(
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
        run=lambda record, data: actions.reject_service_record(
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
        run=lambda record, data: actions.confirm_as_beneficiary(
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
        run=lambda record, data: actions.rate_service(
            acting_user=request.user,
            record=record,
            score=data["score"],
            comment=data["comment"],
            request=request,
        ),
        done=_("Thank you for your rating."),
    )


@require_POST
@role_required(Role.RESIDENT)
def record_dispute(request: HttpRequest, public_id) -> HttpResponse:
    """The person served, in their account, says the service did not happen."""
    return _record_post(
        request,
        public_id,
        key="dispute_form",
        form=DisputeForm(request.POST, prefix="dispute"),
        run=lambda record, data: disputes.dispute_as_beneficiary(
            acting_user=request.user, record=record, reason=data["reason"], request=request
        ),
        done=_("Thank you for telling us. The community will look into it; no points are given meanwhile."),
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
    try:  # the member who logged it, from their account, browser or network: refused before the form
        actions.refuse_logger(record, origin_of(request, user), by_code=True)
    except PermissionDenied as exc:
        form = None
        error, status = refusal_message(exc), 403
    else:
        form = CodeForm(initial={"code": request.GET.get("code", "")[:12]})
    dispute_form = CodeDisputeForm(prefix="dispute", initial={"code": request.GET.get("code", "")[:12]})
    if form is not None and request.method == "POST" and "dispute-reason" in request.POST:
        dispute_form = CodeDisputeForm(request.POST, prefix="dispute")
        error, status = _dispute_by_code(request, record, dispute_form, user)
        if not error:
            messages.success(request, _("Thank you for telling us. The community will look into it."))
            return redirect("service:confirm_by_code", record.public_id)
    elif form is not None and request.method == "POST":
        form = CodeForm(request.POST)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                confirmed = actions.confirm_with_code(
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
                error = _wrong_code(record)
    context = {
        "record": record,
        "form": form if record.state == RecordState.SUBMITTED else None,
        "dispute_form": dispute_form,
        "error": error,
        "duration": duration_label(record.minutes),
    }
    return render(request, "service/confirm_by_code.html", context, status=status)


def _dispute_by_code(request: HttpRequest, record: ServiceRecord, form, user) -> tuple[str, int]:
    """The person served says, with the member's code, that the service did not happen: ("", 200)
    when done, else the words to show and the status."""
    if not form.is_valid():
        return " ".join(e for errors in form.errors.values() for e in errors), 400
    try:
        disputed = disputes.dispute_with_code(
            record=record,
            code=form.cleaned_data["code"],
            reason=form.cleaned_data["reason"],
            acting_user=user,
            request=request,
        )
    except ValidationError as exc:
        return refusal_message(exc), 400
    except PermissionDenied as exc:
        return refusal_message(exc), 403
    if disputed is None:
        return _wrong_code(record), 400
    return "", 200


def _wrong_code(record: ServiceRecord) -> str:
    """What a wrong code on the public page is told (the record read again: it may be held now)."""
    record.refresh_from_db(fields=["state", "flags"])
    if record.state == RecordState.FLAGGED:
        return _("Too many wrong codes: the code no longer works. The community will confirm this service.")
    return _("That code is not right. Check the six digits on the member's phone and try again.")
