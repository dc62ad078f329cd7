"""The points ledger as the service loop sees it (the ``service.ledger.Ledger`` it asks through):
booking a confirmed record, a member's balance, and the entries earned by service. ``PointsConfig.ready``
plugs it in, so service never imports points, which sits above it."""

from __future__ import annotations

from django.db.models import QuerySet

from points.actions import balance_of, book_service_points
from points.models import EntryKind, PointEntry

# What a unit's or a member's service earned: its entries and the corrections of them.
EARNED_BY_SERVICE = (EntryKind.SERVICE, EntryKind.BONUS, EntryKind.REVERSAL)


class PointsLedger:
    def book_service(self, *, acting_user, record) -> int:
        entries = book_service_points(acting_user=acting_user, record=record)
        return sum(entry.amount for entry in entries)

    def balance(self, member) -> int:
        return balance_of(member)

    def earned_by_service(self) -> QuerySet:
        return PointEntry.objects.filter(kind__in=EARNED_BY_SERVICE)
