"""Pages where each level keeps its part of the people registries (分级管理): residents, applicants and
their steps, and the area registries (commercial buildings, trade unions, youth league organisations).

Lookups go through ``visible_to`` (outside the scope: 404); the role decorators answer 403 to other
roles; the actions (people/residents.py, applicants.py, registries.py) decide the rest, and a refusal
shows the form again with what was typed and the action's words (gongjian.pages.run_action)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role
from accounts.scope import scope_for
from gongjian.pages import AuthedRequest, get_visible_or_404, run_action
from orgs.models import PartyOrg, Unit
from people import applicants, registries
from people.forms import AdvanceForm, ApplicantForm, ReasonForm, ResidentForm, registry_form_class
from people.keepers import kept_areas
from people.models import Applicant, Resident
from people.residents import keep_resident
from places.models import Area, AreaLevel


def _page(
    request: AuthedRequest, form, *, title, cancel_url: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {"form": form, "title": title, "cancel_url": cancel_url, **extra}
    context.setdefault("breadcrumbs", [{"label": title, "url": ""}])
    return render(request, "people/form.html", context, status=status if form.is_bound else 200)


# Residents


def _kept_communities(request: AuthedRequest):
    return kept_areas(request.user, AreaLevel.COMMUNITY)


@role_required(*R.KEEPER_ROLES)
def resident_new(request: AuthedRequest) -> HttpResponse:
    form = ResidentForm(request.POST or None, communities=_kept_communities(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            keep_resident,
            form=form,
            name=data["name"],
            phone=data["phone"],
            residence_area=data["area"],
            residence_compound=data["compound"],
            residence_building=data["building"],
            household_note=data["household_note"],
            success=_("The resident is on the list."),
        )
        if done.ok and done.result is not None:
            return redirect("people:resident_detail", done.result.public_id)
    return _page(
        request, form, title=_("Add a resident"), cancel_url=reverse("people:resident_list"), status=400
    )


@role_required(*R.KEEPER_ROLES)
def resident_edit(request: AuthedRequest, public_id) -> HttpResponse:
    resident = get_visible_or_404(
        Resident.objects.select_related("residence_area", "residence_compound", "residence_building"),
        request.user,
        public_id,
    )
    initial = {
        "name": resident.name,
        "area": resident.residence_area,
        "compound": resident.residence_compound,
        "building": resident.residence_building,
        "household_note": resident.household_note,
    }
    form = ResidentForm(
        request.POST or None, communities=_kept_communities(request), initial=initial, editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            keep_resident,
            form=form,
            resident=resident,
            name=data["name"],
            phone=data["phone"] or None,
            residence_area=data["area"],
            residence_compound=data["compound"],
            residence_building=data["building"],
            household_note=data["household_note"],
            success=_("Saved."),
        )
        if done.ok:
            return redirect("people:resident_detail", resident.public_id)
    detail = reverse("people:resident_detail", args=[resident.public_id])
    return _page(
        request, form, title=_("Change %(name)s") % {"name": resident.name}, cancel_url=detail, status=400
    )


# Applicants


def _applicant_choices(request: AuthedRequest) -> dict[str, Any]:
    user = request.user
    scope = scope_for(user)
    own_units = (
        Unit.objects.all()
        if scope.everything
        else Unit.objects.filter(pk__in=scope.units_for(Role.UNIT_ADMIN))
    )
    areas = Area.objects.filter(pk__in=kept_areas(user).values("pk")) | Area.objects.filter(
        pk__in=own_units.values("address_area")
    )
    return {
        "areas": areas.order_by("path"),
        "units": Unit.objects.visible_to(user).order_by("name"),
        "orgs": PartyOrg.objects.visible_to(user).order_by("path"),
    }


@role_required(*R.APPLICANT_KEEPER_ROLES)
def applicant_new(request: AuthedRequest) -> HttpResponse:
    form = ApplicantForm(request.POST or None, **_applicant_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            applicants.register_applicant,
            form=form,
            name=data["name"],
            gender=data["gender"],
            phone=data["phone"],
            id_number=data["id_number"],
            area=data["area"],
            unit=data["unit"],
            party_org=data["party_org"],
            applied_on=data["applied_on"],
            success=_("The applicant is registered."),
        )
        if done.ok and done.result is not None:
            return redirect("people:applicant_detail", done.result.public_id)
    return _page(
        request,
        form,
        title=_("Register an applicant"),
        cancel_url=reverse("people:applicant_list"),
        status=400,
    )


def _applicant(request: AuthedRequest, public_id) -> Applicant:
    return get_visible_or_404(
        Applicant.objects.select_related("party_org", "area", "unit"), request.user, public_id
    )


@role_required(*R.APPLICANT_KEEPER_ROLES)
def applicant_edit(request: AuthedRequest, public_id) -> HttpResponse:
    applicant = _applicant(request, public_id)
    initial = {"name": applicant.name, "gender": applicant.gender, "party_org": applicant.party_org}
    form = ApplicantForm(request.POST or None, initial=initial, editing=True, **_applicant_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = run_action(
            request,
            applicants.update_applicant,
            form=form,
            applicant=applicant,
            name=data["name"],
            gender=data["gender"],
            phone=data["phone"] or None,
            id_number=data["id_number"] or None,
            party_org=data["party_org"],
            success=_("Saved."),
        )
        if done.ok:
            return redirect("people:applicant_detail", applicant.public_id)
    detail = reverse("people:applicant_detail", args=[applicant.public_id])
    return _page(
        request, form, title=_("Change %(name)s") % {"name": applicant.name}, cancel_url=detail, status=400
    )


@role_required(*R.APPLICANT_KEEPER_ROLES)
def applicant_advance(request: AuthedRequest, public_id) -> HttpResponse:
    """The next step, on a date: GET shows the form with the earliest date allowed; POST moves."""
    applicant = _applicant(request, public_id)
    stage = applicants.next_stage(applicant)
    if stage is None:
        raise Http404
    earliest = applicants.earliest_on(applicant, stage)
    initial = {"stage": stage.value, "on": max(earliest or timezone.localdate(), timezone.localdate())}
    form = AdvanceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            request,
            applicants.advance_applicant,
            form=form,
            applicant=applicant,
            stage=form.cleaned_data["stage"],
            on=form.cleaned_data["on"],
            success=_("%(name)s moved to the next step.") % {"name": applicant.name},
        )
        if done.ok:
            return redirect("people:applicant_detail", applicant.public_id)
    notice = _("Next step: %(step)s. At least %(months)s months after the step before%(earliest)s.") % {
        "step": stage.label,
        "months": applicants.MIN_MONTHS[stage],
        "earliest": f" ({earliest.isoformat()})" if earliest else "",
    }
    detail = reverse("people:applicant_detail", args=[applicant.public_id])
    return _page(
        request,
        form,
        title=stage.label,
        subtitle=applicant.name,
        notice=notice,
        cancel_url=detail,
        submit=_("Record the step"),
        status=400,
    )


# The area registries


def _registry(kind: str):
    model = registries.REGISTRY_KINDS.get(kind)
    if model is None:
        raise Http404
    return model


def _registry_choices(request: AuthedRequest) -> dict[str, Any]:
    return {
        "areas": kept_areas(request.user),
        "units": Unit.objects.visible_to(request.user).order_by("name"),
        "orgs": PartyOrg.objects.visible_to(request.user).order_by("path"),
    }


def _registry_list_url(kind: str) -> str:
    return reverse(f"people:{kind}_list")


def _save_entry(
    request: AuthedRequest, form: Any, model: Any, *, entry: Any = None, success: str | Promise
) -> bool:
    """Save a registry entry from its valid form (a new one when ``entry`` is None): the common fields
    by name, the rest as the registry's own; whether it was saved (a refusal is on the form)."""
    data = dict(form.cleaned_data)
    done = run_action(
        request,
        registries.save_registry_entry,
        form=form,
        model=model,
        entry=entry,
        name=data.pop("name"),
        area=data.pop("area"),
        unit=data.pop("unit"),
        fields=data,
        success=success,
    )
    return done.ok


@role_required(*R.KEEPER_ROLES)
def registry_new(request: AuthedRequest, kind: str) -> HttpResponse:
    model = _registry(kind)
    form = registry_form_class(model)(request.POST or None, **_registry_choices(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_entry(request, form, model, success=_("Added."))
    ):
        return redirect(_registry_list_url(kind))
    title = _("Add: %(registry)s") % {"registry": model._meta.verbose_name}
    return _page(request, form, title=title, cancel_url=_registry_list_url(kind), status=400)


@role_required(*R.KEEPER_ROLES)
def registry_edit(request: AuthedRequest, kind: str, public_id) -> HttpResponse:
    model = _registry(kind)
    entry = get_visible_or_404(model, request.user, public_id)
    own = registries.REGISTRY_FIELDS[model]
    initial = {
        "name": entry.name,
        "area": entry.area,
        "unit": entry.unit,
        **{f: getattr(entry, f) for f in own},
    }
    form = registry_form_class(model)(request.POST or None, initial=initial, **_registry_choices(request))
    if (
        request.method == "POST"
        and form.is_valid()
        and _save_entry(request, form, model, entry=entry, success=_("Saved."))
    ):
        return redirect(_registry_list_url(kind))
    retired = entry.retired_on is not None
    return _page(
        request,
        form,
        title=entry.name,
        subtitle=model._meta.verbose_name,
        notice=(_("Retired on %(on)s: %(reason)s") % {"on": entry.retired_on, "reason": entry.retired_reason})
        if retired
        else "",
        cancel_url=_registry_list_url(kind),
        retire_form=None if retired else ReasonForm(),
        retire_url=reverse("people:registry_retire", args=[kind, entry.public_id]),
        status=400,
    )


@require_POST
@role_required(*R.KEEPER_ROLES)
def registry_retire(request: AuthedRequest, kind: str, public_id) -> HttpResponse:
    model = _registry(kind)
    entry = get_visible_or_404(model, request.user, public_id)
    form = ReasonForm(request.POST)
    form.is_valid()
    done = run_action(
        request,
        registries.retire_registry_entry,
        entry=entry,
        reason=form.cleaned_data.get("reason", ""),
        success=_("%(name)s is retired.") % {"name": entry.name},
    )
    if done.ok:
        return redirect(_registry_list_url(kind))
    return redirect("people:registry_edit", kind, entry.public_id)
