from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from alliances.meetings import cancel_meeting
from alliances.models import Activity, ActivitySignup
from alliances.pages.calendar import feed_token, feed_user
from alliances.tests.meeting_fixtures import joint_meeting
from service.models import ServiceCategory

pytestmark = pytest.mark.django_db


def an_activity(cast, a, **kwargs):
    starts = timezone.now() + timedelta(days=5)
    values = {
        "alliance": a.alliance,
        "title": "学雷锋志愿服务",
        "community": cast.places.a1,
        "community_path": cast.places.a1.path,
        "place": "龙津社区广场",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "category": ServiceCategory.objects.filter(children__isnull=True).first(),
    }
    values.update(kwargs)
    return Activity.objects.create(**values)


def events(response):
    cal = Calendar.from_ical(response.content)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_the_feed_lists_the_users_meetings_and_activities_without_a_session(cast):
    a = joint_meeting(cast)
    mine = a.meeting
    cancelled = joint_meeting(cast, a, title="已取消的会议", starts_in=timedelta(days=2)).meeting
    cancel_meeting(acting_user=cast.street, meeting=cancelled, reason="改期")
    joint_meeting(cast, a, title="别人的会议", invite_units=[cast.places.dept_a])
    act = an_activity(cast, a)
    ActivitySignup.objects.create(activity=act, user=cast.unit, name="unit")
    dropped = an_activity(cast, a, title="已退出的活动")
    ActivitySignup.objects.create(activity=dropped, user=cast.unit, name="unit", cancelled_at=timezone.now())
    url = reverse("alliances:calendar_feed", args=[feed_token(cast.unit)])
    response = Client().get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    found = events(response)
    assert set(found) == {"第四季度联席会议", "已取消的会议", "学雷锋志愿服务"}
    meeting = found["第四季度联席会议"]
    assert str(meeting["location"]) == "街道党群服务中心二楼会议室"
    assert meeting.decoded("dtstart") == mine.starts_at.replace(microsecond=0)
    assert str(found["已取消的会议"]["status"]) == "CANCELLED"
    assert str(meeting["uid"]) == f"meeting-{mine.public_id}@gongjian"


def test_a_forged_or_foreign_token_opens_nothing(cast):
    assert feed_user("nope") is None
    assert Client().get(reverse("alliances:calendar_feed", args=["nope"])).status_code == 404
    token = feed_token(cast.unit)
    assert feed_user(token) == cast.unit
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    assert Client().get(reverse("alliances:calendar_feed", args=[tampered])).status_code == 404
    cast.unit.is_active = False
    cast.unit.save(update_fields=["is_active"])
    assert Client().get(reverse("alliances:calendar_feed", args=[token])).status_code == 404


def test_the_calendar_page_shows_the_address_and_its_qr(cast):
    c = cast.login(Client(), "member")
    page = c.get(reverse("alliances:calendar"))
    html = page.content.decode()
    assert page.status_code == 200
    assert feed_token(cast.member) in html and "data-calendar-qr" in html and "webcal://" in html
    assert Client().get(reverse("alliances:calendar")).status_code == 302
