"""Hand undelivered notifications to each configured channel; record success or the error."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import Notification

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
CLAIM_TIMEOUT = timedelta(minutes=10)


def channels() -> list:
    return [import_string(path)() for path in settings.NOTIFICATION_CHANNELS]


def deliver_undelivered(limit: int = 500) -> int:
    """Deliver up to ``limit`` notifications; a failure leaves the row undelivered for the next run.

    Several workers may run this at once: a worker first claims a row (``sending_since``, set only
    if nobody holds it), so no message goes out twice. A claim older than CLAIM_TIMEOUT (a worker
    that died mid-send) may be taken over.
    """
    delivered = 0
    outs = channels()
    now = timezone.now()
    free = Q(sending_since__isnull=True) | Q(sending_since__lt=now - CLAIM_TIMEOUT)
    batch = list(
        Notification.objects.undelivered()
        .filter(free, attempts__lt=MAX_ATTEMPTS)
        .select_related("recipient")[:limit]
    )
    for note in batch:
        claimed = Notification.objects.filter(free, pk=note.pk, delivered_at__isnull=True).update(
            sending_since=timezone.now()
        )
        if not claimed:
            continue  # another worker has it
        try:
            for channel in outs:
                channel.send(note)
        except Exception as exc:  # noqa: BLE001 — any channel failure is recorded and retried later
            log.warning("notification %s not delivered: %s", note.pk, exc)
            Notification.objects.filter(pk=note.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:300], sending_since=None
            )
            continue
        Notification.objects.filter(pk=note.pk).update(
            attempts=F("attempts") + 1, delivered_at=timezone.now(), last_error="", sending_since=None
        )
        delivered += 1
    return delivered
