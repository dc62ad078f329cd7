"""Who acts for a unit, and which communities a unit reaches or serves.

Two rules answer "which communities", on purpose (docs/SCOPES.md, "A unit's communities"):

- **reaches** (``unit_reaches``): the communities of the unit's street and those it is paired with
  (结对共建) now. The community may dispatch a need to the unit and pair it with a household there; the
  unit may offer its resources to, propose and join projects of, these communities. Each is a choice
  made in the open by somebody who knows both sides.
- **serves** (``unit_serves``): the community the unit sits in and those it is paired with now. Its
  party admin sees the open needs (posts, resources) of these communities and may take a need there
  unasked. An open need tells whoever sees it that somebody in that building needs help, so a unit
  hears of needs further along its street only when the community asks it.

Every community a unit serves, it reaches. Whatever was dispatched to the unit, its admin answers for
(``access.answers_for``: accept, decline, report served), whichever rule would have let it take it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from accounts.scope import scope_for
from checkin.access import administered_units, administers_unit, unit_admins
from checkin.models import UnitPairing
from orgs.models import Unit
from places.models import Area, AreaLevel
from places.paths import subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from checkin.models import UnitPairingQuerySet
    from orgs.models import UnitQuerySet
    from places.models import AreaQuerySet

__all__ = [
    "admins_of_units",
    "administered_units",
    "administers_unit",
    "communities_reached_by",
    "held_units",
    "holds_unit",
    "paired_now",
    "reached_q",
    "require_unit_reaches",
    "served_by_units_q",
    "unit_admins",
    "unit_reaches",
    "unit_serves",
    "units_serving_q",
]


def held_units(user: User | AnonymousUser | None) -> UnitQuerySet:
    """Units whose party admin the user is by a grant of their own (a platform administrator holds
    none): the units a user takes a need for."""
    return Unit.objects.filter(pk__in=scope_for(user).units_for(Role.UNIT_ADMIN))


def holds_unit(user: User | AnonymousUser | None, unit: Unit) -> bool:
    """``held_units`` for one unit, without a query."""
    return unit.pk in scope_for(user).units_for(Role.UNIT_ADMIN)


def admins_of_units(units: Iterable[Unit] | QuerySet[Unit] | QuerySet[Any]) -> list[User]:
    """The party admins of several units (one query): who hears of what happens to a project they
    take part in."""
    grants = RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit__in=units).select_related("user")
    return [grant.user for grant in grants]


def paired_now(**lookups: object) -> UnitPairingQuerySet:
    """Pairings (结对共建) in force today, narrowed by ``lookups`` (``unit=…``, ``community_id=…``)."""
    return UnitPairing.objects.active_on(timezone.localdate()).filter(**lookups)


# --- reach: its street's communities and its paired ones ---------------------------------------------


def _street_path(area: Area | None) -> str:
    """The path of the street an area lies in ('' for none, or above street level)."""
    if area is None:
        return ""
    if area.level == AreaLevel.STREET:
        return area.path
    codes = [c for c in area.path.split(".") if c]
    if area.level == AreaLevel.COMMUNITY and len(codes) >= 2:
        return ".".join(codes[:-1]) + "."
    return ""


def reached_q(units: Iterable[Unit]) -> Q:
    """The communities the given units reach (their streets' and their paired ones), as a filter on
    ``Area`` (communities only when combined with ``level=community``)."""
    units = list(units)
    if not units:
        return Q(pk__in=[])
    query = Q(pk__in=paired_now(unit__in=units).values("community_id"))
    for unit in units:
        street = _street_path(unit.address_area)
        if street:
            query |= subtree_q("path", street)
    return query


def communities_reached_by(unit: Unit) -> AreaQuerySet:
    """The communities a unit reaches: those of its street, and those it is paired with now."""
    return Area.objects.filter(level=AreaLevel.COMMUNITY).filter(reached_q([unit]))


def unit_reaches(unit: Unit, community: Area) -> bool:
    """Whether the community may dispatch a need to the unit or pair it with a household, and the unit may
    offer it resources and take part in its projects: a community of the unit's street, or one it is
    paired with now."""
    street = _street_path(unit.address_area)
    if street and community.level == AreaLevel.COMMUNITY and community.path.startswith(street):
        return True
    return paired_now(unit=unit, community=community).exists()


def require_unit_reaches(unit: Unit, community: Area) -> None:
    """Refuse, in words, a community the unit does not reach: offering it a need or a household there
    would show a stranger whom it is for."""
    if not unit_reaches(unit, community):
        raise ValidationError(
            _("%(unit)s works with communities of its street or paired with it, not with %(community)s.")
            % {"unit": unit.name, "community": community.name}
        )


# --- serve: where it sits and its paired communities ---------------------------------------------------


def unit_serves(unit: Unit, community: Area) -> bool:
    """Whether the unit's admin sees the community's open needs and may take one unasked: the community
    the unit sits in, or one it is paired with now."""
    return unit.address_area_id == community.pk or paired_now(unit=unit, community=community).exists()


def served_by_units_q(unit_ids: Iterable[int], field: str = "community_id") -> Q:
    """``unit_serves`` for the units ``unit_ids``, as a filter on ``field`` (a community's id) made of
    subqueries, so a scoped list costs no extra round trip."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": paired_now(unit_id__in=unit_ids).values("community_id")}) | Q(
        **{f"{field}__in": Unit.objects.filter(pk__in=unit_ids).values("address_area_id")}
    )


def units_serving_q(community_id: int, field: str = "unit") -> Q:
    """``unit_serves`` seen from the community: rows whose ``field`` is a unit sitting in the community or
    paired with it now."""
    return Q(**{f"{field}__address_area_id": community_id}) | Q(
        **{f"{field}_id__in": paired_now(community_id=community_id).values("unit_id")}
    )
