"""Confirming several check-ins at once (the community's check-in page and the API).

Each check-in is still its own audited action: ``checkin.actions.confirm_checkin`` runs once per
check-in, in its own transaction, so one refusal (withdrawn meanwhile, already confirmed, another
community's) rolls back that one only and the others go through (gongjian/batches.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _

from checkin.actions import confirm_checkin
from checkin.models import CheckIn
from gongjian.batches import Outcome, run_each, split_found

if TYPE_CHECKING:
    from accounts.models import User
    from places.models import Area

BATCH_MAX = 200  # check-ins confirmed in one submit


def wanted_checkins(user: User, public_ids: Sequence[UUID]) -> tuple[list[CheckIn], list[UUID]]:
    """The check-ins asked for, among those ``user`` may see, in the order asked; and the ids that are
    not there (missing, or outside the scope: the same answer)."""
    found = CheckIn.objects.visible_to(user).filter(public_id__in=public_ids)
    return split_found(found.select_related("member", "unit", "community"), public_ids)


def elsewhere(checkins: Iterable[CheckIn], community: Area) -> list[Outcome]:
    """Refusals for the check-ins (the user may see) that are not to ``community``, the page's."""
    return [
        Outcome(
            c.public_id,
            c.member.name,
            False,
            _("This check-in is to %(community)s, not to %(here)s.")
            % {"community": c.community.name, "here": community.name},
        )
        for c in checkins
        if c.community_id != community.pk
    ]


def confirm_checkins(
    *,
    acting_user: User,
    checkins: Iterable[CheckIn],
    via: str = "manual",
    request: HttpRequest | None = None,
) -> list[Outcome]:
    """The community confirms each check-in (certificate seen in person), one action each."""
    return run_each(
        checkins,
        lambda checkin: confirm_checkin(acting_user=acting_user, checkin=checkin, via=via, request=request),
        lambda checkin: checkin.member.name,
    )
