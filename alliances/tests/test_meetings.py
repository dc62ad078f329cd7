from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alliances import meetings
from alliances.models import (
    AllianceEvent,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    MinutesState,
)
from alliances.periods import period_of
from alliances.tests.fixtures import street_alliance
from alliances.tests.meeting_fixtures import held_meeting, joint_meeting
from audit.models import AuditEvent
from cases.tests.fixtures import grid_case
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_calling_a_meeting_invites_the_units_admins_once(cast):
    a = joint_meeting(cast)
    m = a.meeting
    assert m.area_path == cast.places.street_a.path
    assert m.period_start == period_of(MeetingKind.REGULAR, timezone.localtime(m.starts_at).date())[0]
    assert set(m.invitations.values_list("user__username", flat=True)) == {"unit", "dept"}
    assert m.invitations.get(user=cast.unit).unit == cast.places.unit_a
    assert Notification.objects.filter(kind="alliances.meeting_invited").count() == 2
    # inviting again tells nobody twice; a new person is told
    assert meetings.invite(acting_user=cast.street, meeting=m, units=[cast.places.unit_a]) == 0
    assert meetings.invite(acting_user=cast.street, meeting=m, users=[cast.community, cast.unit]) == 1
    assert Notification.objects.filter(kind="alliances.meeting_invited").count() == 3
    assert AuditEvent.objects.filter(action="alliances.meeting_called").count() == 1
    actions = list(AllianceEvent.objects.filter(subject_type="meeting").values_list("action", flat=True))
    assert actions == ["call", "invite", "invite"]


def test_only_the_lead_calls_and_the_kind_must_fit_the_host(cast):
    a = street_alliance(cast)
    with pytest.raises(PermissionDenied):
        joint_meeting(cast, a, acting_user=cast.unit)
    with pytest.raises(PermissionDenied):
        joint_meeting(cast, a, acting_user=cast.street2)
    with pytest.raises(ValidationError, match="party organisation"):
        joint_meeting(cast, a, kind=MeetingKind.BRANCH_COMMITTEE)
    with pytest.raises(ValidationError, match="level"):
        joint_meeting(cast, a, kind=MeetingKind.COMMUNITY)
    with pytest.raises(ValidationError, match="ends after"):
        now = timezone.now()
        joint_meeting(cast, a, starts_at=now, ends_at=now)
    with pytest.raises(ValidationError, match="alliance or by a party"):
        joint_meeting(cast, a, party_org=cast.places.org_street_a)
    # a street committee meeting (四会) by the street's alliance is fine
    joint_meeting(cast, a, kind=MeetingKind.STREET)


def test_a_branch_holds_its_own_meetings(cast):
    p = cast.places
    starts = timezone.now() + timedelta(days=2)
    m = meetings.call_meeting(
        acting_user=cast.unit,
        kind=MeetingKind.BRANCH_COMMITTEE,
        party_org=p.org_unit_a,
        title="支委会",
        place="三楼",
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
    )
    assert m.area == p.a1 and m.alliance is None
    with pytest.raises(PermissionDenied):
        meetings.call_meeting(
            acting_user=cast.unit2,
            kind=MeetingKind.BRANCH_COMMITTEE,
            party_org=p.org_unit_a,
            title="支委会",
            place="三楼",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
    with pytest.raises(ValidationError, match="alliance"):
        meetings.call_meeting(
            acting_user=cast.unit,
            kind=MeetingKind.PLENARY,
            party_org=p.org_unit_a,
            title="x",
            place="y",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )


def test_a_make_up_meeting_counts_for_an_earlier_period(cast):
    a = street_alliance(cast)
    today = timezone.localdate()
    earlier = today - timedelta(days=120)
    joint_meeting(cast, a, period_start=earlier)
    assert a.meeting.period_start == period_of(MeetingKind.REGULAR, earlier)[0]
    with pytest.raises(ValidationError, match="after"):
        joint_meeting(cast, a, period_start=today + timedelta(days=200))


def test_qr_sign_in_inside_the_window_by_invitees_only(cast):
    a = joint_meeting(cast, starts_in=timedelta(hours=2))
    m = a.meeting
    with pytest.raises(ValidationError, match="opens"):
        meetings.sign_in(acting_user=cast.unit, meeting=m, secret=m.signin_secret)
    at = m.starts_at - timedelta(minutes=29)
    with pytest.raises(PermissionDenied, match="not the meeting"):
        meetings.sign_in(acting_user=cast.unit, meeting=m, secret="wrong", now=at)
    with pytest.raises(PermissionDenied, match="not invited"):
        meetings.sign_in(acting_user=cast.community2, meeting=m, secret=m.signin_secret, now=at)
    first = meetings.sign_in(acting_user=cast.unit, meeting=m, secret=m.signin_secret, now=at)
    assert first.signed_in_at == at and first.signed_in_via == "qr"
    again = meetings.sign_in(
        acting_user=cast.unit, meeting=m, secret=m.signin_secret, now=at + timedelta(minutes=5)
    )
    assert again.signed_in_at == at
    assert AuditEvent.objects.filter(action="alliances.meeting_signed_in").count() == 1
    with pytest.raises(ValidationError, match="over"):
        meetings.sign_in(
            acting_user=cast.dept, meeting=m, secret=m.signin_secret, now=m.ends_at + timedelta(seconds=1)
        )


def test_the_secretary_corrects_attendance(cast):
    a = held_meeting(cast)
    dept = Invitation.objects.get(meeting=a.meeting, user=cast.dept)
    with pytest.raises(PermissionDenied):
        meetings.mark_attendance(acting_user=cast.unit, invitation=dept)
    meetings.mark_attendance(acting_user=cast.street, invitation=dept, present=False, excused="出差")
    dept.refresh_from_db()
    assert dept.signed_in_at is None and dept.excused == "出差"
    meetings.mark_attendance(acting_user=cast.street, invitation=dept)
    dept.refresh_from_db()
    assert dept.signed_in_via == "secretary" and dept.excused == ""
    with pytest.raises(ValidationError):
        meetings.mark_attendance(acting_user=cast.street, invitation=dept, present=True, excused="x")
    assert AuditEvent.objects.filter(action="alliances.attendance_marked").count() == 2


def test_minutes_drafted_published_and_amended(cast):
    a = joint_meeting(cast)
    m = a.meeting
    meetings.save_minutes(acting_user=cast.street, meeting=m, text="会议议定三项任务")
    with pytest.raises(ValidationError, match="held"):
        meetings.publish_minutes(acting_user=cast.street, meeting=m)
    Meeting.objects.filter(pk=m.pk).update(starts_at=timezone.now() - timedelta(minutes=1))
    meetings.hold_meeting(acting_user=cast.street, meeting=m)
    with pytest.raises(PermissionDenied):
        meetings.publish_minutes(acting_user=cast.unit, meeting=m)
    meetings.publish_minutes(acting_user=cast.street, meeting=m)
    m.refresh_from_db()
    assert m.minutes_state == MinutesState.PUBLISHED and m.minutes_published_at
    assert Notification.objects.filter(kind="alliances.minutes_published").count() == 2
    with pytest.raises(ValidationError, match="note"):
        meetings.save_minutes(acting_user=cast.street, meeting=m, text="会议议定四项任务")
    meetings.save_minutes(acting_user=cast.street, meeting=m, text="会议议定四项任务", note="补记第四项")
    m.refresh_from_db()
    assert m.minutes == "会议议定四项任务" and m.minutes_state == MinutesState.PUBLISHED
    revisions = list(m.minutes_revisions.values_list("published", "note"))
    assert revisions == [(False, ""), (True, "Published"), (True, "补记第四项")]
    assert Notification.objects.filter(kind="alliances.minutes_published").count() == 4


def test_cancel_and_hold(cast):
    a = joint_meeting(cast, starts_in=timedelta(days=2))
    with pytest.raises(ValidationError, match="not started"):
        meetings.hold_meeting(acting_user=cast.street, meeting=a.meeting)
    with pytest.raises(ValidationError):
        meetings.cancel_meeting(acting_user=cast.street, meeting=a.meeting, reason=" ")
    meetings.cancel_meeting(acting_user=cast.street, meeting=a.meeting, reason="防汛")
    a.meeting.refresh_from_db()
    assert a.meeting.state == MeetingState.CANCELLED
    assert Notification.objects.filter(kind="alliances.meeting_cancelled").count() == 2
    with pytest.raises(ValidationError, match="cancelled"):
        meetings.sign_in(acting_user=cast.unit, meeting=a.meeting, secret=a.meeting.signin_secret)


def test_a_meeting_takes_up_a_case_the_lead_can_see(cast):
    a = joint_meeting(cast)
    case = grid_case(cast)
    meetings.take_up_case(acting_user=cast.street, meeting=a.meeting, case=case)
    assert list(a.meeting.cases.all()) == [case]
    with pytest.raises(ValidationError, match="already"):
        meetings.take_up_case(acting_user=cast.street, meeting=a.meeting, case=case)
    # a case of another street is not the lead's to bring
    from cases.actions import report_case
    from cases.tests.fixtures import category

    other = report_case(
        acting_user=cast.grid2, title="占道经营", category=category(), building=cast.places.building_b1
    )
    with pytest.raises(PermissionDenied):
        meetings.take_up_case(acting_user=cast.street, meeting=a.meeting, case=other)


def test_who_sees_a_meeting(cast):
    a = joint_meeting(cast)
    for who in ("street", "community", "unit", "dept", "orgdept", "admin"):
        assert Meeting.objects.visible_to(getattr(cast, who)).filter(pk=a.meeting.pk).exists(), who
    for who in ("street2", "community2", "unit2", "member", "resident", "nobody"):
        assert not Meeting.objects.visible_to(getattr(cast, who)).exists(), who
    assert date.today()  # the fixtures use today's dates
