"""The unit's pages of the service loop: how a unit's members serve (服务率, hours, points,
satisfaction, projects) for this month, quarter or year, with the members' table and its export. The
unit's resources and projects have their own pages (service/resources/views.py,
service/projects/views.py).

Reads go through ``visible_to`` (outside the scope: 404); a wrong role is refused by ``role_required``
(403). The figures come from service/figures.py."""

from __future__ import annotations

import uuid

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.pickers import PAGE as PICKER_PAGE
from orgs.models import Unit
from people.models import Member
from service import figures
from service.desk import keep_query
from service.exports import UNIT_SERVICE_ROLES
from service.figures import PERIOD_CHOICES, period_of

MEMBERS_PER_PAGE = 50


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
    choosable = list(
        (units.filter(name__icontains=search) if search else units).order_by("name")[:PICKER_PAGE]
    )
    if wanted:
        try:
            public_id = uuid.UUID(str(wanted))
        except ValueError as exc:
            raise Http404 from exc
        unit = get_object_or_404(units, public_id=public_id)
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
        context["keep"] = keep_query(request)
        context["export_query"] = urlencode({"unit": unit.public_id, "period": period.kind})
        context["breadcrumbs"] = [
            {"label": _("Members' service"), "url": reverse("service:unit_service")},
            {"label": unit.name, "url": ""},
        ]
    return render(request, "service/unit/unit_service.html", context)
