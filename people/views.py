"""Pages for members, residents and the registries. Every lookup goes through visible_to(user)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_filters import FilterSet
from django_tables2 import RequestConfig, Table

from accounts import roles as R
from accounts.decorators import role_required
from accounts.scope import scope_for
from gongjian.pages import AuthedRequest, CappedPaginator, get_visible_or_404, lookup_or_404
from people.actions import REVEALABLE, can_reveal, find_for_reveal, reveal_number
from people.filters import ApplicantFilter, MemberFilter, NamedFilter, ResidentFilter
from people.homes import may_move
from people.keepers import keeps_applicant, keeps_area, speaks_for_org
from people.leaving import may_end_membership
from people.models import (
    Applicant,
    ApplicantStage,
    CommercialBuilding,
    LeavingReason,
    Member,
    RegistryEntry,
    Resident,
    SensitiveNumbers,
    TradeUnion,
    YouthLeagueOrg,
)
from people.tables import (
    ApplicantTable,
    CommercialBuildingTable,
    MemberTable,
    ResidentTable,
    TradeUnionTable,
    YouthLeagueOrgTable,
    stage_badge,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PER_PAGE = 25
SEARCH_HINTS = {
    MemberFilter: _("Name, initials (zsf) or last 4 phone digits"),
    ResidentFilter: _("Name, initials or last 4 phone digits"),
}


def _style_filter_form(form: forms.Form, search_hint=None) -> forms.Form:
    """Bootstrap classes on the filter widgets, and "All" instead of dashes for an empty choice."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
        if isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("All")
        elif isinstance(field, forms.ChoiceField):  # the widget holds its own copy of the choices
            widget.choices = [("", _("All")), *[choice for choice in widget.choices if choice[0] != ""]]
        widget.attrs["class"] = (
            "form-select form-select-sm"
            if isinstance(widget, forms.Select)
            else "form-control form-control-sm"
        )
        if name == "q":
            widget.attrs.update(
                placeholder=search_hint or _("Search by name"), type="search", autocomplete="off"
            )
    return form


def list_page(
    request: AuthedRequest,
    *,
    title,
    queryset,
    filterset_class: type[FilterSet],
    table_class: type[Table],
    export_kind: str,
    breadcrumbs: list[dict] | None = None,
    new: tuple[str, StrOrPromise] | None = None,
) -> HttpResponse:
    """Filter, sort and paginate one list; the same page shape for every people list."""
    filterset = filterset_class(request.GET, queryset=queryset, request=request)
    form = _style_filter_form(filterset.form, SEARCH_HINTS.get(filterset_class))
    table = table_class(filterset.qs)
    RequestConfig(request, paginate={"paginator_class": CappedPaginator, "per_page": PER_PAGE}).configure(
        table
    )
    more_fields = [field for field in form if field.name != "q"]
    return render(
        request,
        "people/list.html",
        {
            "title": title,
            "table": table,
            "total": table.paginator.count,
            "total_label": table.paginator.total_label,
            "form": form,
            "more_fields": more_fields,
            "filters_active": any(
                request.GET.get(field.name) not in (None, "", "unknown") for field in more_fields
            ),
            "searching": any(request.GET.get(field.name) not in (None, "", "unknown") for field in form),
            "export_kind": export_kind,
            "breadcrumbs": breadcrumbs or [],
            "new_url": new[0] if new else "",
            "new_label": new[1] if new else "",
        },
    )


def _new_button(
    request: AuthedRequest, roles, viewname: str, label, *args: str
) -> tuple[str, StrOrPromise] | None:
    """The list's "add" button, for the roles that keep the list."""
    return (reverse(viewname, args=args), label) if scope_for(request.user).has(*roles) else None


def _crumb_to_list(request: AuthedRequest, label, viewname: str, roles) -> dict:
    """A breadcrumb to a list, linked only for users the list admits."""
    return {"label": label, "url": reverse(viewname) if scope_for(request.user).has(*roles) else ""}


def _reveal_response(request: AuthedRequest, person: SensitiveNumbers, field: str) -> HttpResponse:
    """The htmx fragment with the full number, or a refusal (403); reveal_number audits both."""
    try:
        value = reveal_number(acting_user=request.user, person=person, field=field, request=request)
    except PermissionDenied:
        return render(request, "people/_reveal.html", {"refused": True}, status=403)
    return render(request, "people/_reveal.html", {"value": value, "field": field})


# Members


def _members(request: AuthedRequest):
    return Member.objects.visible_to(request.user).select_related("unit", "party_org", "residence_area")


@role_required(*R.MEMBER_LIST_ROLES)
def member_list(request: AuthedRequest) -> HttpResponse:
    return list_page(
        request,
        title=_("Members"),
        queryset=_members(request),
        filterset_class=MemberFilter,
        table_class=MemberTable,
        export_kind="members",
    )


def _member(request: AuthedRequest, public_id: object) -> Member:
    return lookup_or_404(
        _members(request).select_related("residence_compound", "residence_building"), public_id
    )


@role_required(*R.MEMBER_DETAIL_ROLES)
def member_detail(request: AuthedRequest, public_id) -> HttpResponse:
    member = _member(request, public_id)
    return render(
        request,
        "people/member_detail.html",
        {
            "member": member,
            "posts": member.posts.select_related("party_org").order_by("ended_on", "-started_on"),
            "can_reveal": {field: can_reveal(request.user, member, field) for field in REVEALABLE},
            "can_transfer": speaks_for_org(request.user, member.party_org),
            "can_move": may_move(request.user, member),
            "can_end": may_end_membership(request.user, member),
            "leaving_reasons": LeavingReason.choices,
            "breadcrumbs": [
                _crumb_to_list(request, _("Members"), "people:member_list", R.MEMBER_LIST_ROLES),
                {"label": member.name, "url": ""},
            ],
        },
    )


@never_cache
@require_POST
@role_required(*R.MEMBER_DETAIL_ROLES)
def member_reveal(request: AuthedRequest, public_id, field: str) -> HttpResponse:
    if field not in REVEALABLE:
        raise Http404
    person = find_for_reveal(
        acting_user=request.user,
        queryset=_members(request),
        public_id=public_id,
        field=field,
        request=request,
    )
    return _reveal_response(request, person, field)


# Residents


def _residents(request: AuthedRequest):
    return Resident.objects.visible_to(request.user).select_related(
        "residence_area", "residence_compound", "residence_building"
    )


@role_required(*R.RESIDENT_LIST_ROLES)
def resident_list(request: AuthedRequest) -> HttpResponse:
    return list_page(
        request,
        title=_("Residents"),
        queryset=_residents(request),
        filterset_class=ResidentFilter,
        table_class=ResidentTable,
        export_kind="residents",
        new=_new_button(request, R.KEEPER_ROLES, "people:resident_new", _("Add a resident")),
    )


def _resident(request: AuthedRequest, public_id: object) -> Resident:
    return lookup_or_404(_residents(request).select_related("residence_building__grid"), public_id)


@role_required(*R.RESIDENT_DETAIL_ROLES)
def resident_detail(request: AuthedRequest, public_id) -> HttpResponse:
    resident = _resident(request, public_id)
    return render(
        request,
        "people/resident_detail.html",
        {
            "resident": resident,
            "can_reveal": {field: can_reveal(request.user, resident, field) for field in REVEALABLE},
            "can_edit": keeps_area(request.user, resident.residence_area),
            "breadcrumbs": [
                _crumb_to_list(request, _("Residents"), "people:resident_list", R.RESIDENT_LIST_ROLES),
                {"label": resident.name, "url": ""},
            ],
        },
    )


@never_cache
@require_POST
@role_required(*R.RESIDENT_DETAIL_ROLES)
def resident_reveal(request: AuthedRequest, public_id, field: str) -> HttpResponse:
    if field not in REVEALABLE:
        raise Http404
    person = find_for_reveal(
        acting_user=request.user,
        queryset=_residents(request),
        public_id=public_id,
        field=field,
        request=request,
    )
    return _reveal_response(request, person, field)


# Registries (Changning's databases)

REGISTRIES: list[tuple[str, StrOrPromise, type[Applicant | RegistryEntry], StrOrPromise]] = [
    # (url name, label, model, one-line description)
    (
        "people:applicant_list",
        _("Party applicants"),
        Applicant,
        _("From application to full membership, stage by stage."),
    ),
    (
        "people:commercial_building_list",
        _("Commercial buildings"),
        CommercialBuilding,
        _("Office buildings, their party organisations and the firms inside."),
    ),
    ("people:trade_union_list", _("Trade unions"), TradeUnion, _("Trade unions of the units in the area.")),
    (
        "people:youth_league_org_list",
        _("Youth league organisations"),
        YouthLeagueOrg,
        _("Communist Youth League organisations in the area."),
    ),
]


def _registry_crumbs(label, request: AuthedRequest | None = None) -> list[dict]:
    """Registries › label; the index linked only for those it admits (a unit's admin reads applicants)."""
    index = reverse("people:registry_index")
    if request is not None and not scope_for(request.user).has(*R.REGISTRY_ROLES):
        index = ""
    return [{"label": _("Registries"), "url": index}, {"label": label, "url": ""}]


@role_required(*R.REGISTRY_ROLES)
def registry_index(request: AuthedRequest) -> HttpResponse:
    cards = [
        {
            "url": reverse(name),
            "label": label,
            "description": description,
            "count": model.objects.visible_to(request.user).count(),
        }
        for name, label, model, description in REGISTRIES
    ]
    return render(request, "people/registry_index.html", {"cards": cards})


@role_required(*R.APPLICANT_ROLES)
def applicant_list(request: AuthedRequest) -> HttpResponse:
    queryset = Applicant.objects.visible_to(request.user).select_related("party_org", "area")
    return list_page(
        request,
        title=_("Party applicants"),
        queryset=queryset,
        filterset_class=ApplicantFilter,
        table_class=ApplicantTable,
        export_kind="applicants",
        new=_new_button(
            request, R.APPLICANT_KEEPER_ROLES, "people:applicant_new", _("Register an applicant")
        ),
        breadcrumbs=_registry_crumbs(_("Party applicants"), request),
    )


APPLICANT_STEPS = [
    (ApplicantStage.APPLIED, "applied_on"),
    (ApplicantStage.ACTIVIST, "activist_on"),
    (ApplicantStage.DEVELOPMENT, "development_on"),
    (ApplicantStage.PROBATIONARY, "probationary_on"),
    (ApplicantStage.FULL, "full_on"),
]


def applicant_steps(applicant: Applicant) -> list[dict]:
    """The five steps to full membership: done, current, or still ahead."""
    current = [stage for stage, _field in APPLICANT_STEPS].index(ApplicantStage(applicant.stage))
    return [
        {
            "label": stage.label,
            "date": getattr(applicant, field),
            "done": i < current,
            "current": i == current,
            "ahead": i > current,
        }
        for i, (stage, field) in enumerate(APPLICANT_STEPS)
    ]


@role_required(*R.APPLICANT_ROLES)
def applicant_detail(request: AuthedRequest, public_id) -> HttpResponse:
    applicant = get_visible_or_404(
        Applicant.objects.select_related("party_org", "area", "unit"), request.user, public_id
    )
    crumbs = _registry_crumbs(_("Party applicants"), request)
    crumbs[-1]["url"] = reverse("people:applicant_list")
    return render(
        request,
        "people/applicant_detail.html",
        {
            "applicant": applicant,
            "stage_badge": stage_badge(applicant.stage, applicant.get_stage_display()),
            "steps": applicant_steps(applicant),
            "can_edit": keeps_applicant(request.user, applicant),
            "breadcrumbs": [*crumbs, {"label": applicant.name, "url": ""}],
        },
    )


@role_required(*R.REGISTRY_ROLES)
def commercial_building_list(request: AuthedRequest) -> HttpResponse:
    queryset = CommercialBuilding.objects.visible_to(request.user).select_related("area", "party_org")
    return list_page(
        request,
        title=_("Commercial buildings"),
        queryset=queryset,
        filterset_class=NamedFilter,
        table_class=CommercialBuildingTable,
        export_kind="commercial_buildings",
        new=_new_button(
            request,
            R.KEEPER_ROLES,
            "people:registry_new",
            _("Add a commercial building"),
            "commercial_building",
        ),
        breadcrumbs=_registry_crumbs(_("Commercial buildings")),
    )


@role_required(*R.REGISTRY_ROLES)
def trade_union_list(request: AuthedRequest) -> HttpResponse:
    queryset = TradeUnion.objects.visible_to(request.user).select_related("area", "unit")
    return list_page(
        request,
        title=_("Trade unions"),
        queryset=queryset,
        filterset_class=NamedFilter,
        table_class=TradeUnionTable,
        export_kind="trade_unions",
        new=_new_button(
            request, R.KEEPER_ROLES, "people:registry_new", _("Add a trade union"), "trade_union"
        ),
        breadcrumbs=_registry_crumbs(_("Trade unions")),
    )


@role_required(*R.REGISTRY_ROLES)
def youth_league_org_list(request: AuthedRequest) -> HttpResponse:
    queryset = YouthLeagueOrg.objects.visible_to(request.user).select_related("area", "unit")
    return list_page(
        request,
        title=_("Youth league organisations"),
        queryset=queryset,
        filterset_class=NamedFilter,
        table_class=YouthLeagueOrgTable,
        export_kind="youth_league_orgs",
        new=_new_button(
            request,
            R.KEEPER_ROLES,
            "people:registry_new",
            _("Add a youth league organisation"),
            "youth_league_org",
        ),
        breadcrumbs=_registry_crumbs(_("Youth league organisations")),
    )
