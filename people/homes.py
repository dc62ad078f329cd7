"""Where a person lives: the check that a home hangs together, and moving house.

``check_home`` is the one rule for a home (a community, a compound in it, a building in that compound),
used by every write that sets one (people.actions.save_resident, the resident pages, moving house).
``move_home`` changes a member's or a resident's residence and re-derives the stored paths
(people.actions.derive_place_paths); what a move does to a member's check-in is decided above, in
checkin/moves.py, which calls this first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from people.actions import derive_place_paths
from people.keepers import keeps_area
from people.models import Member, Resident
from places.models import AreaLevel
from rollups.counting import mark_changed

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from places.models import Area, Building, Compound


def check_home(area: Area | None, compound: Compound | None, building: Building | None) -> None:
    """Refuse a home that does not hang together: a community, its compound, the compound's building."""
    if area is None:
        if compound is not None or building is not None:
            raise ValidationError(_("Choose the community first."))
        return
    if area.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community, not a street or a district."))
    if compound is not None and compound.community_id != area.pk:
        raise ValidationError(_("The compound is not in %(community)s.") % {"community": area.name})
    if building is not None and (compound is None or building.compound_id != compound.pk):
        raise ValidationError(_("The building is not in the chosen compound."))


def may_move(user: User, person: Member | Resident) -> bool:
    """Who records a move: for a member, the member themself or their unit's party admin; for a resident,
    the resident themself or the keepers of their community (people/keepers.py)."""
    scope = scope_for(user)
    if scope.everything:
        return True
    if isinstance(person, Member):
        return (person.user_id is not None and person.user_id == user.pk) or (
            person.unit_id is not None and person.unit_id in scope.units_for(Role.UNIT_ADMIN)
        )
    return (person.user_id is not None and person.user_id == user.pk) or keeps_area(
        user, person.residence_area
    )


@transaction.atomic
def move_home(
    *,
    acting_user: User,
    person: Member | Resident,
    area: Area | None,
    compound: Compound | None = None,
    building: Building | None = None,
    request: HttpRequest | None = None,
) -> Member | Resident:
    """Record that a member or a resident moved house (a member may move out of the city's communities:
    ``area`` None); the stored paths follow, so the new community sees them and the old one no longer."""
    if not may_move(acting_user, person):
        raise PermissionDenied(_("Only the person, or who keeps their record, can record a move."))
    if isinstance(person, Resident) and area is None:
        raise ValidationError(_("Choose a community."))
    check_home(area, compound, building)
    if (person.residence_area_id, person.residence_compound_id, person.residence_building_id) == (
        area.pk if area else None,
        compound.pk if compound else None,
        building.pk if building else None,
    ):
        raise ValidationError(_("That is where %(name)s lives already.") % {"name": person.name})
    before = {
        "area": person.residence_area.name if person.residence_area else "",
        "building": str(person.residence_building or ""),
    }
    lived = person.residence_path
    person.residence_area = area  # a resident's is never None: checked above
    person.residence_compound = compound
    person.residence_building = building
    derive_place_paths(person)
    fields = ["residence_area", "residence_compound", "residence_building", "residence_path", "grid_path"]
    person.save(update_fields=[*fields, *(["updated_at"] if isinstance(person, Member) else [])])
    mark_changed([lived, person.residence_path])  # the area figures count them where they live
    record_event(
        actor=acting_user,
        action="member.move" if isinstance(person, Member) else "resident.move",
        target=person,
        request=request,
        detail={"from": before, "to": {"area": area.name if area else "", "building": str(building or "")}},
    )
    return person
