"""Asking for help (群众点单): a resident posts a need or a micro-wish for themself (their community is
where they live); grid workers, the community and the street post on somebody's behalf from the same
page, finding the resident on record as they type. The write is service/needs/actions.py's post_need."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from access import own_resident
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.refusals import refusal_message
from people.models import Resident
from places.models import Area, Grid
from service.menu.choices import cities_of
from service.models import NeedKind
from service.needs import actions
from service.needs.forms import NeedForm, StaffNeedForm

STAFF_POSTING_ROLES = (Role.COMMUNITY, Role.STREET, Role.GRID_WORKER)
RESIDENT_OPTIONS_LIMIT = 20


def _posts_for_others(user) -> bool:
    return scope_for(user).has(*STAFF_POSTING_ROLES)


# --- ask --------------------------------------------------------------------------------------------


@role_required(*R.NEED_POST_ROLES)
def ask(request: HttpRequest) -> HttpResponse:
    """Post a need or a micro-wish: for myself (residents), or for somebody (grid worker, community,
    street). Success opens the need's page; a refusal shows the message with what was typed."""
    data = request.POST if request.method == "POST" else None
    resident = None
    if _posts_for_others(request.user):
        form: NeedForm = StaffNeedForm(data, user=request.user)
    else:
        resident = own_resident(request.user)
        if resident is None:
            return render(request, "service/resident/ask.html", {"form": None, "no_record": True})
        form = NeedForm(data, cities=cities_of([resident.residence_area.path]))
    if data is not None and form.is_valid():
        try:
            need = actions.post_need(acting_user=request.user, request=request, **form.need_kwargs())
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(
                request,
                _("Your wish is posted. The community will find somebody to fulfil it.")
                if need.kind == NeedKind.WISH
                else _("Your need is posted. The community will find somebody to help."),
            )
            return redirect("service:need_detail", need.public_id)
    return render(
        request,
        "service/resident/ask.html",
        {
            "form": form,
            "resident": resident,
            "for_others": isinstance(form, StaffNeedForm),
            "breadcrumbs": [
                {"label": _("Needs"), "url": reverse("service:need_list")},
                {"label": _("Report a need for a resident"), "url": ""},
            ]
            if isinstance(form, StaffNeedForm)
            else [
                {"label": _("My requests"), "url": reverse("service:my_needs")},
                {"label": _("Ask for help"), "url": ""},
            ],
        },
        status=400 if data is not None else 200,
    )


@require_GET
@role_required(*STAFF_POSTING_ROLES)
def ask_residents(request: HttpRequest) -> HttpResponse:
    """htmx: residents on record in the chosen community (or grid) whose name, initials or phone's last
    four digits match what was typed, as options of the ask page's select."""
    text = request.GET.get("q", "").strip()[:32]
    residents = Resident.objects.visible_to(request.user).select_related(
        "residence_compound", "residence_building"
    )
    community = _by_public_id(Area.objects.visible_to(request.user), request.GET.get("community"))
    grid = _by_public_id(Grid.objects.visible_to(request.user), request.GET.get("grid"))
    if community is not None:
        residents = residents.filter(residence_area=community)
    elif grid is not None and grid.community_id:
        residents = residents.filter(residence_area_id=grid.community_id)
    found = list(residents.search(text)[:RESIDENT_OPTIONS_LIMIT]) if text else []
    return render(
        request, "service/resident/_resident_options.html", {"residents": found, "searched": bool(text)}
    )


def _by_public_id(queryset, value):
    try:
        return queryset.filter(public_id=uuid.UUID(str(value))).first() if value else None
    except ValueError:
        return None
