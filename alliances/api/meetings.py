"""The meetings API: /api/v1/meetings (list, call, one meeting, QR sign-in, minutes read, saved and
published) and /api/v1/resolutions (list, record, one resolution, progress, close, hand to the whistle,
drop). Shapes in alliances/schemas_meet.py.

Reads go through ``Meeting.objects.visible_to`` and ``Resolution.objects.visible_to`` (outside the
caller's scope: 404, like a missing one). Each write calls one action of alliances/meetings.py or
alliances/resolutions.py, where the rules live: a refusal answers 403 or 422 with its words."""

from typing import Literal
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.models import Role
from alliances import meetings as actions
from alliances import resolutions as resolution_actions
from alliances.models import (
    Alliance,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    Resolution,
    ResolutionUpdate,
)
from alliances.schemas_meet import (
    MeetingDetailOut,
    MeetingIn,
    MeetingInvitationOut,
    MeetingOut,
    MeetingSignInIn,
    MinutesIn,
    MinutesOut,
    ResolutionCloseIn,
    ResolutionDetailOut,
    ResolutionDropIn,
    ResolutionIn,
    ResolutionOut,
    ResolutionProgressIn,
    ResolutionToCaseIn,
)
from cases.models import Case, CaseCategory
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from orgs.models import PartyOrg, Unit

router = Router(tags=["alliances"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
# Anyone with a role may be invited to a meeting or own a task; a user with no role has none to read.
READ_ROLES = (
    Role.ORG_DEPT,
    Role.STREET,
    Role.COMMUNITY,
    Role.GRID_WORKER,
    Role.DEPARTMENT,
    Role.UNIT_ADMIN,
    Role.INSPECTOR,
    Role.MEMBER,
    Role.RESIDENT,
)
CALL_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.UNIT_ADMIN)
TASK_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.UNIT_ADMIN, Role.DEPARTMENT)


class MeetingQuery(Schema):
    kind: MeetingKind | None = None
    state: MeetingState | None = None
    alliance: UUID | None = None
    invited: bool | None = None


class ResolutionQuery(Schema):
    state: Literal["open", "overdue", "closed"] | None = None
    owner_unit: UUID | None = None
    meeting: UUID | None = None


# --- meetings --------------------------------------------------------------------------------------


def _meetings(request: HttpRequest) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(request.auth).select_related("alliance", "party_org")


def _meeting(request: HttpRequest, meeting_id: UUID) -> Meeting:
    return get_object_or_404(_meetings(request), public_id=meeting_id)


def _meeting_detail(request: HttpRequest, meeting_id: UUID) -> Meeting:
    rows = _meetings(request).prefetch_related(
        Prefetch("invitations", queryset=Invitation.objects.select_related("unit")),
        Prefetch("resolutions", queryset=Resolution.objects.select_related("owner_unit")),
        "cases",
    )
    return get_object_or_404(rows, public_id=meeting_id)


@router.get(
    "/meetings",
    response=list[MeetingOut],
    operation_id="list_meetings",
    description="The meetings the caller may see (the host alliance's readers, the staff over a party "
    "organisation's area, the invitees), newest first. Roles: any; a user with no role, 403.",
)
@paginate(ListPage)
def list_meetings(request: HttpRequest, filters: Query[MeetingQuery]):
    require_roles(request, READ_ROLES)
    rows = _meetings(request)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.alliance:
        rows = rows.filter(alliance__public_id=filters.alliance)
    if filters.invited is not None:
        mine = Invitation.objects.filter(user=request.auth).values("meeting_id")
        rows = rows.filter(pk__in=mine) if filters.invited else rows.exclude(pk__in=mine)
    return rows.order_by("-starts_at", "-id")


@router.post(
    "/meetings",
    response={201: MeetingDetailOut, **REFUSALS},
    operation_id="call_meeting",
    description="Call a meeting: an alliance's (by its lead) or a party organisation's own (三会一课, by "
    "who keeps it). The kind must fit the host. Units invited are told through their party admins. "
    "Roles: organisation department, street, community, unit admin; else 403.",
)
def call_meeting(request: HttpRequest, payload: MeetingIn):
    require_roles(request, CALL_ROLES)
    alliance = one_of(Alliance.objects.visible_to(request.auth), payload.alliance, _("Unknown alliance."))
    party_org = one_of(PartyOrg.objects.all(), payload.party_org, _("Unknown party organisation."))
    units = list(Unit.objects.filter(public_id__in=payload.invite_units))
    users = list(get_user_model().objects.filter(public_id__in=payload.invite_users, is_active=True))
    cases = list(Case.objects.visible_to(request.auth).filter(public_id__in=payload.cases))
    meeting = actions.call_meeting(
        acting_user=request.auth,
        kind=payload.kind,
        title=payload.title,
        place=payload.place,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        alliance=alliance,
        party_org=party_org,
        agenda=payload.agenda,
        period_start=payload.period_start,
        cases=cases,
        invite_units=units,
        invite_users=users,
        request=request,
    )
    return Status(201, _meeting_detail(request, meeting.public_id))


@router.get(
    "/meetings/{meeting_id}",
    response={200: MeetingDetailOut, 404: ErrorOut},
    operation_id="get_meeting",
    description="One meeting with its invitations and attendance, cases taken up and resolutions. Roles "
    "as for the list; outside the caller's scope, 404.",
)
def get_meeting(request: HttpRequest, meeting_id: UUID):
    require_roles(request, READ_ROLES)
    return _meeting_detail(request, meeting_id)


@router.post(
    "/meetings/{meeting_id}/sign-in",
    response={200: MeetingInvitationOut, **REFUSALS},
    operation_id="sign_in_to_meeting",
    description="QR sign-in: an invitee with the secret of the room's code, from 30 minutes before the "
    "start to the end; a second sign-in changes nothing. Outside the window 422; a wrong secret or a "
    "caller not invited, 403. Roles as for the list.",
)
def sign_in(request: HttpRequest, meeting_id: UUID, payload: MeetingSignInIn):
    require_roles(request, READ_ROLES)
    meeting = _meeting(request, meeting_id)
    invitation = actions.sign_in(
        acting_user=request.auth, meeting=meeting, secret=payload.secret, request=request
    )
    return Invitation.objects.select_related("unit").get(pk=invitation.pk)


def _minutes(request: HttpRequest, meeting: Meeting) -> dict:
    shown = meeting.minutes_state == "published" or actions.runs_meeting(request.auth, meeting)
    revisions = meeting.minutes_revisions.select_related("author") if shown else []
    return {
        "text": meeting.minutes if shown else "",
        "state": meeting.minutes_state,
        "published_at": meeting.minutes_published_at,
        "revisions": list(revisions),
    }


@router.get(
    "/meetings/{meeting_id}/minutes",
    response={200: MinutesOut, 404: ErrorOut},
    operation_id="get_meeting_minutes",
    description="The minutes and their revisions: published ones for every reader, drafts for whoever "
    "runs the meeting (others get an empty text). Roles as for the list.",
)
def get_minutes(request: HttpRequest, meeting_id: UUID):
    require_roles(request, READ_ROLES)
    return _minutes(request, _meeting(request, meeting_id))


@router.put(
    "/meetings/{meeting_id}/minutes",
    response={200: MinutesOut, **REFUSALS},
    operation_id="save_meeting_minutes",
    description="Save the minutes (a revision each time). Once published, an amendment needs a ``note`` "
    "and is published at once. Only whoever runs the meeting; else 403. Roles: as for calling one.",
)
def save_minutes(request: HttpRequest, meeting_id: UUID, payload: MinutesIn):
    require_roles(request, CALL_ROLES)
    meeting = _meeting(request, meeting_id)
    actions.save_minutes(
        acting_user=request.auth, meeting=meeting, text=payload.text, note=payload.note, request=request
    )
    return _minutes(request, _meeting(request, meeting_id))


@router.post(
    "/meetings/{meeting_id}/minutes/publish",
    response={200: MinutesOut, **REFUSALS},
    operation_id="publish_meeting_minutes",
    description="Publish the drafted minutes of a held meeting; the invitees are told. Roles: as for "
    "calling one.",
)
def publish_minutes(request: HttpRequest, meeting_id: UUID):
    require_roles(request, CALL_ROLES)
    meeting = _meeting(request, meeting_id)
    actions.publish_minutes(acting_user=request.auth, meeting=meeting, request=request)
    return _minutes(request, _meeting(request, meeting_id))


# --- resolutions -----------------------------------------------------------------------------------


def _resolutions(request: HttpRequest) -> QuerySet[Resolution]:
    return Resolution.objects.visible_to(request.auth).select_related("meeting", "owner_unit", "case")


def _resolution(request: HttpRequest, resolution_id: UUID) -> Resolution:
    return get_object_or_404(_resolutions(request), public_id=resolution_id)


def _resolution_detail(request: HttpRequest, resolution_id: UUID) -> Resolution:
    rows = _resolutions(request).prefetch_related(
        Prefetch("updates", queryset=ResolutionUpdate.objects.prefetch_related("files"))
    )
    return get_object_or_404(rows, public_id=resolution_id)


@router.get(
    "/resolutions",
    response=list[ResolutionOut],
    operation_id="list_resolutions",
    description="Resolutions the caller may see (the meeting's readers; a unit's people the tasks it "
    "owns), by due date. ``state``: open, overdue or closed (closed, dropped or handed to the whistle). "
    "Roles: any; a user with no role, 403.",
)
@paginate(ListPage)
def list_resolutions(request: HttpRequest, filters: Query[ResolutionQuery]):
    require_roles(request, READ_ROLES)
    rows = _resolutions(request)
    if filters.state == "open":
        rows = rows.open()
    elif filters.state == "overdue":
        rows = rows.overdue(timezone.localdate())
    elif filters.state == "closed":
        rows = rows.exclude(state__in=resolution_actions.OPEN_STATES)
    if filters.owner_unit:
        rows = rows.filter(owner_unit__public_id=filters.owner_unit)
    if filters.meeting:
        rows = rows.filter(meeting__public_id=filters.meeting)
    return rows.order_by("due_on", "meeting_id", "number")


@router.post(
    "/resolutions",
    response={201: ResolutionDetailOut, **REFUSALS},
    operation_id="add_resolution",
    description="Record a meeting's resolution, owned by a member unit of the alliance or a department, "
    "with a due date; the owner's admins are told. Only whoever runs the meeting; else 403. Roles: as "
    "for calling a meeting.",
)
def add_resolution(request: HttpRequest, payload: ResolutionIn):
    require_roles(request, CALL_ROLES)
    meeting = one_of(_meetings(request), payload.meeting, _("Unknown meeting."))
    owner = one_of(Unit.objects.all(), payload.owner_unit, _("Unknown unit."))
    resolution = resolution_actions.add_resolution(
        acting_user=request.auth,
        meeting=meeting,
        text=payload.text,
        owner_unit=owner,
        due_on=payload.due_on,
        request=request,
    )
    return Status(201, _resolution_detail(request, resolution.public_id))


@router.get(
    "/resolutions/{resolution_id}",
    response={200: ResolutionDetailOut, 404: ErrorOut},
    operation_id="get_resolution",
    description="One resolution with its progress and evidence. Roles as for the list; outside the "
    "caller's scope, 404.",
)
def get_resolution(request: HttpRequest, resolution_id: UUID):
    require_roles(request, READ_ROLES)
    return _resolution_detail(request, resolution_id)


@router.post(
    "/resolutions/{resolution_id}/progress",
    response={200: ResolutionDetailOut, **REFUSALS},
    operation_id="report_resolution_progress",
    description="The owner unit (or the meeting's lead) reports progress, or with ``evidence`` the proof "
    "that it is done (files are attached on the page). Roles: unit admin, department, staff; else 403.",
)
def report_progress(request: HttpRequest, resolution_id: UUID, payload: ResolutionProgressIn):
    require_roles(request, TASK_ROLES)
    resolution = _resolution(request, resolution_id)
    resolution_actions.report_progress(
        acting_user=request.auth,
        resolution=resolution,
        note=payload.note,
        evidence=payload.evidence,
        request=request,
    )
    return _resolution_detail(request, resolution_id)


@router.post(
    "/resolutions/{resolution_id}/close",
    response={200: ResolutionDetailOut, **REFUSALS},
    operation_id="close_resolution",
    description="The meeting's lead closes a resolution; without an evidence update, 422 (closing a "
    "resolution needs evidence). Roles: as for calling a meeting.",
)
def close_resolution(request: HttpRequest, resolution_id: UUID, payload: ResolutionCloseIn):
    require_roles(request, CALL_ROLES)
    resolution = _resolution(request, resolution_id)
    resolution_actions.close_resolution(
        acting_user=request.auth, resolution=resolution, note=payload.note, request=request
    )
    return _resolution_detail(request, resolution_id)


@router.post(
    "/resolutions/{resolution_id}/to-case",
    response={200: ResolutionDetailOut, **REFUSALS},
    operation_id="hand_resolution_to_case",
    description="The meeting's lead hands a resolution to the whistle: it becomes a case reported by the "
    "street or community that held the meeting, and links it. Roles: as for calling a meeting.",
)
def hand_to_case(request: HttpRequest, resolution_id: UUID, payload: ResolutionToCaseIn):
    require_roles(request, CALL_ROLES)
    resolution = _resolution(request, resolution_id)
    category = one_of(
        CaseCategory.objects.active().leaves(),
        payload.category,
        _("Choose a category of problem (not a group)."),
    )
    resolution_actions.hand_to_case(
        acting_user=request.auth, resolution=resolution, category=category, request=request
    )
    return _resolution_detail(request, resolution_id)


@router.post(
    "/resolutions/{resolution_id}/drop",
    response={200: ResolutionDetailOut, **REFUSALS},
    operation_id="drop_resolution",
    description="The meeting's lead drops a resolution, with a reason. Roles: as for calling a meeting.",
)
def drop_resolution(request: HttpRequest, resolution_id: UUID, payload: ResolutionDropIn):
    require_roles(request, CALL_ROLES)
    resolution = _resolution(request, resolution_id)
    resolution_actions.drop_resolution(
        acting_user=request.auth, resolution=resolution, reason=payload.reason, request=request
    )
    return _resolution_detail(request, resolution_id)
