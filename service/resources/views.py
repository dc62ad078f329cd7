"""The resource list (资源清单): units offer, edit and withdraw what they bring; area roles read it.

Reads go through ``Resource.objects.visible_to(user)`` (outside the scope: 404); every change calls
service/resources/actions.py (PRG; a refusal shows the form again with the message)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access import administered_units, administers_unit, communities_where, reached_q
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.pages import paginate
from gongjian.refusals import refusal_message
from orgs.models import Unit
from service.desk import keep_query
from service.filters import ResourceFilter
from service.menu.choices import grouped_items, menu_items
from service.models import Resource, ResourceKind
from service.resources import actions
from service.resources.forms import ReasonForm, ResourceForm

PER_PAGE = 30


@require_GET
@role_required(*R.RESOURCE_ROLES)
def resource_list(request: HttpRequest) -> HttpResponse:
    """What units bring: the user's units' own offers, their areas' units' offers and those made to
    their communities, with filters and export; unit admins add and withdraw their own."""
    visible = Resource.objects.visible_to(request.user)
    filterset = ResourceFilter(request.GET or None, queryset=visible, request=request)
    rows = (
        filterset.qs.select_related("unit", "category", "community")
        .annotate(committed=Sum("commitments__quantity"))
        .order_by("-created_at", "-id")
    )
    scope = scope_for(request.user)
    own = None if scope.everything else scope.units_for(Role.UNIT_ADMIN)
    return render(
        request,
        "service/unit/resource_list.html",
        {
            "page": paginate(request, rows, per_page=PER_PAGE)["page"],
            "keep": keep_query(request),
            "filters": {k: request.GET.get(k, "") for k in ("kind", "category", "unit", "available")},
            "kinds": ResourceKind.choices,
            "category_groups": grouped_items(menu_items()),
            "units": Unit.objects.filter(pk__in=visible.values("unit_id")).order_by("name")[:300],
            "own": own,
            "can_add": Role.UNIT_ADMIN in scope.roles or scope.everything,
            "today": timezone.localdate(),
            "breadcrumbs": [{"label": _("Resources"), "url": ""}],
        },
    )


def _resource_form(request: HttpRequest, *, data=None, resource=None) -> ResourceForm:
    units = administered_units(request.user).order_by("name")
    if resource is not None:
        communities = communities_where(reached_q([resource.unit]))
        initial = {
            "title": resource.title,
            "category": resource.category,
            "quantity": resource.quantity,
            "measure": resource.measure,
            "available_from": resource.available_from,
            "available_until": resource.available_until,
            "community": resource.community,
            "note": resource.note,
        }
        return ResourceForm(data, units=units, communities=communities, editing=True, initial=initial)
    return ResourceForm(data, units=units, communities=communities_where(reached_q(units[:20])))


def _resource_page(request, form, *, resource=None, status=200) -> HttpResponse:
    title = _("Change the offer") if resource is not None else _("Offer a resource")
    return render(
        request,
        "service/unit/resource_form.html",
        {
            "form": form,
            "resource": resource,
            "title": title,
            "breadcrumbs": [
                {"label": _("Resources"), "url": reverse("service:resource_list")},
                {"label": title, "url": ""},
            ],
        },
        status=status,
    )


@role_required(Role.UNIT_ADMIN)
def resource_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _resource_page(request, _resource_form(request))
    form = _resource_form(request, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            resource = actions.add_resource(
                acting_user=request.user,
                unit=data["unit"],
                kind=data["kind"],
                title=data["title"],
                quantity=data["quantity"],
                measure=data["measure"],
                available_from=data["available_from"],
                available_until=data["available_until"],
                category=data["category"],
                community=data["community"],
                note=data["note"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("%(title)s is on the resource list.") % {"title": resource.title})
            return redirect("service:resource_list")
    return _resource_page(request, form, status=400)


def _own_resource(request: HttpRequest, public_id) -> Resource:
    resource = get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("unit", "category", "community"),
        public_id=public_id,
    )
    if not administers_unit(request.user, resource.unit):
        raise PermissionDenied
    return resource


@role_required(Role.UNIT_ADMIN)
def resource_edit(request: HttpRequest, public_id) -> HttpResponse:
    resource = _own_resource(request, public_id)
    if request.method != "POST":
        return _resource_page(request, _resource_form(request, resource=resource), resource=resource)
    form = _resource_form(request, data=request.POST, resource=resource)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_resource(
                acting_user=request.user,
                resource=resource,
                title=data["title"],
                quantity=data["quantity"],
                measure=data["measure"],
                available_from=data["available_from"],
                available_until=data["available_until"],
                category=data["category"],
                community=data["community"],
                note=data["note"],
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, refusal_message(exc))
        else:
            messages.success(request, _("The offer is changed."))
            return redirect("service:resource_list")
    return _resource_page(request, form, resource=resource, status=400)


@require_POST
@role_required(Role.UNIT_ADMIN)
def resource_withdraw(request: HttpRequest, public_id) -> HttpResponse:
    resource = get_object_or_404(Resource.objects.visible_to(request.user), public_id=public_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        actions.withdraw_resource(
            acting_user=request.user,
            resource=resource,
            reason=form.cleaned_data.get("reason", ""),
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, refusal_message(exc))
    else:
        messages.success(request, _("%(title)s is withdrawn.") % {"title": resource.title})
    return redirect("service:resource_list")
