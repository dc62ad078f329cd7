"""The work pages' changes, POST only: each handler looks the object up through the user's scope
(outside it: 404), calls one action of checkin/actions.py or team_actions.py, and on success
redirects back to the page; a refusal re-renders the page with the message and what was typed."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from checkin import actions, team_actions
from checkin.forms import ReasonForm, TeamForm, TransferForm, community_choices
from checkin.models import CheckIn, CheckInState, Team
from checkin.views import (
    _administered_units,
    _checkin,
    _checkin_form,
    _community_page,
    _community_url,
    _member_or_404,
    _member_page,
    _served_communities,
    _team_member_form,
    _unit_page,
    _unit_url,
    _uuids,
)
from gongjian.refusals import refusal_message
from people.models import Member

# --- the member ----------------------------------------------------------------------------------


@require_POST
@role_required(Role.MEMBER)
def member_submit(request: HttpRequest) -> HttpResponse:
    member = _member_or_404(request)
    proposal = actions.propose_community(member)
    form = _checkin_form(member, proposal, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            checkin = actions.submit_checkin(
                acting_user=request.user,
                member=member,
                community=form.chosen_community(),
                compound=data["compound"],
                building=data["building"],
                vanguard_kinds=data["vanguard_kinds"],
                skills=data["skills"],
                override_reason=data["override_reason"] if data["community"] else "",
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(
                request,
                _("You checked in to %(community)s. Your unit will now issue your certificate.")
                % {"community": checkin.community.name},
            )
            return redirect("checkin:my_checkin")
    return _member_page(request, member, form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_resubmit(request: HttpRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    checkin = get_object_or_404(
        CheckIn.objects.visible_to(request.user).filter(member=member), public_id=public_id
    )
    proposal = actions.propose_community(member)
    form = _checkin_form(member, proposal, data=request.POST, extra=checkin.community)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.resubmit_checkin(
                acting_user=request.user,
                checkin=checkin,
                community=form.chosen_community(),
                compound=data["compound"],
                building=data["building"],
                vanguard_kinds=data["vanguard_kinds"],
                skills=data["skills"],
                override_reason=data["override_reason"] if data["community"] else "",
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Sent again. Your unit will now issue your certificate."))
            return redirect("checkin:my_checkin")
    return _member_page(request, member, form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_check_out(request: HttpRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    checkin = get_object_or_404(
        CheckIn.objects.visible_to(request.user).filter(member=member), public_id=public_id
    )
    form = ReasonForm(request.POST, prefix="out")
    if form.is_valid():
        try:
            actions.check_out(
                acting_user=request.user, checkin=checkin, reason=form.cleaned_data["reason"], request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("reason", refusal_message(exc))
        else:
            messages.success(request, _("You checked out of %(c)s.") % {"c": checkin.community.name})
            return redirect("checkin:my_checkin")
    return _member_page(request, member, checkout_form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_transfer(request: HttpRequest, public_id) -> HttpResponse:
    member = _member_or_404(request)
    checkin = get_object_or_404(
        CheckIn.objects.visible_to(request.user).filter(member=member), public_id=public_id
    )
    form = TransferForm(request.POST, choices=community_choices(checkin.community))
    if form.is_valid():
        data = form.cleaned_data
        try:
            new = actions.transfer_checkin(
                acting_user=request.user,
                checkin=checkin,
                reason=data["reason"],
                community=data["community"],
                override_reason=data["override_reason"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("You moved your check-in to %(c)s.") % {"c": new.community.name})
            return redirect("checkin:my_checkin")
    return _member_page(request, member, transfer_form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_join_team(request: HttpRequest, public_id) -> HttpResponse:
    confirmed_in = CheckIn.objects.visible_to(request.user).filter(
        member__user=request.user, state=CheckInState.CONFIRMED
    )
    team = get_object_or_404(
        Team.objects.filter(community__in=confirmed_in.values("community")), public_id=public_id
    )
    try:
        team_actions.join_team(acting_user=request.user, team=team, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("You joined %(team)s.") % {"team": team.name})
    return redirect("checkin:my_checkin")


# --- the unit ------------------------------------------------------------------------------------


def _unit_or_404(request: HttpRequest):
    ids = _uuids([request.POST.get("unit", "")])
    if not ids:
        raise Http404
    return get_object_or_404(_administered_units(request.user), public_id=ids[0])


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_issue(request: HttpRequest, public_id) -> HttpResponse:
    checkin = _checkin(request, public_id)
    try:
        certificate = actions.issue_certificate(acting_user=request.user, checkin=checkin, request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(
            request,
            _("Certificate %(serial)s issued to %(name)s.")
            % {"serial": certificate.serial, "name": checkin.member.name},
        )
    return redirect(_unit_url(checkin.unit))


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_issue_bulk(request: HttpRequest) -> HttpResponse:
    unit = _unit_or_404(request)
    chosen = (
        CheckIn.objects.visible_to(request.user)
        .filter(unit=unit, public_id__in=_uuids(request.POST.getlist("checkins")))
        .select_related("member", "unit")
    )
    issued, refused = 0, []
    for checkin in chosen:
        try:
            actions.issue_certificate(acting_user=request.user, checkin=checkin, request=request)
        except (ValidationError, PermissionDenied) as exc:
            refused.append(f"{checkin.member.name}: {refusal_message(exc)}")
        else:
            issued += 1
    if issued:
        messages.success(request, _("%(n)d certificates issued.") % {"n": issued})
    for line in refused:
        messages.error(request, line)
    if not issued and not refused:
        messages.warning(request, _("Choose the check-ins to certify first."))
    return redirect(_unit_url(unit))


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_return(request: HttpRequest, public_id) -> HttpResponse:
    checkin = _checkin(request, public_id)
    reason = request.POST.get("reason", "")
    try:
        actions.return_checkin(acting_user=request.user, checkin=checkin, reason=reason, request=request)
    except (ValidationError, PermissionDenied) as exc:
        return _unit_page(
            request,
            checkin.unit,
            row=str(checkin.public_id),
            action="return",
            reason=reason,
            error=refusal_message(exc),
            status=400,
        )
    messages.success(request, _("Returned to %(name)s for changes.") % {"name": checkin.member.name})
    return redirect(_unit_url(checkin.unit))


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_batch(request: HttpRequest) -> HttpResponse:
    """整建制报到: check in the chosen members, each by the rule, and show what happened to each."""
    unit = _unit_or_404(request)
    wanted = _uuids(request.POST.getlist("members"))
    members = list(
        Member.objects.visible_to(request.user)
        .filter(public_id__in=wanted)
        .select_related("unit__address_area", "residence_area", "residence_compound", "residence_building")
    )
    try:
        results = actions.batch_check_in(
            acting_user=request.user, unit=unit, members=members, request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        return _unit_page(request, unit, batch_error=refusal_message(exc), status=400)
    rows = [{"name": r.member.name, "ok": r.ok, "message": r.message} for r in results]
    missing = len(set(wanted) - {m.public_id for m in members})
    rows += [{"name": "—", "ok": False, "message": _("Not found among your members.")}] * missing
    if not rows:
        return _unit_page(request, unit, batch_error=_("Choose the members to check in first."), status=400)
    return _unit_page(request, unit, batch_results=rows, batch_ok=sum(r["ok"] for r in rows))


# --- the community -------------------------------------------------------------------------------


@require_POST
@role_required(Role.COMMUNITY)
def community_confirm(request: HttpRequest, public_id) -> HttpResponse:
    checkin = _checkin(request, public_id)
    try:
        actions.confirm_checkin(acting_user=request.user, checkin=checkin, via="manual", request=request)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("%(name)s is confirmed. Welcome them!") % {"name": checkin.member.name})
    return redirect(_community_url(checkin.community))


def _community_review(request: HttpRequest, public_id, name: str, action, done: str) -> HttpResponse:
    checkin = _checkin(request, public_id)
    reason = request.POST.get("reason", "")
    try:
        action(acting_user=request.user, checkin=checkin, reason=reason, request=request)
    except (ValidationError, PermissionDenied) as exc:
        return _community_page(
            request,
            checkin.community,
            row=str(checkin.public_id),
            action=name,
            reason=reason,
            error=refusal_message(exc),
            status=400,
        )
    messages.success(request, done % {"name": checkin.member.name})
    return redirect(_community_url(checkin.community))


@require_POST
@role_required(Role.COMMUNITY)
def community_reject(request: HttpRequest, public_id) -> HttpResponse:
    return _community_review(
        request, public_id, "reject", actions.reject_checkin, _("The check-in of %(name)s was rejected.")
    )


@require_POST
@role_required(Role.COMMUNITY)
def community_return(request: HttpRequest, public_id) -> HttpResponse:
    return _community_review(
        request,
        public_id,
        "return",
        actions.return_checkin,
        _("The check-in of %(name)s was returned for changes."),
    )


def _community_or_404(request: HttpRequest):
    ids = _uuids([request.POST.get("community", "")])
    if not ids:
        raise Http404
    return get_object_or_404(_served_communities(request.user), public_id=ids[0])


@require_POST
@role_required(Role.COMMUNITY)
def team_create(request: HttpRequest) -> HttpResponse:
    community = _community_or_404(request)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = team_actions.create_team(
                acting_user=request.user, community=community, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Team %(team)s formed.") % {"team": team.name})
            return redirect(_community_url(community))
    return _community_page(request, community, team_form=form, status=400)


@require_POST
@role_required(Role.COMMUNITY)
def team_add_member(request: HttpRequest) -> HttpResponse:
    community = _community_or_404(request)
    form = _team_member_form(request, community, data=request.POST)
    if form.is_valid():
        team, member = form.cleaned_data["team"], form.cleaned_data["member"]
        try:
            team_actions.add_team_member(acting_user=request.user, team=team, member=member, request=request)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(
                request, _("%(name)s joined %(team)s.") % {"name": member.name, "team": team.name}
            )
            return redirect(_community_url(community))
    return _community_page(request, community, member_form=form, status=400)
