"""What is still missing before go-live, counted in the user's scope; each count opens its list.

One definition per gap, used by the readiness page, its lists and the to-do item:

- communities without a party organisation (no ``PartyOrg`` attached to the community);
- units without an admin (no ``unit_admin`` grant; departments aside, they have their own role);
- rosters not imported (units, departments aside, with no member);
- members not activated (no user account linked).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleGrant
from orgs.models import PartyOrg, Unit, UnitKind
from people.models import Member
from places.models import Area, AreaLevel

READINESS_ROLES = (Role.ORG_DEPT,)  # and the platform administrator


def communities_without_org(user: Any) -> QuerySet:
    """Communities in the user's scope to which no party organisation is attached."""
    return (
        Area.objects.visible_to(user)
        .filter(level=AreaLevel.COMMUNITY)
        .filter(~Exists(PartyOrg.objects.filter(area=OuterRef("pk"))))
    )


def _units(user: Any) -> QuerySet:
    return Unit.objects.visible_to(user).exclude(kind=UnitKind.DEPARTMENT)


def units_without_admin(user: Any) -> QuerySet:
    """Units (departments aside) in the user's scope that no one administers."""
    grants = RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit=OuterRef("pk"))
    return _units(user).filter(~Exists(grants))


def units_without_roster(user: Any) -> QuerySet:
    """Units (departments aside) in the user's scope with no member on their roster."""
    return _units(user).filter(~Exists(Member.objects.filter(unit=OuterRef("pk"))))


def members_not_activated(user: Any) -> QuerySet:
    """Members in the user's scope with no user account yet."""
    return Member.objects.visible_to(user).filter(user__isnull=True)


@dataclass(frozen=True)
class Gap:
    key: str
    label: Any
    rows: Callable[[Any], QuerySet]
    columns: tuple[tuple[Any, str], ...]  # (header, attribute) for its list
    related: tuple[str, ...] = ()  # what its list and export read along

    def listed(self, user: Any) -> QuerySet:
        """The gap's rows as its list and export show them."""
        return self.rows(user).select_related(*self.related).order_by("pk")


GAPS: dict[str, Gap] = {
    gap.key: gap
    for gap in (
        Gap(
            "communities",
            _("Communities without a party organisation"),
            communities_without_org,
            ((_("Code"), "code"), (_("Community"), "name"), (_("Street"), "parent")),
            ("parent",),
        ),
        Gap(
            "admins",
            _("Units without an admin"),
            units_without_admin,
            ((_("Unit"), "name"), (_("Kind"), "get_kind_display"), (_("Located in"), "address_area")),
            ("address_area",),
        ),
        Gap(
            "rosters",
            _("Units whose roster is not imported"),
            units_without_roster,
            ((_("Unit"), "name"), (_("Kind"), "get_kind_display"), (_("Located in"), "address_area")),
            ("address_area",),
        ),
        Gap(
            "activation",
            _("Members not yet activated"),
            members_not_activated,
            ((_("Name"), "name"), (_("Unit"), "unit"), (_("Phone"), "masked_phone")),
            ("unit",),
        ),
    )
}


def readiness(user: Any) -> list[tuple[Gap, int]]:
    """Each gap with its count in the user's scope (one query each)."""
    return [(gap, gap.rows(user).count()) for gap in GAPS.values()]


def missing_total(user: Any) -> int:
    """Everything still missing, in one query (the to-do item on busy homes): the gaps' rows, UNION ALL."""
    first, *others = (gap.rows(user).order_by().values("pk") for gap in GAPS.values())
    return first.union(*others, all=True).count()
