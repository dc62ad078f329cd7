"""Periodic notification work: retry deliveries that failed or were never attempted.

djhuey only discovers ``tasks`` modules: notifications/tasks.py imports this module so that the
consumer schedules it."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from notifications.delivery import deliver_undelivered


@db_periodic_task(crontab(minute="*/10"))
def retry_notification_delivery() -> int:
    """Every 10 minutes: hand undelivered notifications to the channels again."""
    return deliver_undelivered()
