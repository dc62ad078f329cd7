"""Reminders: members who have not checked in, communities with confirmations pending too long."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actions import create_user
from checkin import reminders, tasks
from checkin.actions import issue_certificate, submit_checkin
from checkin.models import CheckIn
from notifications.models import Notification


def notes(user, kind=None):
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(kind=kind) if kind else qs


def test_unreported_member_is_reminded_once_while_unread(cast):
    assert reminders.remind_unreported_members() == 1  # only 张三丰 has an account
    assert reminders.remind_unreported_members() == 0
    note = notes(cast.member).get()
    assert note.dedupe_key == "checkin.unreported" and note.url == "/checkin/me/"
    note.read_at = timezone.now()
    note.save()
    assert reminders.remind_unreported_members() == 1  # read: a later reminder is allowed
    assert notes(cast.member).count() == 2


def test_members_with_an_active_checkin_or_no_account_are_not_reminded(cast):
    submit_checkin(acting_user=cast.unit, member=cast.m_member)
    assert reminders.remind_unreported_members() == 0
    li = create_user(acting_user=None, username="lisi", password=None)
    cast.m_a2.user = li
    cast.m_a2.save(update_fields=["user"])
    retired = create_user(acting_user=None, username="qianqi", password=None)
    cast.m_retired.user = retired
    cast.m_retired.save(update_fields=["user"])
    assert reminders.remind_unreported_members() == 1
    assert notes(li).count() == 1 and notes(retired).count() == 0 and notes(cast.member).count() == 0


def test_unreported_reminder_queries_do_not_grow(cast, django_assert_num_queries):
    users = []
    for n, member in enumerate([cast.m_a2, cast.m_b, cast.m_b_home_a]):
        member.user = create_user(acting_user=None, username=f"m{n}", password=None)
        member.save(update_fields=["user"])
        users.append(member.user)
    with django_assert_num_queries(3):  # members, dedupe check, one bulk insert
        assert reminders.remind_unreported_members() == 4


@pytest.fixture
def pending(cast):
    checkin = submit_checkin(acting_user=cast.unit2, member=cast.m_b)
    issue_certificate(acting_user=cast.unit2, checkin=checkin)
    CheckIn.objects.filter(pk=checkin.pk).update(certified_at=timezone.now() - timedelta(days=10))
    return checkin


def test_community_with_old_pending_confirmations_is_told_once_a_day(cast, pending, settings):
    settings.CHECKIN_PENDING_REMINDER_DAYS = 7
    today = timezone.localdate()
    assert reminders.remind_pending_confirmations(today=today) == 1
    note = notes(cast.community2, "checkin.pending_reminder").get()
    assert "1 check-in has waited more than 7 days" in note.title
    assert note.url == "/checkin/community/"
    assert not notes(cast.community, "checkin.pending_reminder").exists()
    assert reminders.remind_pending_confirmations(today=today) == 0  # same day: not again
    assert reminders.remind_pending_confirmations(today=today + timedelta(days=1)) == 1


def test_recent_pending_confirmations_wait(cast, pending, settings):
    settings.CHECKIN_PENDING_REMINDER_DAYS = 14
    assert reminders.remind_pending_confirmations() == 0
    assert reminders.overdue_by_community(days=9) == {cast.places.b1.pk: 1}


def test_a_user_serving_two_communities_gets_one_message_with_the_sum(cast, pending):
    from accounts.actions import grant_role
    from accounts.models import Role

    other = submit_checkin(acting_user=cast.unit2, member=cast.m_b_home_a)  # 赵六 → A1
    issue_certificate(acting_user=cast.unit2, checkin=other)
    CheckIn.objects.filter(pk=other.pk).update(certified_at=timezone.now() - timedelta(days=30))
    grant_role(acting_user=None, user=cast.community2, role=Role.COMMUNITY, area=cast.places.a1)
    assert reminders.remind_pending_confirmations(days=7) == 2  # community (A1: 1), community2 (2)
    assert "2 check-ins have waited" in notes(cast.community2, "checkin.pending_reminder").get().title
    assert "1 check-in has waited" in notes(cast.community, "checkin.pending_reminder").get().title


def test_periodic_tasks_run_at_nine_on_the_citys_clock():
    nine_shanghai = dt.datetime(2025, 6, 2, 1, 0)  # naive UTC, as huey hands it over
    validate = tasks.remind_unreported_members.task_class().validate_datetime
    assert validate(nine_shanghai)
    assert not validate(dt.datetime(2025, 6, 2, 9, 0))  # 17:00 in Shanghai
    pending_check = tasks.remind_pending_confirmations.task_class().validate_datetime
    assert pending_check(dt.datetime(2025, 6, 2, 1, 30))


def test_periodic_tasks_call_the_reminders(cast):
    assert tasks.remind_unreported_members.call_local() == 1
    assert tasks.remind_pending_confirmations.call_local() == 0
