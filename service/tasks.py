"""Periodic service-loop work for huey (djhuey discovers this module): the reminders of
service.reminders, on the city's clock."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from checkin.tasks import local_crontab
from service import reminders


@db_periodic_task(crontab(minute="*/15"))
def remind_overdue_replies() -> int:
    """Every quarter hour: offers past their reply time (each is reported once)."""
    return reminders.remind_overdue_replies()


@db_periodic_task(local_crontab(hour="8", minute="30"))
def remind_overdue_needs() -> int:
    """Daily at 8:30: needs past their due time, one line per need."""
    return reminders.remind_overdue_needs()


@db_periodic_task(local_crontab(hour="9", minute="45"))
def remind_pending_records() -> int:
    """Daily at 9:45: communities with service records waiting more than two days."""
    return reminders.remind_pending_records()
