"""The alliances on huey's clock (djhuey discovers this module): renewal reminders before agreements
expire, reminders of resolutions past their due date. A run that fails is retried (twice, a minute apart);
the reminders go through the outbox."""

from __future__ import annotations

from huey.contrib.djhuey import db_periodic_task

from alliances import agreements
from alliances.resolutions import remind_overdue
from checkin.tasks import local_crontab


@db_periodic_task(local_crontab(hour="8", minute="40"), retries=2, retry_delay=60)
def remind_agreement_renewals() -> int:
    """Daily: agreements ending within ALLIANCE_RENEWAL_NOTICE_DAYS with no renewal (once each)."""
    return agreements.remind_renewals()


@db_periodic_task(local_crontab(hour="8", minute="10"), retries=2, retry_delay=60)
def remind_overdue_resolutions() -> int:
    """Every morning: owner units of overdue resolutions are reminded (one unread reminder each)."""
    return remind_overdue()
