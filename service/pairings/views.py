"""Household pairings (结对帮扶): the community pairs a household with a member who serves it or with a
unit; the pairing's page shows the visits and the service logged for it, and the paired member or unit
(or the community) logs visits there.

Reads go through ``HouseholdPairing.objects.visible_to(user)`` (outside the scope: 404); changes call
service/pairings/actions.py (PRG; a refusal shows the page again with what was typed, status 400)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access import helps_household, staffed_communities, staffs
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.pages import public_id_or_404
from gongjian.refusals import refusal_message
from people.models import Resident
from service.desk import (
    crumbs_to,
    desk_links,
    filters_active,
    paged,
    pick_community,
    style_filter_form,
)
from service.exports import PAIRING_LIST_ROLES, pairings_for
from service.filters import PairingFilter
from service.forms import OPTIONS_LIMIT, ReasonForm
from service.models import HouseholdPairing, ServiceRecord
from service.pairings import actions
from service.pairings.forms import PairingForm, VisitForm
from service.queries import serving_members, serving_units

STAFF_ROLES = R.SERVICE_STAFF_ROLES
VISIT_ROLES = (Role.MEMBER, Role.UNIT_ADMIN, *STAFF_ROLES)


def _pairing(request: HttpRequest, public_id) -> HouseholdPairing:
    queryset = HouseholdPairing.objects.visible_to(request.user).select_related(
        "household__residence_compound",
        "household__residence_building",
        "member__unit",
        "unit",
        "community",
        "created_by",
    )
    return get_object_or_404(queryset, public_id=public_id)


@require_GET
@role_required(*PAIRING_LIST_ROLES)
def pairing_list(request: HttpRequest) -> HttpResponse:
    filterset = PairingFilter(request.GET, queryset=pairings_for(request.user), request=request)
    style_filter_form(filterset.form)
    return render(
        request,
        "service/workbench/pairing_list.html",
        {
            "pager": paged(request, filterset.qs),
            "form": filterset.form,
            "searching": filters_active(request, filterset.form),
            "export": "household_pairings",
            "desk_links": desk_links(request.user, "pairings"),
            "may_pair": scope_for(request.user).has(*STAFF_ROLES),
        },
    )


# --- a new pairing --------------------------------------------------------------------------------


def _pairing_form(request: HttpRequest, community, data=None) -> PairingForm:
    user = request.user
    households = Resident.objects.visible_to(user).filter(residence_area=community)
    members = serving_members(user, community)
    units = serving_units(user, community)
    hq = request.GET.get("hq", "").strip()[:32]
    mq = request.GET.get("mq", "").strip()[:32]
    shown_households = (
        households.search(hq) if hq else households.order_by("name_initials", "id")
    ).select_related("residence_compound", "residence_building")
    initial = {}
    if request.GET.get("household"):
        initial["household"] = request.GET["household"]
    return PairingForm(
        data,
        households=households,
        members=members,
        units=units,
        household_options=list(shown_households[:OPTIONS_LIMIT]),
        member_options=list(
            (members.search(mq) if mq else members.order_by("name_initials", "id"))[:OPTIONS_LIMIT]
        ),
        unit_options=list(units.order_by("name")[:OPTIONS_LIMIT]),
        initial=initial,
    )


def _new_page(request: HttpRequest, communities, community, form=None, status: int = 200) -> HttpResponse:
    if community is not None and form is None:
        form = _pairing_form(request, community)
    return render(
        request,
        "service/workbench/pairing_new.html",
        {
            "communities": communities,
            "community": community,
            "form": form,
            "hq": request.GET.get("hq", ""),
            "mq": request.GET.get("mq", ""),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@role_required(*STAFF_ROLES)
def pairing_new(request: HttpRequest) -> HttpResponse:
    communities = staffed_communities(request.user).select_related("parent").order_by("path")
    if request.method == "GET":
        listed = list(communities)
        return _new_page(request, listed, pick_community(request, listed))
    community = get_object_or_404(communities, public_id=public_id_or_404(request.POST.get("community", "")))
    form = _pairing_form(request, community, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            pairing = actions.pair_household(
                acting_user=request.user,
                household=data["household"],
                reason=data["reason"],
                started_on=data["started_on"],
                request=request,
                **form.helper_kwargs(),
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Paired: %(pairing)s.") % {"pairing": pairing})
            return redirect("service:pairing_detail", pairing.public_id)
    return _new_page(request, communities, community, form=form, status=400)


# --- one pairing ----------------------------------------------------------------------------------


def _pairing_page(
    request: HttpRequest, pairing: HouseholdPairing, *, status: int = 200, **kept
) -> HttpResponse:
    user = request.user
    staff = staffs(user, pairing.community)
    helper = helps_household(user, pairing)
    active = pairing.ended_on is None
    context = {
        "pairing": pairing,
        "staff": staff,
        "helper": helper,
        "can_visit": active and (staff or helper),
        "can_end": active and staff,
        "can_log": active and helper and pairing.member_id is not None,
        "visits": pairing.visits.select_related("logged_by", "record"),
        "records": ServiceRecord.objects.visible_to(user)
        .filter(pairing=pairing)
        .select_related("member", "category")
        .order_by("-started_at", "-id"),
        "visit_form": VisitForm(),
        "end_form": ReasonForm(auto_id="end_%s", needed=False),
        "refusal": " ".join(e for f in kept.values() for errors in f.errors.values() for e in errors),
        "breadcrumbs": crumbs_to(user, "service:pairing_list", pairing.household.name),
        **kept,
    }
    return render(request, "service/pairing_detail.html", context, status=status)


@require_GET
@role_required(*R.PAIRING_READ_ROLES)
def pairing_detail(request: HttpRequest, public_id) -> HttpResponse:
    return _pairing_page(request, _pairing(request, public_id))


@require_POST
@role_required(*VISIT_ROLES)
def pairing_visit(request: HttpRequest, public_id) -> HttpResponse:
    pairing = _pairing(request, public_id)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            actions.log_pairing_visit(
                acting_user=request.user,
                pairing=pairing,
                visited_on=form.cleaned_data["visited_on"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("Visit logged."))
            return redirect("service:pairing_detail", pairing.public_id)
    return _pairing_page(request, pairing, status=400, visit_form=form)


@require_POST
@role_required(*STAFF_ROLES)
def pairing_end(request: HttpRequest, public_id) -> HttpResponse:
    pairing = _pairing(request, public_id)
    form = ReasonForm(request.POST, auto_id="end_%s", needed=False)
    if form.is_valid():
        try:
            actions.end_household_pairing(
                acting_user=request.user, pairing=pairing, reason=form.cleaned_data["reason"], request=request
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("reason", refusal_message(exc))
        else:
            messages.success(request, _("The pairing has ended."))
            return redirect("service:pairing_detail", pairing.public_id)
    return _pairing_page(request, pairing, status=400, end_form=form)
