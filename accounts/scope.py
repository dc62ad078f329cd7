"""What a user may see, computed once per request from their role grants.

Every model's ``visible_to(user)`` turns this Scope into a filter; nothing else decides access. The
grants are read once per request (``grants_of``, kept on the user object beside the scope), so a page
that also lists them (the home page) asks no second query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import Role
from places.paths import any_subtree_q

_CACHE_ATTR = "_gongjian_scope"
_GRANTS_ATTR = "_gongjian_grants"


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    roles: frozenset[str] = frozenset()
    area_paths: tuple[str, ...] = ()  # subtrees: org dept, street, community
    unit_ids: frozenset[int] = frozenset()  # unit admin, department, inspector
    grid_paths: tuple[str, ...] = ()  # grid workers
    member_ids: frozenset[int] = frozenset()  # the user's own member record
    resident_ids: frozenset[int] = frozenset()  # the user's own resident record
    extra_area_ids: frozenset[int] = field(default_factory=frozenset)  # homes, units' places
    extra_party_org_ids: frozenset[int] = field(default_factory=frozenset)  # a member's own org
    # the same grants, by role: which areas a user holds as *community*, which units as *unit admin*
    paths_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)
    units_by_role: dict[str, frozenset[int]] = field(default_factory=dict)

    def area_q(self, path_field: str) -> Q:
        return any_subtree_q(path_field, self.area_paths)

    def grid_q(self, path_field: str) -> Q:
        return any_subtree_q(path_field, self.grid_paths)

    def paths_for(self, role: str) -> tuple[str, ...]:
        """Area paths of the user's grants of this one role (another role's areas give no right)."""
        return self.paths_by_role.get(role, ())

    def units_for(self, role: str) -> frozenset[int]:
        """Unit ids of the user's grants of this one role."""
        return self.units_by_role.get(role, frozenset())

    def holds_area(self, role: str, area) -> bool:
        """Whether one of the user's grants of ``role`` covers ``area`` (its subtree)."""
        return any(area.path.startswith(path) for path in self.paths_for(role))

    def has(self, *roles: str) -> bool:
        return self.everything or bool(self.roles.intersection(roles))

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything
            or self.area_paths
            or self.unit_ids
            or self.grid_paths
            or self.member_ids
            or self.resident_ids
            or self.extra_area_ids
        )


NOBODY = Scope()


def scope_for(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOBODY
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _compute(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def grants_of(user) -> list:
    """The user's role grants with their area, unit and grid, read once and kept on the user object for
    the rest of the request (the scope is computed from them; pages that show them reuse the list)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, _GRANTS_ATTR, None)
    if cached is None:
        cached = list(user.role_grants.select_related("area", "unit", "grid"))
        setattr(user, _GRANTS_ATTR, cached)
    return cached


def forget_scope(user) -> None:
    """Drop the scope and the grants kept on the user object (a grant was given or revoked)."""
    for attr in (_CACHE_ATTR, _GRANTS_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)


def _compute(user) -> Scope:
    from people.models import Member, Resident

    grants = grants_of(user)
    roles = frozenset(g.role for g in grants)
    if user.is_superuser or Role.PLATFORM_ADMIN in roles:
        return Scope(everything=True, roles=roles | {Role.PLATFORM_ADMIN})

    area_paths = tuple(sorted({g.area.path for g in grants if g.area_id}))
    unit_ids = frozenset(g.unit_id for g in grants if g.unit_id)
    grid_paths = tuple(sorted({g.grid.path for g in grants if g.grid_id}))
    extra_area_ids: set[int] = {g.unit.address_area_id for g in grants if g.unit_id}
    extra_area_ids |= {g.grid.street_id for g in grants if g.grid_id}
    member_ids: frozenset[int] = frozenset()
    resident_ids: frozenset[int] = frozenset()
    extra_party_org_ids: frozenset[int] = frozenset()

    if Role.MEMBER in roles:
        own = list(Member.objects.filter(user=user).values_list("pk", "party_org_id", "residence_area_id"))
        member_ids = frozenset(pk for pk, _, _ in own)
        extra_party_org_ids = frozenset(org for _, org, _ in own)
        extra_area_ids |= {area for _, _, area in own if area}
    if Role.RESIDENT in roles:
        own_r = list(Resident.objects.filter(user=user).values_list("pk", "residence_area_id"))
        resident_ids = frozenset(pk for pk, _ in own_r)
        extra_area_ids |= {area for _, area in own_r}

    paths_by_role: dict[str, tuple[str, ...]] = {}
    units_by_role: dict[str, frozenset[int]] = {}
    for grant in grants:
        if grant.area_id:
            paths_by_role[grant.role] = (*paths_by_role.get(grant.role, ()), grant.area.path)
        if grant.unit_id:
            units_by_role[grant.role] = units_by_role.get(grant.role, frozenset()) | {grant.unit_id}

    return Scope(
        paths_by_role=paths_by_role,
        units_by_role=units_by_role,
        roles=roles,
        area_paths=_outermost(area_paths),
        unit_ids=unit_ids,
        grid_paths=_outermost(grid_paths),
        member_ids=member_ids,
        resident_ids=resident_ids,
        extra_area_ids=frozenset(extra_area_ids),
        extra_party_org_ids=extra_party_org_ids,
    )


def _outermost(paths: tuple[str, ...]) -> tuple[str, ...]:
    """Drop paths already inside another one, so filters stay short."""
    kept: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)
