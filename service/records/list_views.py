"""The desk's list of all service records, and confirming several of them at once from it.

Reads go through ``visible_to(user)`` (``service.exports.records_for``, shared with the export); the
batch calls ``actions.confirm_as_organiser`` once per ticked record (service/records/batch.py) and
comes back to the list with one message: "N confirmed, M refused: who: why; …"."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.roles import SERVICE_STAFF_ROLES
from accounts.scope import scope_for
from gongjian import batches
from gongjian.pages import parse_uuids
from service.desk import desk_links, filters_active, paged, style_filter_form
from service.exports import RECORD_LIST_ROLES, records_for
from service.filters import PENDING, RecordFilter
from service.models import RecordState, ServiceRecordEvent
from service.records import batch
from service.records.forms import NoteForm
from service.redirects import safe_next


@require_GET
@role_required(*RECORD_LIST_ROLES)
def record_list(request: HttpRequest) -> HttpResponse:
    filterset = RecordFilter(request.GET, queryset=records_for(request.user), request=request)
    style_filter_form(filterset.form)
    # why the person served disputes it, in the same query (the review reads it from the list)
    disputed = ServiceRecordEvent.objects.filter(record=OuterRef("pk"), action="dispute").order_by(
        "-at", "-id"
    )
    pager = paged(request, filterset.qs.annotate(dispute_reason=Subquery(disputed.values("reason")[:1])))
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
            # the community and street confirm; others read (the action refuses anyone else anyway)
            "can_batch": scope_for(request.user).has(*SERVICE_STAFF_ROLES),
            "pending_states": (RecordState.SUBMITTED, RecordState.FLAGGED),
        },
        status=400 if filterset.form.errors else 200,
    )


@require_POST
@role_required(*SERVICE_STAFF_ROLES)
def record_confirm_batch(request: HttpRequest) -> HttpResponse:
    """Confirm the ticked records, one audited action each; the note goes with every one (a record held
    for review needs it)."""
    back = safe_next(request) or reverse("service:record_list")
    wanted = parse_uuids(request.POST.getlist("records"))
    form = NoteForm(request.POST)
    if not wanted:
        messages.warning(request, _("Tick the records to confirm first."))
        return redirect(back)
    if len(wanted) > batch.BATCH_MAX or not form.is_valid():
        messages.error(
            request,
            _("Confirm at most %(n)d records at once, with a note of at most 200 characters.")
            % {"n": batch.BATCH_MAX},
        )
        return redirect(back)
    records, missing = batch.records_asked(request.user, wanted)
    outcomes = batch.confirm_records(
        acting_user=request.user, records=records, note=form.cleaned_data["note"], request=request
    )
    outcomes += batches.not_found(missing)
    batches.flash(request, outcomes)
    return redirect(back)
