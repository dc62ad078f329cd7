"""The alliances' rotating chair, activities and board API: /api/v1/chair-rotations (list, generate,
swap, plan, report), /api/v1/activities (list, detail, create, sign-up, check-in, held,
confirm-attendance, cancel) and /api/v1/alliance-board (list, create, read). Shapes in
alliances/schemas_act.py.

Reads go through the models' ``visible_to`` (activities: also those the caller may join,
``queries_act.readable_activities``); outside the scope answers 404 like missing. Each write calls one
action (alliances/rotation.py, activities.py, board.py), where the rules live: a refusal answers 403 or
422 with the action's words."""

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.api import require_roles
from accounts.models import Role
from alliances import activities, board, rotation
from alliances.models import Activity, Alliance, AllianceMember, BoardPost, BoardRead, ChairTurn
from alliances.queries_act import readable_activities, results, with_counts
from alliances.schemas_act import (
    ActivityCancelIn,
    ActivityCheckInIn,
    ActivityDetailOut,
    ActivityIn,
    ActivityOut,
    ActivityQuery,
    ActivitySignupOut,
    AttendanceConfirmedOut,
    BoardPostIn,
    BoardPostOut,
    BoardPostQuery,
    ChairPlanIn,
    ChairReportIn,
    ChairRotationIn,
    ChairSwapIn,
    ChairTurnOut,
    ChairTurnQuery,
)
from gongjian.api_shapes import ErrorOut, ListPage, one_of
from places.models import Area
from service.models import ServiceCategory

router = Router(tags=["alliances"])

REFUSALS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
STAFF_ROLES = (Role.ORG_DEPT, Role.STREET, Role.COMMUNITY, Role.UNIT_ADMIN, Role.DEPARTMENT, Role.INSPECTOR)
ACTIVITY_ROLES = (*STAFF_ROLES, Role.MEMBER, Role.RESIDENT)


def alliance_of(request: HttpRequest, public_id: UUID) -> Alliance:
    return one_of(Alliance.objects.visible_to(request.auth), public_id, _("No such alliance."))


# --- the rotating chair ----------------------------------------------------------------------------


def _turns(request: HttpRequest) -> QuerySet[ChairTurn]:
    return ChairTurn.objects.visible_to(request.auth).select_related("alliance", "unit", "scheduled_unit")


@router.get(
    "/chair-rotations",
    response=list[ChairTurnOut],
    operation_id="list_chair_rotations",
    description="The chair turns of the alliances the caller may see, month by month. Roles: organisation "
    "department, street, community, unit admin, department, inspector; else 403.",
)
@paginate(ListPage)
def list_chair_rotations(request: HttpRequest, filters: Query[ChairTurnQuery]):
    require_roles(request, STAFF_ROLES)
    turns = _turns(request).order_by("alliance_id", "month")
    if filters.alliance:
        turns = turns.filter(alliance__public_id=filters.alliance)
    if filters.year:
        turns = turns.filter(month__year=filters.year)
    return turns


@router.post(
    "/chair-rotations/generate",
    response={200: list[ChairTurnOut], **REFUSALS},
    operation_id="generate_chair_rotation",
    description="The alliance's lead draws up the year's rotation from ``start_month``: one member unit a "
    "month, in the order they joined, continuing after last year's last chair; units whose agreement is "
    "not in force that month are skipped; months begun, planned or reported are kept. Roles: street, "
    "community, organisation department; else 403.",
)
def generate_chair_rotation(request: HttpRequest, payload: ChairRotationIn):
    require_roles(request, STAFF_ROLES)
    alliance = alliance_of(request, payload.alliance)
    turns = rotation.generate_rotation(
        acting_user=request.auth,
        alliance=alliance,
        year=payload.year,
        start_month=payload.start_month,
        request=request,
    )
    return Status(200, list(_turns(request).filter(pk__in=[t.pk for t in turns]).order_by("month")))


@router.post(
    "/chair-rotations/swap",
    response={200: list[ChairTurnOut], **REFUSALS},
    operation_id="swap_chair_turns",
    description="The lead swaps the chairs of two months (not past, not reported); each keeps the unit "
    "first scheduled. Roles: street, community, organisation department; else 403.",
)
def swap_chair_turns(request: HttpRequest, payload: ChairSwapIn):
    require_roles(request, STAFF_ROLES)
    first = one_of(_turns(request), payload.first, _("No such chair turn."))
    second = one_of(_turns(request), payload.second, _("No such chair turn."))
    swapped = rotation.swap_turns(
        acting_user=request.auth, first=first, second=second, reason=payload.reason, request=request
    )
    return Status(200, list(_turns(request).filter(pk__in=[t.pk for t in swapped]).order_by("month")))


@router.post(
    "/chair-rotations/{turn_id}/plan",
    response={200: ChairTurnOut, **REFUSALS},
    operation_id="plan_chair_turn",
    description="The month's chair unit (or the lead) sets its theme and plan. Roles: unit admin, "
    "department, street, community; else 403.",
)
def plan_chair_turn(request: HttpRequest, turn_id: UUID, payload: ChairPlanIn):
    require_roles(request, STAFF_ROLES)
    turn = get_object_or_404(_turns(request), public_id=turn_id)
    rotation.plan_turn(
        acting_user=request.auth, turn=turn, theme=payload.theme, plan=payload.plan, request=request
    )
    return Status(200, _turns(request).get(pk=turn.pk))


@router.post(
    "/chair-rotations/{turn_id}/report",
    response={200: ChairTurnOut, **REFUSALS},
    operation_id="report_chair_turn",
    description="The month's chair unit reports it, once the month has started (once). Roles: unit admin, "
    "department; else 403.",
)
def report_chair_turn(request: HttpRequest, turn_id: UUID, payload: ChairReportIn):
    require_roles(request, STAFF_ROLES)
    turn = get_object_or_404(_turns(request), public_id=turn_id)
    rotation.report_turn(acting_user=request.auth, turn=turn, report=payload.report, request=request)
    return Status(200, _turns(request).get(pk=turn.pk))


# --- activities ------------------------------------------------------------------------------------


def _activities(request: HttpRequest) -> QuerySet[Activity]:
    return with_counts(readable_activities(request.auth)).order_by("-starts_at", "-id")


def _activity(request: HttpRequest, activity_id: UUID) -> Activity:
    return get_object_or_404(_activities(request).select_related("chair_turn"), public_id=activity_id)


def _detail(request: HttpRequest, activity: Activity) -> Activity:
    """The activity read again with its counts; for its organiser, who signed up and the results."""
    activity = _activity(request, activity.public_id)
    organiser = activities.organises(request.auth, activity)
    activity.chair_month = activity.chair_turn.month if activity.chair_turn else None  # type: ignore[attr-defined]
    activity.people = (  # type: ignore[attr-defined]
        list(activity.signups.filter(cancelled_at__isnull=True)) if organiser else None
    )
    activity.results = results(activity) if organiser else None  # type: ignore[attr-defined]
    return activity


@router.get(
    "/activities",
    response=list[ActivityOut],
    operation_id="list_activities",
    description="The activities of the alliances the caller may see, those they signed up for, and the "
    "upcoming ones they may join (members and residents), newest first. Roles: any that takes part in "
    "alliances, members and residents; else 403.",
)
@paginate(ListPage)
def list_activities(request: HttpRequest, filters: Query[ActivityQuery]):
    require_roles(request, ACTIVITY_ROLES)
    rows = _activities(request)
    if filters.alliance:
        rows = rows.filter(alliance__public_id=filters.alliance)
    if filters.state:
        rows = rows.filter(state=filters.state)
    return rows


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityDetailOut, 403: ErrorOut, 404: ErrorOut},
    operation_id="get_activity",
    description="One activity; its organiser also sees who signed up and who came, and the results. "
    "Roles: as the list; else 403.",
)
def get_activity(request: HttpRequest, activity_id: UUID):
    require_roles(request, ACTIVITY_ROLES)
    return Status(200, _detail(request, _activity(request, activity_id)))


@router.post(
    "/activities",
    response={201: ActivityDetailOut, **REFUSALS},
    operation_id="create_activity",
    description="The alliance's lead, or a member unit's admin for its active unit, announces an activity "
    "in a community of the alliance's area, under a service-menu item; the month's chair's activity is "
    "linked to its turn. Roles: street, community, unit admin, department; else 403.",
)
def create_activity(request: HttpRequest, payload: ActivityIn):
    require_roles(request, STAFF_ROLES)
    alliance = alliance_of(request, payload.alliance)
    units = AllianceMember.objects.filter(alliance=alliance).current().values("unit_id")
    from orgs.models import Unit

    activity = activities.create_activity(
        acting_user=request.auth,
        alliance=alliance,
        title=payload.title,
        theme=payload.theme,
        description=payload.description,
        community=one_of(Area.objects.all(), payload.community, _("No such community.")),
        place=payload.place,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        category=one_of(ServiceCategory.objects.active(), payload.category, _("No such service item.")),
        organiser_unit=one_of(
            Unit.objects.filter(pk__in=units), payload.organiser_unit, _("No such member unit.")
        ),
        capacity=payload.capacity,
        open_to=payload.open_to,
        request=request,
    )
    return Status(201, _detail(request, activity))


def _activity_action(path: str, operation_id: str, action, description: str, roles=ACTIVITY_ROLES, body=None):
    """One POST on an activity calling ``action``; answers the activity."""

    if body is None:

        @router.post(
            path,
            response={200: ActivityDetailOut, **REFUSALS},
            operation_id=operation_id,
            description=description,
        )
        def endpoint(request: HttpRequest, activity_id: UUID):
            require_roles(request, roles)
            activity = _activity(request, activity_id)
            action(acting_user=request.auth, activity=activity, request=request)
            return Status(200, _detail(request, activity))

        return endpoint

    @router.post(
        path,
        response={200: ActivityDetailOut, **REFUSALS},
        operation_id=operation_id,
        description=description,
    )
    def endpoint_with_reason(request: HttpRequest, activity_id: UUID, payload: ActivityCancelIn):
        require_roles(request, roles)
        activity = _activity(request, activity_id)
        action(acting_user=request.auth, activity=activity, reason=payload.reason, request=request)
        return Status(200, _detail(request, activity))

    return endpoint_with_reason


sign_up = _activity_action(
    "/activities/{activity_id}/sign-up",
    "sign_up_for_activity",
    activities.sign_up,
    "A member or a resident takes a place, as the activity is open to, within its places, once, before it "
    "starts. Roles: member, resident; else 403.",
)
cancel_sign_up = _activity_action(
    "/activities/{activity_id}/cancel-sign-up",
    "cancel_activity_sign_up",
    activities.cancel_signup,
    "The caller gives their place back, before the start. Roles: member, resident; else 403.",
)
mark_held = _activity_action(
    "/activities/{activity_id}/held",
    "mark_activity_held",
    activities.mark_held,
    "The organiser says the activity took place. Roles: unit admin, department, street, community; else 403.",
    roles=STAFF_ROLES,
)
cancel = _activity_action(
    "/activities/{activity_id}/cancel",
    "cancel_activity",
    activities.cancel_activity,
    "The organiser calls the activity off with a reason; those signed up are told. Roles: unit admin, "
    "department, street, community; else 403.",
    roles=STAFF_ROLES,
    body=ActivityCancelIn,
)


@router.post(
    "/activities/{activity_id}/check-in",
    response={200: ActivitySignupOut, **REFUSALS},
    operation_id="check_in_at_activity",
    description="QR sign-in at the place with the code the QR carries, from 30 minutes before the start "
    "to the end; whoever did not sign up is signed up on the spot if places are left. Found by the code: "
    "the activity need not be visible to the caller. Roles: member, resident; else 403.",
)
def check_in_at_activity(request: HttpRequest, activity_id: UUID, payload: ActivityCheckInIn):
    require_roles(request, (Role.MEMBER, Role.RESIDENT))
    activity = get_object_or_404(Activity.objects.all(), public_id=activity_id, signin_secret=payload.secret)
    return Status(
        200,
        activities.check_in(
            acting_user=request.auth, activity=activity, secret=payload.secret, request=request
        ),
    )


@router.post(
    "/activities/{activity_id}/confirm-attendance",
    response={200: AttendanceConfirmedOut, **REFUSALS},
    operation_id="confirm_activity_attendance",
    description="The organiser confirms who came: each member who signed in gets exactly one confirmed "
    "service record and its points (again: nothing new). Roles: unit admin, department, street, "
    "community; else 403.",
)
def confirm_activity_attendance(request: HttpRequest, activity_id: UUID):
    require_roles(request, STAFF_ROLES)
    activity = _activity(request, activity_id)
    return Status(
        200,
        {
            "records": activities.confirm_attendance(
                acting_user=request.auth, activity=activity, request=request
            )
        },
    )


# --- the board -------------------------------------------------------------------------------------


def _posts(request: HttpRequest) -> QuerySet[BoardPost]:
    return (
        BoardPost.objects.visible_to(request.auth)
        .select_related("alliance", "author_unit")
        .prefetch_related(Prefetch("reads", queryset=BoardRead.objects.select_related("unit")))
    )


@router.get(
    "/alliance-board",
    response=list[BoardPostOut],
    operation_id="list_alliance_board",
    description="The board posts of the alliances the caller may see, newest first, each with the member "
    "units that have read it. Roles: organisation department, street, community, unit admin, department, "
    "inspector; else 403.",
)
@paginate(ListPage)
def list_alliance_board(request: HttpRequest, filters: Query[BoardPostQuery]):
    require_roles(request, STAFF_ROLES)
    posts = _posts(request).order_by("-published_at", "-id")
    if filters.alliance:
        posts = posts.filter(alliance__public_id=filters.alliance)
    if filters.kind:
        posts = posts.filter(kind=filters.kind)
    return posts


@router.post(
    "/alliance-board",
    response={201: BoardPostOut, **REFUSALS},
    operation_id="publish_board_post",
    description="The lead posts a work update, a task from above or a plan; a member unit's admin posts "
    "its unit's work updates. Roles: street, community, unit admin, department; else 403.",
)
def publish_board_post(request: HttpRequest, payload: BoardPostIn):
    require_roles(request, STAFF_ROLES)
    alliance = alliance_of(request, payload.alliance)
    post = board.publish_post(
        acting_user=request.auth,
        alliance=alliance,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        due_on=payload.due_on,
        request=request,
    )
    return Status(201, _posts(request).get(pk=post.pk))


@router.post(
    "/alliance-board/{post_id}/read",
    response={200: BoardPostOut, **REFUSALS},
    operation_id="read_board_post",
    description="The caller has read the post: their member unit's receipt is recorded (the first of its "
    "people counts). Roles: as the list; else 403.",
)
def read_board_post(request: HttpRequest, post_id: UUID):
    require_roles(request, STAFF_ROLES)
    post = get_object_or_404(_posts(request), public_id=post_id)
    board.mark_read(acting_user=request.auth, post=post, request=request)
    return Status(200, _posts(request).get(pk=post.pk))
