"""Attendance that becomes service (集体活动 → 服务记实): a member who came to an alliance's themed
activity gets one service record, confirmed by the organiser, with its points booked through the same
ledger as every other confirmed record (service.ledger) — no second ledger.

The record is created and confirmed with the steps of the service loop (``steps.add_event``,
``actions.book_confirmation``); the one rule against confirming one's own service (``refuse_logger``)
holds here too: an organiser cannot confirm their own attendance."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import origin_of
from audit.actions import record_event
from people.models import Member
from service.models import ConfirmedVia, RecordState, ServiceCategory, ServiceRecord
from service.records import steps
from service.records.actions import book_confirmation, refuse_logger


@transaction.atomic
def record_attendance(
    *,
    acting_user,
    member: Member,
    community,
    category: ServiceCategory,
    started_at,
    minutes: int,
    description: str,
    request=None,
) -> ServiceRecord:
    """The organiser records that ``member`` served at an activity: a service record confirmed at once
    (``ConfirmedVia.ORGANISER``), its points booked, the member told. Who may organise is the caller's
    rule (alliances.activities.confirm_attendance); this refuses what no organiser may do."""
    if acting_user is None or not acting_user.is_authenticated:
        raise PermissionDenied(_("Only the organiser can record attendance."))
    if not category.is_item:
        raise ValidationError(_("Choose an item of the service menu."))
    if minutes is None or minutes < 5 or minutes > 24 * 60:
        raise ValidationError(_("A service lasts between 5 minutes and 24 hours."))
    if started_at + timedelta(minutes=minutes) > timezone.now() + timedelta(minutes=5):
        raise ValidationError(_("Service cannot be logged before it has happened."))
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("Say what you did."))
    record = ServiceRecord(
        member=member,
        unit=member.unit,
        community=community,
        community_path=community.path,
        category=category,
        started_at=started_at,
        minutes=minutes,
        description=description[:500],
        state=RecordState.SUBMITTED,
        logged_by=acting_user,
    )
    refuse_logger(record, origin_of(request, acting_user))
    record.save()
    steps.add_event(record, "", "log", acting_user, reason="activity")
    record_event(
        actor=acting_user,
        action="service.record_attended",
        request=request,
        target=record,
        detail={"minutes": minutes},
    )
    return book_confirmation(record, actor=acting_user, via=ConfirmedVia.ORGANISER, request=request)
