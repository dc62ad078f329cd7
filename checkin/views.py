"""Check-in work pages: the member's own check-in (phone first), the unit's page (certificates,
whole-unit check-in) and the community's page (pending confirmations, members by grid, teams).

Reads go through ``CheckIn.objects.visible_to(user)`` (outside the scope: 404). The changes these
pages make are in post_views.py; each calls checkin/actions.py or team_actions.py."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from checkin import actions
from checkin.forms import CheckInForm, ReasonForm, TeamForm, TeamMemberForm, TransferForm, community_choices
from checkin.models import (
    ACTIVE_STATES,
    CheckIn,
    CheckInRule,
    CheckInState,
    Team,
    TeamMembership,
    VanguardKind,
)
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel, Building
from places.paths import any_subtree_q, subtree_q

PER_PAGE = 50
STEPS = (CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED)


def _uuids(values) -> list[uuid.UUID]:
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value)))
        except ValueError:
            continue
    return found


def _page(request: HttpRequest, queryset, param: str, per_page: int = PER_PAGE):
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    others = {k: v for k, v in request.GET.items() if k != param}
    return {"page": page, "param": param, "query": urlencode(others)}


def _checkin(request: HttpRequest, public_id) -> CheckIn:
    queryset = CheckIn.objects.visible_to(request.user).select_related("member", "unit", "community")
    return get_object_or_404(queryset, public_id=public_id)


# --- the member ----------------------------------------------------------------------------------


def _own_member(user) -> Member | None:
    return (
        Member.objects.filter(user=user)
        .select_related("unit", "residence_area", "residence_compound", "residence_building")
        .first()
    )


def _checkin_form(member, proposal, *, data=None, initial=None, extra=None) -> CheckInForm:
    return CheckInForm(
        data,
        initial=initial or {},
        proposed=proposal.community,
        choices=community_choices(
            member.residence_area or (member.unit and member.unit.address_area), extra=extra
        ),
        residence=(member.residence_compound, member.residence_building),
    )


def _initial_from(checkin: CheckIn) -> dict:
    override = checkin.rule == CheckInRule.OVERRIDE
    return {
        "compound": checkin.compound,
        "building": checkin.building,
        "vanguard_kinds": checkin.vanguard_kinds,
        "skills": checkin.skills,
        "community": checkin.community if override else None,
        "override_reason": checkin.override_reason,
    }


def _steps(state: str) -> list[dict]:
    """Submitted → certified → confirmed: the steps reached are done, the next one is awaited; a
    returned check-in waits on the member at the first step."""
    if state == CheckInState.RETURNED:
        statuses = ["warn", "todo", "todo"]
    else:
        reached = STEPS.index(state)
        statuses = ["done" if i <= reached else "current" if i == reached + 1 else "todo" for i in range(3)]
    return [
        {"label": CheckInState(step).label, "status": status}
        for step, status in zip(STEPS, statuses, strict=True)
    ]


def _member_page(request: HttpRequest, member: Member | None, *, status: int = 200, **kept) -> HttpResponse:
    context: dict = {"member": member, "kept": kept}
    if member is None:
        return render(request, "checkin/my_checkin.html", context, status=status)
    mine = CheckIn.objects.visible_to(request.user).filter(member=member)
    active = (
        mine.active()
        .select_related("community", "unit", "compound", "building__compound", "grid_branch")
        .first()
    )
    context["active"] = active
    if active is None or active.state == CheckInState.RETURNED:
        proposal = actions.propose_community(member)
        context["proposal"] = proposal
        if "form" not in kept:
            initial = _initial_from(active) if active else {"skills": member.skills}
            kept["form"] = _checkin_form(member, proposal, initial=initial, extra=active and active.community)
    if active is not None:
        context["steps"] = _steps(active.state)
        context["events"] = list(active.events.select_related("actor"))
        context["certificate"] = active.certificates.filter(revoked_at__isnull=True).first()
        kept.setdefault("transfer_form", TransferForm(choices=community_choices(active.community)))
        kept.setdefault("checkout_form", ReasonForm(prefix="out"))
        labels = dict(VanguardKind.choices)
        context["kind_labels"] = [labels[k] for k in active.vanguard_kinds if k in labels]
        if active.state == CheckInState.CONFIRMED:
            context["teams"] = Team.objects.filter(community=active.community).annotate(
                size=Count("memberships"), mine=Count("memberships", filter=Q(memberships__member=member))
            )
    context["history"] = mine.exclude(state__in=ACTIVE_STATES).select_related("community", "unit")[:20]
    return render(request, "checkin/my_checkin.html", context, status=status)


@role_required(Role.MEMBER)
def my_checkin(request: HttpRequest) -> HttpResponse:
    return _member_page(request, _own_member(request.user))


def _member_or_404(request: HttpRequest) -> Member:
    member = _own_member(request.user)
    if member is None:
        raise Http404
    return member


@require_GET
@role_required(Role.MEMBER)
def place_options(request: HttpRequest) -> HttpResponse:
    """htmx: the compound and building selects for the community now chosen on the member's form."""
    member = _member_or_404(request)
    chosen = request.GET.get("community") or None
    form = _checkin_form(member, actions.propose_community(member), initial={"community": chosen})
    return render(request, "checkin/_place_fields.html", {"form": form})


@require_GET
@role_required(Role.MEMBER)
def community_options(request: HttpRequest) -> HttpResponse:
    """htmx: the communities whose name contains what the member typed (or those near them)."""
    member = _member_or_404(request)
    text = request.GET.get("q", "")[:32]
    around = member.residence_area or (member.unit and member.unit.address_area)
    return render(
        request, "checkin/_community_options.html", {"groups": community_choices(around, search=text)}
    )


# --- the unit ------------------------------------------------------------------------------------


def _administered_units(user):
    if scope_for(user).everything:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=scope_for(user).units_for(Role.UNIT_ADMIN))


def _pick(request: HttpRequest, queryset, param: str):
    """The object named by ``?param=<public_id>`` in ``queryset`` (404 if not there), else the only one."""
    wanted = request.GET.get(param)
    if wanted:
        ids = _uuids([wanted])
        if not ids:
            raise Http404
        return get_object_or_404(queryset, public_id=ids[0])
    choices = list(queryset[:2])
    return choices[0] if len(choices) == 1 else None


def _unit_url(unit) -> str:
    return reverse("checkin:unit_page") + "?" + urlencode({"unit": unit.public_id})


def _unit_page(request: HttpRequest, unit, *, status: int = 200, **kept) -> HttpResponse:
    context: dict = {"kept": kept}
    units = _administered_units(request.user)
    context["units"] = units.order_by("name")[:200]
    context["unit"] = unit
    if unit is None:
        return render(request, "checkin/unit_page.html", context, status=status)
    checkins = CheckIn.objects.visible_to(request.user).filter(unit=unit)
    roster = Member.objects.visible_to(request.user).filter(unit=unit, in_service=True)
    by_state = dict(checkins.active().values_list("state").annotate(n=Count("id")).order_by())
    not_submitted = roster.exclude(pk__in=CheckIn.objects.active().values("member_id"))
    context["counts"] = {
        "in_service": roster.count(),
        "not_submitted": not_submitted.count(),
        **{state: by_state.get(state, 0) for state in ACTIVE_STATES},
    }
    rows = checkins.select_related("member", "community", "compound", "building__compound")
    context["awaiting"] = _page(
        request, rows.filter(state=CheckInState.SUBMITTED).order_by("submitted_at"), "p1"
    )
    context["issued"] = _page(
        request,
        rows.filter(state__in=[CheckInState.CERTIFIED, CheckInState.CONFIRMED]).order_by(
            "-certified_at", "-id"
        ),
        "p2",
    )
    context["returned"] = rows.filter(state=CheckInState.RETURNED).order_by("submitted_at")[:50]
    context["streets"] = Area.objects.filter(
        level=AreaLevel.STREET, pk__in=not_submitted.values("residence_area__parent_id")
    ).order_by("path")
    street = request.GET.get("street", "")
    candidates = not_submitted.select_related(
        "residence_area", "residence_compound", "residence_building__compound"
    )
    if street == "outside":
        candidates = candidates.exclude(residence_area__level=AreaLevel.COMMUNITY)
    elif street:
        chosen = next((s for s in context["streets"] if str(s.public_id) == street), None)
        candidates = (
            candidates.filter(subtree_q("residence_path", chosen.path)) if chosen else candidates.none()
        )
    context["street"] = street
    context["candidates"] = _page(request, candidates.order_by("name_initials", "id"), "p3", per_page=100)
    return render(request, "checkin/unit_page.html", context, status=status)


@role_required(Role.UNIT_ADMIN)
def unit_page(request: HttpRequest) -> HttpResponse:
    return _unit_page(request, _pick(request, _administered_units(request.user), "unit"))


# --- the community -------------------------------------------------------------------------------


def _served_communities(user):
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    if scope_for(user).everything:
        return communities
    return communities.filter(any_subtree_q("path", scope_for(user).paths_for(Role.COMMUNITY)))


def _community_url(community) -> str:
    return reverse("checkin:community_page") + "?" + urlencode({"community": community.public_id})


def _community_page(request: HttpRequest, community, *, status: int = 200, **kept) -> HttpResponse:
    context: dict = {"kept": kept}
    context["communities"] = _served_communities(request.user).select_related("parent")[:200]
    context["community"] = community
    if community is None:
        return render(request, "checkin/community_page.html", context, status=status)
    here = CheckIn.objects.visible_to(request.user).filter(community=community)
    rows = here.select_related("member", "unit", "compound", "building__compound")
    context["pending"] = _page(
        request, rows.filter(state=CheckInState.CERTIFIED).order_by("certified_at", "id"), "p1"
    )
    now = timezone.now()
    for row in context["pending"]["page"]:
        row.age_days = (now - row.certified_at).days if row.certified_at else 0
    context["submitted"] = rows.filter(state=CheckInState.SUBMITTED).order_by("-submitted_at")[:20]
    context["submitted_count"] = here.filter(state=CheckInState.SUBMITTED).count()
    confirmed = here.filter(state=CheckInState.CONFIRMED)
    context["by_branch"] = (
        confirmed.values("grid_branch__name").annotate(n=Count("id")).order_by("grid_branch__path")
    )
    building, kind, skill = (request.GET.get(k, "").strip() for k in ("building", "kind", "skill"))
    listed = confirmed
    if building:
        listed = listed.filter(building__public_id__in=_uuids([building]))
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
    context["members"] = _page(request, listed, "p2")
    context["filters"] = {"building": building, "kind": kind, "skill": skill}
    context["buildings"] = Building.objects.filter(compound__community=community).select_related("compound")
    context["kinds"] = VanguardKind.choices
    context["teams"] = Team.objects.filter(community=community).annotate(size=Count("memberships"))
    kept.setdefault("team_form", TeamForm())
    if "member_form" not in kept:
        kept["member_form"] = _team_member_form(request, community)
    return render(request, "checkin/community_page.html", context, status=status)


def _team_member_form(request: HttpRequest, community, data=None) -> TeamMemberForm:
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


@role_required(Role.COMMUNITY)
def community_page(request: HttpRequest) -> HttpResponse:
    return _community_page(request, _pick(request, _served_communities(request.user), "community"))
