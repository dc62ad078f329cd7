"""Unit pages of the service loop: a unit's members' service (服务率, hours, points, satisfaction), and
the helpers the resource pages (resource_views.py, 资源清单) and project pages (project_views.py, 项目清单)
share.

Reads go through ``visible_to`` (outside the scope: 404); a wrong role is refused by ``role_required``
(403). Every change calls one action of service/unit_actions.py; on success the page redirects (PRG),
on a refusal it is shown again with the message and what was typed."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from checkin.views import _uuids
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel
from places.paths import any_subtree_q
from service import figures
from service import unit_actions as actions
from service.unit_exports import UNIT_SERVICE_ROLES
from service.unit_forms import (
    PERIOD_CHOICES,
    period_of,
)

PER_PAGE = 30
MEMBERS_PER_PAGE = 50
PROJECT_STAFF_ROLES = R.SERVICE_STAFF_ROLES
PROPOSE_ROLES = (*R.SERVICE_STAFF_ROLES, Role.UNIT_ADMIN)


def _administered_units(user):
    """Units whose party admin the user is (every unit for a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=scope.units_for(Role.UNIT_ADMIN))


def _offer_q(units) -> Q:
    """Communities the given units work with (their streets' and paired ones)."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(pk__in=actions.communities_for_unit(unit).values("pk"))
    return query


def _staffed_q(user) -> Q:
    """Communities the user serves as community or street staff (all for a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    return any_subtree_q("path", (*scope.paths_for(Role.COMMUNITY), *scope.paths_for(Role.STREET)))


def _communities(query: Q):
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(query).order_by("path")


def _with(request: HttpRequest, **params) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query[key] = value
    return query.urlencode()


# --- resources ------------------------------------------------------------------------------------


def _service_units(user):
    """Units whose service the user may read: their own (admin, inspector) and those of their areas."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(
        Q(pk__in=scope.units_for(Role.UNIT_ADMIN) | scope.units_for(Role.INSPECTOR))
        | scope.area_q("address_area__path")
    )


@require_GET
@role_required(*UNIT_SERVICE_ROLES)
def unit_service(request: HttpRequest) -> HttpResponse:
    """How a unit's members serve: rate, hours, points, ratings and projects for this month, quarter or
    year, and the members' table with export. Area roles choose a unit of their areas."""
    units = _service_units(request.user)
    wanted = request.GET.get("unit", "")
    search = request.GET.get("q", "").strip()[:40]
    choosable = list((units.filter(name__icontains=search) if search else units).order_by("name")[:200])
    if wanted:
        ids = _uuids([wanted])
        if not ids:
            raise Http404
        unit = get_object_or_404(units, public_id=ids[0])
    else:  # the only unit the user may read (or the only one their search found)
        unit = choosable[0] if len(choosable) == 1 else None
    period = period_of(request.GET.get("period"))
    context: dict = {
        "unit": unit,
        "period": period,
        "periods": PERIOD_CHOICES,
        "search": search,
        "breadcrumbs": [{"label": _("Members' service"), "url": ""}],
    }
    context["units"] = choosable
    if unit is not None:
        context["figures"] = figures.unit_figures(unit, period, user=request.user)
        rows = figures.member_rows(unit, period, members=Member.objects.visible_to(request.user))
        context["page"] = Paginator(rows, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        context["keep"] = _with(request)
        context["export_query"] = urlencode({"unit": unit.public_id, "period": period.kind})
        context["breadcrumbs"] = [
            {"label": _("Members' service"), "url": reverse("service:unit_service")},
            {"label": unit.name, "url": ""},
        ]
    return render(request, "service/unit/unit_service.html", context)
