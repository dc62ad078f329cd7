"""The leader links' API: /api/v1/leader-links (list, one, link, end) and their visits. Reads go through
``LeaderLink.objects.visible_to``; writes call alliances/leaders.py."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.models import User
from alliances import leaders as actions
from alliances.models import LeaderLink, LeaderVisit
from alliances.pages.leaders import LEADER_ROLES, LINK_ROLES
from alliances.schemas_agree import (
    LeaderLinkIn,
    LeaderLinkOut,
    LeaderLinkQuery,
    LeaderVisitIn,
    LeaderVisitOut,
)
from cases.models import Case
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from places.models import Area, AreaLevel

router = Router(tags=["alliances"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _links(request: HttpRequest) -> QuerySet[LeaderLink]:
    return LeaderLink.objects.visible_to(request.auth).select_related("community")


def _visit_out(visit: LeaderVisit) -> dict:
    return {
        "public_id": visit.public_id,
        "visited_on": visit.visited_on,
        "note": visit.note,
        "problems": visit.problems,
        "cases": [c.public_id for c in visit.cases.all()],
    }


@router.get(
    "/leader-links",
    response=list[LeaderLinkOut],
    operation_id="list_leader_links",
    description="Leaders linked to the communities of the caller's areas, and the caller's own links. "
    "Roles: the areas, members (a leader with an account); else 403.",
)
@paginate(ListPage)
def list_links(request: HttpRequest, filters: Query[LeaderLinkQuery]):
    require_roles(request, LEADER_ROLES)
    links = _links(request).order_by("community_path", "leader_name", "id")
    if filters.community:
        links = links.filter(community__public_id=filters.community)
    if filters.current is not None:
        links = links.filter(ended_on__isnull=filters.current)
    return links


@router.get(
    "/leader-links/{link_id}",
    response={200: LeaderLinkOut, 404: ErrorOut},
    operation_id="get_leader_link",
    description="One leader link. Outside the caller's scope: 404.",
)
def get_link(request: HttpRequest, link_id: UUID):
    require_roles(request, LEADER_ROLES)
    return get_object_or_404(_links(request), public_id=link_id)


@router.post(
    "/leader-links",
    response={201: LeaderLinkOut, **REFUSALS},
    operation_id="link_leader",
    description="The organisation department or the street links a leader to a community (once while "
    "linked). Roles: organisation department, street; else 403.",
)
def link_leader(request: HttpRequest, payload: LeaderLinkIn):
    require_roles(request, LINK_ROLES)
    link = actions.link_leader(
        acting_user=request.auth,
        community=one_of(
            Area.objects.filter(level=AreaLevel.COMMUNITY), payload.community, _("Unknown community.")
        ),
        leader_name=payload.leader_name,
        leader_title=payload.leader_title,
        leader=one_of(User.objects.filter(is_active=True), payload.leader, _("Unknown person.")),
        started_on=payload.started_on,
        request=request,
    )
    return Status(201, _links(request).get(pk=link.pk))


@router.post(
    "/leader-links/{link_id}/end",
    response={200: LeaderLinkOut, **REFUSALS},
    operation_id="end_leader_link",
    description="The organisation department or the street ends a link.",
)
def end_link(request: HttpRequest, link_id: UUID):
    require_roles(request, LINK_ROLES)
    link = get_object_or_404(_links(request), public_id=link_id)
    actions.end_link(acting_user=request.auth, link=link, request=request)
    return _links(request).get(pk=link.pk)


@router.get(
    "/leader-links/{link_id}/visits",
    response={200: list[LeaderVisitOut], 404: ErrorOut},
    operation_id="list_leader_visits",
    description="A link's visits, newest first, with the cases taken up (those the caller may see).",
)
def list_visits(request: HttpRequest, link_id: UUID):
    require_roles(request, LEADER_ROLES)
    link = get_object_or_404(_links(request), public_id=link_id)
    from django.db.models import Prefetch

    visits = link.visits.prefetch_related(
        Prefetch("cases", queryset=Case.objects.visible_to(request.auth).only("public_id"))
    )
    return [_visit_out(v) for v in visits]


@router.post(
    "/leader-links/{link_id}/visits",
    response={201: LeaderVisitOut, **REFUSALS},
    operation_id="log_leader_visit",
    description="The leader or the community's staff log a visit, with the problems and the community's "
    "cases taken up.",
)
def log_visit(request: HttpRequest, link_id: UUID, payload: LeaderVisitIn):
    require_roles(request, LEADER_ROLES)
    link = get_object_or_404(_links(request), public_id=link_id)
    cases = Case.objects.visible_to(request.auth)
    visit = actions.log_visit(
        acting_user=request.auth,
        link=link,
        visited_on=payload.visited_on,
        note=payload.note,
        problems=payload.problems,
        cases=[one_of(cases, c, _("Unknown case.")) for c in dict.fromkeys(payload.cases)],
        request=request,
    )
    return Status(201, _visit_out(visit))
