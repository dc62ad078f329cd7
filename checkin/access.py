"""Who acts for what in check-ins: a unit's party admin for the unit, a community's party organisation
for the community, a member for themself; and who hears of a change. Actions check these before they
write; pages use them to offer the units and communities a user works for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from orgs.models import Unit, UnitQuerySet
from people.models import Member
from places.models import Area, AreaLevel, AreaQuerySet
from places.paths import any_subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from checkin.models import CheckIn


def administers_unit(user: User | AnonymousUser, unit: Unit | None) -> bool:
    """A unit's party admin (or a platform administrator)."""
    if unit is None:
        return False
    scope = scope_for(user)
    return scope.everything or unit.pk in scope.units_for(Role.UNIT_ADMIN)


def holds_certificate_code(user: User | AnonymousUser, checkin: CheckIn) -> bool:
    """Who holds a check-in's certificate code (the code in the API, the 报到证 PDF): the member themself
    and the admins of the member's unit — by grant, so not the platform administrator, who may print
    the PDF for support (``checkin.documents``) but is not shown codes. Not the community: the code
    confirms."""
    return is_member_themself(user, checkin.member) or checkin.unit_id in scope_for(user).units_for(
        Role.UNIT_ADMIN
    )


def prints_certificate(user: User | AnonymousUser, checkin: CheckIn) -> bool:
    """Who may print a check-in's 报到证 (one or all of a unit's): those who hold its code, and the
    platform administrator, for support."""
    return holds_certificate_code(user, checkin) or scope_for(user).everything


def serves_community(user: User | AnonymousUser, community: Area) -> bool:
    """The community's party organisation (or a platform administrator)."""
    scope = scope_for(user)
    return scope.everything or scope.holds_area(Role.COMMUNITY, community)


def own_member(user: User | AnonymousUser | None) -> Member | None:
    """The user's own member record (with its unit and home), if they are a member."""
    if user is None or not user.is_authenticated:
        return None
    return (
        Member.objects.filter(user=user)
        .select_related("unit", "residence_area", "residence_compound", "residence_building")
        .first()
    )


def is_member_themself(user: User | AnonymousUser, member: Member) -> bool:
    """The member's own account."""
    return member.user_id is not None and member.user_id == user.pk


def administered_units(user: User | AnonymousUser) -> UnitQuerySet:
    """The units whose check-ins the user handles as party admin (every unit for a platform admin)."""
    if scope_for(user).everything:
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=scope_for(user).units_for(Role.UNIT_ADMIN))


def served_communities(user: User | AnonymousUser) -> AreaQuerySet:
    """The communities whose check-ins the user confirms (every community for a platform admin)."""
    communities = Area.objects.filter(level=AreaLevel.COMMUNITY)
    if scope_for(user).everything:
        return communities
    return communities.filter(any_subtree_q("path", scope_for(user).paths_for(Role.COMMUNITY)))


def unit_admins(unit: Unit | None) -> list[User]:
    """Who hears of a unit's check-ins: its party admins."""
    if unit is None:
        return []
    return [
        grant.user
        for grant in RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=unit).select_related("user")
    ]


def community_users(community: Area) -> list[User]:
    """Who hears of a community's check-ins: the accounts of its party organisation."""
    return [
        grant.user
        for grant in RoleGrant.objects.filter(role=Role.COMMUNITY, area=community).select_related("user")
    ]


def keeps_city(user: User | AnonymousUser, city: Area | None) -> bool:
    """The city's own rules (its service menu, point rules and check-in policy) are kept by the
    organisation department of the city (a grant on the city or above it) or a platform administrator;
    a district's organisation department reads them."""
    if city is None:
        return scope_for(user).everything
    scope = scope_for(user)
    return scope.everything or (city.level == AreaLevel.CITY and scope.holds_area(Role.ORG_DEPT, city))


def kept_cities(user: User | AnonymousUser) -> AreaQuerySet:
    """The cities whose rules the user keeps (``keeps_city``): every city for a platform admin."""
    cities = Area.objects.filter(level=AreaLevel.CITY)
    if scope_for(user).everything:
        return cities
    return cities.filter(any_subtree_q("path", scope_for(user).paths_for(Role.ORG_DEPT)))
