"""Deliver queued notifications through the configured outside channels (placeholder until the
notifications helper lands the channels; see notifications/channels.py)."""

from huey.contrib.djhuey import db_task


@db_task()
def deliver_pending() -> int:
    from notifications.delivery import deliver_undelivered

    return deliver_undelivered()
