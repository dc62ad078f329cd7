"""Outside channels for notifications. A channel has ``send(notification)`` and raises on failure.

ConsoleChannel is the demo's: it writes the message to the log. Channels plug in by dotted path in
NOTIFICATION_CHANNELS: EmailChannel uses Django's e-mail settings, SmsChannel the one SMS sender of
accounts/sms.py (SMS_BACKEND), the same that sends the sign-in and activation codes."""

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


class SmsChannel:
    """Text messages through the platform's one SMS interface (accounts.sms, ``SMS_BACKEND``): the
    notification's title to the recipient's phone on file; a recipient without a phone gets none."""

    def send(self, notification) -> None:
        from accounts.sms import NOTICE_TEMPLATE, send_sms
        from gongjian.privacy import decrypt

        cipher = notification.recipient.phone_cipher
        if cipher:
            send_sms(
                phone=decrypt(cipher),
                template=NOTICE_TEMPLATE,
                params={"title": str(notification.title)[:35]},
                kind="notification",
            )
