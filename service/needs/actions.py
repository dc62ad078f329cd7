"""Every change to needs and wishes (需求, 微心愿) and their dispatch (派单/接单).

Each action checks who is acting and the rule, writes the change and an event row and an audit row
in one transaction, and queues notifications in that transaction (the outbox). A refused action
changes nothing and raises ValidationError or PermissionDenied with a message for the person.
Service records move the need they were logged against through service/needs/state.py.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import (
    answers_for,
    assignee_users,
    community_staff,
    holds_unit,
    own_member,
    own_resident,
    require_unit_reaches,
    serves_in,
    staffs,
    unit_serves,
)
from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from checkin.models import Team
from notifications.actions import notify
from people.models import Member, Resident
from places.models import AreaLevel
from service.models import (
    Assignment,
    AssignmentState,
    AssignmentVia,
    Need,
    NeedKind,
    NeedState,
    PostedAs,
    ServiceCategory,
    Urgency,
)
from service.needs.state import (
    close_served,
    current_assignment,
    lock_need,
    mark_served,
    need_event,
    need_url,
    require_state,
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
    resident = None
    if scope.resident_ids and not (community is not None and _poster_role(acting_user, community, grid)):
        resident = own_resident(acting_user)
    if resident is not None:
        community = resident.residence_area
        beneficiary_resident = resident
        beneficiary_name = beneficiary_name or resident.name
        compound = compound or resident.residence_compound
        building = building or resident.residence_building
        posted_as: str = PostedAs.RESIDENT
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
    need_event(need, "", "post", acting_user)
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
        url=need_url(need),
    )
    return need


# --- dispatch (派单), taking (接单) and the answers -----------------------------------------------


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
        require_unit_reaches(unit, need.community)


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
    need = lock_need(need)
    if not staffs(acting_user, need.community):
        raise PermissionDenied(_("Only the community or its street can dispatch this need."))
    require_state(need, NeedState.OPEN, doing=_("dispatched"))
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
    need_event(need, previous, "dispatch", acting_user, reason=f"→ {assignment.assignee}")
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
        url=need_url(need),
    )
    return assignment


@transaction.atomic
def take_need(*, acting_user, need: Need, unit=None, request=None) -> Assignment:
    """接单: a member takes an open need of a community they serve, or a unit admin takes it for the unit."""
    need = lock_need(need)
    require_state(need, NeedState.OPEN, doing=_("taken"))
    member = None
    if unit is not None:
        if not holds_unit(acting_user, unit):
            raise PermissionDenied(_("Only the unit's party admin can take a need for the unit."))
        if not unit_serves(unit, need.community):
            raise PermissionDenied(
                _("%(unit)s is neither in nor paired with %(community)s.")
                % {"unit": unit.name, "community": need.community.name}
            )
    else:
        member = own_member(acting_user)
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
    need_event(need, previous, "take", acting_user, reason=str(assignment.assignee))
    record_event(actor=acting_user, action="service.need_taken", request=request, target=need)
    notify(
        recipients=community_staff(need.community),
        kind="service.need_taken",
        title=_("%(who)s took the need: %(title)s") % {"who": assignment.assignee, "title": need.title},
        url=need_url(need),
    )
    return assignment


def _locked_assignment(assignment: Assignment) -> tuple[Assignment, Need]:
    need = lock_need(assignment.need)
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
    need_event(need, previous, "accept", acting_user, reason=str(assignment.assignee))
    record_event(actor=acting_user, action="service.assignment_accepted", request=request, target=need)
    notify(
        recipients=[assignment.assigned_by] if assignment.assigned_by_id else community_staff(need.community),
        kind="service.assignment_accepted",
        title=_("%(who)s accepted: %(title)s") % {"who": assignment.assignee, "title": need.title},
        url=need_url(need),
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
    need_event(need, previous, "decline", acting_user, reason=reason)
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
        url=need_url(need),
    )
    return assignment


@transaction.atomic
def withdraw_assignment(*, acting_user, assignment: Assignment, reason: str, request=None) -> Assignment:
    """The community takes a need back from whoever has it (no reply, or not served), to dispatch again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you take the need back."))
    assignment, need = _locked_assignment(assignment)
    if not staffs(acting_user, need.community):
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
    need_event(need, previous, "withdraw", acting_user, reason=reason)
    record_event(actor=acting_user, action="service.assignment_withdrawn", request=request, target=need)
    notify(
        recipients=assignee_users(assignment),
        kind="service.assignment_withdrawn",
        title=_("%(community)s took back the need: %(title)s")
        % {"community": need.community.name, "title": need.title},
        body=reason,
        url=need_url(need),
    )
    return assignment


# --- served, closed, cancelled -------------------------------------------------------------------


@transaction.atomic
def complete_need(*, acting_user, need: Need, note: str = "", request=None) -> Need:
    """The taker reports the need served; it waits for the beneficiary's or community's confirmation.
    (Logging a service record against the need does this too.)"""
    need = lock_need(need)
    require_state(need, NeedState.TAKEN, doing=_("marked served"))
    assignment = current_assignment(need)
    if assignment is None or not (
        answers_for(acting_user, assignment) or staffs(acting_user, need.community)
    ):
        raise PermissionDenied(_("Only whoever took the need can report it served."))
    mark_served(need, assignment, acting_user, note)
    record_event(actor=acting_user, action="service.need_served", request=request, target=need)
    return need


@transaction.atomic
def close_need(*, acting_user, need: Need, note: str = "", request=None) -> Need:
    """The community closes a served need (confirming a service record against it does this too)."""
    need = lock_need(need)
    if not staffs(acting_user, need.community):
        raise PermissionDenied(_("Only the community or its street can close this need."))
    require_state(need, NeedState.DONE, doing=_("closed"))
    close_served(need, acting_user, note)
    record_event(actor=acting_user, action="service.need_closed", request=request, target=need)
    return need


@transaction.atomic
def cancel_need(*, acting_user, need: Need, reason: str, request=None) -> Need:
    """Whoever posted it, or the community, calls a need off (solved elsewhere, posted twice…)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the need is cancelled."))
    need = lock_need(need)
    if not (need.posted_by_id == acting_user.pk or staffs(acting_user, need.community)):
        raise PermissionDenied(_("Only whoever posted the need, or the community, can cancel it."))
    require_state(need, NeedState.OPEN, NeedState.OFFERED, NeedState.TAKEN, doing=_("cancelled"))
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
            url=need_url(need),
        )
    previous = need.state
    need.state = NeedState.CANCELLED
    need.closed_at = timezone.now()
    need.save(update_fields=["state", "closed_at"])
    need_event(need, previous, "cancel", acting_user, reason=reason)
    record_event(actor=acting_user, action="service.need_cancelled", request=request, target=need)
    return need
