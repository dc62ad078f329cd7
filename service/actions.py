"""Every change to needs, wishes, their dispatch, service posts and household pairings.

Each action checks who is acting and the rule, writes the change and an event row and an audit row
in one transaction, and queues notifications in that transaction (the outbox). A refused action
changes nothing and raises ValidationError or PermissionDenied with a message for the person.
Service records and their confirmation are in record_actions.py; resources and projects in
unit_actions.py; points in points/actions.py.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from audit.actions import record_event
from checkin.models import CheckIn, CheckInState, Team
from notifications.actions import notify
from people.models import Member, Resident
from places.models import AreaLevel
from service.models import (
    Assignment,
    AssignmentState,
    AssignmentVia,
    HouseholdPairing,
    Need,
    NeedEvent,
    NeedKind,
    NeedState,
    PairingVisit,
    PostClaim,
    PostedAs,
    ServiceCategory,
    ServicePost,
    Urgency,
)

# --- who may do what ------------------------------------------------------------------------------


def staffs_community(user, community) -> bool:
    """The community's party organisation or its street's committee (or a platform administrator)."""
    scope = scope_for(user)
    return (
        scope.everything
        or scope.holds_area(Role.COMMUNITY, community)
        or scope.holds_area(Role.STREET, community)
    )


def member_of(user) -> Member | None:
    """The user's own member record, if they are a member."""
    if user is None or not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).select_related("unit", "residence_area").first()


def serves_in(member: Member, community) -> bool:
    """A member serves the community they checked in to, and the one they live in."""
    if member.residence_area_id == community.pk:
        return True
    return CheckIn.objects.filter(
        member=member,
        community=community,
        state__in=(CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED),
    ).exists()


def unit_serves(unit, community) -> bool:
    """A unit serves the community it sits in and those it is paired with (结对共建)."""
    from checkin.models import UnitPairing

    return (
        unit.address_area_id == community.pk
        or UnitPairing.objects.filter(unit=unit, community=community, ended_on__isnull=True).exists()
    )


def answers_for(user, assignment: Assignment) -> bool:
    """The member it was offered to, a member of the team, or the unit's party admin."""
    scope = scope_for(user)
    if assignment.member_id:
        return assignment.member_id in scope.member_ids
    if assignment.team_id:
        return (
            bool(scope.member_ids)
            and assignment.team.memberships.filter(member_id__in=scope.member_ids).exists()
        )
    return assignment.unit_id in scope.units_for(Role.UNIT_ADMIN)


def community_staff(community) -> list:
    """Users who hold the community role for ``community`` (they hear about new needs and records)."""
    return [
        g.user for g in RoleGrant.objects.filter(role=Role.COMMUNITY, area=community).select_related("user")
    ]


def assignee_users(assignment: Assignment) -> list:
    if assignment.member_id:
        return [assignment.member.user] if assignment.member.user_id else []
    if assignment.team_id:
        return [
            m.member.user
            for m in assignment.team.memberships.select_related("member__user")
            if m.member.user_id
        ]
    return [
        g.user
        for g in RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=assignment.unit).select_related("user")
    ]


def _event(need: Need, previous: str, action: str, actor, reason: str = "") -> NeedEvent:
    return NeedEvent.objects.create(
        need=need, from_state=previous, to_state=need.state, action=action, actor=actor, reason=reason[:200]
    )


def _locked_need(need: Need) -> Need:
    """Re-read the need under a row lock, so two people cannot move it at once."""
    return (
        Need.objects.select_for_update(of=("self",)).select_related("community", "category").get(pk=need.pk)
    )


def _need_url(need: Need) -> str:
    return reverse("service:need_detail", args=[need.public_id])


def _require_state(need: Need, *states: str, doing: str) -> None:
    if need.state not in states:
        raise ValidationError(
            _("This need is %(state)s; it cannot be %(doing)s.")
            % {"state": need.get_state_display(), "doing": doing}
        )


# --- needs and wishes -----------------------------------------------------------------------------


def _poster_role(user, community, grid) -> str:
    scope = scope_for(user)
    if scope.everything or scope.holds_area(Role.COMMUNITY, community):
        return PostedAs.COMMUNITY
    if scope.holds_area(Role.STREET, community):
        return PostedAs.STREET
    if (
        grid is not None
        and any(grid.path.startswith(p) for p in scope.grid_paths)
        and _grid_covers(grid, community)
    ):
        return PostedAs.GRID_WORKER
    return ""


def _grid_covers(grid, community) -> bool:
    """A community grid covers its community; a street-level grid (no community) the street's communities."""
    if grid.community_id is not None:
        return grid.community_id == community.pk
    return grid.street_id == community.parent_id


def _grid_in_scope_for(user, community):
    """The grid worker's grid inside ``community`` (the most local one), if they have one there."""
    from places.models import Grid
    from places.paths import any_subtree_q

    scope = scope_for(user)
    if not scope.grid_paths:
        return None
    return (
        Grid.objects.filter(any_subtree_q("path", scope.grid_paths), community=community)
        .order_by("-level")
        .first()
    )


@transaction.atomic
def post_need(
    *,
    acting_user,
    title: str,
    category: ServiceCategory,
    kind: str = NeedKind.NEED,
    community=None,
    description: str = "",
    compound=None,
    building=None,
    grid=None,
    urgency: str = Urgency.NORMAL,
    budget=None,
    due_at=None,
    beneficiary_resident: Resident | None = None,
    beneficiary_name: str = "",
    beneficiary_address: str = "",
    request=None,
) -> Need:
    """A resident asks for help for themself; a grid worker, the community or the street posts on
    someone's behalf. The need lands on the community's board."""
    scope = scope_for(acting_user)
    own_resident = None
    if scope.resident_ids and not (community is not None and _poster_role(acting_user, community, grid)):
        own_resident = Resident.objects.filter(user=acting_user).select_related("residence_area").first()
    if own_resident is not None:
        community = own_resident.residence_area
        beneficiary_resident = own_resident
        beneficiary_name = beneficiary_name or own_resident.name
        compound = compound or own_resident.residence_compound
        building = building or own_resident.residence_building
        posted_as = PostedAs.RESIDENT
    else:
        if community is None or community.level != AreaLevel.COMMUNITY:
            raise ValidationError(_("Choose a community."))
        if grid is None and building is not None and building.grid_id:
            grid = building.grid
        if grid is None:
            grid = _grid_in_scope_for(acting_user, community)
        posted_as = _poster_role(acting_user, community, grid)
        if not posted_as:
            raise PermissionDenied(
                _(
                    "Only residents (for themselves), grid workers, the community and the street can post needs here."
                )
            )
    if grid is None and building is not None and building.grid_id:
        grid = building.grid  # the building's grid worker follows the need
    if kind not in NeedKind.values:
        raise ValidationError(_("Unknown kind of need."))
    if urgency not in Urgency.values:
        raise ValidationError(_("Unknown urgency."))
    if not category.active or not category.is_item:
        raise ValidationError(_("Choose an item of the service menu."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Say in a few words what is needed."))
    if budget is not None and budget < 0:
        raise ValidationError(_("A budget cannot be negative."))
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError(_("The date needed by must be in the future."))
    if compound is not None and compound.community_id != community.pk:
        raise ValidationError(_("The compound is not in %(community)s.") % {"community": community.name})
    if building is not None and (compound is None or building.compound_id != compound.pk):
        raise ValidationError(_("The building is not in the chosen compound."))
    if beneficiary_resident is not None and beneficiary_resident.residence_area_id != community.pk:
        raise ValidationError(
            _("The beneficiary does not live in %(community)s.") % {"community": community.name}
        )
    if beneficiary_resident is not None and not beneficiary_name:
        beneficiary_name = beneficiary_resident.name
    need = Need.objects.create(
        kind=kind,
        title=title[:80],
        description=description,
        category=category,
        community=community,
        community_path=community.path,
        compound=compound,
        building=building,
        grid=grid,
        grid_path=grid.path if grid is not None else "",
        urgency=urgency,
        budget=budget,
        due_at=due_at,
        beneficiary_resident=beneficiary_resident,
        beneficiary_name=beneficiary_name[:32],
        beneficiary_address=beneficiary_address[:120],
        posted_by=acting_user,
        posted_as=posted_as,
    )
    _event(need, "", "post", acting_user)
    record_event(
        actor=acting_user, action="service.need_posted", request=request, target=need, detail={"kind": kind}
    )
    notify(
        recipients=community_staff(community),
        kind="service.need_posted",
        title=(
            _("New wish in %(community)s: %(title)s")
            if kind == NeedKind.WISH
            else _("New need in %(community)s: %(title)s")
        )
        % {"community": community.name, "title": need.title},
        url=_need_url(need),
    )
    return need


def _validate_assignee(need: Need, member, team, unit) -> None:
    chosen = [x for x in (member, team, unit) if x is not None]
    if len(chosen) != 1:
        raise ValidationError(_("Choose one member, one team or one unit."))
    if member is not None and not serves_in(member, need.community):
        raise ValidationError(
            _("%(name)s neither lives in nor reports to %(community)s.")
            % {"name": member.name, "community": need.community.name}
        )
    if team is not None and team.community_id != need.community_id:
        raise ValidationError(_("The team belongs to another community."))
    if unit is not None:
        _require_unit_reaches(unit, need.community)


def _require_unit_reaches(unit, community) -> None:
    """A unit serves communities of its street and those it is paired with (结对共建); offering it
    a need or a household elsewhere would show a stranger whom it is for."""
    from service.unit_actions import unit_reaches  # unit_actions imports this module

    if not unit_reaches(unit, community):
        raise ValidationError(
            _("%(unit)s works with communities of its street or paired with it, not with %(community)s.")
            % {"unit": unit.name, "community": community.name}
        )


@transaction.atomic
def dispatch_need(
    *,
    acting_user,
    need: Need,
    member: Member | None = None,
    team: Team | None = None,
    unit=None,
    note: str = "",
    respond_by=None,
    suggestion_reason: str = "",
    request=None,
) -> Assignment:
    """派单: the community (or street) offers an open need to a member, a team or a unit."""
    need = _locked_need(need)
    if not staffs_community(acting_user, need.community):
        raise PermissionDenied(_("Only the community or its street can dispatch this need."))
    _require_state(need, NeedState.OPEN, doing=_("dispatched"))
    _validate_assignee(need, member, team, unit)
    now = timezone.now()
    if respond_by is None:
        respond_by = now + timedelta(hours=settings.SERVICE_REPLY_HOURS)
    if respond_by <= now:
        raise ValidationError(_("The reply deadline must be in the future."))
    assignment = Assignment.objects.create(
        need=need,
        member=member,
        team=team,
        unit=unit,
        via=AssignmentVia.DISPATCH,
        state=AssignmentState.OFFERED,
        assigned_by=acting_user,
        note=note[:200],
        suggestion_reason=suggestion_reason[:200],
        respond_by=respond_by,
    )
    previous = need.state
    need.state = NeedState.OFFERED
    need.save(update_fields=["state"])
    _event(need, previous, "dispatch", acting_user, reason=f"→ {assignment.assignee}")
    record_event(
        actor=acting_user,
        action="service.need_dispatched",
        request=request,
        target=need,
        detail={"assignment": str(assignment.public_id), "to": str(assignment.assignee)},
    )
    notify(
        recipients=assignee_users(assignment),
        kind="service.need_dispatched",
        title=_("%(community)s asks you to take a need: %(title)s")
        % {"community": need.community.name, "title": need.title},
        body=note,
        url=_need_url(need),
    )
    return assignment


@transaction.atomic
def take_need(*, acting_user, need: Need, unit=None, request=None) -> Assignment:
    """接单: a member takes an open need of a community they serve, or a unit admin takes it for the unit."""
    need = _locked_need(need)
    _require_state(need, NeedState.OPEN, doing=_("taken"))
    member = None
    if unit is not None:
        if unit.pk not in scope_for(acting_user).units_for(Role.UNIT_ADMIN):
            raise PermissionDenied(_("Only the unit's party admin can take a need for the unit."))
        if not unit_serves(unit, need.community):
            raise PermissionDenied(
                _("%(unit)s is neither in nor paired with %(community)s.")
                % {"unit": unit.name, "community": need.community.name}
            )
    else:
        member = member_of(acting_user)
        if member is None:
            raise PermissionDenied(_("Only members and unit party admins can take needs."))
        if not serves_in(member, need.community):
            raise PermissionDenied(
                _("You can take needs of the community you live in or report to, not of %(community)s.")
                % {"community": need.community.name}
            )
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(
                need=need,
                member=member,
                unit=unit,
                via=AssignmentVia.TAKEN,
                state=AssignmentState.ACCEPTED,
                assigned_by=acting_user,
                responded_at=timezone.now(),
                responded_by=acting_user,
            )
    except IntegrityError as exc:  # somebody else took it a moment ago
        raise ValidationError(_("Somebody else has just taken this need.")) from exc
    previous = need.state
    need.state = NeedState.TAKEN
    need.save(update_fields=["state"])
    _event(need, previous, "take", acting_user, reason=str(assignment.assignee))
    record_event(actor=acting_user, action="service.need_taken", request=request, target=need)
    notify(
        recipients=community_staff(need.community),
        kind="service.need_taken",
        title=_("%(who)s took the need: %(title)s") % {"who": assignment.assignee, "title": need.title},
        url=_need_url(need),
    )
    return assignment


def _locked_assignment(assignment: Assignment) -> tuple[Assignment, Need]:
    need = _locked_need(assignment.need)
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("member__user", "team", "unit")
        .get(pk=assignment.pk)
    )
    return assignment, need


@transaction.atomic
def accept_assignment(*, acting_user, assignment: Assignment, request=None) -> Assignment:
    """The member, team or unit says yes to a dispatched need."""
    assignment, need = _locked_assignment(assignment)
    if not answers_for(acting_user, assignment):
        raise PermissionDenied(_("This need was offered to somebody else."))
    if assignment.state != AssignmentState.OFFERED:
        raise ValidationError(
            _("This offer is %(state)s; it cannot be accepted.") % {"state": assignment.get_state_display()}
        )
    assignment.state = AssignmentState.ACCEPTED
    assignment.responded_at = timezone.now()
    assignment.responded_by = acting_user
    assignment.save(update_fields=["state", "responded_at", "responded_by"])
    previous = need.state
    need.state = NeedState.TAKEN
    need.save(update_fields=["state"])
    _event(need, previous, "accept", acting_user, reason=str(assignment.assignee))
    record_event(actor=acting_user, action="service.assignment_accepted", request=request, target=need)
    notify(
        recipients=[assignment.assigned_by] if assignment.assigned_by_id else community_staff(need.community),
        kind="service.assignment_accepted",
        title=_("%(who)s accepted: %(title)s") % {"who": assignment.assignee, "title": need.title},
        url=_need_url(need),
    )
    return assignment


@transaction.atomic
def decline_assignment(*, acting_user, assignment: Assignment, reason: str, request=None) -> Assignment:
    """The member, team or unit says no, with a reason; the need goes back to the community's board."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you decline, so the community can find somebody else."))
    assignment, need = _locked_assignment(assignment)
    if not answers_for(acting_user, assignment):
        raise PermissionDenied(_("This need was offered to somebody else."))
    if assignment.state != AssignmentState.OFFERED:
        raise ValidationError(
            _("This offer is %(state)s; it cannot be declined.") % {"state": assignment.get_state_display()}
        )
    assignment.state = AssignmentState.DECLINED
    assignment.responded_at = timezone.now()
    assignment.responded_by = acting_user
    assignment.decline_reason = reason[:200]
    assignment.save(update_fields=["state", "responded_at", "responded_by", "decline_reason"])
    previous = need.state
    need.state = NeedState.OPEN
    need.save(update_fields=["state"])
    _event(need, previous, "decline", acting_user, reason=reason)
    record_event(
        actor=acting_user,
        action="service.assignment_declined",
        request=request,
        target=need,
        detail={"reason": reason},
    )
    notify(
        recipients=[assignment.assigned_by] if assignment.assigned_by_id else community_staff(need.community),
        kind="service.assignment_declined",
        title=_("%(who)s declined: %(title)s (%(reason)s)")
        % {"who": assignment.assignee, "title": need.title, "reason": reason},
        url=_need_url(need),
    )
    return assignment


@transaction.atomic
def withdraw_assignment(*, acting_user, assignment: Assignment, reason: str, request=None) -> Assignment:
    """The community takes a need back from whoever has it (no reply, or not served), to dispatch again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you take the need back."))
    assignment, need = _locked_assignment(assignment)
    if not staffs_community(acting_user, need.community):
        raise PermissionDenied(_("Only the community or its street can take a need back."))
    if assignment.state not in (AssignmentState.OFFERED, AssignmentState.ACCEPTED):
        raise ValidationError(
            _("This offer is %(state)s; it cannot be withdrawn.") % {"state": assignment.get_state_display()}
        )
    assignment.state = AssignmentState.WITHDRAWN
    assignment.decline_reason = reason[:200]
    assignment.save(update_fields=["state", "decline_reason"])
    previous = need.state
    need.state = NeedState.OPEN
    need.save(update_fields=["state"])
    _event(need, previous, "withdraw", acting_user, reason=reason)
    record_event(actor=acting_user, action="service.assignment_withdrawn", request=request, target=need)
    notify(
        recipients=assignee_users(assignment),
        kind="service.assignment_withdrawn",
        title=_("%(community)s took back the need: %(title)s")
        % {"community": need.community.name, "title": need.title},
        body=reason,
        url=_need_url(need),
    )
    return assignment


def current_assignment(need: Need) -> Assignment | None:
    """The offered or accepted assignment, if any (lists prefetch it as ``current_assignments``)."""
    prefetched = getattr(need, "current_assignments", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return need.assignments.current().select_related("member__user", "team", "unit").first()


@transaction.atomic
def complete_need(*, acting_user, need: Need, note: str = "", request=None) -> Need:
    """The taker reports the need served; it waits for the beneficiary's or community's confirmation.
    (Logging a service record against the need does this too.)"""
    need = _locked_need(need)
    _require_state(need, NeedState.TAKEN, doing=_("marked served"))
    assignment = current_assignment(need)
    if assignment is None or not (
        answers_for(acting_user, assignment) or staffs_community(acting_user, need.community)
    ):
        raise PermissionDenied(_("Only whoever took the need can report it served."))
    _mark_done(need, assignment, acting_user, note)
    record_event(actor=acting_user, action="service.need_served", request=request, target=need)
    return need


def _mark_done(need: Need, assignment: Assignment, actor, note: str = "") -> None:
    assignment.state = AssignmentState.DONE
    assignment.save(update_fields=["state"])
    previous = need.state
    need.state = NeedState.DONE
    need.save(update_fields=["state"])
    _event(need, previous, "serve", actor, reason=note)


@transaction.atomic
def close_need(*, acting_user, need: Need, note: str = "", request=None) -> Need:
    """The community closes a served need (confirming a service record against it does this too)."""
    need = _locked_need(need)
    if not staffs_community(acting_user, need.community):
        raise PermissionDenied(_("Only the community or its street can close this need."))
    _require_state(need, NeedState.DONE, doing=_("closed"))
    _close(need, acting_user, note)
    record_event(actor=acting_user, action="service.need_closed", request=request, target=need)
    return need


def _close(need: Need, actor, note: str = "") -> None:
    previous = need.state
    need.state = NeedState.CLOSED
    need.closed_at = timezone.now()
    need.save(update_fields=["state", "closed_at"])
    _event(need, previous, "close", actor, reason=note)


@transaction.atomic
def cancel_need(*, acting_user, need: Need, reason: str, request=None) -> Need:
    """Whoever posted it, or the community, calls a need off (solved elsewhere, posted twice…)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the need is cancelled."))
    need = _locked_need(need)
    if not (need.posted_by_id == acting_user.pk or staffs_community(acting_user, need.community)):
        raise PermissionDenied(_("Only whoever posted the need, or the community, can cancel it."))
    _require_state(need, NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN, doing=_("cancelled"))
    assignment = current_assignment(need)
    if assignment is not None:
        assignment.state = AssignmentState.WITHDRAWN
        assignment.decline_reason = reason[:200]
        assignment.save(update_fields=["state", "decline_reason"])
        notify(
            recipients=assignee_users(assignment),
            kind="service.need_cancelled",
            title=_("The need was cancelled: %(title)s") % {"title": need.title},
            body=reason,
            url=_need_url(need),
        )
    previous = need.state
    need.state = NeedState.CANCELLED
    need.closed_at = timezone.now()
    need.save(update_fields=["state", "closed_at"])
    _event(need, previous, "cancel", acting_user, reason=reason)
    record_event(actor=acting_user, action="service.need_cancelled", request=request, target=need)
    return need


# --- service posts --------------------------------------------------------------------------------


@transaction.atomic
def publish_post(
    *,
    acting_user,
    community,
    title: str,
    category: ServiceCategory,
    schedule: str,
    capacity: int,
    starts_on,
    ends_on=None,
    description: str = "",
    place: str = "",
    request=None,
) -> ServicePost:
    """The community publishes a standing post (政策宣讲岗, 矛盾调解岗…) for members to claim."""
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    if not staffs_community(acting_user, community):
        raise PermissionDenied(_("Only the community or its street can publish posts here."))
    if not category.active or not category.is_item:
        raise ValidationError(_("Choose an item of the service menu."))
    if not title.strip() or not schedule.strip():
        raise ValidationError(_("A post needs a title and a schedule."))
    if capacity is None or capacity < 1:
        raise ValidationError(_("A post needs room for at least one member."))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("A post cannot end before it starts."))
    post = ServicePost.objects.create(
        community=community,
        community_path=community.path,
        title=title.strip()[:80],
        category=category,
        schedule=schedule.strip()[:120],
        capacity=capacity,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        place=place[:120],
        published_by=acting_user,
    )
    record_event(actor=acting_user, action="service.post_published", request=request, target=post)
    return post


@transaction.atomic
def close_post(*, acting_user, post: ServicePost, request=None) -> ServicePost:
    """The community stops a post: members who hold it keep their history, nobody new can claim."""
    post = ServicePost.objects.select_for_update().get(pk=post.pk)
    if not staffs_community(acting_user, post.community):
        raise PermissionDenied(_("Only the community or its street can close this post."))
    if post.closed_at is not None:
        raise ValidationError(_("This post is already closed."))
    post.closed_at = timezone.now()
    post.save(update_fields=["closed_at"])
    post.claims.filter(left_at__isnull=True).update(left_at=post.closed_at)
    record_event(actor=acting_user, action="service.post_closed", request=request, target=post)
    return post


@transaction.atomic
def claim_post(*, acting_user, post: ServicePost, member: Member | None = None, request=None) -> PostClaim:
    """认岗: a member claims a post of a community they serve. The post row is locked before the claims
    are counted, so simultaneous claims can never exceed its capacity."""
    member = member or member_of(acting_user)
    if member is None or member.user_id != acting_user.pk:
        raise PermissionDenied(_("Only members can claim posts, for themselves."))
    post = ServicePost.objects.select_for_update(of=("self",)).select_related("community").get(pk=post.pk)
    today = timezone.localdate()
    if post.closed_at is not None or (post.ends_on is not None and post.ends_on < today):
        raise ValidationError(_("This post is closed."))
    if not serves_in(member, post.community):
        raise PermissionDenied(
            _("You can claim posts of the community you live in or report to, not of %(community)s.")
            % {"community": post.community.name}
        )
    if post.claims.filter(member=member, left_at__isnull=True).exists():
        raise ValidationError(_("You already hold this post."))
    taken = post.claims.filter(left_at__isnull=True).count()
    if taken >= post.capacity:
        raise ValidationError(
            _("This post is full (%(capacity)d of %(capacity)d places taken).") % {"capacity": post.capacity}
        )
    claim = PostClaim.objects.create(post=post, member=member, claimed_by=acting_user)
    record_event(actor=acting_user, action="service.post_claimed", request=request, target=post)
    return claim


@transaction.atomic
def leave_post(*, acting_user, claim: PostClaim, request=None) -> PostClaim:
    """A member gives a post up (or the community releases them); the place opens for somebody else."""
    claim = (
        PostClaim.objects.select_for_update(of=("self",))
        .select_related("post__community", "member")
        .get(pk=claim.pk)
    )
    own = claim.member.user_id == acting_user.pk
    if not (own or staffs_community(acting_user, claim.post.community)):
        raise PermissionDenied(_("Only the member or the community can release this post."))
    if claim.left_at is not None:
        raise ValidationError(_("This post was already given up."))
    claim.left_at = timezone.now()
    claim.save(update_fields=["left_at"])
    record_event(actor=acting_user, action="service.post_left", request=request, target=claim.post)
    return claim


# --- household pairings ---------------------------------------------------------------------------


@transaction.atomic
def pair_household(
    *,
    acting_user,
    household: Resident,
    reason: str,
    member: Member | None = None,
    unit=None,
    started_on=None,
    request=None,
) -> HouseholdPairing:
    """结对帮扶: the community pairs a member or a unit with a household in need."""
    community = household.residence_area
    if not staffs_community(acting_user, community):
        raise PermissionDenied(_("Only the household's community or street can pair it."))
    if (member is None) == (unit is None):
        raise ValidationError(_("Pair the household with one member or one unit."))
    if not (reason or "").strip():
        raise ValidationError(_("Say why the household needs a pairing."))
    if member is not None and not serves_in(member, community):
        raise ValidationError(
            _("%(name)s neither lives in nor reports to %(community)s.")
            % {"name": member.name, "community": community.name}
        )
    if unit is not None:
        _require_unit_reaches(unit, community)
    existing = HouseholdPairing.objects.active().filter(household=household)
    existing = existing.filter(member=member) if member is not None else existing.filter(unit=unit)
    if existing.exists():
        raise ValidationError(_("They are already paired with this household."))
    pairing = HouseholdPairing.objects.create(
        household=household,
        member=member,
        unit=unit,
        community=community,
        community_path=community.path,
        reason=reason.strip()[:120],
        started_on=started_on or timezone.localdate(),
        created_by=acting_user,
    )
    record_event(actor=acting_user, action="service.household_paired", request=request, target=pairing)
    helper_users = (
        [member.user]
        if member is not None and member.user_id
        else [
            g.user for g in RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=unit).select_related("user")
        ]
    )
    notify(
        recipients=helper_users,
        kind="service.household_paired",
        title=_("%(community)s paired you with a household: %(reason)s")
        % {"community": community.name, "reason": pairing.reason},
        url=reverse("service:pairing_detail", args=[pairing.public_id]),
    )
    return pairing


def helps_household(user, pairing: HouseholdPairing) -> bool:
    scope = scope_for(user)
    if pairing.member_id:
        return pairing.member_id in scope.member_ids
    return pairing.unit_id in scope.units_for(Role.UNIT_ADMIN)


@transaction.atomic
def end_household_pairing(
    *, acting_user, pairing: HouseholdPairing, reason: str = "", request=None
) -> HouseholdPairing:
    pairing = (
        HouseholdPairing.objects.select_for_update(of=("self",))
        .select_related("community")
        .get(pk=pairing.pk)
    )
    if not staffs_community(acting_user, pairing.community):
        raise PermissionDenied(_("Only the community or its street can end a pairing."))
    if pairing.ended_on is not None:
        raise ValidationError(_("This pairing has already ended."))
    pairing.ended_on = timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    record_event(
        actor=acting_user,
        action="service.household_pairing_ended",
        request=request,
        target=pairing,
        detail={"reason": reason},
    )
    return pairing


@transaction.atomic
def log_pairing_visit(
    *, acting_user, pairing: HouseholdPairing, visited_on, note: str, record=None, request=None
) -> PairingVisit:
    """The paired member or unit logs a visit to the household (走访记录)."""
    if not (helps_household(acting_user, pairing) or staffs_community(acting_user, pairing.community)):
        raise PermissionDenied(_("Only the paired member or unit, or the community, can log visits."))
    if pairing.ended_on is not None:
        raise ValidationError(_("This pairing has ended."))
    if visited_on > timezone.localdate():
        raise ValidationError(_("A visit cannot be in the future."))
    if visited_on < pairing.started_on:
        raise ValidationError(_("The visit is before the pairing started."))
    if not (note or "").strip():
        raise ValidationError(_("Say what was done on the visit."))
    if record is not None and record.pairing_id != pairing.pk:
        raise ValidationError(_("That service record is not for this household."))
    visit = PairingVisit.objects.create(
        pairing=pairing, visited_on=visited_on, note=note.strip()[:300], logged_by=acting_user, record=record
    )
    record_event(actor=acting_user, action="service.pairing_visit_logged", request=request, target=pairing)
    return visit
