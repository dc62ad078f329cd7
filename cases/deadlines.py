"""The deadline work the task framework runs (cases/tasks.py): escalation of overdue cases up the tree,
reminders before deadlines, closing resolved cases nobody confirmed. Each case moves in its own
transaction with a CaseEvent and an audit row; reminders go through the outbox with dedupe keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from cases.access import (
    holder_staff,
    next_holder,
    unit_handlers,
)
from cases.models import (
    OPEN_CASE_STATES,
    Case,
    CaseDispatch,
    CaseState,
    DispatchState,
)
from cases.steps import case_event, case_url, lock_case
from cases.workdays import working_days_between
from notifications.actions import notify

# --- deadlines: what the task framework runs ------------------------------------------------------------


def escalation_due(case: Case, now: datetime) -> int:
    """How far up an overdue case should be: 1 (the street) once late, 2 (the district) once
    CASE_ESCALATE_DISTRICT_DAYS working days late."""
    if case.due_at is None or case.due_at >= now:
        return 0
    late = working_days_between(case.due_at, now)
    return 2 if late >= settings.CASE_ESCALATE_DISTRICT_DAYS else 1


@transaction.atomic
def escalate_case(*, case: Case, now: datetime | None = None) -> bool:
    """Move one overdue case up as far as its lateness says (督办), telling the new holder. Idempotent:
    a case already that high is left alone."""
    now = now or timezone.now()
    case = lock_case(case)
    if case.state not in OPEN_CASE_STATES:
        return False
    target = escalation_due(case, now)
    moved = False
    while case.escalation_level < target:
        up = next_holder(case)
        if up is None:
            break
        case.holder_level, case.holder_area = up
        case.escalation_level += 1
        case.escalated_at = now
        moved = True
    if not moved:
        return False
    case.save(update_fields=["holder_level", "holder_area", "escalation_level", "escalated_at"])
    case_event(
        case,
        case.state,
        "escalate",
        None,
        _("Overdue since %(due)s") % {"due": f"{timezone.localtime(case.due_at):%Y-%m-%d}"},
    )
    record_event(
        actor=None,
        action="case.escalate",
        target=case,
        actor_label="system",
        detail={"level": case.escalation_level},
    )
    notify(
        recipients=holder_staff(case),
        kind="case.escalated",
        title=_("Overdue case escalated to you: %(title)s") % {"title": case.title},
        url=case_url(case),
        dedupe_key=f"case-escalate:{case.pk}:{case.escalation_level}",
    )
    return True


def escalate_overdue(now: datetime | None = None) -> int:
    """Every overdue open case, each in its own transaction (one failure does not stop the others)."""
    now = now or timezone.now()
    moved = 0
    for case in Case.objects.overdue(now).filter(escalation_level__lt=2).select_related("street").iterator():
        moved += escalate_case(case=case, now=now)
    return moved


def send_reminders(now: datetime | None = None) -> int:
    """Reminders before deadlines: the handlers of a case due within a day, the holder of a case in triage
    due within a day, a department that has not accepted within its window's last hours. One reminder per
    person per deadline (dedupe keys); delivery is retried and counted by the outbox."""
    now = now or timezone.now()
    sent = 0
    for case in Case.objects.due_soon(now, within=timedelta(days=1)).select_related("holder_area").iterator():
        units = list(case.dispatches.current().values_list("unit_id", flat=True))
        recipients = unit_handlers(units) if units else holder_staff(case)
        sent += notify(
            recipients=recipients,
            kind="case.due_soon",
            title=_("Case due %(due)s: %(title)s")
            % {"due": f"{timezone.localtime(case.due_at):%m-%d %H:%M}", "title": case.title},
            url=case_url(case),
            dedupe_key=f"case-due:{case.pk}:{case.due_at:%Y%m%d}",
        )
    awaiting = CaseDispatch.objects.filter(
        state=DispatchState.AWAITING, accept_by__gte=now, accept_by__lt=now + timedelta(hours=4)
    ).select_related("case")
    for dispatch in awaiting.iterator():
        sent += notify(
            recipients=unit_handlers([dispatch.unit_id]),
            kind="case.accept_soon",
            title=_("Accept or return this case: %(title)s") % {"title": dispatch.case.title},
            url=case_url(dispatch.case),
            dedupe_key=f"case-accept:{dispatch.pk}",
        )
    return sent


@transaction.atomic
def close_unconfirmed(now: datetime | None = None) -> int:
    """Resolved cases nobody confirmed within CASE_CONFIRM_DAYS close without a rating (a reporter with no
    account, or one who did not answer): not satisfied, not unsatisfied — unrated."""
    now = now or timezone.now()
    stale = Case.objects.select_for_update().filter(
        state=CaseState.RESOLVED, resolved_at__lt=now - timedelta(days=settings.CASE_CONFIRM_DAYS)
    )
    n = 0
    for case in stale:
        case.state, case.closed_at = CaseState.CLOSED, now
        case.save(update_fields=["state", "closed_at"])
        case_event(
            case,
            CaseState.RESOLVED,
            "auto_close",
            None,
            _("Not confirmed within %(n)d days") % {"n": settings.CASE_CONFIRM_DAYS},
        )
        n += 1
    if n:
        record_event(actor=None, action="case.auto_close", actor_label="system", detail={"cases": n})
    return n
