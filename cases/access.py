"""Who may do what with a case, written once (docs/SCOPES.md, "Cases"). Pages, the API, Open311, the
exports, the actions and the notifications ask these; ``Case.objects.visible_to`` stays the one door for
reading.

- Triage (close at the community, pass up): the staff of the case's community or street (``staffs``).
- Dispatch (吹哨): the street committee over the case's street, or the organisation department over it;
  only to departments of the case's city and to member units that reach its community.
- Handle (accept, return, progress, result): the department role or the unit's party admin of a unit the
  case is dispatched to.
- Rate: the reporter, and nobody else.
- The reporter's name and phone: the reporter, the staff who hold or triage the case, and its handlers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from access import staffs
from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from orgs.models import Unit, UnitKind
from places.models import Area, AreaLevel
from places.paths import any_subtree_q, subtree_q

if TYPE_CHECKING:
    from accounts.models import User
    from cases.models import Case, CaseDispatch

DISPATCH_ROLES = (Role.STREET, Role.ORG_DEPT)
HANDLER_ROLES = (Role.DEPARTMENT, Role.UNIT_ADMIN)
HOLDER_ROLE = {"community": Role.COMMUNITY, "street": Role.STREET, "district": Role.ORG_DEPT}


def handler_unit_ids(user) -> frozenset[int]:
    """The departments and units whose cases the user handles."""
    scope = scope_for(user)
    return scope.units_for(Role.DEPARTMENT) | scope.units_for(Role.UNIT_ADMIN)


def handles(user, dispatch: CaseDispatch) -> bool:
    """Whether the user answers for this dispatch's unit (a platform administrator does not: somebody of
    the department has to report for duty)."""
    return dispatch.unit_id in handler_unit_ids(user)


def handles_case(user, case: Case) -> bool:
    """Whether the user answers for a unit with a current or finished dispatch on the case."""
    units = handler_unit_ids(user)
    return bool(units) and case.dispatches.filter(unit_id__in=units).exclude(state="withdrawn").exists()


def triages(user, case: Case) -> bool:
    """The community's or street's staff over the case's place, or the holder's own staff once it has been
    passed up or escalated (the district's organisation department)."""
    if staffs(user, case.community or case.street):
        return True
    return scope_for(user).holds_area(HOLDER_ROLE[case.holder_level], case.holder_area)


def dispatches(user, case: Case) -> bool:
    """The street committee over the case's street, or the organisation department over it."""
    scope = scope_for(user)
    return scope.everything or any(scope.holds_area(role, case.street) for role in DISPATCH_ROLES)


def runs_case(user, case: Case) -> bool:
    """Who calls and records a multi-party meeting on the case: its triaging or dispatching staff, or the
    handler of its accepted lead dispatch."""
    if triages(user, case) or dispatches(user, case):
        return True
    units = handler_unit_ids(user)
    return bool(units) and case.dispatches.filter(role="lead", state="accepted", unit_id__in=units).exists()


def city_path(area: Area) -> str:
    """The path of the city an area lies in (its first segment)."""
    return area.path.split(".", 1)[0] + "."


def dispatchable_units_q(case: Case) -> Q:
    """The units a case may be whistled to: the departments of its city, and the member units that reach
    its community (its street's units and those paired with it; without a community, the street's)."""
    departments = Q(kind=UnitKind.DEPARTMENT) & subtree_q("address_area__path", city_path(case.street))
    from access import paired_now

    members = subtree_q("address_area__path", case.street.path)
    if case.community_id:
        members |= Q(pk__in=paired_now(community_id=case.community_id).values("unit_id"))
    return departments | (~Q(kind=UnitKind.DEPARTMENT) & members)


def dispatchable_units(case: Case):
    return Unit.objects.filter(dispatchable_units_q(case)).order_by("kind", "name")


def is_reporter(user, case: Case) -> bool:
    return user is not None and user.is_authenticated and case.reporter_id == user.pk


def sees_reporter(user, case: Case) -> bool:
    """Whether the user may read who reported the case (name, masked phone): the reporter, the staff who
    triage or dispatch it, and its handlers. A grid worker of the grid, the organisation department
    looking at figures, or an inspector sees "—"."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return (
        scope.everything
        or is_reporter(user, case)
        or triages(user, case)
        or dispatches(user, case)
        or handles_case(user, case)
    )


def held_by_q(user) -> Q:
    """Cases waiting at the user's own level: held by a community, street or district whose holder role
    the user has over it (the "to triage" of the boards and the home). Every case for an administrator."""
    scope = scope_for(user)
    if scope.everything:
        return Q(pk__isnull=False)
    q = Q(pk__in=[])
    for level, role in HOLDER_ROLE.items():
        paths = scope.paths_for(role)
        if paths:
            q |= Q(holder_level=level) & any_subtree_q("holder_area__path", paths)
    return q


def sees_reporter_q(user) -> Q:
    """``sees_reporter`` as a filter on cases, for lists and exports decided in the query: the reporter,
    the staff over the case's place or holding it, the street committee or organisation department over
    its street, and the handlers of a unit dispatched to it (not withdrawn)."""
    scope = scope_for(user)
    if scope.everything:
        return Q(pk__isnull=False)
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    places = [p for role in (Role.COMMUNITY, Role.STREET, *DISPATCH_ROLES) for p in scope.paths_for(role)]
    q = Q(reporter_id=user.pk) | any_subtree_q("area_path", places) | held_by_q(user)
    units = handler_unit_ids(user)
    if units:
        from cases.models import CaseDispatch

        handled = CaseDispatch.objects.filter(unit_id__in=units).exclude(state="withdrawn")
        q |= Q(pk__in=handled.values("case_id"))
    return q


def holder_staff(case: Case) -> list[User]:
    """Who hears that a case is waiting at its holder: the accounts holding the holder's role over the
    holder's area or an area above it (a city's organisation department hears of a case escalated to one
    of its districts)."""
    role = HOLDER_ROLE[case.holder_level]
    codes = [c for c in case.holder_area.path.split(".") if c]
    above = [".".join(codes[: n + 1]) + "." for n in range(len(codes))]
    grants = RoleGrant.objects.filter(role=role, area__path__in=above).select_related("user")
    return list({g.user.pk: g.user for g in grants if g.user.is_active}.values())


def unit_handlers(unit_ids) -> list[User]:
    """The accounts that answer for these units' cases (department role, unit party admins)."""
    grants = RoleGrant.objects.filter(role__in=HANDLER_ROLES, unit_id__in=list(unit_ids)).select_related(
        "user"
    )
    return list({g.user.pk: g.user for g in grants if g.user.is_active}.values())


def next_holder(case: Case) -> tuple[str, Area] | None:
    """One level up from where the case is held: community → street → district (None at the district)."""
    if case.holder_level == "community":
        return "street", case.street
    if case.holder_level == "street":
        district = case.street.parent
        if district is not None and district.level == AreaLevel.DISTRICT:
            return "district", district
    return None
