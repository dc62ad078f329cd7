"""Moving house, and what it does to the member's check-in (docs/CHECKIN.md, "Moving house").

people.homes.move_home records the new residence (paths re-derived). Then the rule
(checkin.rules.propose_community) is asked again for the member, and the current check-in follows it
through the check-in actions themselves:

- no active check-in, or the rule still sends the member to the same community: nothing changes;
- the rule sends them to another community: ``transfer_checkin`` checks out of the old one and submits
  to the new one (the history keeps both rows; the new one goes through certificate and confirmation);
- the rule has no community for them (they moved out of the city's communities and their unit has no
  pairing): ``check_out``; the member reports again by choosing a community, as any member without one.

All in one transaction: if the check-in cannot follow, the move is refused too and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from checkin.actions import check_out, transfer_checkin
from checkin.models import CheckIn
from checkin.rules import propose_community
from people.homes import move_home
from people.models import Member

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from places.models import Area, Building, Compound


@dataclass(frozen=True)
class Move:
    """A recorded move: the member, and what became of their check-in (``kept``, ``transferred``,
    ``checked_out`` or ``none``) with the new check-in when it was transferred."""

    member: Member
    checkin: str
    new_checkin: CheckIn | None = None


@transaction.atomic
def move_member_house(
    *,
    acting_user: User,
    member: Member,
    area: Area | None,
    compound: Compound | None = None,
    building: Building | None = None,
    request: HttpRequest | None = None,
) -> Move:
    """A member moved house: record it, and let the check-in follow the rule."""
    moved = move_home(
        acting_user=acting_user,
        person=member,
        area=area,
        compound=compound,
        building=building,
        request=request,
    )
    assert isinstance(moved, Member)
    current = (
        CheckIn.objects.active().filter(member=moved).select_related("member", "community", "unit").first()
    )
    if current is None:
        return Move(moved, "none")
    proposal = propose_community(moved)
    if proposal.community is not None and proposal.community.pk == current.community_id:
        return Move(moved, "kept")
    reason = _("Moved house to %(place)s.") % {"place": area.name if area else _("outside the city")}
    if proposal.community is None:
        check_out(acting_user=acting_user, checkin=current, reason=reason, request=request)
        return Move(moved, "checked_out")
    new = transfer_checkin(
        acting_user=acting_user, checkin=current, reason=reason, community=proposal.community, request=request
    )
    return Move(moved, "transferred", new)
