"""The shared need page — what, where, for whom, who is on it, its history and the service logged
against it — with every change made from it, and the list of needs.

Reads go through ``Need.objects.visible_to(user)`` (outside the scope: 404; a wrong role: 403). Each
POST calls one action of service/needs/actions.py and redirects back to the page (PRG); a refusal re-renders
the page with the message beside what was typed (status 400)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from access import HIDDEN, answers_for, held_units, own_member, sees_beneficiary, serves_in, staffs
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.refusals import refusal_message
from service.desk import crumbs_to, desk_links, filters_active, paged, style_filter_form
from service.exports import NEED_LIST_ROLES, needs_for
from service.filters import NeedFilter
from service.forms import OPTIONS_LIMIT, ReasonForm, member_label
from service.models import Assignment, AssignmentState, Need, NeedState, ServiceRecord
from service.needs import actions
from service.needs.forms import DispatchForm, NoteForm, TakeForm
from service.needs.rows import current_assignments, dress_needs
from service.needs.state import current_assignment
from service.needs.suggestions import suggest
from service.queries import community_teams, serving_members, serving_units
from service.redirects import safe_next

TAKER_ROLES = (Role.MEMBER, Role.UNIT_ADMIN)
STAFF_ROLES = R.SERVICE_STAFF_ROLES
COMPLETE_ROLES = (*TAKER_ROLES, *STAFF_ROLES)
CANCEL_ROLES = R.NEED_POST_ROLES
CANCELLABLE = (NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN)

EVENT_LABELS = {
    "post": gettext_lazy("Posted"),
    "dispatch": gettext_lazy("Dispatched"),
    "take": gettext_lazy("Taken"),
    "accept": gettext_lazy("Accepted"),
    "decline": gettext_lazy("Declined"),
    "withdraw": gettext_lazy("Taken back"),
    "serve": gettext_lazy("Reported served"),
    "close": gettext_lazy("Closed"),
    "cancel": gettext_lazy("Cancelled"),
}
SUGGESTION_KINDS = {
    "member": gettext_lazy("Member"),
    "team": gettext_lazy("Team"),
    "resource": gettext_lazy("Unit's resource"),
}


def _need(request: HttpRequest, public_id) -> Need:
    queryset = Need.objects.visible_to(request.user).select_related(
        "category__parent", "community__parent", "compound", "building", "grid", "posted_by__resident"
    )
    return get_object_or_404(queryset, public_id=public_id)


def _assignment(request: HttpRequest, public_id) -> Assignment:
    queryset = Assignment.objects.filter(need__in=Need.objects.visible_to(request.user).values("pk"))
    return get_object_or_404(queryset.select_related("need__community"), public_id=public_id)


def _need_url(need: Need, anchor: str = "") -> str:
    return reverse("service:need_detail", args=[need.public_id]) + anchor


# --- the page -------------------------------------------------------------------------------------


def _dispatch_form(request: HttpRequest, need: Need, data=None) -> DispatchForm:
    user = request.user
    members = serving_members(user, need.community)
    teams = community_teams(user, need.community)
    units = serving_units(user, need.community)
    who = request.GET.get("who", "").strip()[:32]
    shown = members.search(who) if who else members.order_by("name_initials", "id")
    return DispatchForm(
        data,
        members=members,
        teams=teams,
        units=units,
        member_options=list(shown[:OPTIONS_LIMIT]),
        team_options=list(teams.order_by("name")[:OPTIONS_LIMIT]),
        unit_options=list(units.order_by("name")[:OPTIONS_LIMIT]),
        initial={"respond_by": timezone.now() + timedelta(hours=settings.SERVICE_REPLY_HOURS)},
        auto_id="dispatch_%s",
    )


def _suggestions(need: Need) -> list[dict]:
    """The ranked suggestions as the page shows them, each with what the one-click dispatch posts
    (the targets come with their public ids and units)."""
    ranked = suggest(need, limit=8)
    shown = []
    for s in ranked:
        if s.kind == "resource":
            unit = s.target.unit
            value, name = f"unit:{unit.public_id}", f"{s.target.title} · {unit.name}"
        else:
            target = s.target
            value = f"{s.kind}:{target.public_id}"
            name = member_label(target) if s.kind == "member" else target.name
        reasons = [str(r) for r in s.reasons]
        shown.append(
            {
                "kind": SUGGESTION_KINDS.get(s.kind, s.kind),
                "name": name,
                "score": s.score,
                "reasons": reasons,
                "target": value,
                "reason_text": "；".join(reasons)[:200],
            }
        )
    return shown


def _can_take(user, need: Need) -> tuple[bool, object]:
    """Whether the user may take the open need as a member, and the units they may take it for."""
    if need.state != NeedState.OPEN:
        return False, None
    scope = scope_for(user)
    as_member = False
    if scope.member_ids:
        member = own_member(user)
        as_member = member is not None and serves_in(member, need.community)
    units = held_units(user) if scope.units_for(Role.UNIT_ADMIN) else None
    return as_member, units


def _need_page(request: HttpRequest, need: Need, *, status: int = 200, **kept) -> HttpResponse:
    user = request.user
    assignment = current_assignment(need)
    staff = staffs(user, need.community)
    answers = assignment is not None and answers_for(user, assignment)
    take_as_member, take_units = _can_take(user, need)
    can = {
        "dispatch": staff and need.state == NeedState.OPEN,
        "withdraw": staff and assignment is not None,
        "close": staff and need.state == NeedState.DONE,
        "cancel": (staff or need.posted_by_id == user.pk) and need.state in CANCELLABLE,
        "reply": answers and assignment.state == AssignmentState.OFFERED,
        "complete": need.state == NeedState.TAKEN and assignment is not None and (answers or staff),
        "log": answers and need.state == NeedState.TAKEN and assignment.member_id is not None,
        "take": take_as_member,
        "take_for_unit": take_units is not None,
    }
    forms = {
        "withdraw_form": ReasonForm(auto_id="withdraw_%s"),
        "cancel_form": ReasonForm(auto_id="cancel_%s"),
        "decline_form": ReasonForm(auto_id="decline_%s"),
        "close_form": NoteForm(auto_id="close_%s"),
        "complete_form": NoteForm(auto_id="complete_%s"),
    }
    if can["take_for_unit"]:
        forms["take_form"] = TakeForm(units=take_units, auto_id="take_%s")
    if can["dispatch"] and "dispatch_form" not in kept:
        forms["dispatch_form"] = _dispatch_form(request, need)
    forms.update(kept)
    see = sees_beneficiary(user, need)
    context = {
        "need": need,
        "assignment": assignment,
        "reply_late": assignment is not None
        and assignment.state == AssignmentState.OFFERED
        and assignment.respond_by is not None
        and assignment.respond_by < timezone.now(),
        "can": can,
        "staff": staff,
        "see_beneficiary": see,
        "hidden_text": HIDDEN,
        # who was asked and why they declined is for those who serve the beneficiary (as in the API)
        "events": [
            {"event": e, "label": EVENT_LABELS.get(e.action, e.action)}
            for e in need.events.select_related("actor")
        ]
        if see
        else [],
        "records": ServiceRecord.objects.visible_to(user)
        .filter(need=need)
        .select_related("member", "category")
        .order_by("-started_at", "-id"),
        "suggestions": _suggestions(need) if can["dispatch"] else [],
        "who": request.GET.get("who", ""),
        "breadcrumbs": crumbs_to(user, "service:need_list", need.title),
        "refusal": " ".join(e for f in kept.values() for errors in f.errors.values() for e in errors),
        **forms,
    }
    return render(request, "service/need_detail.html", context, status=status)


@require_GET
@role_required(*R.NEED_READ_ROLES)
def need_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _need_page(request, _need(request, public_id))


def _act(request: HttpRequest, need: Need, form, key: str, run, done: str, *, field=None, anchor: str = ""):
    """Validate ``form``, run the action; on success say ``done`` and go back to the page (PRG), else
    show the page again with the form as typed and the reason it was refused."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(field, refusal_message(exc))
        else:
            messages.success(request, done)
            return redirect(safe_next(request) or _need_url(need, anchor))
    return _need_page(request, need, status=400, **{key: form})


# --- the community (or street) --------------------------------------------------------------------


@require_POST
@role_required(*STAFF_ROLES)
def need_dispatch(request: HttpRequest, public_id) -> HttpResponse:
    need = _need(request, public_id)
    form = _dispatch_form(request, need, data=request.POST)

    def run(data):
        actions.dispatch_need(
            acting_user=request.user,
            need=need,
            **form.assignee(),
            note=data["note"],
            respond_by=data["respond_by"],
            suggestion_reason=data["suggestion_reason"],
            request=request,
        )

    return _act(request, need, form, "dispatch_form", run, _("Dispatched. Waiting for the reply."))


@require_POST
@role_required(*STAFF_ROLES)
def assignment_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    assignment = _assignment(request, public_id)
    form = ReasonForm(request.POST, auto_id="withdraw_%s")

    def run(data):
        actions.withdraw_assignment(
            acting_user=request.user, assignment=assignment, reason=data["reason"], request=request
        )

    return _act(
        request,
        assignment.need,
        form,
        "withdraw_form",
        run,
        _("Taken back. The need is open for dispatch again."),
        field="reason",
    )


@require_POST
@role_required(*STAFF_ROLES)
def need_close(request: HttpRequest, public_id) -> HttpResponse:
    need = _need(request, public_id)
    form = NoteForm(request.POST, auto_id="close_%s")

    def run(data):
        actions.close_need(acting_user=request.user, need=need, note=data["note"], request=request)

    return _act(request, need, form, "close_form", run, _("The need is closed."), field="note")


@require_POST
@role_required(*CANCEL_ROLES)
def need_cancel(request: HttpRequest, public_id) -> HttpResponse:
    need = _need(request, public_id)
    form = ReasonForm(request.POST, auto_id="cancel_%s")

    def run(data):
        actions.cancel_need(acting_user=request.user, need=need, reason=data["reason"], request=request)

    return _act(request, need, form, "cancel_form", run, _("The need is cancelled."), field="reason")


# --- whoever takes it -----------------------------------------------------------------------------


@require_POST
@role_required(*TAKER_ROLES)
def need_take(request: HttpRequest, public_id) -> HttpResponse:
    need = _need(request, public_id)
    form = TakeForm(request.POST, units=held_units(request.user), auto_id="take_%s")

    def run(data):
        actions.take_need(acting_user=request.user, need=need, unit=data["unit"], request=request)

    return _act(request, need, form, "take_form", run, _("You took the need. Thank you!"))


@require_POST
@role_required(*TAKER_ROLES)
def assignment_accept(request: HttpRequest, public_id) -> HttpResponse:
    assignment = _assignment(request, public_id)
    form = NoteForm(request.POST, auto_id="accept_%s")

    def run(data):
        actions.accept_assignment(acting_user=request.user, assignment=assignment, request=request)

    return _act(request, assignment.need, form, "accept_form", run, _("You accepted. Thank you!"))


@require_POST
@role_required(*TAKER_ROLES)
def assignment_decline(request: HttpRequest, public_id) -> HttpResponse:
    assignment = _assignment(request, public_id)
    form = ReasonForm(request.POST, auto_id="decline_%s")

    def run(data):
        actions.decline_assignment(
            acting_user=request.user, assignment=assignment, reason=data["reason"], request=request
        )

    return _act(
        request,
        assignment.need,
        form,
        "decline_form",
        run,
        _("You declined. The community will find somebody else."),
        field="reason",
    )


@require_POST
@role_required(*COMPLETE_ROLES)
def need_complete(request: HttpRequest, public_id) -> HttpResponse:
    need = _need(request, public_id)
    form = NoteForm(request.POST, auto_id="complete_%s")

    def run(data):
        actions.complete_need(acting_user=request.user, need=need, note=data["note"], request=request)

    return _act(
        request, need, form, "complete_form", run, _("Reported served. It now waits for confirmation.")
    )


# --- the list -------------------------------------------------------------------------------------


@require_GET
@role_required(*NEED_LIST_ROLES)
def need_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    filterset = NeedFilter(request.GET, queryset=needs_for(user), request=request)
    style_filter_form(filterset.form)
    rows = filterset.qs.prefetch_related(current_assignments())
    pager = paged(request, rows)
    page = pager["page"]
    page.object_list = dress_needs(user, list(page.object_list), now=timezone.now(), with_community=True)
    return render(
        request,
        "service/workbench/need_list.html",
        {
            "pager": pager,
            "form": filterset.form,
            "searching": filters_active(request, filterset.form),
            "export": "service_needs",
            "desk_links": desk_links(user, "needs"),
        },
    )
