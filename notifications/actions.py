"""Writing to the outbox. Delivery through outside channels happens after the commit, in the
background (notifications.tasks)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from notifications.models import Notification


def notify(
    *, recipients: Iterable, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str = ""
) -> int:
    """Queue one notification per recipient; with a dedupe_key, a recipient who already has an unread
    notification with that key is not notified again (reminders stay one per person)."""
    people = {user.pk: user for user in recipients if user is not None}
    if dedupe_key:
        already = set(
            Notification.objects.unread()
            .filter(dedupe_key=dedupe_key, recipient_id__in=people)
            .values_list("recipient_id", flat=True)
        )
        people = {pk: user for pk, user in people.items() if pk not in already}
    Notification.objects.bulk_create(
        Notification(recipient=user, kind=kind, title=title[:200], body=body, url=url, dedupe_key=dedupe_key)
        for user in people.values()
    )
    if people:
        from notifications.tasks import deliver_pending

        transaction.on_commit(deliver_pending)
    return len(people)
