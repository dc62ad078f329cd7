"""Disputes: the person served says a logged service did not happen, with a reason.

From their resident account (the record page) or without one (the public code page, with the member's
one-time code, as confirming needs). The record is held for the community's review: it becomes
flagged, with the ``disputed`` flag, the way implausible records are (service/records/checks.py), so it
waits in the same queue (the desk, the records list's "Flagged for review" tab), the code and the
beneficiary can no longer confirm it, and no points are booked unless the community confirms it after
checking. The reason is the dispute event's reason. The member who logged it is told.

``refuse_logger`` applies as it does to confirming: the member's own account, and the code from where
the record was logged, cannot dispute it either.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import is_resident_themself, origin_of
from audit.actions import record_event
from notifications.actions import notify
from service.models import ConfirmedVia, Flag, RecordState, ServiceRecord
from service.records import codes
from service.records.actions import refuse_logger
from service.records.steps import (
    add_event,
    count_wrong_code,
    locked,
    record_url,
    refuse_spent_code,
    tell_community_to_review,
)

REASON_MAX = 200


def clean_reason(reason: str | None) -> str:
    """The reason, required and at most REASON_MAX characters (refused, never cut)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you think this service did not happen."))
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("Keep the reason to %(n)d characters at most (it has %(len)d).")
            % {"n": REASON_MAX, "len": len(reason)}
        )
    return reason


def _require_disputable(record: ServiceRecord, *, by_code: bool) -> None:
    if Flag.DISPUTED in record.flags:
        raise ValidationError(_("You already said this service did not happen; the community will decide."))
    if record.state == RecordState.CONFIRMED:
        raise ValidationError(_("This service is already confirmed; to dispute it, contact the community."))
    if record.state == RecordState.REJECTED:
        raise ValidationError(_("The community already rejected this record."))
    if by_code and record.state == RecordState.FLAGGED:
        raise ValidationError(
            _("This record is held for the community's review; the code no longer works. Tell the community.")
        )


def _dispute(record: ServiceRecord, *, actor, reason: str, via: str, request=None) -> ServiceRecord:
    previous = record.state
    record.state = RecordState.FLAGGED
    record.flags = [*record.flags, str(Flag.DISPUTED)]
    record.save(update_fields=["state", "flags"])
    actor = actor if actor is not None and actor.is_authenticated else None
    add_event(record, previous, "dispute", actor, reason=reason, via=via)
    record_event(
        actor=actor,
        actor_label="" if actor else _("beneficiary (code)"),
        action="service.record_disputed",
        request=request,
        target=record,
        detail={"via": via, "reason": reason},
    )
    if record.member.user_id:
        notify(
            recipients=[record.member.user],
            kind="service.record_disputed",
            title=_("The person you served says your service on %(day)s did not happen: %(reason)s")
            % {"day": timezone.localtime(record.started_at).strftime("%Y-%m-%d"), "reason": reason},
            url=record_url(record),
        )
    tell_community_to_review(record)
    return record


@transaction.atomic
def dispute_as_beneficiary(*, acting_user, record: ServiceRecord, reason: str, request=None) -> ServiceRecord:
    """The person served, in their resident account, says the service did not happen."""
    reason = clean_reason(reason)
    record = locked(record)
    refuse_logger(record, origin_of(request, acting_user), dispute=True)
    if not is_resident_themself(acting_user, record.beneficiary_resident):
        raise PermissionDenied(_("Only the person served can dispute this service this way."))
    _require_disputable(record, by_code=False)
    return _dispute(record, actor=acting_user, reason=reason, via=ConfirmedVia.BENEFICIARY, request=request)


@transaction.atomic
def dispute_with_code(
    *, record: ServiceRecord, code: str, reason: str, acting_user=None, request=None
) -> ServiceRecord | None:
    """The person served, without an account, with the code the member showed them, says the service
    did not happen. A wrong code counts towards the limit as when confirming, disputes nothing and
    answers None."""
    reason = clean_reason(reason)
    record = locked(record)
    refuse_logger(record, origin_of(request, acting_user), by_code=True, dispute=True)
    _require_disputable(record, by_code=True)
    if not codes.code_matches(record, code):
        count_wrong_code(record, acting_user, request)
        return None
    refuse_spent_code(record)
    return _dispute(record, actor=acting_user, reason=reason, via=ConfirmedVia.CODE, request=request)
