from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances import meetings
from alliances.models import Invitation, Meeting, MinutesState, Resolution, ResolutionState
from alliances.tests.meeting_fixtures import held_meeting, joint_meeting
from alliances.tests.test_resolutions import PNG, a_resolution
from cases.tests.fixtures import category

pytestmark = pytest.mark.django_db


def client_for(cast, who):
    return cast.login(Client(raise_request_exception=False), who)


def detail(m):
    return reverse("alliances:meeting_detail", args=[m.public_id])


def test_the_list_shows_the_viewers_invitations_first(cast, django_assert_max_num_queries):
    a = joint_meeting(cast)
    first = a.meeting
    other = joint_meeting(
        cast, a, title="全体会议", kind="plenary", invite_units=[], starts_in=timedelta(days=3)
    ).meeting
    c = client_for(cast, "unit")
    with django_assert_max_num_queries(15):
        page = c.get(reverse("alliances:meeting_list"))
    html = page.content.decode()
    assert page.status_code == 200
    # the unit is invited to the first meeting only: it comes first though the other starts later
    assert html.index(str(first.public_id)) < html.index(str(other.public_id))
    assert "data-invited" in html
    street = client_for(cast, "street")
    for _ in range(5):
        joint_meeting(cast, a, invite_units=[])
    with django_assert_max_num_queries(15):
        page = street.get(reverse("alliances:meeting_list"), {"kind": "regular", "state": "planned"})
    assert page.content.decode().count("data-meeting=") == 6
    assert (
        client_for(cast, "street2")
        .get(reverse("alliances:meeting_list"))
        .content.decode()
        .count("data-meeting=")
        == 0
    )
    bad = street.get(reverse("alliances:meeting_list"), {"host": "a:nope", "period": "x"})
    assert bad.status_code == 200 and "data-empty" in bad.content.decode()


def test_calling_a_meeting_from_the_form(cast):
    from alliances.tests.fixtures import street_alliance

    a = street_alliance(cast)
    c = client_for(cast, "street")
    page = c.get(reverse("alliances:meeting_create"))
    assert page.status_code == 200 and a.alliance.name in page.content.decode()
    starts = timezone.localtime() + timedelta(days=1)
    data = {
        "host": f"a:{a.alliance.public_id}",
        "kind": "regular",
        "title": "联席会议",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "place": "二楼会议室",
        "invite_units": [str(cast.places.unit_a.public_id)],
    }
    refused = c.post(reverse("alliances:meeting_create"), data)
    assert refused.status_code == 400
    assert "ends after it starts" in refused.content.decode() and "联席会议" in refused.content.decode()
    data["ends_at"] = (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    done = c.post(reverse("alliances:meeting_create"), data)
    m = Meeting.objects.get(title="联席会议")
    assert done.status_code == 302 and done["Location"] == detail(m)
    assert list(m.invitations.values_list("user__username", flat=True)) == ["unit"]
    assert client_for(cast, "resident").get(reverse("alliances:meeting_create")).status_code == 403


def test_the_meeting_page_in_the_room(cast, django_assert_max_num_queries):
    a = joint_meeting(cast, starts_in=timedelta(minutes=-5))
    street = client_for(cast, "street")
    with django_assert_max_num_queries(20):
        page = street.get(detail(a.meeting))
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-sign-in-qr" in html and 'src="data:image/svg+xml;base64,' in html
    assert meetings.sign_in_url(a.meeting) in html
    assert html.count('data-status="missing"') == 2
    # the invitee sees the meeting, not the QR code
    unit_page = client_for(cast, "unit").get(detail(a.meeting)).content.decode()
    assert "data-sign-in-qr" not in unit_page and "data-mine" in unit_page
    assert client_for(cast, "street2").get(detail(a.meeting)).status_code == 404
    # the live attendance part, for htmx
    part = street.get(detail(a.meeting), {"part": "attendance"}, headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.content.decode()


def test_sign_in_by_the_qr_code(cast):
    a = joint_meeting(cast, starts_in=timedelta(minutes=10))
    url = reverse("alliances:meeting_sign_in", args=[a.meeting.public_id, a.meeting.signin_secret])
    unit = client_for(cast, "unit")
    assert "data-sign-in" in unit.get(url).content.decode()
    assert not Invitation.objects.get(user=cast.unit).signed_in_at  # a GET does not sign in
    done = unit.post(url)
    assert done.status_code == 200 and "data-signed-in" in done.content.decode()
    assert unit.post(url).status_code == 200  # a second scan
    # someone who sees the meeting but is not invited is refused in words
    refused = client_for(cast, "community").post(url)
    assert refused.status_code == 400 and "not invited" in refused.content.decode()
    wrong = reverse("alliances:meeting_sign_in", args=[a.meeting.public_id, "wrong"])
    assert client_for(cast, "dept").post(wrong).status_code == 400
    assert client_for(cast, "street2").post(url).status_code == 404


def test_sign_in_outside_the_window_is_refused(cast):
    a = joint_meeting(cast, starts_in=timedelta(hours=3))
    url = reverse("alliances:meeting_sign_in", args=[a.meeting.public_id, a.meeting.signin_secret])
    refused = client_for(cast, "unit").post(url)
    assert refused.status_code == 400 and "opens" in refused.content.decode()


def test_the_secretary_corrects_attendance_writes_minutes_and_publishes(cast):
    a = held_meeting(cast)
    m = a.meeting
    c = client_for(cast, "street")
    dept = Invitation.objects.get(meeting=m, user=cast.dept)
    post = c.post(
        detail(m), {"step": "attendance", "invitation": dept.public_id, "present": "0", "excused": "出差"}
    )
    assert post.status_code == 302
    dept.refresh_from_db()
    assert dept.excused == "出差"
    assert c.post(detail(m), {"step": "minutes", "text": "议定事项"}).status_code == 302
    assert c.post(detail(m), {"step": "publish"}).status_code == 302
    m.refresh_from_db()
    assert m.minutes_state == MinutesState.PUBLISHED
    refused = c.post(detail(m), {"step": "minutes", "text": "议定事项（修订）"})
    assert refused.status_code == 400 and "议定事项（修订）" in refused.content.decode()
    assert (
        c.post(detail(m), {"step": "minutes", "text": "议定事项（修订）", "note": "更正"}).status_code == 302
    )
    # an invitee cannot run a step
    assert client_for(cast, "unit").post(detail(m), {"step": "publish"}).status_code == 302
    assert m.minutes_revisions.count() == 3


def test_resolutions_added_on_the_meeting_page(cast):
    a = held_meeting(cast)
    c = client_for(cast, "street")
    data = {"step": "resolution", "text": "清理楼道堆物", "owner_unit": str(cast.places.dept_a.public_id)}
    refused = c.post(detail(a.meeting), {**data, "due_on": "2000-01-01"})
    assert refused.status_code == 400 and "清理楼道堆物" in refused.content.decode()
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert c.post(detail(a.meeting), {**data, "due_on": due}).status_code == 302
    r = Resolution.objects.get()
    assert r.owner_unit == cast.places.dept_a and r.number == 1
    assert "data-resolution" in c.get(detail(a.meeting)).content.decode()


def test_resolution_list_scope_and_queries(cast, django_assert_max_num_queries):
    a = held_meeting(cast)
    for n in range(4):
        a_resolution(cast, a, text=f"任务{n}")
    a_resolution(cast, a, text="城管任务", owner_unit=cast.places.dept_a)
    url = reverse("alliances:resolution_list")
    street = client_for(cast, "street")
    with django_assert_max_num_queries(10):
        page = street.get(url)
    assert page.content.decode().count("data-resolution=") == 5
    unit_page = client_for(cast, "unit").get(url).content.decode()
    assert unit_page.count("data-resolution=") == 5  # the unit is invited, so it reads the meeting
    dept = client_for(cast, "dept").get(url, {"owner": str(cast.places.dept_a.public_id)}).content.decode()
    assert dept.count("data-resolution=") == 1
    assert client_for(cast, "street2").get(url).content.decode().count("data-resolution=") == 0
    Resolution.objects.filter(text="任务0").update(due_on=timezone.localdate() - timedelta(days=1))
    overdue = client_for(cast, "street").get(url, {"state": "overdue"}).content.decode()
    assert overdue.count("data-resolution=") == 1


def test_a_resolution_followed_up_to_closure_on_its_page(cast):
    r = a_resolution(cast)
    url = reverse("alliances:resolution_detail", args=[r.public_id])
    street, unit = client_for(cast, "street"), client_for(cast, "unit")
    refused = street.post(url, {"step": "close"})
    assert refused.status_code == 400 and "needs evidence" in refused.content.decode()
    photo = SimpleUploadedFile("done.png", PNG, content_type="image/png")
    done = unit.post(url, {"step": "progress", "note": "已完工", "evidence": "on", "files": [photo]})
    assert done.status_code == 302
    page = street.get(url).content.decode()
    assert "data-evidence" in page and "data-file" in page
    f = r.updates.get().files.get()
    file_url = reverse("alliances:resolution_file", args=[f.public_id])
    assert street.get(file_url).status_code == 200
    assert client_for(cast, "street2").get(file_url).status_code == 404
    assert unit.post(url, {"step": "close"}).status_code == 302  # not the unit's step: nothing happens
    r.refresh_from_db()
    assert r.state == ResolutionState.IN_PROGRESS
    assert street.post(url, {"step": "close", "note": "验收合格"}).status_code == 302
    r.refresh_from_db()
    assert r.state == ResolutionState.CLOSED
    assert client_for(cast, "street2").get(url).status_code == 404


def test_a_resolution_handed_to_the_whistle_from_its_page(cast):
    r = a_resolution(cast)
    url = reverse("alliances:resolution_detail", args=[r.public_id])
    street = client_for(cast, "street")
    assert street.post(url, {"step": "to_case", "category": str(category().pk)}).status_code == 302
    r.refresh_from_db()
    assert r.state == ResolutionState.CASE and r.case is not None
    assert "data-case" in street.get(url).content.decode()


def test_the_secretary_invites_more_units_from_the_meeting_page(cast):
    from alliances.members import add_member_unit
    from alliances.tests.fixtures import street_alliance

    a = street_alliance(cast)
    add_member_unit(acting_user=cast.street, alliance=a.alliance, unit=cast.places.unit_b)
    joint_meeting(cast, a, invite_units=[cast.places.unit_a])
    c = client_for(cast, "street")
    page = c.get(detail(a.meeting)).content.decode()
    assert "data-invite-form" in page and cast.places.unit_b.name in page
    assert c.post(detail(a.meeting), {"step": "invite"}).status_code == 400  # nothing chosen
    done = c.post(detail(a.meeting), {"step": "invite", "units": [str(cast.places.unit_b.public_id)]})
    assert done.status_code == 302
    assert set(a.meeting.invitations.values_list("user__username", flat=True)) == {"unit", "unit2"}
