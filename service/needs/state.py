"""The steps of a need's life that actions take inside their own transaction: lock the row, require a
state, write the event row; and the three moves a service record makes on the need it was logged
against (served when logged, closed when confirmed, back to its taker when rejected).

No permission checks here: the calling action has made them. Every step writes a NeedEvent, so a
need's state is always the end of its event chain."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from service.models import Assignment, AssignmentState, Need, NeedEvent, NeedState


def need_event(need: Need, previous: str, action: str, actor, reason: str = "") -> NeedEvent:
    return NeedEvent.objects.create(
        need=need, from_state=previous, to_state=need.state, action=action, actor=actor, reason=reason[:200]
    )


def lock_need(need: Need) -> Need:
    """Re-read the need under a row lock, so two people cannot move it at once."""
    return (
        Need.objects.select_for_update(of=("self",)).select_related("community", "category").get(pk=need.pk)
    )


def need_url(need: Need) -> str:
    return reverse("service:need_detail", args=[need.public_id])


def require_state(need: Need, *states: str, doing: str) -> None:
    if need.state not in states:
        raise ValidationError(
            _("This need is %(state)s; it cannot be %(doing)s.")
            % {"state": need.get_state_display(), "doing": doing}
        )


def current_assignment(need: Need) -> Assignment | None:
    """The offered or accepted assignment, if any (lists prefetch it as ``current_assignments``)."""
    return need.current_assignment()


def mark_served(need: Need, assignment: Assignment, actor, note: str = "") -> None:
    """The taker has served it: it waits for the beneficiary's or the community's confirmation."""
    assignment.state = AssignmentState.DONE
    assignment.save(update_fields=["state"])
    previous = need.state
    need.state = NeedState.DONE
    need.save(update_fields=["state"])
    need_event(need, previous, "serve", actor, reason=note)


def close_served(need: Need, actor, note: str = "") -> None:
    """A served need is done with (the community closed it, or its service record was confirmed)."""
    previous = need.state
    need.state = NeedState.CLOSED
    need.closed_at = timezone.now()
    need.save(update_fields=["state", "closed_at"])
    need_event(need, previous, "close", actor, reason=note)


def reopen_served(need: Need, actor, reason: str) -> None:
    """The service record that served the need was rejected: the need was not served after all, so it
    goes back to whoever took it (a need no longer waiting for confirmation is left as it is)."""
    need = lock_need(need)
    if need.state != NeedState.DONE:
        return
    assignment = need.assignments.filter(state=AssignmentState.DONE).order_by("-offered_at").first()
    if assignment is None:
        return
    assignment.state = AssignmentState.ACCEPTED
    assignment.save(update_fields=["state"])
    need.state = NeedState.TAKEN
    need.save(update_fields=["state"])
    need_event(need, NeedState.DONE, "reopen", actor, reason=reason)
