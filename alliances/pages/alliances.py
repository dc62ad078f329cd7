"""The alliance's own pages: found one (street or community staff), its member units (add, remove, each
unit's state), its posts (appoint, end), the printable plaque (标识牌) of a member unit with a QR code to the
public page, and that public page (no sign-in: public facts only)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from access import staffed_areas
from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role, RoleGrant, User
from alliances import posts as post_actions
from alliances.access import leads
from alliances.members import add_member_unit, create_alliance, remove_member_unit
from alliances.models import (
    Activity,
    Agreement,
    AgreementState,
    Alliance,
    AllianceKind,
    AllianceMember,
    AlliancePost,
    ChairTurn,
    OpenTo,
    PostRole,
)
from audit.actions import record_event
from gongjian.pages import get_visible_or_404, parse_uuids, public_id_or_404, run_action
from orgs.models import PartyOrg, Unit
from places.forms import PublicIdChoiceField, PublicIdMultipleChoiceField
from places.models import Area
from places.paths import subtree_q
from service.forms import StyledForm

# Who opens the alliances' pages (visible_to narrows to their own alliances): the areas, the member
# units' admins, departments and inspectors, and post holders (members, grid workers).
ALLIANCE_READ_ROLES = (
    *R.AREA_ROLES,
    Role.UNIT_ADMIN,
    Role.DEPARTMENT,
    Role.INSPECTOR,
    Role.MEMBER,
    Role.GRID_WORKER,
)
FOUND_ROLES = (Role.STREET, Role.COMMUNITY)


# --- unit states -------------------------------------------------------------------------------------
def member_rows(alliance: Alliance, day=None) -> list[AllianceMember]:
    """The current member units, each with ``state`` (active / expired / no agreement) and
    ``agreement`` (the newest signed one), in two queries."""
    day = day or timezone.localdate()
    signed = Agreement.objects.filter(
        alliance=alliance, state__in=(AgreementState.SIGNED, AgreementState.RENEWED)
    ).order_by("-ends_on")
    members = list(alliance.members.current().select_related("unit").order_by("unit__name"))
    by_unit: dict[int, list[Agreement]] = {}
    for agreement in signed:
        by_unit.setdefault(agreement.unit_id, []).append(agreement)
    for member in members:
        agreements = by_unit.get(member.unit_id, [])
        in_force = next((a for a in agreements if a.in_force(day)), None)
        member.agreement = in_force or (agreements[0] if agreements else None)
        if in_force is not None:
            member.state, member.state_label = "active", _("Active")
        elif any(a.state == AgreementState.SIGNED and a.ends_on < day for a in agreements):
            member.state, member.state_label = "expired", _("Agreement expired")
        else:
            member.state, member.state_label = "none", _("No agreement in force")
    return members


# --- founding --------------------------------------------------------------------------------------------
class FoundForm(StyledForm):
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=AllianceKind.choices)
    area = PublicIdChoiceField(Area.objects.none(), label=_("Led from"), widget=forms.Select)
    lead_org = PublicIdChoiceField(
        PartyOrg.objects.none(), label=_("Lead party organisation"), required=False, widget=forms.Select
    )
    charter = forms.CharField(
        label=_("Covenant"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    founded_on = forms.DateField(
        label=_("Founded on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = staffed_areas(user).order_by("path")
        self.fields["area"].queryset = areas
        self.fields["lead_org"].queryset = PartyOrg.objects.filter(area__in=areas).order_by("code")


@require_http_methods(["GET", "POST"])
@role_required(*FOUND_ROLES)
def create(request: HttpRequest) -> HttpResponse:
    """A street's or community's party organisation founds an alliance."""
    form = FoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_action(
            request,
            create_alliance,
            form=form,
            success=_("The alliance is founded. Add its member units."),
            name=d["name"],
            kind=d["kind"],
            area=d["area"],
            lead_org=d["lead_org"],
            charter=d["charter"],
            founded_on=d["founded_on"],
        )
        if outcome.ok:
            return redirect("alliances:members", outcome.result.public_id)
    return render(request, "alliances/alliance_create.html", {"form": form})


# --- members ---------------------------------------------------------------------------------------------
class AddUnitForm(StyledForm):
    unit = PublicIdChoiceField(Unit.objects.none(), label=_("Unit"), widget=forms.Select)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.filter(subtree_q("address_area__path", alliance.area_path))
            .exclude(pk__in=alliance.members.current().values("unit_id"))
            .order_by("name")
        )


class RemoveUnitForm(StyledForm):
    member = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=200)


def _alliance(request, public_id) -> Alliance:
    return get_visible_or_404(Alliance.objects.select_related("area", "lead_org"), request.user, public_id)


@require_http_methods(["GET", "POST"])
@role_required(*ALLIANCE_READ_ROLES)
def members(request: HttpRequest, public_id) -> HttpResponse:
    """The member units and each one's state; the lead adds and removes units."""
    alliance = _alliance(request, public_id)
    is_lead = leads(request.user, alliance)
    add_form = AddUnitForm(alliance=alliance, prefix="add")
    remove_form = RemoveUnitForm(prefix="remove")
    if request.method == "POST":
        if not is_lead:
            raise PermissionDenied
        if "add-unit" in request.POST:
            add_form = AddUnitForm(request.POST, alliance=alliance, prefix="add")
            if (
                add_form.is_valid()
                and run_action(
                    request,
                    add_member_unit,
                    form=add_form,
                    success=_("The unit has joined. Draft its agreement next."),
                    alliance=alliance,
                    unit=add_form.cleaned_data["unit"],
                    note=add_form.cleaned_data["note"],
                ).ok
            ):
                return redirect("alliances:members", alliance.public_id)
        else:
            remove_form = RemoveUnitForm(request.POST, prefix="remove")
            if remove_form.is_valid():
                member = get_object_or_404(
                    AllianceMember, alliance=alliance, public_id=remove_form.cleaned_data["member"]
                )
                if run_action(
                    request,
                    remove_member_unit,
                    form=remove_form,
                    field="reason",
                    success=_("The unit has left the alliance."),
                    member=member,
                    reason=remove_form.cleaned_data["reason"],
                ).ok:
                    return redirect("alliances:members", alliance.public_id)
    rows = member_rows(alliance)
    return render(
        request,
        "alliances/alliance_members.html",
        {
            "alliance": alliance,
            "rows": rows,
            "is_lead": is_lead,
            "add_form": add_form,
            "remove_form": remove_form,
            "counts": {s: sum(1 for r in rows if r.state == s) for s in ("active", "expired", "none")},
        },
    )


# --- posts -----------------------------------------------------------------------------------------------
class AppointForm(StyledForm):
    role = forms.ChoiceField(label=_("Post"), choices=PostRole.choices)
    user = PublicIdChoiceField(User.objects.none(), label=_("Holder"), widget=forms.Select)
    unit = PublicIdChoiceField(Unit.objects.none(), label=_("From unit"), required=False, widget=forms.Select)
    followed_units = PublicIdMultipleChoiceField(
        Unit.objects.none(),
        label=_("Units followed (inspectors)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, alliance, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(pk__in=alliance.members.current().values("unit_id")).order_by("name")
        self.fields["unit"].queryset = units
        self.fields["followed_units"].queryset = units
        self.fields["followed_units"].widget.attrs.pop("class", None)
        grants = RoleGrant.objects.filter(
            subtree_q("area__path", alliance.area_path)
            | Q(unit__in=units)
            | Q(grid__street=alliance.area)
            | Q(grid__community=alliance.area)
            | Q(role=Role.MEMBER, user__member__unit__in=units)
        )
        self.fields["user"].queryset = User.objects.filter(pk__in=grants.values("user_id")).order_by(
            "full_name", "username"
        )


class EndPostForm(StyledForm):
    post = forms.UUIDField(widget=forms.HiddenInput)


@require_http_methods(["GET", "POST"])
@role_required(*ALLIANCE_READ_ROLES)
def posts(request: HttpRequest, public_id) -> HttpResponse:
    """The alliance's committee and four roles; the lead appoints and ends posts."""
    alliance = _alliance(request, public_id)
    is_lead = leads(request.user, alliance)
    form = AppointForm(alliance=alliance, prefix="appoint")
    if request.method == "POST":
        if not is_lead:
            raise PermissionDenied
        if "appoint-role" in request.POST:
            form = AppointForm(request.POST, alliance=alliance, prefix="appoint")
            if form.is_valid():
                d = form.cleaned_data
                if run_action(
                    request,
                    post_actions.appoint,
                    form=form,
                    success=_("The post is given."),
                    alliance=alliance,
                    role=d["role"],
                    user=d["user"],
                    unit=d["unit"],
                    followed_units=d["followed_units"],
                ).ok:
                    return redirect("alliances:posts", alliance.public_id)
        elif "follow-post" in request.POST:
            post = get_object_or_404(
                AlliancePost, alliance=alliance, public_id=public_id_or_404(request.POST["follow-post"])
            )
            chosen = parse_uuids(request.POST.getlist("follow-units"))
            run_action(
                request,
                post_actions.change_followed_units,
                success=_("The units the inspector follows are changed."),
                post=post,
                followed_units=list(Unit.objects.filter(public_id__in=chosen)),
            )
            return redirect("alliances:posts", alliance.public_id)
        else:
            end = EndPostForm(request.POST)
            if end.is_valid():
                post = get_object_or_404(AlliancePost, alliance=alliance, public_id=end.cleaned_data["post"])
                run_action(request, post_actions.end_post, success=_("The post has ended."), post=post)
            return redirect("alliances:posts", alliance.public_id)
    current = (
        alliance.posts.current()
        .select_related("unit")
        .prefetch_related("followed_units")
        .order_by("role", "started_on", "id")
    )
    return render(
        request,
        "alliances/alliance_posts.html",
        {
            "alliance": alliance,
            "posts": current,
            "is_lead": is_lead,
            "form": form,
            "member_units": form.fields["unit"].queryset if is_lead else [],
        },
    )


# --- the plaque and the public page ------------------------------------------------------------------------
@require_GET
@role_required(*ALLIANCE_READ_ROLES)
def plaque(request: HttpRequest, public_id) -> HttpResponse:
    """The member unit's plaque (标识牌) as a PDF, with a QR code to the alliance's public page."""
    from checkin.pdf import chinese_date, pdf_response, qr_data_uri, render_pdf

    member = get_visible_or_404(
        AllianceMember.objects.select_related("alliance", "alliance__lead_org", "unit"),
        request.user,
        public_id,
    )
    if member.left_on is not None:
        raise Http404
    alliance = member.alliance
    url = request.build_absolute_uri(reverse("alliances:public", args=[alliance.public_id]))
    pdf = render_pdf(
        "alliances/pdf/plaque.html",
        {
            "alliance": alliance,
            "member": member,
            "qr": qr_data_uri(url),
            "url": url,
            "joined": chinese_date(member.joined_on),
        },
        request=request,
    )
    record_event(actor=request.user, action="alliances.plaque_printed", request=request, target=member)
    return pdf_response(pdf, f"plaque-{member.public_id}.pdf")


@require_GET
def public(request: HttpRequest, public_id) -> HttpResponse:
    """What anyone who scans a plaque sees: the alliance, its lead, member units, covenant, this month's
    chair and its next public activities. No names or phones of people; posts appear by title only."""
    alliance = get_object_or_404(Alliance.objects.select_related("area", "lead_org"), public_id=public_id)
    today = timezone.localdate()
    units = [m.unit for m in alliance.members.current().select_related("unit").order_by("unit__name")]
    chair = (
        ChairTurn.objects.filter(alliance=alliance, month=today.replace(day=1)).select_related("unit").first()
    )
    activities = list(
        Activity.objects.filter(alliance=alliance)
        .upcoming()
        .filter(open_to__in=(OpenTo.EVERYONE, OpenTo.RESIDENTS))
        .order_by("starts_at")[:5]
    )
    roles = sorted(
        {PostRole(p).label for p in alliance.posts.current().values_list("role", flat=True)}, key=str
    )
    return render(
        request,
        "alliances/alliance_public.html",
        {"alliance": alliance, "units": units, "chair": chair, "activities": activities, "roles": roles},
    )


urlpatterns: list = [
    path("alliances/new/", create, name="create"),
    path("alliances/<uuid:public_id>/members/", members, name="members"),
    path("alliances/<uuid:public_id>/posts/", posts, name="posts"),
    path("alliances/members/<uuid:public_id>/plaque.pdf", plaque, name="plaque"),
    path("a/<uuid:public_id>/", public, name="public"),
]

__all__ = ["ALLIANCE_READ_ROLES", "member_rows"]
