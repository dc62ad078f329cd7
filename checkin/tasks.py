"""Periodic check-in work for huey (djhuey discovers this module): the reminders of
checkin.reminders, on the city's clock."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task

from checkin import reminders


def local_crontab(**fields):
    """A crontab read on the city's clock (TIME_ZONE). huey hands periodic checks a naive UTC time
    (its default utc=True), so crontab(hour="9") alone would fire at 17:00 in Shanghai."""
    matches = crontab(**fields)

    def validate(timestamp: dt.datetime) -> bool:
        if timestamp.tzinfo is None and HUEY.utc:
            timestamp = timestamp.replace(tzinfo=dt.UTC)
        if timestamp.tzinfo is not None:
            timestamp = timezone.localtime(timestamp).replace(tzinfo=None)
        return matches(timestamp)

    return validate


@db_periodic_task(local_crontab(hour="9", minute="0"))
def remind_unreported_members() -> int:
    """Daily at 9:00: members with an account and no active check-in are reminded."""
    return reminders.remind_unreported_members()


@db_periodic_task(local_crontab(hour="9", minute="30"))
def remind_pending_confirmations() -> int:
    """Daily at 9:30: communities with confirmations pending too long are told how many."""
    return reminders.remind_pending_confirmations()
