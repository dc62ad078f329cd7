"""The case deadlines on huey's clock (djhuey discovers this module): reminders before deadlines,
escalation of overdue cases, closing resolved cases nobody confirmed. A run that fails is retried (twice,
a minute apart) and each failure is kept on the administrator's record of failed tasks (/jobs/failures/);
the reminders themselves go through the outbox, whose deliveries are retried and counted."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from cases import deadlines
from checkin.tasks import local_crontab


@db_periodic_task(crontab(minute="*/15"), retries=2, retry_delay=60)
def escalate_overdue_cases() -> int:
    """Every quarter hour: overdue cases climb community → street → district."""
    return deadlines.escalate_overdue()


@db_periodic_task(crontab(minute="5"), retries=2, retry_delay=60)
def remind_case_deadlines() -> int:
    """Hourly: cases due within a day, dispatches near their time to accept (one reminder each)."""
    return deadlines.send_reminders()


@db_periodic_task(local_crontab(hour="3", minute="20"), retries=2, retry_delay=60)
def close_unconfirmed_cases() -> int:
    """Nightly: resolved cases not confirmed within CASE_CONFIRM_DAYS close unrated."""
    return deadlines.close_unconfirmed()
