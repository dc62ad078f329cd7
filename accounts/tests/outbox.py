"""Test senders for accounts.sms: an outbox that keeps what was sent, and a sender that always fails."""

from __future__ import annotations

from accounts.sms import SmsError

SENT: list[tuple[str, str, dict]] = []


class OutboxSender:
    def send(self, phone, template, params):
        SENT.append((phone, template, dict(params)))


class FailingSender:
    def send(self, phone, template, params):
        raise SmsError("provider down")


def last_code(phone: str) -> str:
    """The code in the last message sent to ``phone``."""
    return next(params["code"] for to, _template, params in reversed(SENT) if to == phone)
