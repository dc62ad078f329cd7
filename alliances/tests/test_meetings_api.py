from datetime import timedelta

import pytest
from django.utils import timezone

from alliances.models import MinutesState, Resolution, ResolutionState
from alliances.tests.fixtures import street_alliance
from alliances.tests.meeting_fixtures import held_meeting, joint_meeting
from alliances.tests.test_resolutions import a_resolution
from cases.tests.fixtures import category

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_put(client, bearer):
    def call(who: str, path: str, payload: dict):
        return client.put("/api/v1/" + path, payload, content_type="application/json", headers=bearer(who))

    return call


def test_calling_listing_and_reading_a_meeting(cast, api_get, api_post, django_assert_max_num_queries):
    a = street_alliance(cast)
    starts = timezone.now() + timedelta(days=1)
    body = {
        "kind": "regular",
        "alliance": str(a.alliance.public_id),
        "title": "联席会议",
        "place": "二楼",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "invite_units": [str(cast.places.unit_a.public_id)],
    }
    refused = api_post("unit", "meetings", body)
    assert refused.status_code == 403 and refused.json()["detail"]
    created = api_post("street", "meetings", body)
    assert created.status_code == 201, created.json()
    meeting = created.json()
    assert [i["name"] for i in meeting["invitations"]] == ["unit"]
    wrong = api_post("street", "meetings", {**body, "kind": "branch_committee"})
    assert wrong.status_code == 422 and "party organisation" in wrong.json()["detail"]
    for _ in range(3):
        joint_meeting(cast, a)
    with django_assert_max_num_queries(8):
        listed = api_get("street", "meetings")
    assert listed.status_code == 200 and listed.json()["count"] == 4
    assert api_get("unit", "meetings", invited="true").json()["count"] == 4
    assert api_get("street2", "meetings").json()["count"] == 0
    assert api_get("street2", f"meetings/{meeting['id']}").status_code == 404
    assert api_get("unit", f"meetings/{meeting['id']}").status_code == 200
    assert api_get("nobody", "meetings").status_code == 403


def test_sign_in_minutes_and_publishing(cast, api_get, api_post, api_put):
    a = held_meeting(cast)
    m = a.meeting
    path = f"meetings/{m.public_id}"
    assert api_post("unit", f"{path}/sign-in", {"secret": "x"}).status_code == 403
    signed = api_post("unit", f"{path}/sign-in", {"secret": m.signin_secret})
    assert signed.status_code == 200 and signed.json()["signed_in_via"] == "qr"
    assert api_post("community", f"{path}/sign-in", {"secret": m.signin_secret}).status_code == 403
    assert api_put("unit", f"{path}/minutes", {"text": "x"}).status_code == 403
    saved = api_put("street", f"{path}/minutes", {"text": "议定两项"})
    assert saved.status_code == 200 and saved.json()["state"] == MinutesState.DRAFT
    assert api_get("unit", f"{path}/minutes").json()["text"] == ""  # a draft is the secretary's
    published = api_post("street", f"{path}/minutes/publish")
    assert published.status_code == 200 and published.json()["state"] == MinutesState.PUBLISHED
    assert api_get("unit", f"{path}/minutes").json()["text"] == "议定两项"
    amend = api_put("street", f"{path}/minutes", {"text": "议定三项"})
    assert amend.status_code == 422
    amended = api_put("street", f"{path}/minutes", {"text": "议定三项", "note": "补记"})
    assert len(amended.json()["revisions"]) == 3


def test_sign_in_outside_the_window_is_422(cast, api_post):
    a = joint_meeting(cast, starts_in=timedelta(hours=5))
    answer = api_post("unit", f"meetings/{a.meeting.public_id}/sign-in", {"secret": a.meeting.signin_secret})
    assert answer.status_code == 422 and "opens" in answer.json()["detail"]


def test_resolutions_through_the_api(cast, api_get, api_post, django_assert_max_num_queries):
    a = held_meeting(cast)
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    body = {
        "meeting": str(a.meeting.public_id),
        "text": "整治背街小巷",
        "owner_unit": str(cast.places.unit_a.public_id),
        "due_on": due,
    }
    created = api_post("street", "resolutions", body)
    assert created.status_code == 201 and created.json()["number"] == 1
    rid = created.json()["id"]
    outsider = api_post("unit2", "resolutions", {**body, "owner_unit": str(cast.places.unit_b.public_id)})
    assert outsider.status_code == 422  # the meeting is not the outsider's to name
    refused = api_post("street", f"resolutions/{rid}/close", {})
    assert refused.status_code == 422 and "needs evidence" in refused.json()["detail"]
    assert (
        api_post("unit", f"resolutions/{rid}/progress", {"note": "完成", "evidence": True}).status_code == 200
    )
    closed = api_post("street", f"resolutions/{rid}/close", {"note": "验收"})
    assert closed.status_code == 200 and closed.json()["state"] == ResolutionState.CLOSED
    for n in range(3):
        a_resolution(cast, a, text=f"任务{n}")
    with django_assert_max_num_queries(8):
        listed = api_get("street", "resolutions", state="open")
    assert listed.json()["count"] == 3
    assert api_get("unit", "resolutions", state="closed").json()["count"] == 1
    assert api_get("street2", "resolutions").json()["count"] == 0
    assert api_get("street2", f"resolutions/{rid}").status_code == 404


def test_to_case_and_drop(cast, api_post):
    r = a_resolution(cast)
    other = a_resolution(cast, text="另一项")
    answer = api_post("street", f"resolutions/{r.public_id}/to-case", {"category": str(category().public_id)})
    assert answer.status_code == 200 and answer.json()["state"] == "case" and answer.json()["case"]
    assert api_post("street", f"resolutions/{other.public_id}/drop", {"reason": ""}).status_code == 422
    dropped = api_post("street", f"resolutions/{other.public_id}/drop", {"reason": "重复"})
    assert dropped.json()["state"] == "dropped"
    assert Resolution.objects.filter(state="dropped").count() == 1
