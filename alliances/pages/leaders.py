"""Leader links (领导挂钩联系): the list with the link form, and a link's page with its visits, the
problems and cases taken up, and the visit log form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles as R
from accounts.decorators import role_required
from accounts.models import Role, User
from accounts.scope import scope_for
from alliances import leaders as actions
from alliances.models import LeaderLink
from cases.models import Case
from gongjian.pages import get_visible_or_404, paginate, run_action
from places.forms import PublicIdChoiceField, PublicIdMultipleChoiceField
from places.models import Area, AreaLevel
from service.forms import StyledForm

LEADER_ROLES = (*R.AREA_ROLES, Role.MEMBER)  # the areas' staff, and a leader with an account
LINK_ROLES = (Role.ORG_DEPT, Role.STREET)
PER_PAGE = 25
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LinkForm(StyledForm):
    community = PublicIdChoiceField(Area.objects.none(), label=_("Community"), widget=forms.Select)
    leader_name = forms.CharField(label=_("Leader"), max_length=32)
    leader_title = forms.CharField(label=_("Title"), max_length=80)
    leader = PublicIdChoiceField(
        User.objects.none(),
        label=_("The leader's account"),
        required=False,
        widget=forms.Select,
        help_text=_("With an account the leader logs visits themself."),
    )
    started_on = forms.DateField(label=_("Since"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
        if not scope.everything:
            communities = communities.filter(scope.area_q("path"))
        self.fields["community"].queryset = communities.order_by("path")
        self.fields["leader"].queryset = (
            User.objects.filter(
                role_grants__role__in=(Role.ORG_DEPT, Role.STREET, Role.MEMBER), is_active=True
            )
            .distinct()
            .order_by("full_name", "username")
        )


class VisitForm(StyledForm):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    problems = forms.CharField(
        label=_("Problems taken up"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cases = PublicIdMultipleChoiceField(
        Case.objects.none(), label=_("Cases taken up"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user, link: LeaderLink, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = (
            Case.objects.visible_to(user).filter(community=link.community).order_by("-reported_at")
        )
        self.fields["cases"].widget.attrs.pop("class", None)


@require_http_methods(["GET", "POST"])
@role_required(*LEADER_ROLES)
def leader_list(request: HttpRequest) -> HttpResponse:
    """The leader links the viewer may see; the organisation department and the street link leaders."""
    user = request.user
    can_link = scope_for(user).has(*LINK_ROLES)
    form = LinkForm(user=user, initial={"started_on": timezone.localdate()}) if can_link else None
    if request.method == "POST":
        if not can_link:
            raise PermissionDenied
        form = LinkForm(request.POST, user=user)
        if form.is_valid():
            outcome = run_action(
                request,
                actions.link_leader,
                form=form,
                success=_("The leader is linked."),
                **form.cleaned_data,
            )
            if outcome.ok:
                return redirect("alliances:leader_detail", outcome.result.public_id)
    links = (
        LeaderLink.objects.visible_to(user)
        .select_related("community")
        .annotate(visit_count=Count("visits"), last_visit=Max("visits__visited_on"))
        .order_by("ended_on", "community_path", "leader_name")
    )
    pager = paginate(request, links, per_page=PER_PAGE)
    return render(request, "alliances/leader_list.html", {"pager": pager, "form": form})


@require_http_methods(["GET", "POST"])
@role_required(*LEADER_ROLES)
def leader_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A link's visits and the cases taken up; the leader or the community's staff log a visit."""
    user = request.user
    link = get_visible_or_404(LeaderLink.objects.select_related("community", "leader"), user, public_id)
    may_log = actions.logs_visits(user, link) and link.ended_on is None
    form = VisitForm(user=user, link=link, initial={"visited_on": timezone.localdate()}) if may_log else None
    if request.method == "POST":
        if not may_log:
            raise PermissionDenied
        form = VisitForm(request.POST, user=user, link=link)
        if (
            form.is_valid()
            and run_action(
                request,
                actions.log_visit,
                form=form,
                success=_("The visit is logged."),
                link=link,
                **form.cleaned_data,
            ).ok
        ):
            return redirect("alliances:leader_detail", link.public_id)
    visits = link.visits.select_related("recorded_by").prefetch_related(
        Prefetch("cases", queryset=Case.objects.visible_to(user).only("public_id", "title", "number"))
    )
    return render(
        request,
        "alliances/leader_detail.html",
        {
            "link": link,
            "visits": visits,
            "form": form,
            "can_end": link.ended_on is None and actions.links_leaders(user, link.community),
        },
    )


@require_POST
@role_required(*LINK_ROLES)
def leader_end(request: HttpRequest, public_id) -> HttpResponse:
    link = get_visible_or_404(LeaderLink, request.user, public_id)
    run_action(request, actions.end_link, success=_("The link has ended."), link=link)
    return redirect("alliances:leader_detail", link.public_id)


urlpatterns: list = [
    path("alliances/leaders/", leader_list, name="leader_list"),
    path("alliances/leaders/<uuid:public_id>/", leader_detail, name="leader_detail"),
    path("alliances/leaders/<uuid:public_id>/end/", leader_end, name="leader_end"),
]

__all__ = ["LEADER_ROLES"]
