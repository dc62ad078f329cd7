"""The rotating chair, activities and board API: the actions' rules through HTTP, scoped reads (another
street sees nothing, 404 like missing), refusals in words, query counts pinned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from alliances import activities, board
from alliances.models import ActivitySignup, BoardPostKind, BoardRead, ChairTurn
from alliances.tests.fixtures import street_alliance
from alliances.tests.test_activities import an_activity
from gongjian.testing import item
from service.models import ServiceRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    a = street_alliance(cast)
    a.year = date.today().year + 1
    for agreement in (a.agreement_a, a.agreement_dept):
        agreement.ends_on = date(a.year + 1, 1, 31)
        agreement.save(update_fields=["ends_on"])
    return a


def test_the_lead_generates_swaps_and_the_chair_plans(cast, world, api_get, api_post):
    alliance = str(world.alliance.public_id)
    assert (
        api_post("unit", "chair-rotations/generate", {"alliance": alliance, "year": world.year}).status_code
        == 403
    )
    made = api_post("street", "chair-rotations/generate", {"alliance": alliance, "year": world.year})
    assert made.status_code == 200 and len(made.json()) == 12
    first, second = made.json()[0]["id"], made.json()[1]["id"]
    swapped = api_post("street", "chair-rotations/swap", {"first": first, "second": second, "reason": "对调"})
    assert swapped.status_code == 200
    assert swapped.json()[0]["scheduled_unit"]["name"] == cast.places.unit_a.name
    assert swapped.json()[0]["unit"]["name"] == cast.places.dept_a.name
    plan = api_post("unit", f"chair-rotations/{second}/plan", {"theme": "植树", "plan": "三月植树"})
    assert plan.status_code == 200 and plan.json()["theme"] == "植树"
    early = api_post("unit", f"chair-rotations/{second}/report", {"report": "做了"})
    assert early.status_code == 422 and "started" in early.json()["detail"]
    listed = api_get("unit", "chair-rotations", alliance=alliance, year=world.year)
    assert listed.status_code == 200 and listed.json()["count"] == 12
    assert api_get("street2", "chair-rotations").json()["count"] == 0
    assert (
        api_post("street2", f"chair-rotations/{second}/plan", {"theme": "x", "plan": "y"}).status_code == 404
    )
    assert (
        api_post(
            "street2", "chair-rotations/generate", {"alliance": alliance, "year": world.year}
        ).status_code
        == 422
    )


def test_an_activity_from_announcement_to_confirmed_attendance(cast, world, api_get, api_post):
    start = timezone.localtime() + timedelta(hours=2)
    body = {
        "alliance": str(world.alliance.public_id),
        "title": "社区义诊",
        "community": str(cast.places.a1.public_id),
        "place": "社区广场",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "category": str(item().public_id),
        "organiser_unit": str(cast.places.unit_a.public_id),
        "capacity": 10,
    }
    assert api_post("member", "activities", body).status_code == 403
    created = api_post("unit", "activities", body)
    assert created.status_code == 201, created.json()
    activity_id = created.json()["id"]
    assert created.json()["people"] == [] and created.json()["results"]["records"] == 0
    joined = api_post("member", f"activities/{activity_id}/sign-up")
    assert joined.status_code == 200 and joined.json()["taken"] == 1 and joined.json()["people"] is None
    again = api_post("member", f"activities/{activity_id}/sign-up")
    assert again.status_code == 422 and "already" in again.json()["detail"]
    secret = world.alliance.activities.get().signin_secret
    wrong = api_post("resident", f"activities/{activity_id}/check-in", {"secret": "nope"})
    assert wrong.status_code == 404
    with time_machine.travel(start):
        came = api_post("resident", f"activities/{activity_id}/check-in", {"secret": secret})
        assert came.status_code == 200 and came.json()["kind"] == "resident" and came.json()["checked_in_at"]
        assert api_post("member", f"activities/{activity_id}/check-in", {"secret": secret}).status_code == 200
    with time_machine.travel(start + timedelta(hours=3)):
        assert api_post("unit", f"activities/{activity_id}/held").status_code == 200
        confirmed = api_post("unit", f"activities/{activity_id}/confirm-attendance")
        assert confirmed.status_code == 200 and confirmed.json() == {"records": 1}
        assert api_post("unit", f"activities/{activity_id}/confirm-attendance").json() == {"records": 0}
        detail = api_get("unit", f"activities/{activity_id}").json()
    assert (
        detail["state"] == "confirmed"
        and detail["results"]["records"] == 1
        and detail["results"]["residents"] == 1
    )
    assert detail["results"]["points"] > 0
    assert ServiceRecord.objects.filter(member=cast.m_member).count() == 1
    assert api_get("street2", f"activities/{activity_id}").status_code == 404


def test_activity_lists_are_scoped_and_pinned(cast, world, api_get, django_assert_max_num_queries):
    for n in range(4):
        an_activity(cast, world, title=f"活动{n}")
    with django_assert_max_num_queries(10):
        listed = api_get("street", "activities")
    assert listed.json()["count"] == 4
    assert api_get("unit", "activities").json()["count"] == 4
    assert api_get("resident", "activities").json()["count"] == 4  # upcoming, open to residents of the street
    assert api_get("street2", "activities").json()["count"] == 0
    assert api_get("unit2", "activities").json()["count"] == 0
    assert api_get("grid", "activities").status_code == 403


def test_cancel_with_a_reason(cast, world, api_post):
    activity = an_activity(cast, world)
    activities.sign_up(acting_user=cast.resident, activity=activity)
    assert api_post("unit", f"activities/{activity.public_id}/cancel", {"reason": " "}).status_code == 422
    done = api_post("unit", f"activities/{activity.public_id}/cancel", {"reason": "暴雨预警"})
    assert done.status_code == 200 and done.json()["state"] == "cancelled"
    assert api_post("resident", f"activities/{activity.public_id}/cancel-sign-up").status_code == 200
    assert ActivitySignup.objects.get(activity=activity).cancelled_at is not None


def test_the_board_through_the_api(cast, world, api_get, api_post, django_assert_max_num_queries):
    alliance = str(world.alliance.public_id)
    plan = api_post(
        "unit", "alliance-board", {"alliance": alliance, "kind": "plan", "title": "计划", "body": "正文"}
    )
    assert plan.status_code == 403
    posted = api_post(
        "street",
        "alliance-board",
        {"alliance": alliance, "kind": "task", "title": "任务", "body": "落实", "due_on": "2030-01-31"},
    )
    assert posted.status_code == 201 and posted.json()["due_on"] == "2030-01-31"
    for n in range(3):
        board.publish_post(
            acting_user=cast.street,
            alliance=world.alliance,
            kind=BoardPostKind.UPDATE,
            title=f"动态{n}",
            body="x",
        )
    post_id = posted.json()["id"]
    read = api_post("unit", f"alliance-board/{post_id}/read")
    assert read.status_code == 200 and [r["unit"]["name"] for r in read.json()["reads"]] == [
        cast.places.unit_a.name
    ]
    assert BoardRead.objects.count() == 1
    with django_assert_max_num_queries(8):
        listed = api_get("street", "alliance-board", alliance=alliance)
    assert listed.json()["count"] == 4
    assert api_get("street2", "alliance-board").json()["count"] == 0
    assert api_post("street2", f"alliance-board/{post_id}/read").status_code == 404
    assert ChairTurn.objects.count() == 0
