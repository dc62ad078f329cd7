"""Deliver queued notifications through the configured outside channels (notifications/channels.py)."""

from huey.contrib.djhuey import db_task

from notifications import periodic  # noqa: F401 — huey discovers modules named tasks; this schedules the retries


@db_task()
def deliver_pending() -> int:
    from notifications.delivery import deliver_undelivered

    return deliver_undelivered()
