"""Outside channels for notifications. A channel has ``send(notification)`` and raises on failure.

ConsoleChannel is the demo's: it writes the message to the log. SMS and e-mail gateways plug in by
dotted path in NOTIFICATION_CHANNELS (EmailChannel uses Django's e-mail settings)."""

from __future__ import annotations

import logging

from django.core.mail import send_mail

log = logging.getLogger("gongjian.notifications")


class ConsoleChannel:
    def send(self, notification) -> None:
        log.warning(
            "[notify → %s] %s %s", notification.recipient.get_username(), notification.title, notification.url
        )


class EmailChannel:
    def send(self, notification) -> None:
        address = notification.recipient.email
        if address:
            send_mail(
                notification.title, f"{notification.body}\n\n{notification.url}".strip(), None, [address]
            )
