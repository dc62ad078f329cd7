"""The outbox: every notification goes out once, failures are kept for a retry, reminders dedupe."""

from notifications.actions import notify
from notifications.delivery import MAX_ATTEMPTS, deliver_undelivered
from notifications.models import Notification

SENT: list[str] = []


class RecordingChannel:
    def send(self, notification):
        SENT.append(notification.title)


class OverlappingWorkerChannel:
    """While sending, a second worker runs over the same outbox (as two huey workers would)."""

    def send(self, notification):
        SENT.append(notification.title)
        if len(SENT) == 1:
            deliver_undelivered()


class BrokenChannel:
    def send(self, notification):
        raise ConnectionError("SMS gateway down")


def test_each_notification_goes_out_once_even_with_overlapping_workers(cast, settings):
    SENT.clear()
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.OverlappingWorkerChannel"]
    notify(recipients=[cast.member, cast.unit], kind="test", title="hello")
    deliver_undelivered()
    assert sorted(SENT) == ["hello", "hello"]  # one per recipient, none twice
    assert not Notification.objects.undelivered().exists()


def test_a_failed_delivery_is_kept_and_retried(cast, settings):
    SENT.clear()
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.BrokenChannel"]
    notify(recipients=[cast.member], kind="test", title="later")
    assert deliver_undelivered() == 0
    note = Notification.objects.get(title="later")
    assert note.delivered_at is None and note.attempts == 1 and "gateway" in note.last_error
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.RecordingChannel"]
    assert deliver_undelivered() == 1 and SENT == ["later"]


def test_delivery_gives_up_after_the_attempt_limit(cast, settings):
    settings.NOTIFICATION_CHANNELS = [f"{__name__}.BrokenChannel"]
    notify(recipients=[cast.member], kind="test", title="never")
    for _ in range(MAX_ATTEMPTS + 2):
        deliver_undelivered()
    assert Notification.objects.get(title="never").attempts == MAX_ATTEMPTS


def test_a_reminder_is_not_repeated_while_unread(cast):
    assert notify(recipients=[cast.member], kind="r", title="report", dedupe_key="k") == 1
    assert notify(recipients=[cast.member, cast.unit], kind="r", title="report", dedupe_key="k") == 1
