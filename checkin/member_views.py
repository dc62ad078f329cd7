"""The member's own check-in, phone first: where the rule sends them, the form to report there, the
steps reached, the certificate, moving and checking out, and the teams of their community.

Reads go through ``CheckIn.objects.visible_to(user)`` (outside the scope: 404). Each change calls one
action of checkin/actions.py or team_actions.py; done, it redirects back to the page; refused, it
shows the page again with the action's own words and what was typed."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import Role
from checkin import actions, team_actions
from checkin.access import own_member
from checkin.forms import CheckInForm, ReasonForm, TransferForm, community_choices
from checkin.models import ACTIVE_STATES, CheckIn, CheckInRule, CheckInState, Team, VanguardKind
from checkin.renewal import city_renewal_months, renewal_due_on
from checkin.renewal_actions import renew_checkin
from checkin.rules import Proposal, propose_community
from gongjian.pages import AuthedRequest, get_visible_or_404, lookup_or_404, run_action
from people.models import Member
from places.models import Area

STEPS = (CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED)


def _member_or_404(request: AuthedRequest) -> Member:
    member = own_member(request.user)
    if member is None:
        raise Http404
    return member


def _own_checkin_or_404(request: AuthedRequest, member: Member, public_id: object) -> CheckIn:
    return get_visible_or_404(CheckIn.objects.filter(member=member), request.user, public_id)


def _around(member: Member) -> Area | None:
    """Where the member's community choices start: their home, else their unit's address."""
    if member.residence_area is not None:
        return member.residence_area
    return member.unit.address_area if member.unit is not None else None


def _checkin_form(
    member: Member,
    proposal: Proposal,
    *,
    data: Any = None,
    initial: dict[str, Any] | None = None,
    extra: Area | None = None,
) -> CheckInForm:
    return CheckInForm(
        data,
        initial=initial or {},
        proposed=proposal.community,
        choices=community_choices(_around(member), extra=extra),
        residence=(member.residence_compound, member.residence_building),
    )


def _initial_from(checkin: CheckIn) -> dict[str, Any]:
    override = checkin.rule == CheckInRule.OVERRIDE
    return {
        "compound": checkin.compound,
        "building": checkin.building,
        "vanguard_kinds": checkin.vanguard_kinds,
        "skills": checkin.skills,
        "community": checkin.community if override else None,
        "override_reason": checkin.override_reason,
    }


def _steps(state: str) -> list[dict[str, Any]]:
    """Submitted → certified → confirmed: the steps reached are done, the next one is awaited; a
    returned check-in waits on the member at the first step."""
    if state == CheckInState.RETURNED:
        statuses = ["warn", "todo", "todo"]
    else:
        reached = STEPS.index(CheckInState(state))
        statuses = ["done" if i <= reached else "current" if i == reached + 1 else "todo" for i in range(3)]
    return [
        {"label": CheckInState(step).label, "status": status}
        for step, status in zip(STEPS, statuses, strict=True)
    ]


def _member_page(
    request: AuthedRequest, member: Member | None, *, status: int = 200, **kept: Any
) -> HttpResponse:
    context: dict[str, Any] = {"member": member, "kept": kept}
    if member is None:
        return render(request, "checkin/my_checkin.html", context, status=status)
    mine = CheckIn.objects.visible_to(request.user).filter(member=member)
    active = (
        mine.active()
        .select_related("community", "unit", "compound", "building__compound", "grid_branch")
        .annotate(city_renewal_months=city_renewal_months())
        .first()
    )
    context["active"] = active
    if active is None or active.state == CheckInState.RETURNED:
        proposal = propose_community(member)
        context["proposal"] = proposal
        if "form" not in kept:
            initial = _initial_from(active) if active else {"skills": member.skills}
            kept["form"] = _checkin_form(
                member, proposal, initial=initial, extra=active.community if active else None
            )
    if active is not None:
        context["steps"] = _steps(active.state)
        context["events"] = list(active.events.select_related("actor"))
        context["certificate"] = active.certificates.filter(revoked_at__isnull=True).first()
        kept.setdefault("transfer_form", TransferForm(choices=community_choices(active.community)))
        kept.setdefault("checkout_form", ReasonForm(prefix="out"))
        labels = dict(VanguardKind.choices)
        context["kind_labels"] = [labels[k] for k in active.vanguard_kinds if k in labels]
        if active.state == CheckInState.CONFIRMED:
            context["renewal_due"] = renewal_due_on(active)
            context["renewal_is_due"] = bool(
                context["renewal_due"] and context["renewal_due"] <= timezone.localdate()
            )
            context["teams"] = Team.objects.filter(community=active.community).annotate(
                size=Count("memberships"), mine=Count("memberships", filter=Q(memberships__member=member))
            )
    context["history"] = mine.exclude(state__in=ACTIVE_STATES).select_related("community", "unit")[:20]
    return render(request, "checkin/my_checkin.html", context, status=status)


# --- the page and its fragments -------------------------------------------------------------------


@role_required(Role.MEMBER)
def my_checkin(request: AuthedRequest) -> HttpResponse:
    return _member_page(request, own_member(request.user))


@require_GET
@role_required(Role.MEMBER)
def place_options(request: AuthedRequest) -> HttpResponse:
    """htmx: the compound and building selects for the community now chosen on the member's form."""
    member = _member_or_404(request)
    chosen = request.GET.get("community") or None
    form = _checkin_form(member, propose_community(member), initial={"community": chosen})
    return render(request, "checkin/_place_fields.html", {"form": form})


@require_GET
@role_required(Role.MEMBER)
def community_options(request: AuthedRequest) -> HttpResponse:
    """htmx: the communities whose name contains what the member typed (or those near them)."""
    member = _member_or_404(request)
    text = request.GET.get("q", "")[:32]
    return render(
        request,
        "checkin/_community_options.html",
        {"groups": community_choices(_around(member), search=text)},
    )


# --- the changes (POST) ---------------------------------------------------------------------------


@require_POST
@role_required(Role.MEMBER)
def member_submit(request: AuthedRequest) -> HttpResponse:
    member = _member_or_404(request)
    form = _checkin_form(member, propose_community(member), data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            actions.submit_checkin,
            form=form,
            member=member,
            community=form.chosen_community(),
            compound=data["compound"],
            building=data["building"],
            vanguard_kinds=data["vanguard_kinds"],
            skills=data["skills"],
            override_reason=data["override_reason"] if data["community"] else "",
            success=lambda checkin: (
                _("You checked in to %(community)s. Your unit will now issue your certificate.")
                % {"community": checkin.community.name}
            ),
        )
        if done.ok:
            return redirect("checkin:my_checkin")
    return _member_page(request, member, form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_resubmit(request: AuthedRequest, public_id: object) -> HttpResponse:
    member = _member_or_404(request)
    checkin = _own_checkin_or_404(request, member, public_id)
    form = _checkin_form(member, propose_community(member), data=request.POST, extra=checkin.community)
    if form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            actions.resubmit_checkin,
            form=form,
            checkin=checkin,
            community=form.chosen_community(),
            compound=data["compound"],
            building=data["building"],
            vanguard_kinds=data["vanguard_kinds"],
            skills=data["skills"],
            override_reason=data["override_reason"] if data["community"] else "",
            success=_("Sent again. Your unit will now issue your certificate."),
        )
        if done.ok:
            return redirect("checkin:my_checkin")
    return _member_page(request, member, form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_check_out(request: AuthedRequest, public_id: object) -> HttpResponse:
    member = _member_or_404(request)
    checkin = _own_checkin_or_404(request, member, public_id)
    form = ReasonForm(request.POST, prefix="out")
    if form.is_valid():
        done = run_action(
            request,
            actions.check_out,
            form=form,
            field="reason",
            checkin=checkin,
            reason=form.cleaned_data["reason"],
            success=lambda result: _("You checked out of %(c)s.") % {"c": checkin.community.name},
        )
        if done.ok:
            return redirect("checkin:my_checkin")
    return _member_page(request, member, checkout_form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_transfer(request: AuthedRequest, public_id: object) -> HttpResponse:
    member = _member_or_404(request)
    checkin = _own_checkin_or_404(request, member, public_id)
    form = TransferForm(request.POST, choices=community_choices(checkin.community))
    if form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            actions.transfer_checkin,
            form=form,
            checkin=checkin,
            reason=data["reason"],
            community=data["community"],
            override_reason=data["override_reason"],
            success=lambda new: _("You moved your check-in to %(c)s.") % {"c": new.community.name},
        )
        if done.ok:
            return redirect("checkin:my_checkin")
    return _member_page(request, member, transfer_form=form, status=400)


@require_POST
@role_required(Role.MEMBER)
def member_join_team(request: AuthedRequest, public_id: object) -> HttpResponse:
    confirmed_in = CheckIn.objects.visible_to(request.user).filter(
        member__user=request.user, state=CheckInState.CONFIRMED
    )
    team = lookup_or_404(Team.objects.filter(community__in=confirmed_in.values("community")), public_id)
    run_action(
        request, team_actions.join_team, team=team, success=_("You joined %(team)s.") % {"team": team.name}
    )
    return redirect("checkin:my_checkin")


@require_POST
@role_required(Role.MEMBER)
def member_renew(request: AuthedRequest, public_id: object) -> HttpResponse:
    """Report again when the city's renewal period is up (checkin.renewal_actions.renew_checkin)."""
    member = _member_or_404(request)
    checkin = _own_checkin_or_404(request, member, public_id)
    run_action(
        request,
        renew_checkin,
        checkin=checkin,
        success=_("You reported again. Your unit will now issue your certificate."),
    )
    return redirect("checkin:my_checkin")
