"""Who is who in the service loop, and where they may act: the checks every noun's actions, pages and
API share, and the ones the points app asks (who staffs a community, whose member record a user is).

Plain reads of the user's scope and a few rows; nothing here writes. The rules that decide a change stay
in each noun's ``actions.py``; these only answer "is this user the community's staff", "does this member
serve there", "which communities does this unit reach"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from checkin.models import CheckIn, CheckInState, UnitPairing
from orgs.models import Unit
from people.models import Member
from places.models import Area, AreaLevel
from places.paths import any_subtree_q, subtree_q

# --- the community's staff ------------------------------------------------------------------------


def staffs_community(user, community) -> bool:
    """The community's party organisation or its street's committee (or a platform administrator)."""
    scope = scope_for(user)
    return (
        scope.everything
        or scope.holds_area(Role.COMMUNITY, community)
        or scope.holds_area(Role.STREET, community)
    )


def community_staff(community) -> list:
    """Users who hold the community role for ``community`` (they hear about new needs and records)."""
    return [
        g.user for g in RoleGrant.objects.filter(role=Role.COMMUNITY, area=community).select_related("user")
    ]


def staffed_communities(user):
    """Communities the user works for as the community or its street (all of them for administrators)."""
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    scope = scope_for(user)
    if scope.everything:
        return communities
    paths = (*scope.paths_for(Role.COMMUNITY), *scope.paths_for(Role.STREET))
    return communities.filter(any_subtree_q("path", paths))


def staffed_q(user) -> Q:
    """Communities the user serves as community or street staff (all for a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    return any_subtree_q("path", (*scope.paths_for(Role.COMMUNITY), *scope.paths_for(Role.STREET)))


def communities_where(query: Q):
    """The communities matching ``query``, in the tree's order."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(query).order_by("path")


# --- members --------------------------------------------------------------------------------------


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


def answers_for(user, assignment) -> bool:
    """The member a need was offered to, a member of the team, or the unit's party admin."""
    scope = scope_for(user)
    if assignment.member_id:
        return assignment.member_id in scope.member_ids
    if assignment.team_id:
        return (
            bool(scope.member_ids)
            and assignment.team.memberships.filter(member_id__in=scope.member_ids).exists()
        )
    return assignment.unit_id in scope.units_for(Role.UNIT_ADMIN)


def assignee_users(assignment) -> list:
    """Who hears about an offer: the member, the team's members, or the unit's party admins."""
    if assignment.member_id:
        return [assignment.member.user] if assignment.member.user_id else []
    if assignment.team_id:
        return [
            m.member.user
            for m in assignment.team.memberships.select_related("member__user")
            if m.member.user_id
        ]
    return unit_admins(assignment.unit)


def helps_household(user, pairing) -> bool:
    """The member or the unit paired with the household."""
    scope = scope_for(user)
    if pairing.member_id:
        return pairing.member_id in scope.member_ids
    return pairing.unit_id in scope.units_for(Role.UNIT_ADMIN)


# --- units ----------------------------------------------------------------------------------------


def unit_admins(unit) -> list:
    """The unit's party admins (they hear about what is asked of the unit)."""
    return [g.user for g in RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=unit).select_related("user")]


def administered_units(user):
    """Units whose party admin the user is (every unit for a platform administrator)."""
    scope = scope_for(user)
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=scope.units_for(Role.UNIT_ADMIN))


def unit_serves(unit, community) -> bool:
    """A unit serves the community it sits in and those it is paired with (结对共建)."""
    return (
        unit.address_area_id == community.pk
        or UnitPairing.objects.filter(unit=unit, community=community, ended_on__isnull=True).exists()
    )


def _street_path(area) -> str:
    """The path of the street an area lies in ('' above street level)."""
    codes = [c for c in area.path.split(".") if c]
    if area.level == AreaLevel.STREET:
        return area.path
    if area.level == AreaLevel.COMMUNITY and len(codes) >= 2:
        return ".".join(codes[:-1]) + "."
    return ""


def communities_for_unit(unit):
    """Communities a unit works with (offers resources to, proposes projects to, is dispatched by):
    those of the street it is located in, and those it is paired with (结对共建) now."""
    street = _street_path(unit.address_area)
    paired = UnitPairing.objects.active_on(timezone.localdate()).filter(unit=unit).values("community_id")
    near = subtree_q("path", street) if street else Q(pk__in=[])
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(near | Q(pk__in=paired))


def unit_reaches(unit, community) -> bool:
    return communities_for_unit(unit).filter(pk=community.pk).exists()


def reached_q(units) -> Q:
    """Communities the given units work with (their streets' and paired ones)."""
    query = Q(pk__in=[])
    for unit in units:
        query |= Q(pk__in=communities_for_unit(unit).values("pk"))
    return query


def require_unit_reaches(unit, community) -> None:
    """A unit serves communities of its street and those it is paired with (结对共建); offering it
    a need or a household elsewhere would show a stranger whom it is for."""
    if not unit_reaches(unit, community):
        raise ValidationError(
            _("%(unit)s works with communities of its street or paired with it, not with %(community)s.")
            % {"unit": unit.name, "community": community.name}
        )
