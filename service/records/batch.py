"""The community confirms several service records at once (the records list).

Each record is still its own audited action: ``actions.confirm_as_organiser`` runs once per record, in
its own transaction, so a refusal (confirmed or rejected meanwhile, a flagged record without a note, a
record of another community) stays that record's and the others are confirmed, their points booked
(gongjian/batches.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from django.utils import timezone

from gongjian.batches import Outcome, run_each, split_found
from service.models import ServiceRecord
from service.records.actions import confirm_as_organiser

BATCH_MAX = 100  # records confirmed in one submit (four pages of the list)


def label_of(record: ServiceRecord) -> str:
    """The member and the day, as the community reads a record in a message."""
    return f"{record.member.name} {timezone.localtime(record.started_at):%m-%d}"


def records_asked(user, public_ids: Sequence[UUID]) -> tuple[list[ServiceRecord], list[UUID]]:
    """The records asked for among those ``user`` may see, in the order asked, and the ids not there
    (missing or outside the scope: the same answer)."""
    found = ServiceRecord.objects.visible_to(user).filter(public_id__in=public_ids).select_related("member")
    return split_found(found, public_ids)


def confirm_records(
    *, acting_user, records: Iterable[ServiceRecord], note: str = "", request=None
) -> list[Outcome]:
    """Confirm each record as the community (or organiser), one action each, with the same ``note``."""
    return run_each(
        records,
        lambda record: confirm_as_organiser(
            acting_user=acting_user, record=record, note=note, request=request
        ),
        label_of,
    )
