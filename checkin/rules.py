"""Where a member belongs: the community the rule sends them to (seed 001), and, once confirmed, the
grid party branch that takes them in (立体网格). Reads only; the actions apply them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from checkin.models import CheckIn, CheckInRule, UnitPairing
from orgs.models import PartyOrg, PartyOrgKind
from people.models import Member
from places.models import Area, AreaLevel
from places.paths import subtree_q


@dataclass(frozen=True)
class Proposal:
    """Where the rule sends a member, and why (shown to the member before they submit)."""

    community: Area | None
    rule: str
    note: str


def propose_community(member: Member, *, today: date | None = None) -> Proposal:
    """Seed 001's rule: the community where the member lives; if they live outside the city's
    communities, the community their unit is paired with (结对共建)."""
    today = today or timezone.localdate()
    home = member.residence_area
    if home is not None and home.level == AreaLevel.COMMUNITY:
        return Proposal(
            home,
            CheckInRule.RESIDENCE,
            _("You live in %(community)s, so you report there.") % {"community": home.name},
        )
    if member.unit_id:
        pairing = (
            UnitPairing.objects.active_on(today)
            .filter(unit_id=member.unit_id)
            .select_related("community")
            .order_by("started_on", "id")
            .first()
        )
        if pairing is not None and member.unit is not None:
            return Proposal(
                pairing.community,
                CheckInRule.PAIRING,
                _(
                    "You live outside the city's communities, so you report to %(community)s, which your unit "
                    "%(unit)s is paired with."
                )
                % {"community": pairing.community.name, "unit": member.unit.name},
            )
    return Proposal(
        None,
        CheckInRule.OVERRIDE,
        _(
            "We do not know a community of residence for you and your unit has no paired community: "
            "choose a community and say why."
        ),
    )


def grid_branch_for(checkin: CheckIn) -> PartyOrg | None:
    """立体网格: the grid branch of the member's building's grid, else the community's first one."""
    branches = PartyOrg.objects.filter(kind=PartyOrgKind.GRID_BRANCH)
    building = checkin.building if checkin.building_id else None
    grid = building.grid if building is not None and building.grid_id else None
    if grid is not None:
        own = branches.filter(grid=grid).first()
        if own is not None:
            return own
        above = (
            branches.filter(grid__isnull=False)
            .filter(grid__path__in=_ancestor_paths(grid.path))
            .order_by("-grid__level")
            .first()
        )
        if above is not None:
            return above
    return (
        branches.filter(
            subtree_q("area__path", checkin.community.path)
            | subtree_q("grid__community__path", checkin.community.path)
        )
        .order_by("path")
        .first()
    )


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split(".") if p]
    return [".".join(parts[:i]) + "." for i in range(1, len(parts) + 1)]
