"""API of a member moving house: the residence is updated and the check-in follows the rule
(checkin.moves.move_member_house; docs/CHECKIN.md, "Moving house")."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from accounts import roles as R
from accounts.api import require_roles
from checkin.moves import move_member_house
from gongjian.api_shapes import ErrorOut
from people.models import Member
from places.models import Area, Building, Compound

router = Router(tags=["checkin"])


class MemberMoveIn(Schema):
    community: UUID | None = Field(description="the new community; null: moved out of the city's communities")
    compound: UUID | None = None
    building: UUID | None = None


class MemberMoveOut(Schema):
    member: UUID
    checkin: str = Field(description="what became of the check-in: none, kept, transferred or checked_out")
    new_checkin: UUID | None = None


def _named(model, public_id: UUID | None, message: str):
    if public_id is None:
        return None
    found = model.objects.filter(public_id=public_id).first()
    if found is None:
        raise ValidationError(message)
    return found


@router.post(
    "/members/{member_id}/move", response={200: MemberMoveOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def move_member(request: HttpRequest, member_id: UUID, payload: MemberMoveIn):
    """A member moved house. Roles: the member themself, their unit's party admin; outside scope 404.
    The check-in follows the rule: kept, transferred to the new community, or checked out."""
    require_roles(request, R.MEMBER_MOVE_ROLES)
    member = get_object_or_404(
        Member.objects.visible_to(request.auth).select_related("residence_area", "unit"), public_id=member_id
    )
    building = _named(Building, payload.building, _("Unknown building."))
    compound = _named(Compound, payload.compound, _("Unknown compound.")) or (
        building.compound if building else None
    )
    move = move_member_house(
        acting_user=request.auth,
        member=member,
        area=_named(Area, payload.community, _("Choose a community.")),
        compound=compound,
        building=building,
        request=request,
    )
    return {
        "member": member.public_id,
        "checkin": move.checkin,
        "new_checkin": move.new_checkin.public_id if move.new_checkin is not None else None,
    }
