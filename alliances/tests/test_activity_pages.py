"""The pages of the rotating chair, the activities and the board: each works for the right person, an
outsider gets 404, forms keep what was typed, query counts pinned on the lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances import activities, board
from alliances.models import Activity, ActivitySignup, ActivityState, BoardPostKind, BoardRead, ChairTurn
from alliances.tests.fixtures import street_alliance
from alliances.tests.test_activities import an_activity
from gongjian.testing import item
from service.models import ServiceRecord

pytestmark = pytest.mark.django_db


def client_of(cast, who):
    return cast.login(Client(raise_request_exception=False), who)


@pytest.fixture
def world(cast):
    return street_alliance(cast)


# --- the rotation ----------------------------------------------------------------------------------


def test_the_lead_draws_up_and_swaps_on_the_rotation_page(cast, world):
    year = date.today().year + 1
    for agreement in (world.agreement_a, world.agreement_dept):
        agreement.ends_on = date(year + 1, 1, 31)
        agreement.save(update_fields=["ends_on"])
    street = client_of(cast, "street")
    url = reverse("alliances:rotation", args=[world.alliance.public_id])
    page = street.get(f"{url}?year={year}")
    assert page.status_code == 200 and b"data-empty" in page.content
    response = street.post(
        reverse("alliances:rotation_generate", args=[world.alliance.public_id]),
        {"year": year, "start_month": 1},
    )
    assert response.status_code == 302
    turns = list(ChairTurn.objects.filter(alliance=world.alliance).order_by("month"))
    assert len(turns) == 12
    bad = street.post(
        reverse("alliances:rotation_swap", args=[world.alliance.public_id]) + f"?year={year}",
        {"first": turns[0].public_id, "second": turns[1].public_id, "reason": ""},
    )
    assert bad.status_code == 422
    swap = street.post(
        reverse("alliances:rotation_swap", args=[world.alliance.public_id]) + f"?year={year}",
        {"first": turns[0].public_id, "second": turns[1].public_id, "reason": "对调"},
    )
    assert swap.status_code == 302
    turns[0].refresh_from_db()
    assert turns[0].unit == cast.places.dept_a
    page = street.get(f"{url}?year={year}")
    assert page.content.count(b"data-turn=") == 12


def test_the_chair_plans_its_month_and_a_refusal_keeps_the_text(cast, world):
    turn = ChairTurn.objects.create(
        alliance=world.alliance, month=date(date.today().year + 1, 3, 1), unit=cast.places.unit_a
    )
    unit = client_of(cast, "unit")
    url = reverse("alliances:chair_plan", args=[turn.public_id])
    long = "长" * 81
    response = unit.post(url, {f"{turn.pk}-theme": long, f"{turn.pk}-plan": "植树计划"})
    assert response.status_code == 422 and "植树计划" in response.content.decode()
    assert unit.post(url, {f"{turn.pk}-theme": "植树", f"{turn.pk}-plan": "植树计划"}).status_code == 302
    turn.refresh_from_db()
    assert turn.theme == "植树"
    assert (
        client_of(cast, "unit2").post(url, {f"{turn.pk}-theme": "x", f"{turn.pk}-plan": "y"}).status_code
        == 404
    )


def test_another_street_sees_no_rotation(cast, world):
    url = reverse("alliances:rotation", args=[world.alliance.public_id])
    assert client_of(cast, "street2").get(url).status_code == 404
    assert client_of(cast, "unit").get(url).status_code == 200
    assert client_of(cast, "member").get(url).status_code == 403


# --- activities ------------------------------------------------------------------------------------


def test_a_unit_announces_an_activity_and_a_refusal_keeps_what_was_typed(cast, world):
    unit = client_of(cast, "unit")
    url = reverse("alliances:activity_create", args=[world.alliance.public_id])
    assert unit.get(url).status_code == 200
    start = timezone.localtime() + timedelta(days=3)
    data = {
        "title": "敬老义诊",
        "community": cast.places.a1.public_id,
        "place": "社区活动室",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "category": item().public_id,
        "organiser_unit": cast.places.unit_a.public_id,
        "open_to": "everyone",
    }
    refused = unit.post(url, data)
    assert refused.status_code == 422 and "敬老义诊" in refused.content.decode()
    data["ends_at"] = (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    done = unit.post(url, data)
    assert done.status_code == 302
    activity = Activity.objects.get(title="敬老义诊")
    assert activity.organiser_unit == cast.places.unit_a
    assert unit.post(url, {"title": ""}).status_code == 422  # no 500 on a bare form
    assert client_of(cast, "street2").get(url).status_code == 404


def test_a_resident_finds_the_activity_signs_up_and_signs_in_with_the_qr_code(cast, world):
    activity = an_activity(cast, world)
    resident = client_of(cast, "resident")
    listing = resident.get(reverse("alliances:activity_list"))
    assert listing.status_code == 200 and activity.title in listing.content.decode()
    detail = reverse("alliances:activity_detail", args=[activity.public_id])
    assert resident.get(detail).status_code == 200
    assert resident.post(reverse("alliances:activity_sign_up", args=[activity.public_id])).status_code == 302
    assert ActivitySignup.objects.filter(activity=activity, user=cast.resident).exists()
    check_in = reverse("alliances:activity_check_in", args=[activity.public_id, activity.signin_secret])
    early = resident.post(check_in)
    assert early.status_code == 422 and b"data-refusal" in early.content
    with time_machine.travel(activity.starts_at):
        there = client_of(cast, "resident")
        assert there.post(check_in).status_code == 302
        assert b"data-signed-in" in there.get(check_in).content
    wrong = reverse("alliances:activity_check_in", args=[activity.public_id, "nope"])
    assert resident.get(wrong).status_code == 404
    # a resident of street B neither finds it nor opens it
    assert client_of(cast, "street2").get(detail).status_code == 404


def test_the_organiser_sees_the_qr_code_people_and_confirms_attendance(cast, world):
    activity = an_activity(cast, world)
    activities.sign_up(acting_user=cast.member, activity=activity)
    activities.check_in(
        acting_user=cast.member, activity=activity, secret=activity.signin_secret, now=activity.starts_at
    )
    unit = client_of(cast, "unit")
    detail = reverse("alliances:activity_detail", args=[activity.public_id])
    page = unit.get(detail)
    assert (
        page.status_code == 200 and b"data-qr" in page.content and cast.m_member.name in page.content.decode()
    )
    qr = unit.get(reverse("alliances:activity_qr", args=[activity.public_id]))
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert (
        client_of(cast, "member").get(reverse("alliances:activity_qr", args=[activity.public_id])).status_code
        == 403
    )
    with time_machine.travel(activity.ends_at + timedelta(minutes=5)):
        unit = client_of(cast, "unit")
        assert unit.post(reverse("alliances:activity_held", args=[activity.public_id])).status_code == 302
        assert unit.post(reverse("alliances:activity_confirm", args=[activity.public_id])).status_code == 302
        assert unit.post(reverse("alliances:activity_confirm", args=[activity.public_id])).status_code == 302
        page = unit.get(detail)
    assert ServiceRecord.objects.filter(member=cast.m_member).count() == 1
    assert Activity.objects.get(pk=activity.pk).state == ActivityState.CONFIRMED
    assert b"data-results" in page.content


def test_the_organiser_cancels_with_a_reason(cast, world):
    activity = an_activity(cast, world)
    unit = client_of(cast, "unit")
    url = reverse("alliances:activity_cancel", args=[activity.public_id])
    assert unit.post(url, {"reason": ""}).status_code == 422
    assert unit.post(url, {"reason": "暴雨预警"}).status_code == 302
    assert Activity.objects.get(pk=activity.pk).state == ActivityState.CANCELLED


def test_the_activity_list_is_scoped_and_its_queries_pinned(cast, world, django_assert_max_num_queries):
    for n in range(5):
        an_activity(cast, world, title=f"活动{n}")
    street = client_of(cast, "street")
    url = reverse("alliances:activity_list")
    street.get(url)
    with django_assert_max_num_queries(14):
        page = street.get(url)
    assert page.content.count(b"data-activity>") == 5
    other = client_of(cast, "street2").get(url)
    assert other.status_code == 200 and b"data-activity>" not in other.content
    assert client_of(cast, "unit2").get(url).content.count(b"data-activity>") == 0
    assert client_of(cast, "unit").get(url).content.count(b"data-activity>") == 5


# --- the board -------------------------------------------------------------------------------------


def test_the_board_shows_who_has_read_each_post(cast, world, django_assert_max_num_queries):
    for n in range(4):
        board.publish_post(
            acting_user=cast.street,
            alliance=world.alliance,
            kind=BoardPostKind.PLAN,
            title=f"计划{n}",
            body="正文",
        )
    street = client_of(cast, "street")
    url = reverse("alliances:board", args=[world.alliance.public_id])
    street.get(url)
    with django_assert_max_num_queries(14):
        page = street.get(url)
    assert page.content.count(b"data-post") == 4
    post = world.alliance.board_posts.first()
    opened = client_of(cast, "unit").get(reverse("alliances:board_post", args=[post.public_id]))
    assert opened.status_code == 200 and b"data-read" in opened.content
    assert BoardRead.objects.filter(post=post, unit=cast.places.unit_a).exists()
    assert client_of(cast, "street2").get(url).status_code == 404
    assert (
        client_of(cast, "street2").get(reverse("alliances:board_post", args=[post.public_id])).status_code
        == 404
    )


def test_a_unit_posts_a_work_update_and_a_refusal_keeps_the_text(cast, world):
    unit = client_of(cast, "unit")
    url = reverse("alliances:board_publish", args=[world.alliance.public_id])
    refused = unit.post(url, {"kind": "plan", "title": "全年计划", "body": "内容"})
    assert refused.status_code == 422 and "全年计划" in refused.content.decode()
    assert unit.post(url, {"kind": "update", "title": "本月动态", "body": "义诊两次"}).status_code == 302
    assert world.alliance.board_posts.get().author_unit == cast.places.unit_a


def test_members_and_residents_see_what_they_may_join_with_pinned_queries(
    cast, world, django_assert_max_num_queries
):
    for n in range(4):
        an_activity(cast, world, title=f"活动{n}")
    an_activity(cast, world, title="党员专场", open_to="members")
    url = reverse("alliances:activity_list")
    resident = client_of(cast, "resident")
    resident.get(url)
    with django_assert_max_num_queries(16):
        page = resident.get(url)
    body = page.content.decode()
    assert "活动0" in body and "党员专场" not in body  # members only
    member = client_of(cast, "member")
    with django_assert_max_num_queries(16):
        page = member.get(url)
    assert "党员专场" in page.content.decode()
    # a member living in street B (赵六 lives in A1; 王五 in B1) and street B's staff see none of it
    from accounts.actions import create_user, grant_role
    from accounts.models import Role

    far = create_user(acting_user=None, username="far", password=cast.password)
    grant_role(acting_user=None, user=far, role=Role.MEMBER)
    cast.m_b.user = far
    cast.m_b.save(update_fields=["user"])
    far_client = Client(raise_request_exception=False)
    far_client.force_login(far)
    far_page = far_client.get(url)
    assert far_page.status_code == 200 and b"data-joinable" in far_page.content
    assert "活动0" not in far_page.content.decode()
