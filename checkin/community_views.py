"""The community party organisation's check-in page: members to confirm in person, check-ins on
their way, the members confirmed here by grid branch, and the community's volunteer teams.

Reads go through ``visible_to(user)`` and the communities the user serves (outside them: 404). Each
change calls one action of checkin/actions.py or team_actions.py and comes back to the page, with
the action's own words when it was refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from checkin import actions, batch_actions, team_actions
from checkin.access import served_communities
from checkin.forms import TeamForm, TeamMemberForm
from checkin.models import CheckIn, CheckInState, Team, TeamMembership, VanguardKind
from gongjian import batches
from gongjian.pages import (
    AuthedRequest,
    chosen_or_only,
    get_visible_or_404,
    lookup_or_404,
    paginate,
    parse_uuids,
    run_action,
)
from people.models import Member
from places.models import Area, Building


def _community_url(community: Area) -> str:
    return reverse("checkin:community_page") + "?" + urlencode({"community": str(community.public_id)})


def _community_or_404(request: AuthedRequest) -> Area:
    """The community a form names (``community``), among those the user serves."""
    return lookup_or_404(served_communities(request.user), request.POST.get("community", ""))


def _checkin_or_404(request: AuthedRequest, public_id: object) -> CheckIn:
    return get_visible_or_404(
        CheckIn.objects.select_related("member", "unit", "community"), request.user, public_id
    )


def _team_member_form(request: AuthedRequest, community: Area, data: Any = None) -> TeamMemberForm:
    confirmed = CheckIn.objects.visible_to(request.user).filter(
        community=community, state=CheckInState.CONFIRMED
    )
    choices = [
        (str(public_id), name)
        for public_id, name in confirmed.order_by("member__name_initials").values_list(
            "member__public_id", "member__name"
        )[:500]
    ]
    return TeamMemberForm(
        data,
        teams=Team.objects.filter(community=community),
        members=Member.objects.visible_to(request.user),
        member_choices=choices,
    )


def _community_page(
    request: AuthedRequest, community: Area | None, *, status: int = 200, **kept: Any
) -> HttpResponse:
    context: dict[str, Any] = {"kept": kept}
    context["communities"] = served_communities(request.user).select_related("parent")[:200]
    context["community"] = community
    if community is None:
        return render(request, "checkin/community_page.html", context, status=status)
    here = CheckIn.objects.visible_to(request.user).filter(community=community)
    rows = here.select_related("member", "unit", "compound", "building__compound")
    pending = paginate(
        request, rows.filter(state=CheckInState.CERTIFIED).order_by("certified_at", "id"), param="p1"
    )
    now = timezone.now()
    for row in pending["page"]:
        row.age_days = (now - row.certified_at).days if row.certified_at else 0
    context["pending"] = pending
    context["submitted"] = rows.filter(state=CheckInState.SUBMITTED).order_by("-submitted_at")[:20]
    context["submitted_count"] = here.filter(state=CheckInState.SUBMITTED).count()
    confirmed = here.filter(state=CheckInState.CONFIRMED)
    context["by_branch"] = (
        confirmed.values("grid_branch__name").annotate(n=Count("id")).order_by("grid_branch__path")
    )
    building, kind, skill = (request.GET.get(k, "").strip() for k in ("building", "kind", "skill"))
    listed = confirmed
    if building:
        listed = listed.filter(building__public_id__in=parse_uuids([building]))
    if kind in VanguardKind.values:  # a JSON list; no kind's name is part of another's
        listed = listed.filter(vanguard_kinds__icontains=kind)
    if skill:
        listed = listed.filter(skills__icontains=skill[:50])
    listed = (
        listed.select_related("member", "unit", "building__compound", "grid_branch")
        .prefetch_related(
            Prefetch(
                "member__team_memberships",
                queryset=TeamMembership.objects.filter(team__community=community).select_related("team"),
                to_attr="teams_here",
            )
        )
        .order_by("grid_branch__path", "member__name_initials", "id")
    )
    context["members"] = paginate(request, listed, param="p2")
    context["filters"] = {"building": building, "kind": kind, "skill": skill}
    context["buildings"] = Building.objects.filter(compound__community=community).select_related("compound")
    context["kinds"] = VanguardKind.choices
    context["teams"] = Team.objects.filter(community=community).annotate(size=Count("memberships"))
    kept.setdefault("team_form", TeamForm())
    if "member_form" not in kept:
        kept["member_form"] = _team_member_form(request, community)
    return render(request, "checkin/community_page.html", context, status=status)


@role_required(Role.COMMUNITY)
def community_page(request: AuthedRequest) -> HttpResponse:
    return _community_page(request, chosen_or_only(request, served_communities(request.user), "community"))


# --- confirming, rejecting, returning (POST) ------------------------------------------------------


@require_POST
@role_required(Role.COMMUNITY)
def community_confirm(request: AuthedRequest, public_id: object) -> HttpResponse:
    checkin = _checkin_or_404(request, public_id)
    run_action(
        request,
        actions.confirm_checkin,
        checkin=checkin,
        via="manual",
        success=lambda result: _("%(name)s is confirmed. Welcome them!") % {"name": checkin.member.name},
    )
    return redirect(_community_url(checkin.community))


@require_POST
@role_required(Role.COMMUNITY)
def community_confirm_batch(request: AuthedRequest) -> HttpResponse:
    """Confirm the ticked check-ins, each by its own action; say how many went through and why the
    others were refused."""
    community = _community_or_404(request)
    wanted = parse_uuids(request.POST.getlist("checkins"))
    if not wanted:
        messages.warning(request, _("Tick the members to confirm first."))
        return redirect(_community_url(community) + "#pending")
    if len(wanted) > batch_actions.BATCH_MAX:
        messages.error(request, _("Confirm at most %(n)d members at once.") % {"n": batch_actions.BATCH_MAX})
        return redirect(_community_url(community) + "#pending")
    checkins, missing = batch_actions.wanted_checkins(request.user, wanted)
    here = [checkin for checkin in checkins if checkin.community_id == community.pk]
    results = batch_actions.confirm_checkins(
        acting_user=request.user, checkins=here, via="manual", request=request
    )
    results += batch_actions.elsewhere(checkins, community) + batches.not_found(missing)
    batches.flash(request, results)
    return redirect(_community_url(community) + "#pending")


def _community_review(
    request: AuthedRequest, public_id: object, name: str, action: Callable[..., CheckIn], done: str
) -> HttpResponse:
    checkin = _checkin_or_404(request, public_id)
    reason = request.POST.get("reason", "")
    outcome = run_action(
        request,
        action,
        checkin=checkin,
        reason=reason,
        flash_refusal=False,
        success=lambda result: done % {"name": checkin.member.name},
    )
    if not outcome.ok:
        return _community_page(
            request,
            checkin.community,
            row=str(checkin.public_id),
            action=name,
            reason=reason,
            error=outcome.refusal,
            status=400,
        )
    return redirect(_community_url(checkin.community))


@require_POST
@role_required(Role.COMMUNITY)
def community_reject(request: AuthedRequest, public_id: object) -> HttpResponse:
    return _community_review(
        request, public_id, "reject", actions.reject_checkin, _("The check-in of %(name)s was rejected.")
    )


@require_POST
@role_required(Role.COMMUNITY)
def community_return(request: AuthedRequest, public_id: object) -> HttpResponse:
    return _community_review(
        request,
        public_id,
        "return",
        actions.return_checkin,
        _("The check-in of %(name)s was returned for changes."),
    )


# --- teams (POST) ---------------------------------------------------------------------------------


@require_POST
@role_required(Role.COMMUNITY)
def team_create(request: AuthedRequest) -> HttpResponse:
    community = _community_or_404(request)
    form = TeamForm(request.POST)
    if form.is_valid():
        done = run_action(
            request,
            team_actions.create_team,
            form=form,
            community=community,
            success=lambda team: _("Team %(team)s formed.") % {"team": team.name},
            **form.cleaned_data,
        )
        if done.ok:
            return redirect(_community_url(community))
    return _community_page(request, community, team_form=form, status=400)


@require_POST
@role_required(Role.COMMUNITY)
def team_add_member(request: AuthedRequest) -> HttpResponse:
    community = _community_or_404(request)
    form = _team_member_form(request, community, data=request.POST)
    if form.is_valid():
        team, member = form.cleaned_data["team"], form.cleaned_data["member"]
        done = run_action(
            request,
            team_actions.add_team_member,
            form=form,
            team=team,
            member=member,
            success=_("%(name)s joined %(team)s.") % {"name": member.name, "team": team.name},
        )
        if done.ok:
            return redirect(_community_url(community))
    return _community_page(request, community, member_form=form, status=400)
