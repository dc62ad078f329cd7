"""Service reminders: overdue replies, overdue needs, records waiting for confirmation — each once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Notification
from service import reminders
from service.models import ServiceCategory, ServiceRecord
from service.needs import actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def repair():
    return ServiceCategory.objects.get(code="home_repair")


def test_overdue_reply_told_to_dispatcher_and_assignee_once(cast, repair):
    need = actions.post_need(acting_user=cast.resident, title="灯坏了", category=repair)
    actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    later = timezone.now() + timedelta(hours=25)
    Notification.objects.all().delete()

    assert reminders.remind_overdue_replies(now=later) == 2
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"community", "member"}
    assert reminders.remind_overdue_replies(now=later) == 0  # unread: not again


def test_answered_offer_is_not_overdue(cast, repair):
    need = actions.post_need(acting_user=cast.resident, title="灯坏了", category=repair)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    actions.accept_assignment(acting_user=cast.member, assignment=offer)
    assert reminders.remind_overdue_replies(now=timezone.now() + timedelta(days=3)) == 0


def test_overdue_need_told_once_a_day(cast, repair):
    actions.post_need(
        acting_user=cast.resident, title="楼道灯", category=repair, due_at=timezone.now() + timedelta(hours=2)
    )
    later = timezone.now() + timedelta(hours=3)
    assert reminders.remind_overdue_needs(now=later) == 1
    assert reminders.remind_overdue_needs(now=later) == 0
    assert reminders.remind_overdue_needs(now=later + timedelta(days=1)) == 1


def test_pending_records_counted_per_community(cast, repair):
    record_actions.log_service_record(
        acting_user=cast.member,
        category=repair,
        started_at=timezone.now() - timedelta(hours=2),
        minutes=60,
        description="修灯",
        community=cast.places.a1,
    )
    assert reminders.remind_pending_records() == 0  # not yet two days old
    ServiceRecord.objects.update(created_at=timezone.now() - timedelta(days=3))
    assert reminders.remind_pending_records() == 1
    note = Notification.objects.get(kind="service.records_pending")
    assert note.recipient == cast.community
    assert note.title.startswith("1 service record")
