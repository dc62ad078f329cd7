"""Writes to unit↔community pairings (结对共建), which decide where members living outside the city's
communities report (checkin.rules.propose_community)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from checkin.models import UnitPairing
from orgs.models import Unit
from places.models import Area, AreaLevel
from rollups.counting import mark_changed

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

NOTE_MAX_LENGTH = 200


def pairs_for_community(user: User | AnonymousUser, community: Area) -> bool:
    """The street committee whose street contains the community (or a platform administrator)."""
    scope = scope_for(user)
    return scope.everything or scope.holds_area(Role.STREET, community)


@transaction.atomic
def create_unit_pairing(
    *,
    acting_user: User,
    unit: Unit,
    community: Area,
    started_on: date,
    ended_on: date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> UnitPairing:
    """The street committee pairs a unit with one of its communities, for a period."""
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("A unit is paired with a community."))
    if not pairs_for_community(acting_user, community):
        raise PermissionDenied(
            _("Only the street committee of %(community)s can pair units with it.")
            % {"community": community.name}
        )
    if ended_on is not None and ended_on < started_on:
        raise ValidationError(_("The pairing cannot end before it starts."))
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(_("Keep the note under %(n)d characters.") % {"n": NOTE_MAX_LENGTH})
    # Lock the unit so that two overlapping pairings cannot be created side by side.
    Unit.objects.select_for_update().filter(pk=unit.pk).first()
    overlapping = UnitPairing.objects.filter(unit=unit, community=community).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=started_on)
    )
    if ended_on is not None:
        overlapping = overlapping.filter(started_on__lte=ended_on)
    clash = overlapping.order_by("started_on").first()
    if clash is not None:
        raise ValidationError(
            _("%(unit)s is already paired with %(community)s from %(start)s%(end)s.")
            % {
                "unit": unit.name,
                "community": community.name,
                "start": clash.started_on.isoformat(),
                "end": _(" to %(day)s") % {"day": clash.ended_on.isoformat()} if clash.ended_on else "",
            }
        )
    pairing = UnitPairing.objects.create(
        unit=unit, community=community, started_on=started_on, ended_on=ended_on, note=note
    )
    mark_changed([""])  # the unit's members with no home on record may answer to another community now
    record_event(
        actor=acting_user,
        action="checkin.pairing_create",
        target=pairing,
        request=request,
        detail={
            "unit": str(unit.public_id),
            "community": str(community.public_id),
            "started_on": started_on.isoformat(),
            "ended_on": ended_on.isoformat() if ended_on else None,
        },
    )
    return pairing
