"""The alliances' API: /api/v1/alliances (list, one, found; member units added and removed) and
/api/v1/alliance-posts (list, appoint, end). Reads go through ``visible_to`` (outside: 404 like missing);
writes call the actions of alliances/members.py and alliances/posts.py, whose refusals answer 403/422."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.models import User
from alliances import posts as post_actions
from alliances.members import add_member_unit, create_alliance, remove_member_unit
from alliances.models import Alliance, AllianceMember, AlliancePost
from alliances.pages.alliances import ALLIANCE_READ_ROLES, FOUND_ROLES, member_rows
from alliances.schemas_agree import (
    AllianceDetailOut,
    AllianceIn,
    AllianceMemberIn,
    AllianceMemberRemoveIn,
    AllianceOut,
    AlliancePostIn,
    AlliancePostOut,
    AlliancePostQuery,
)
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from orgs.models import PartyOrg, Unit
from places.models import Area

router = Router(tags=["alliances"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _alliance(request: HttpRequest, alliance_id: UUID) -> Alliance:
    return get_object_or_404(
        Alliance.objects.visible_to(request.auth).select_related("area", "lead_org"), public_id=alliance_id
    )


def _detail(alliance: Alliance) -> dict:
    return {
        "public_id": alliance.public_id,
        "name": alliance.name,
        "kind": alliance.kind,
        "area": alliance.area,
        "lead_org": alliance.lead_org,
        "state": alliance.state,
        "founded_on": alliance.founded_on,
        "charter": alliance.charter,
        "members": [
            {"public_id": m.public_id, "unit": m.unit, "joined_on": m.joined_on, "state": m.state}
            for m in member_rows(alliance)
        ],
    }


@router.get(
    "/alliances",
    response=list[AllianceOut],
    operation_id="list_alliances",
    description="The alliances the caller may see: their area's and those above and below it, their "
    "units', the ones they hold a post in. Roles: the areas, unit admins, departments, inspectors, members "
    "and grid workers holding posts; else 403.",
)
@paginate(ListPage)
def list_alliances(request: HttpRequest):
    require_roles(request, ALLIANCE_READ_ROLES)
    return (
        Alliance.objects.visible_to(request.auth)
        .select_related("area", "lead_org")
        .order_by("area_path", "name")
    )


@router.get(
    "/alliances/{alliance_id}",
    response={200: AllianceDetailOut, 404: ErrorOut},
    operation_id="get_alliance",
    description="One alliance with its covenant and its current member units, each with its state "
    "(active while an agreement is in force). Outside the caller's scope: 404.",
)
def get_alliance(request: HttpRequest, alliance_id: UUID):
    require_roles(request, ALLIANCE_READ_ROLES)
    return _detail(_alliance(request, alliance_id))


@router.post(
    "/alliances",
    response={201: AllianceDetailOut, **REFUSALS},
    operation_id="create_alliance",
    description="A street's or community's party organisation founds an alliance over its area. Roles: "
    "street, community; else 403.",
)
def found_alliance(request: HttpRequest, payload: AllianceIn):
    require_roles(request, FOUND_ROLES)
    alliance = create_alliance(
        acting_user=request.auth,
        name=payload.name,
        kind=payload.kind,
        area=one_of(Area.objects.all(), payload.area, _("Choose a street or community.")),
        lead_org=one_of(PartyOrg.objects.all(), payload.lead_org, _("Unknown party organisation.")),
        charter=payload.charter,
        founded_on=payload.founded_on,
        request=request,
    )
    return Status(201, _detail(_alliance(request, alliance.public_id)))


@router.post(
    "/alliances/{alliance_id}/members",
    response={201: AllianceDetailOut, **REFUSALS},
    operation_id="add_alliance_member",
    description="The lead adds a unit (once: a unit cannot join the same alliance twice).",
)
def add_member(request: HttpRequest, alliance_id: UUID, payload: AllianceMemberIn):
    require_roles(request, ALLIANCE_READ_ROLES)
    alliance = _alliance(request, alliance_id)
    add_member_unit(
        acting_user=request.auth,
        alliance=alliance,
        unit=one_of(Unit.objects.all(), payload.unit, _("Unknown unit.")),
        note=payload.note,
        request=request,
    )
    return Status(201, _detail(alliance))


@router.post(
    "/alliances/{alliance_id}/members/{unit_id}/remove",
    response={200: AllianceDetailOut, **REFUSALS},
    operation_id="remove_alliance_member",
    description="The lead removes a member unit, with a reason; its agreements end that day.",
)
def remove_member(request: HttpRequest, alliance_id: UUID, unit_id: UUID, payload: AllianceMemberRemoveIn):
    require_roles(request, ALLIANCE_READ_ROLES)
    alliance = _alliance(request, alliance_id)
    member = get_object_or_404(AllianceMember.objects.current(), alliance=alliance, unit__public_id=unit_id)
    remove_member_unit(acting_user=request.auth, member=member, reason=payload.reason, request=request)
    return _detail(alliance)


# --- posts -----------------------------------------------------------------------------------------------
def _posts(request: HttpRequest) -> QuerySet[AlliancePost]:
    return (
        AlliancePost.objects.visible_to(request.auth)
        .select_related("alliance", "unit")
        .prefetch_related("followed_units")
        .order_by("alliance_id", "role", "started_on", "id")
    )


@router.get(
    "/alliance-posts",
    response=list[AlliancePostOut],
    operation_id="list_alliance_posts",
    description="Posts of the alliances the caller may see: the committee and the four roles. Roles as "
    "for the alliances.",
)
@paginate(ListPage)
def list_posts(request: HttpRequest, filters: Query[AlliancePostQuery]):
    require_roles(request, ALLIANCE_READ_ROLES)
    posts = _posts(request)
    if filters.alliance:
        posts = posts.filter(alliance__public_id=filters.alliance)
    if filters.role:
        posts = posts.filter(role=filters.role)
    if filters.current is not None:
        posts = posts.filter(ended_on__isnull=filters.current)
    return posts


@router.post(
    "/alliance-posts",
    response={201: AlliancePostOut, **REFUSALS},
    operation_id="appoint_alliance_post",
    description="The lead appoints: one envoy per member unit; part-time members and envoys come from a "
    "member unit; inspectors follow member units (granted the inspector role over each); informants are "
    "grid workers of the area.",
)
def appoint(request: HttpRequest, payload: AlliancePostIn):
    require_roles(request, ALLIANCE_READ_ROLES)
    alliance = _alliance(request, payload.alliance)
    unit_message = _("Unknown unit.")
    post = post_actions.appoint(
        acting_user=request.auth,
        alliance=alliance,
        role=payload.role,
        user=one_of(User.objects.filter(is_active=True), payload.user, _("Unknown person.")),
        unit=one_of(Unit.objects.all(), payload.unit, unit_message),
        followed_units=[
            one_of(Unit.objects.all(), u, unit_message) for u in dict.fromkeys(payload.followed_units)
        ],
        started_on=payload.started_on,
        request=request,
    )
    return Status(201, _posts(request).get(pk=post.pk))


@router.post(
    "/alliance-posts/{post_id}/end",
    response={200: AlliancePostOut, **REFUSALS},
    operation_id="end_alliance_post",
    description="The lead ends a post; an inspector's grants made by it are revoked.",
)
def end_post(request: HttpRequest, post_id: UUID):
    require_roles(request, ALLIANCE_READ_ROLES)
    post = get_object_or_404(_posts(request), public_id=post_id)
    post_actions.end_post(acting_user=request.auth, post=post, request=request)
    return _posts(request).get(pk=post.pk)
