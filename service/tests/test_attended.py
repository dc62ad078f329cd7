"""Attendance recorded as service: confirmed by the organiser at once, points booked through the one
ledger, the member told; nobody records their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from gongjian.testing import item
from notifications.models import Notification
from points.models import PointEntry
from service.models import ConfirmedVia, RecordState
from service.records.attended import record_attendance

pytestmark = pytest.mark.django_db


def attend(cast, by, **fields):
    values = {
        "member": cast.m_member,
        "community": cast.places.a1,
        "category": item(),
        "started_at": timezone.now() - timedelta(hours=3),
        "minutes": 90,
        "description": "参加社区义诊",
    }
    values.update(fields)
    return record_attendance(acting_user=by, **values)


def test_the_record_is_confirmed_by_the_organiser_with_its_points(cast):
    record = attend(cast, cast.unit)
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == ConfirmedVia.ORGANISER
    assert record.logged_by == cast.unit and record.unit == cast.places.unit_a
    assert [e.action for e in record.events.order_by("id")] == ["log", "confirm"]
    assert PointEntry.objects.filter(record=record).count() == 1
    assert AuditEvent.objects.filter(action="service.record_attended").count() == 1
    assert AuditEvent.objects.filter(action="service.record_confirmed").count() == 1
    assert Notification.objects.filter(recipient=cast.member, kind="service.record_confirmed").exists()


def test_nobody_records_their_own_attendance(cast):
    with pytest.raises(PermissionDenied, match="your own"):
        attend(cast, cast.member)


def test_bad_input_is_refused(cast):
    with pytest.raises(ValidationError):
        attend(cast, cast.unit, minutes=2)
    with pytest.raises(ValidationError):
        attend(cast, cast.unit, started_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError):
        attend(cast, cast.unit, category=item().parent)
