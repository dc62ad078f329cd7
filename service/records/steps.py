"""Steps the service-record actions share (actions.py, disputes.py): read a record under its row lock,
append its event, link to its page, and count a wrong one-time code (past the limit the record goes to
the community). Only actions call these, inside their transaction."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from access import community_staff
from audit.actions import record_event
from audit.models import Outcome
from notifications.actions import notify
from service.models import Flag, RecordState, ServiceRecord, ServiceRecordEvent


def locked(record: ServiceRecord) -> ServiceRecord:
    """The record read again under a row lock, so two people cannot move it at once."""
    return (
        ServiceRecord.objects.select_for_update(of=("self",))
        .select_related("member__user", "community", "category", "need", "beneficiary_resident", "post")
        .get(pk=record.pk)
    )


def add_event(
    record: ServiceRecord, previous: str, action: str, actor, reason: str = "", via: str = ""
) -> None:
    """Append the record's event: from which state to which, by whom, why."""
    ServiceRecordEvent.objects.create(
        record=record,
        from_state=previous,
        to_state=record.state,
        action=action,
        actor=actor,
        reason=reason[:200],
        via=via,
    )


def record_url(record: ServiceRecord) -> str:
    return reverse("service:record_detail", args=[record.public_id])


def tell_community_to_review(record: ServiceRecord) -> None:
    """The community hears that a record waits for its review, and why."""
    notify(
        recipients=community_staff(record.community),
        kind="service.record_flagged",
        title=_("A service record of %(name)s needs review: %(flags)s")
        % {"name": record.member.name, "flags": "、".join(record.flag_labels())},
        url=record_url(record),
    )


def wrong_codes(record: ServiceRecord) -> int:
    return record.events.filter(action="code_failed").count()


def count_wrong_code(record: ServiceRecord, acting_user, request=None) -> None:
    """A wrong code was typed (to confirm or to dispute): counted, audited, and past
    SERVICE_CODE_ATTEMPTS the code stops working and the record goes to the community."""
    failures = wrong_codes(record) + 1
    actor = acting_user if acting_user and acting_user.is_authenticated else None
    add_event(record, record.state, "code_failed", actor)
    record_event(
        actor=acting_user,
        action="service.record_code_failed",
        request=request,
        target=record,
        outcome=Outcome.FAILURE,
    )
    if failures >= settings.SERVICE_CODE_ATTEMPTS and record.state != RecordState.FLAGGED:
        previous = record.state
        record.state = RecordState.FLAGGED
        record.flags = [*record.flags, str(Flag.CODE_ATTEMPTS)]
        record.save(update_fields=["state", "flags"])
        add_event(record, previous, "flag", None, reason="code_attempts")
        tell_community_to_review(record)


def refuse_spent_code(record: ServiceRecord) -> None:
    """The right code, after too many wrong ones: it no longer works."""
    if wrong_codes(record) >= settings.SERVICE_CODE_ATTEMPTS:
        raise ValidationError(_("Too many wrong codes; the community will confirm this record."))
