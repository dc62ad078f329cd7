"""The check-in state machine: which action may move a check-in from which state to which, and the
one function that moves it and appends the CheckInEvent. Only the actions call these, inside their
transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checkin.models import ACTIVE_STATES, CheckIn, CheckInEvent, CheckInState
from people.models import Member
from rollups.counting import mark_changed

if TYPE_CHECKING:
    from accounts.models import User

# action → (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "certify": (frozenset({CheckInState.SUBMITTED}), CheckInState.CERTIFIED),
    "confirm": (frozenset({CheckInState.CERTIFIED}), CheckInState.CONFIRMED),
    "reject": (frozenset({CheckInState.SUBMITTED, CheckInState.CERTIFIED}), CheckInState.REJECTED),
    "return": (frozenset({CheckInState.SUBMITTED, CheckInState.CERTIFIED}), CheckInState.RETURNED),
    "resubmit": (frozenset({CheckInState.RETURNED}), CheckInState.SUBMITTED),
    "check_out": (frozenset(ACTIVE_STATES), CheckInState.CHECKED_OUT),
}

ACTION_LABELS = {
    "certify": gettext_lazy("certified"),
    "confirm": gettext_lazy("confirmed"),
    "reject": gettext_lazy("rejected"),
    "return": gettext_lazy("returned"),
    "resubmit": gettext_lazy("resubmitted"),
    "check_out": gettext_lazy("checked out"),
}


def transition(
    checkin: CheckIn, action: str, *, actor: User, reason: str = "", via: str = ""
) -> CheckInEvent:
    """Move the check-in as ``action`` says, stamp the time, and append the event; refuse a move the
    state does not allow."""
    allowed, target = TRANSITIONS[action]
    if checkin.state not in allowed:
        raise ValidationError(
            _("This check-in is %(state)s; it cannot be %(action)s.")
            % {"state": checkin.get_state_display(), "action": ACTION_LABELS[action]}
        )
    previous = checkin.state
    checkin.state = target
    now = timezone.now()
    if target == CheckInState.CERTIFIED:
        checkin.certified_at = now
    elif target == CheckInState.CONFIRMED:
        checkin.confirmed_at = now
    elif target in (CheckInState.REJECTED, CheckInState.CHECKED_OUT):
        checkin.closed_at = now
    checkin.save()
    # the roll-ups: the member's rate where they answer (where they live, or "" with no home on
    # record) and the community's check-ins awaiting confirmation
    if CheckIn.member.is_cached(checkin):
        lives = [checkin.member.residence_path]
    else:
        lives = list(Member.objects.filter(pk=checkin.member_id).values_list("residence_path", flat=True))
    mark_changed([*lives, checkin.community_path])
    return CheckInEvent.objects.create(
        checkin=checkin, from_state=previous, to_state=target, actor=actor, reason=reason[:200], via=via
    )


def revoke_certificates(checkin: CheckIn) -> None:
    """A check-in sent back, refused or ended keeps no valid certificate."""
    checkin.certificates.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
