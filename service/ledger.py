"""The points ledger as the service loop reaches it.

``points`` sits above ``service``: its entries point at service records, its rules at items of the
menu, and it asks service who staffs a community and whose member record a user is. So service never
imports points. The three things service needs from the ledger — book a confirmed record's points
inside the confirmation's transaction, a member's balance, and the entries earned by service (for the
unit and member figures) — it asks through this module, which the points app fills when Django starts
(``points.apps.PointsConfig.ready``). Without the points app the service loop refuses to confirm
anything rather than confirm without booking.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet


class Ledger(Protocol):
    def book_service(self, *, acting_user, record) -> int:
        """Book a confirmed record's points (inside the caller's transaction); the points booked."""

    def balance(self, member) -> int:
        """Everything booked for the member, minus everything spent."""

    def earned_by_service(self) -> QuerySet:
        """Ledger entries earned by service (service, bonus and their corrections), with ``member``,
        ``unit``, ``amount`` and ``served_on``, for the caller to narrow."""


_ledger: Ledger | None = None


def plug(ledger: Ledger) -> None:
    """The points app hands its ledger over (once, when the app registry is ready)."""
    global _ledger
    _ledger = ledger


def ledger() -> Ledger:
    if _ledger is None:
        raise ImproperlyConfigured("No points ledger is plugged in: add 'points' to INSTALLED_APPS.")
    return _ledger
