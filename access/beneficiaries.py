"""Whom a need or a service record is for (the beneficiary's name and address): one rule per object,
used by the pages, the API and the notifications, and one stricter rule for exports in bulk.

Least privilege: the beneficiary is shown to those who serve them, and to those who answer for the
community they live in, no further. Everyone else who may see the need or the record (a member browsing
open needs nearby, the unit following its members' service) sees that it exists, where and what, not
for whom. The reasoning, role by role, is in docs/SCOPES.md ("Whom a need or a record is for")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from access.assignees import answers_for
from access.staff import staffed_q, staffs
from accounts.models import Role
from accounts.scope import scope_for

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from service.models import Need, ServiceRecord

HIDDEN = _("Visible to those who serve")


def _oversees(user: User | AnonymousUser | None, community) -> bool:
    """The community's staff (community, street), or the organisation department above it."""
    if staffs(user, community):
        return True
    scope = scope_for(user)
    return scope.holds_area(Role.ORG_DEPT, community)


def sees_beneficiary(user: User | AnonymousUser | None, need: Need) -> bool:
    """Whom a need is for: the community and its street, the organisation department above them, the grid
    worker of its grid, whoever posted it, the beneficiary, and whoever answers for it now (the member,
    team or unit it is offered to or taken by; once served, whoever served it)."""
    if user is None or not user.is_authenticated:
        return False
    if _oversees(user, need.community) or need.posted_by_id == user.pk:
        return True
    scope = scope_for(user)
    if need.beneficiary_resident_id and need.beneficiary_resident_id in scope.resident_ids:
        return True
    if need.grid_path and any(need.grid_path.startswith(p) for p in scope.grid_paths):
        return True
    assignment = need.serving_assignment()
    return assignment is not None and answers_for(user, assignment)


def beneficiary_label(user: User | AnonymousUser | None, need: Need) -> str:
    """The need's beneficiary's name for this viewer, the placeholder, or "" when it names nobody."""
    if not (need.beneficiary_name or need.beneficiary_resident_id):
        return ""
    return need.beneficiary_name if sees_beneficiary(user, need) else str(HIDDEN)


def sees_record_beneficiary(user: User | AnonymousUser | None, record: ServiceRecord) -> bool:
    """Whom a service record was for: the member who served, the community and its street, the organisation
    department above them, the beneficiary, and the organiser of the post it was served on. A unit's admin
    and inspector follow their members' service without learning whom they served."""
    if user is None or not user.is_authenticated:
        return False
    if record.member.user_id == user.pk or _oversees(user, record.community):
        return True
    if record.beneficiary_resident_id and record.beneficiary_resident_id in scope_for(user).resident_ids:
        return True
    return record.post is not None and record.post.published_by_id == user.pk


def record_beneficiary_label(user: User | AnonymousUser | None, record: ServiceRecord) -> str:
    """The record's beneficiary's name for this viewer, the placeholder, or "" when it names nobody."""
    if not (record.beneficiary_name or record.beneficiary_resident_id):
        return ""
    return record.beneficiary_name if sees_record_beneficiary(user, record) else str(HIDDEN)


def exports_beneficiary_q(user: User | AnonymousUser | None, path_field: str = "community_path") -> Q:
    """Rows (needs, records) whose beneficiary a user's export names: only where the user staffs the
    community (community, street). Stricter than the page and the API on purpose: a sheet is copied and
    kept beyond the platform's reach, so it names beneficiaries only for those who must phone them; the
    organisation department and grid workers read names one by one on the pages."""
    return staffed_q(user, path_field)
