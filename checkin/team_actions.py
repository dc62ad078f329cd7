"""Volunteer teams (志愿服务队 / 党员突击队): a community forms them from the members confirmed there,
and a confirmed member may join one themself. Same shape as checkin/actions.py: keyword-only,
atomic, audited; a refused action changes nothing and says why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from audit.actions import record_event
from checkin.access import own_member, serves_community
from checkin.models import CheckIn, CheckInState, Team, TeamKind, TeamMembership, VanguardKind
from people.models import Member

if TYPE_CHECKING:
    from accounts.models import User
    from places.models import Area


@transaction.atomic
def create_team(
    *,
    acting_user: User,
    community: Area,
    name: str,
    kind: str = TeamKind.VOLUNTEER,
    vanguard_kind: str = "",
    request: HttpRequest | None = None,
) -> Team:
    """The community's party organisation forms a team."""
    if not serves_community(acting_user, community):
        raise PermissionDenied(_("Only %(community)s can form its teams.") % {"community": community.name})
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the team a name."))
    if len(name) > (Team._meta.get_field("name").max_length or 0):
        raise ValidationError(_("The team name is too long."))
    if kind not in TeamKind.values:
        raise ValidationError(_("Unknown team kind."))
    if vanguard_kind and vanguard_kind not in VanguardKind.values:
        raise ValidationError(_("Unknown service focus."))
    duplicate = ValidationError(
        _("%(community)s already has a team named %(name)s.") % {"community": community.name, "name": name}
    )
    if Team.objects.filter(community=community, name=name).exists():
        raise duplicate
    try:
        with transaction.atomic():
            team = Team.objects.create(community=community, name=name, kind=kind, vanguard_kind=vanguard_kind)
    except IntegrityError as exc:  # created by someone else a moment ago
        raise duplicate from exc
    record_event(actor=acting_user, action="checkin.team_create", target=team, request=request)
    return team


@transaction.atomic
def add_team_member(
    *, acting_user: User, team: Team, member: Member, request: HttpRequest | None = None
) -> TeamMembership:
    """The community puts a member confirmed there into one of its teams."""
    if not serves_community(acting_user, team.community):
        raise PermissionDenied(
            _("Only %(community)s can change its teams.") % {"community": team.community.name}
        )
    return _join(
        acting_user=acting_user, team=team, member=member, action="checkin.team_add", request=request
    )


@transaction.atomic
def join_team(*, acting_user: User, team: Team, request: HttpRequest | None = None) -> TeamMembership:
    """A member joins a team of the community they are confirmed in."""
    member = own_member(acting_user)
    if member is None:
        raise PermissionDenied(_("Only party members can join a team."))
    return _join(
        acting_user=acting_user, team=team, member=member, action="checkin.team_join", request=request
    )


def _join(
    *, acting_user: User, team: Team, member: Member, action: str, request: HttpRequest | None
) -> TeamMembership:
    confirmed_here = CheckIn.objects.filter(
        member=member, community_id=team.community_id, state=CheckInState.CONFIRMED
    ).exists()
    if not confirmed_here:
        raise ValidationError(
            _("%(name)s has no confirmed check-in to %(community)s, so cannot join its teams.")
            % {"name": member.name, "community": team.community.name}
        )
    already = ValidationError(
        _("%(name)s is already in %(team)s.") % {"name": member.name, "team": team.name}
    )
    if TeamMembership.objects.filter(team=team, member=member).exists():
        raise already
    try:
        with transaction.atomic():
            membership = TeamMembership.objects.create(team=team, member=member)
    except IntegrityError as exc:
        raise already from exc
    record_event(
        actor=acting_user,
        action=action,
        target=team,
        request=request,
        detail={"member": str(member.public_id)},
    )
    return membership
