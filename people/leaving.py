"""When a member leaves: off the roster, transferred out of the platform, or dead.

``end_membership`` marks the record (``Member.left_on``, ``left_reason``), ends the member role of the
member's account (``accounts.actions.revoke_role``; the account keeps its other roles) and says in the
audit log who did it and why. The unit's party admin, or the area staff of the member's party
organisation (organisation department, street or community holding its area), may do it.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.actions import revoke_role
from accounts.models import Role, RoleGrant
from accounts.roles import AREA_ROLES
from accounts.scope import scope_for
from audit.actions import record_event
from people.models import LeavingReason, Member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from accounts.models import User

# The roles that may open the page at all (the rule below then asks whose member it is).
END_MEMBERSHIP_ROLES = (*AREA_ROLES, Role.UNIT_ADMIN)


def may_end_membership(user: User | AnonymousUser | None, member: Member) -> bool:
    """The member's unit's party admin (the unit of the record, or of its party organisation), or an
    area role holding the area of the member's party organisation; a platform administrator."""
    scope = scope_for(user)
    if scope.everything:
        return True
    units = scope.units_for(Role.UNIT_ADMIN)
    org = member.party_org
    if (member.unit_id is not None and member.unit_id in units) or (
        org.unit_id is not None and org.unit_id in units
    ):
        return True
    area = org.area
    return area is not None and any(scope.holds_area(role, area) for role in AREA_ROLES)


@transaction.atomic
def end_membership(
    *,
    acting_user: User,
    member: Member,
    reason: str,
    on: date | None = None,
    request: HttpRequest | None = None,
) -> Member:
    """Mark the member as gone and end their account's member role; audited as ``member.end``."""
    if reason not in LeavingReason.values:
        raise ValidationError(_("Choose why the membership ends."))
    if on is not None and on > timezone.localdate():
        raise ValidationError(_("The membership cannot end on a day still to come."))
    if not may_end_membership(acting_user, member):
        raise PermissionDenied(_("Only the member's unit or party organisation may end the membership."))
    member = Member.objects.select_for_update().select_related("party_org").get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError(_("This membership has ended already."))
    left_on = on or timezone.localdate()
    member.left_on = left_on
    member.left_reason = reason
    member.save(update_fields=["left_on", "left_reason", "updated_at"])
    if member.user_id is not None:
        for grant in RoleGrant.objects.filter(user_id=member.user_id, role=Role.MEMBER).select_related(
            "user"
        ):
            revoke_role(acting_user=acting_user, grant=grant, request=request)
    record_event(
        actor=acting_user,
        action="member.end",
        target=member,
        request=request,
        detail={"reason": reason, "on": left_on.isoformat()},
    )
    return member
