"""Who may see whom a need is for. A beneficiary's name and address are shown only to those who serve
them (the community and street, the grid worker of its grid, whoever posted it, the beneficiary, and
whoever the need is offered to or taken by); everyone else who can see the need sees that it exists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.scope import scope_for
from service.access import answers_for, staffs_community
from service.models import AssignmentState, NeedState
from service.needs.state import current_assignment

HIDDEN = _("Visible to those who serve")


def can_see_beneficiary(user, need) -> bool:
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if staffs_community(user, need.community):
        return True
    if need.posted_by_id == user.pk:
        return True
    if need.beneficiary_resident_id and need.beneficiary_resident_id in scope.resident_ids:
        return True
    if need.grid_path and any(need.grid_path.startswith(p) for p in scope.grid_paths):
        return True
    if Role.ORG_DEPT in scope.roles and scope.holds_area(Role.ORG_DEPT, need.community):
        return True
    assignment = current_assignment(need)
    if assignment is None and need.state in (NeedState.DONE, NeedState.CLOSED):
        # whoever served it still knows whom (their own record names the beneficiary anyway)
        assignment = (
            need.assignments.filter(state=AssignmentState.DONE)
            .select_related("member", "team", "unit")
            .order_by("-offered_at", "-id")
            .first()
        )
    return assignment is not None and answers_for(user, assignment)


def beneficiary_label(user, need) -> str:
    """The beneficiary's name for this viewer, or the placeholder."""
    if not (need.beneficiary_name or need.beneficiary_resident_id):
        return ""
    return need.beneficiary_name if can_see_beneficiary(user, need) else str(HIDDEN)


def can_see_record_beneficiary(user, record) -> bool:
    """Whom a service record was for: the member who served, the community and street, the beneficiary,
    and the organiser of the post. A unit's admin and inspector follow their members' service without
    learning whom they served."""
    if user is None or not user.is_authenticated:
        return False
    scope = scope_for(user)
    if record.member.user_id == user.pk or staffs_community(user, record.community):
        return True
    if record.beneficiary_resident_id and record.beneficiary_resident_id in scope.resident_ids:
        return True
    if Role.ORG_DEPT in scope.roles and scope.holds_area(Role.ORG_DEPT, record.community):
        return True
    return record.post_id is not None and record.post.published_by_id == user.pk


def record_beneficiary_label(user, record) -> str:
    if not (record.beneficiary_name or record.beneficiary_resident_id):
        return ""
    return record.beneficiary_name if can_see_record_beneficiary(user, record) else str(HIDDEN)
