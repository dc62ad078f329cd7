"""The unit party admin's check-in page: certificates to issue, those issued, check-ins returned, and
whole-unit check-in (整建制报到) of the in-service members who have not reported yet.

Reads go through ``visible_to(user)`` and the units the user administers (outside them: 404). Each
change calls one action of checkin/actions.py and comes back to the page, with the action's own words
when it was refused."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.models import Role
from checkin import actions
from checkin.access import administered_units
from checkin.models import ACTIVE_STATES, CheckIn, CheckInState
from gongjian.pages import (
    AuthedRequest,
    chosen_or_only,
    get_visible_or_404,
    lookup_or_404,
    paginate,
    parse_uuids,
    run_action,
)
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel
from places.paths import subtree_q


def _unit_url(unit: Unit | None) -> str:
    """The unit page, open at the unit (a check-in without a unit comes back to the plain page)."""
    page = reverse("checkin:unit_page")
    return page + "?" + urlencode({"unit": str(unit.public_id)}) if unit is not None else page


def _unit_or_404(request: AuthedRequest) -> Unit:
    """The unit a form names (``unit``), among those the user administers."""
    return lookup_or_404(administered_units(request.user), request.POST.get("unit", ""))


def _checkin_or_404(request: AuthedRequest, public_id: object) -> CheckIn:
    return get_visible_or_404(
        CheckIn.objects.select_related("member", "unit", "community"), request.user, public_id
    )


def _unit_page(request: AuthedRequest, unit: Unit | None, *, status: int = 200, **kept: Any) -> HttpResponse:
    context: dict[str, Any] = {"kept": kept}
    units = administered_units(request.user)
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
    context["awaiting"] = paginate(
        request, rows.filter(state=CheckInState.SUBMITTED).order_by("submitted_at"), param="p1"
    )
    context["issued"] = paginate(
        request,
        rows.filter(state__in=[CheckInState.CERTIFIED, CheckInState.CONFIRMED]).order_by(
            "-certified_at", "-id"
        ),
        param="p2",
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
    context["candidates"] = paginate(
        request, candidates.order_by("name_initials", "id"), param="p3", per_page=100
    )
    return render(request, "checkin/unit_page.html", context, status=status)


@role_required(Role.UNIT_ADMIN)
def unit_page(request: AuthedRequest) -> HttpResponse:
    return _unit_page(request, chosen_or_only(request, administered_units(request.user), "unit"))


# --- the changes (POST) ---------------------------------------------------------------------------


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_issue(request: AuthedRequest, public_id: object) -> HttpResponse:
    checkin = _checkin_or_404(request, public_id)
    run_action(
        request,
        actions.issue_certificate,
        checkin=checkin,
        success=lambda certificate: (
            _("Certificate %(serial)s issued to %(name)s.")
            % {"serial": certificate.serial, "name": checkin.member.name}
        ),
    )
    return redirect(_unit_url(checkin.unit))


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_issue_bulk(request: AuthedRequest) -> HttpResponse:
    unit = _unit_or_404(request)
    chosen = (
        CheckIn.objects.visible_to(request.user)
        .filter(unit=unit, public_id__in=parse_uuids(request.POST.getlist("checkins")))
        .select_related("member", "unit")
    )
    issued, refused = 0, []
    for checkin in chosen:
        done = run_action(request, actions.issue_certificate, checkin=checkin, flash_refusal=False)
        if done.ok:
            issued += 1
        else:
            refused.append(f"{checkin.member.name}: {done.refusal}")
    if issued:
        messages.success(request, _("%(n)d certificates issued.") % {"n": issued})
    for line in refused:
        messages.error(request, line)
    if not issued and not refused:
        messages.warning(request, _("Choose the check-ins to certify first."))
    return redirect(_unit_url(unit))


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_return(request: AuthedRequest, public_id: object) -> HttpResponse:
    checkin = _checkin_or_404(request, public_id)
    reason = request.POST.get("reason", "")
    done = run_action(
        request,
        actions.return_checkin,
        checkin=checkin,
        reason=reason,
        flash_refusal=False,
        success=lambda result: _("Returned to %(name)s for changes.") % {"name": checkin.member.name},
    )
    if not done.ok:
        return _unit_page(
            request,
            checkin.unit,
            row=str(checkin.public_id),
            action="return",
            reason=reason,
            error=done.refusal,
            status=400,
        )
    return redirect(_unit_url(checkin.unit))


@require_POST
@role_required(Role.UNIT_ADMIN)
def unit_batch(request: AuthedRequest) -> HttpResponse:
    """整建制报到: check in the chosen members, each by the rule, and show what happened to each."""
    unit = _unit_or_404(request)
    wanted = parse_uuids(request.POST.getlist("members"))
    members = list(
        Member.objects.visible_to(request.user)
        .filter(public_id__in=wanted)
        .select_related("unit__address_area", "residence_area", "residence_compound", "residence_building")
    )
    done = run_action(request, actions.batch_check_in, unit=unit, members=members, flash_refusal=False)
    if not done.ok or done.result is None:
        return _unit_page(request, unit, batch_error=done.refusal, status=400)
    rows = [{"name": r.member.name, "ok": r.ok, "message": r.message} for r in done.result]
    missing = len(set(wanted) - {m.public_id for m in members})
    rows += [{"name": "—", "ok": False, "message": _("Not found among your members.")}] * missing
    if not rows:
        return _unit_page(request, unit, batch_error=_("Choose the members to check in first."), status=400)
    return _unit_page(request, unit, batch_results=rows, batch_ok=sum(r["ok"] for r in rows))
