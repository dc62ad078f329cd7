"""Shared test data of the meetings part: a regular joint meeting of the street alliance, starting now,
with the unit's admin and the department invited (through their units)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alliances.meetings import call_meeting
from alliances.models import MeetingKind
from alliances.tests.fixtures import street_alliance


def joint_meeting(cast, a=None, *, starts_in=timedelta(minutes=10), **kwargs):
    a = a or street_alliance(cast)
    starts_at = timezone.now() + starts_in
    values = {
        "acting_user": cast.street,
        "kind": MeetingKind.REGULAR,
        "alliance": a.alliance,
        "title": "第四季度联席会议",
        "place": "街道党群服务中心二楼会议室",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "agenda": "一、通报共建项目进展\n二、议定下季度任务",
        "invite_units": [cast.places.unit_a, cast.places.dept_a],
    }
    values.update(kwargs)
    a.meeting = call_meeting(**values)
    return a


def held_meeting(cast, a=None, **kwargs):
    """The same meeting, under way and recorded as held."""
    from alliances.meetings import hold_meeting

    a = joint_meeting(cast, a, starts_in=timedelta(minutes=-5), **kwargs)
    hold_meeting(acting_user=cast.street, meeting=a.meeting)
    a.meeting.refresh_from_db()
    return a
