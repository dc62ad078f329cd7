"""Hand undelivered notifications to each configured channel; record success or the error."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def channels() -> list:
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]


def deliver_undelivered(limit: int = 500) -> int:
    """Deliver up to ``limit`` notifications; a failure leaves the row undelivered for the next run."""
    delivered = 0
    outs = channels()
    batch = list(
        Notification.objects.undelivered()
        .filter(attempts__lt=MAX_ATTEMPTS)
        .select_related("recipient")[:limit]
    )
    for note in batch:
        try:
            for channel in outs:
                channel.send(note)
        except Exception as exc:  # noqa: BLE001 — any channel failure is recorded and retried later
            log.warning("notification %s not delivered: %s", note.pk, exc)
            Notification.objects.filter(pk=note.pk).update(
                attempts=note.attempts + 1, last_error=str(exc)[:300]
            )
            continue
        Notification.objects.filter(pk=note.pk).update(
            attempts=note.attempts + 1, delivered_at=timezone.now(), last_error=""
        )
        delivered += 1
    return delivered
