"""The service desk of the community and street, the lists of needs and service records, service posts
and household pairings: who may open them (403 for a wrong role, 404 for another street's objects),
what they show, and that a refused change keeps what was typed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongjian.testing import item
from service.models import (
    Assignment,
    HouseholdPairing,
    Need,
    PairingVisit,
    RecordState,
    ServicePost,
)
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db


def need(cast, title, *, community=None, **kw) -> Need:
    return actions.post_need(
        acting_user=cast.community if community is None else cast.street,
        community=community or cast.places.a1,
        title=title,
        category=kw.pop("category", None) or item(),
        **kw,
    )


def record(cast, hours_ago=3, minutes=60, **kw):
    return record_actions.log_service_record(
        acting_user=cast.member,
        category=item(),
        started_at=timezone.now() - timedelta(hours=hours_ago),
        minutes=minutes,
        description=kw.pop("description", "修水管"),
        community=cast.places.a1,
        **kw,
    )


def board(cast):
    """One need in every column, one overdue, a reply overdue; a submitted and a flagged record."""
    fresh = need(cast, "新需求：楼道灯坏了", urgency="urgent")
    offered = need(cast, "已派单：陪老人看病")
    offer = actions.dispatch_need(acting_user=cast.community, need=offered, member=cast.m_member)
    # time passes: the reply was due an hour ago
    Assignment.objects.filter(pk=offer.pk).update(respond_by=timezone.now() - timedelta(hours=1))
    taken = need(cast, "已接单：修水龙头")
    actions.take_need(acting_user=cast.member, need=taken)
    served = need(cast, "待确认：买药")
    actions.take_need(acting_user=cast.unit, need=served, unit=cast.places.unit_a)
    actions.complete_need(acting_user=cast.unit, need=served)
    late = need(cast, "逾期：清理杂物", due_at=timezone.now() + timedelta(days=1))
    Need.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))  # time passes
    submitted = record(cast, hours_ago=30)
    record(cast, hours_ago=3)
    flagged = record(cast, hours_ago=3, minutes=30, description="重复记录")
    return {"fresh": fresh, "offered": offered, "taken": taken, "served": served, "late": late} | {
        "submitted": submitted,
        "flagged": flagged,
    }


def column(page: str, state: str) -> str:
    match = re.search(rf'data-column="{state}".*?</section>', page, re.S)
    return match.group(0) if match else ""


# --- the service desk -----------------------------------------------------------------------------


def test_the_desk_shows_each_column_overdue_needs_and_records(cast, client):
    made = board(cast)
    assert made["flagged"].state == RecordState.FLAGGED
    page = cast.login(client, "community").get(reverse("service:workbench")).content.decode()
    assert "新需求：楼道灯坏了" in column(page, "open")
    assert "已派单：陪老人看病" in column(page, "offered") and "data-reply-late" in column(page, "offered")
    assert "已接单：修水龙头" in column(page, "taken") and "张三丰" in column(page, "taken")
    assert "待确认：买药" in column(page, "done") and "龙岩市烟草公司" in column(page, "done")
    overdue = page[page.index('id="overdue"') :]
    assert "逾期：清理杂物" in overdue[: overdue.index("</section>")]
    assert reverse("service:record_detail", args=[made["submitted"].public_id]) in page
    flagged = page[page.index('id="flagged"') :]
    flagged = flagged[: flagged.index("</section>")]
    assert reverse("service:record_detail", args=[made["flagged"].public_id]) in flagged
    assert "Overlaps another record of the member" in flagged
    assert '<div class="gj-stat text-danger" data-late-count>1</div>' in page
    assert "孙大妈" not in page  # no beneficiary on these needs: nothing to leak either


def test_the_desk_shows_the_beneficiary_to_the_community(cast, client):
    need(cast, "帮忙取快递", beneficiary_resident=cast.r_a)
    page = cast.login(client, "community").get(reverse("service:workbench")).content.decode()
    assert "孙大妈" in column(page, "open")


@pytest.mark.parametrize("who", ["community", "street", "admin"])
def test_the_desk_opens_for_the_community_and_street(cast, client, who):
    assert cast.login(client, who).get(reverse("service:workbench")).status_code == 200


@pytest.mark.parametrize(
    "who", ["orgdept", "grid", "member", "resident", "unit", "inspector", "dept", "nobody"]
)
def test_the_desk_is_refused_to_other_roles(cast, client, who):
    assert cast.login(client, who).get(reverse("service:workbench")).status_code == 403


def test_the_street_sees_all_its_communities_or_picks_one(cast, client):
    need(cast, "龙津的需求")
    need(cast, "中山的需求", community=cast.places.a2)
    cast.login(client, "street")
    page = client.get(reverse("service:workbench")).content.decode()
    assert "龙津的需求" in page and "中山的需求" in page and "All my communities" in page
    assert "中山社区" in column(page, "open")  # several communities: each item names its own
    page = client.get(reverse("service:workbench"), {"community": cast.places.a2.public_id}).content.decode()
    assert "中山的需求" in page and "龙津的需求" not in page


def test_another_streets_community_is_404_on_the_desk(cast, client):
    need(cast, "龙津的需求")
    url = reverse("service:workbench")
    assert cast.login(client, "street2").get(url, {"community": cast.places.a1.public_id}).status_code == 404
    assert (
        cast.login(client, "community").get(url, {"community": cast.places.a2.public_id}).status_code == 404
    )
    assert cast.login(client, "community").get(url, {"community": "nonsense"}).status_code == 404
    page = cast.login(client, "street2").get(url).content.decode()
    assert "龙津的需求" not in page


def test_the_desk_query_count_is_pinned(cast, client, django_assert_num_queries):
    board(cast)
    for n in range(5):
        need(cast, f"更多需求{n}", beneficiary_resident=cast.r_a)
    cast.login(client, "street")
    client.get(reverse("service:workbench"))
    with django_assert_num_queries(14):  # + the second factor's device (django-otp: a privileged session)
        assert client.get(reverse("service:workbench")).status_code == 200


# --- the list of needs ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["community", "street", "orgdept", "grid", "admin"])
def test_the_need_list_opens_for_area_roles_and_grid_workers(cast, client, who):
    assert cast.login(client, who).get(reverse("service:need_list")).status_code == 200


@pytest.mark.parametrize("who", ["member", "resident", "unit", "inspector", "dept"])
def test_the_need_list_is_refused_to_other_roles(cast, client, who):
    assert cast.login(client, who).get(reverse("service:need_list")).status_code == 403


def test_the_need_list_filters(cast, client):
    board(cast)
    need(cast, "微心愿：一套绘本", kind="wish", category=item("tutoring"))
    need(cast, "中山的需求", community=cast.places.a2)
    cast.login(client, "street")
    url = reverse("service:need_list")

    def titles(**query):
        page = client.get(url, query).content.decode()
        return set(re.findall(r'class="fw-semibold" href="/service/needs/[^"]+/">([^<]+)</a>', page))

    assert len(titles()) == 7
    assert titles(state="open") == {"新需求：楼道灯坏了", "逾期：清理杂物", "微心愿：一套绘本", "中山的需求"}
    assert titles(state="offered") == {"已派单：陪老人看病"}
    assert titles(state="live") == titles()
    assert titles(kind="wish") == {"微心愿：一套绘本"}
    assert titles(urgency="urgent") == {"新需求：楼道灯坏了"}
    assert titles(overdue="true") == {"逾期：清理杂物"}
    assert titles(category=str(item("education").public_id)) == {"微心愿：一套绘本"}  # a big category
    assert titles(community=str(cast.places.a2.public_id)) == {"中山的需求"}
    assert titles(q="买药") == {"待确认：买药"}


def test_the_need_list_shows_no_other_street(cast, client):
    need(cast, "龙津的需求")
    cast.login(client, "street2")
    page = client.get(reverse("service:need_list")).content.decode()
    assert "龙津的需求" not in page
    page = client.get(reverse("service:need_list"), {"community": cast.places.a1.public_id}).content.decode()
    assert "龙津的需求" not in page


def test_the_need_list_pages_and_keeps_the_filters(cast, client):
    for n in range(30):
        need(cast, f"需求{n:02d}")
    cast.login(client, "community")
    page = client.get(reverse("service:need_list"), {"state": "open"}).content.decode()
    assert "1 / 2" in page and "state=open&amp;page=2" in page
    page = client.get(reverse("service:need_list"), {"state": "open", "page": 2}).content.decode()
    assert "需求00" in page and "需求29" not in page


def test_the_need_list_query_count_is_pinned(cast, client, django_assert_num_queries):
    board(cast)
    for n in range(10):
        need(cast, f"需求{n}", beneficiary_resident=cast.r_a)
    cast.login(client, "community")
    client.get(reverse("service:need_list"))
    with django_assert_num_queries(9):
        assert client.get(reverse("service:need_list")).status_code == 200


# --- the list of service records ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["community", "street", "orgdept", "unit", "inspector", "admin"])
def test_the_record_list_opens_for_area_roles_and_units(cast, client, who):
    assert cast.login(client, who).get(reverse("service:record_list")).status_code == 200


@pytest.mark.parametrize("who", ["member", "resident", "grid", "dept"])
def test_the_record_list_is_refused_to_other_roles(cast, client, who):
    assert cast.login(client, who).get(reverse("service:record_list")).status_code == 403


def _record_links(page: str) -> set[str]:
    return set(re.findall(r'data-record="([0-9a-f-]+)"', page))


def test_the_record_list_tabs_and_filters(cast, client):
    made = board(cast)
    submitted, flagged = made["submitted"], made["flagged"]
    cast.login(client, "community")
    url = reverse("service:record_list")
    assert len(_record_links(client.get(url).content.decode())) == 3
    assert _record_links(client.get(url, {"state": "flagged"}).content.decode()) == {str(flagged.public_id)}
    assert len(_record_links(client.get(url, {"state": "pending"}).content.decode())) == 3
    page = client.get(url, {"state": "flagged"}).content.decode()
    assert "Overlaps another record of the member" in page
    assert len(_record_links(client.get(url, {"member": "张"}).content.decode())) == 3
    assert _record_links(client.get(url, {"member": "zsf"}).content.decode()) != set()
    assert _record_links(client.get(url, {"member": "李"}).content.decode()) == set()
    day = timezone.localdate(submitted.started_at)  # 30 hours ago: another day than the other two
    period = {"start": day.isoformat(), "end": day.isoformat()}
    assert _record_links(client.get(url, period).content.decode()) == {str(submitted.public_id)}
    later = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _record_links(client.get(url, {"start": later}).content.decode()) == set()


def test_the_record_list_shows_no_other_street_and_hides_beneficiaries_from_units(cast, client):
    p = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    record_actions.log_service_record(
        acting_user=cast.member,
        category=item(),
        started_at=timezone.now() - timedelta(hours=2),
        minutes=30,
        description="探望",
        pairing=p,
    )
    assert "孙大妈" in cast.login(client, "community").get(reverse("service:record_list")).content.decode()
    page = cast.login(client, "unit").get(reverse("service:record_list")).content.decode()
    assert "探望" in page and "孙大妈" not in page
    page = cast.login(client, "community2").get(reverse("service:record_list")).content.decode()
    assert "探望" not in page


def test_the_record_list_query_count_is_pinned(cast, client, django_assert_num_queries):
    board(cast)
    for n in range(6):
        record(cast, hours_ago=10 + n, minutes=20)
    cast.login(client, "community")
    client.get(reverse("service:record_list"))
    with django_assert_num_queries(8):
        assert client.get(reverse("service:record_list")).status_code == 200


# --- service posts --------------------------------------------------------------------------------


def _post_form(cast, **over):
    data = {
        "community": str(cast.places.a1.public_id),
        "title": "政策宣讲岗",
        "category": str(item("policy_outreach").public_id),
        "schedule": "每周六 9:00–11:00",
        "place": "社区活动室",
        "capacity": "5",
        "starts_on": timezone.localdate().isoformat(),
    }
    return data | over


def test_the_community_publishes_a_post_and_sees_who_holds_it(cast, client):
    cast.login(client, "community")
    response = client.post(reverse("service:post_publish"), _post_form(cast))
    assert response.status_code == 302 and response.url == reverse("service:post_list")
    post = ServicePost.objects.get(title="政策宣讲岗")
    assert post.community == cast.places.a1 and post.capacity == 5
    post_actions.claim_post(acting_user=cast.member, post=post)
    page = client.get(reverse("service:post_list")).content.decode()
    assert "1 / 5 places" in page and "张三丰" in page


def test_a_refused_post_keeps_what_was_typed(cast, client):
    cast.login(client, "community")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        reverse("service:post_publish"), _post_form(cast, ends_on=yesterday, title="调解岗")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A post cannot end before it starts." in page and 'value="调解岗"' in page
    response = client.post(reverse("service:post_publish"), _post_form(cast, capacity="0", title="调解岗"))
    assert response.status_code == 400 and 'value="调解岗"' in response.content.decode()
    assert not ServicePost.objects.exists()


def test_a_post_for_another_community_is_refused(cast, client):
    cast.login(client, "community")
    response = client.post(
        reverse("service:post_publish"), _post_form(cast, community=str(cast.places.a2.public_id))
    )
    assert response.status_code == 400 and not ServicePost.objects.exists()


def test_closing_a_post(cast, client):
    post = post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="巡逻岗",
        category=item("safety"),
        schedule="每晚",
        capacity=3,
        starts_on=timezone.localdate(),
    )
    url = reverse("service:post_close", args=[post.public_id])
    assert cast.login(client, "community2").post(url).status_code == 404
    assert cast.login(client, "member").post(url).status_code == 403
    assert cast.login(client, "street").post(url).status_code == 302
    post.refresh_from_db()
    assert post.closed_at is not None
    page = client.get(reverse("service:post_list")).content.decode()
    assert "巡逻岗" in page and "Closed" in page


@pytest.mark.parametrize("who", ["grid", "member", "orgdept", "unit"])
def test_posts_are_managed_by_the_community_and_street(cast, client, who):
    assert cast.login(client, who).get(reverse("service:post_list")).status_code == 403


def test_the_post_list_shows_no_other_street(cast, client):
    post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="巡逻岗",
        category=item("safety"),
        schedule="每晚",
        capacity=3,
        starts_on=timezone.localdate(),
    )
    assert "巡逻岗" not in cast.login(client, "street2").get(reverse("service:post_list")).content.decode()


# --- household pairings ---------------------------------------------------------------------------


def test_the_community_pairs_a_household_with_a_member(cast, client):
    cast.login(client, "community")
    page = client.get(reverse("service:pairing_new")).content.decode()
    assert str(cast.r_a.public_id) in page and f"member:{cast.m_member.public_id}" in page
    assert str(cast.r_b.public_id) not in page and f"member:{cast.m_b.public_id}" not in page
    response = client.post(
        reverse("service:pairing_new"),
        {
            "community": str(cast.places.a1.public_id),
            "household": str(cast.r_a.public_id),
            "helper": f"member:{cast.m_member.public_id}",
            "reason": "独居老人",
            "started_on": timezone.localdate().isoformat(),
        },
    )
    pairing = HouseholdPairing.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("service:pairing_detail", args=[pairing.public_id])
    assert pairing.member == cast.m_member and pairing.household == cast.r_a and pairing.reason == "独居老人"


def test_a_household_pairs_with_a_unit_too(cast, client):
    cast.login(client, "street")
    response = client.post(
        reverse("service:pairing_new"),
        {
            "community": str(cast.places.a1.public_id),
            "household": str(cast.r_a.public_id),
            "helper": f"unit:{cast.places.unit_a.public_id}",
            "reason": "困难家庭",
        },
    )
    assert response.status_code == 302
    assert HouseholdPairing.objects.get().unit == cast.places.unit_a


def test_a_refused_pairing_keeps_what_was_typed(cast, client):
    cast.login(client, "community")
    response = client.post(
        reverse("service:pairing_new"),
        {
            "community": str(cast.places.a1.public_id),
            "household": str(cast.r_a.public_id),
            "helper": f"member:{cast.m_b.public_id}",
            "reason": "独居老人",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a member, a team or a unit from the list." in page and 'value="独居老人"' in page
    pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    response = client.post(
        reverse("service:pairing_new"),
        {
            "community": str(cast.places.a1.public_id),
            "household": str(cast.r_a.public_id),
            "helper": f"member:{cast.m_member.public_id}",
            "reason": "再来一次",
        },
    )
    assert response.status_code == 400
    assert "They are already paired with this household." in response.content.decode()
    assert HouseholdPairing.objects.count() == 1


def test_pairing_in_another_streets_community_is_404(cast, client):
    cast.login(client, "community2")
    response = client.post(
        reverse("service:pairing_new"),
        {
            "community": str(cast.places.a1.public_id),
            "household": str(cast.r_a.public_id),
            "helper": f"member:{cast.m_member.public_id}",
            "reason": "x",
        },
    )
    assert response.status_code == 404
    assert (
        cast.login(client, "street2")
        .get(reverse("service:pairing_new"), {"community": cast.places.a1.public_id})
        .status_code
        == 404
    )


@pytest.mark.parametrize("who", ["member", "unit", "grid", "resident"])
def test_pairing_is_for_the_community_and_street(cast, client, who):
    assert cast.login(client, who).get(reverse("service:pairing_new")).status_code == 403


def _pairing(cast):
    return pairing_actions.pair_household(
        acting_user=cast.community,
        household=cast.r_a,
        member=cast.m_member,
        reason="独居老人",
        started_on=timezone.localdate() - timedelta(days=10),
    )


@pytest.mark.parametrize("who", ["community", "street", "grid", "member", "resident", "admin"])
def test_the_pairing_page_opens_for_those_who_see_it(cast, client, who):
    pairing = _pairing(cast)
    page = cast.login(client, who).get(reverse("service:pairing_detail", args=[pairing.public_id]))
    assert page.status_code == 200 and "独居老人" in page.content.decode()


@pytest.mark.parametrize("who", ["community2", "street2", "grid2", "unit2"])
def test_the_pairing_page_is_404_outside(cast, client, who):
    pairing = _pairing(cast)
    url = reverse("service:pairing_detail", args=[pairing.public_id])
    assert cast.login(client, who).get(url).status_code == 404


def test_the_pairing_page_is_refused_to_a_department(cast, client):
    url = reverse("service:pairing_detail", args=[_pairing(cast).public_id])
    assert cast.login(client, "dept").get(url).status_code == 403


def test_the_paired_member_logs_a_visit_and_sees_the_records(cast, client):
    pairing = _pairing(cast)
    cast.login(client, "member")
    url = reverse("service:pairing_visit", args=[pairing.public_id])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"visited_on": tomorrow, "note": "量血压"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "A visit cannot be in the future." in page and 'value="量血压"' in page
    today = timezone.localdate().isoformat()
    assert client.post(url, {"visited_on": today, "note": "量血压，聊天"}).status_code == 302
    visit = PairingVisit.objects.get()
    assert visit.logged_by == cast.member and visit.note == "量血压，聊天"
    logged = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=2),
        minutes=45,
        description="陪同就医",
        pairing=pairing,
    )
    page = client.get(reverse("service:pairing_detail", args=[pairing.public_id])).content.decode()
    assert "量血压，聊天" in page and reverse("service:record_detail", args=[logged.public_id]) in page


def test_visits_are_for_the_helper_and_the_community(cast, client):
    pairing = _pairing(cast)
    url = reverse("service:pairing_visit", args=[pairing.public_id])
    today = timezone.localdate().isoformat()
    assert cast.login(client, "resident").post(url, {"visited_on": today, "note": "x"}).status_code == 403
    assert cast.login(client, "unit2").post(url, {"visited_on": today, "note": "x"}).status_code == 404
    client.force_login(_member_user(cast, cast.m_b_home_a))  # lives in A1, not paired with 孙大妈
    response = client.post(url, {"visited_on": today, "note": "x"})
    assert response.status_code == 404  # the pairing is not his to see
    assert not PairingVisit.objects.exists()


def _member_user(cast, member):
    from accounts.actions import create_user, grant_role
    from accounts.models import Role

    user = create_user(acting_user=None, username=f"m{member.pk}", password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    member.user = user
    member.save(update_fields=["user"])
    return user


def test_the_community_ends_a_pairing(cast, client):
    pairing = _pairing(cast)
    url = reverse("service:pairing_end", args=[pairing.public_id])
    assert cast.login(client, "member").post(url, {"reason": "搬走了"}).status_code == 403
    assert cast.login(client, "community2").post(url, {"reason": "搬走了"}).status_code == 404
    assert cast.login(client, "community").post(url, {"reason": "搬走了"}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.ended_on == timezone.localdate()
    response = client.post(url, {"reason": "再结束"})
    assert response.status_code == 400 and "This pairing has already ended." in response.content.decode()


def test_the_pairing_list_filters_and_shows_no_other_street(cast, client):
    pairing = _pairing(cast)
    ended = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, unit=cast.places.unit_a, reason="助学"
    )
    pairing_actions.end_household_pairing(acting_user=cast.community, pairing=ended)
    cast.login(client, "community")
    url = reverse("service:pairing_list")

    def shown(**query):
        return set(re.findall(r'data-pairing="([0-9a-f-]+)"', client.get(url, query).content.decode()))

    assert shown() == {str(pairing.public_id), str(ended.public_id)}
    assert shown(active="true") == {str(pairing.public_id)}
    assert shown(active="false") == {str(ended.public_id)}
    assert shown(q="孙") == shown() and shown(q="周") == set()
    cast.login(client, "street2")
    assert shown() == set()


@pytest.mark.parametrize("who", ["community", "street", "grid", "unit", "inspector", "orgdept"])
def test_the_pairing_list_opens_for_areas_and_units(cast, client, who):
    assert cast.login(client, who).get(reverse("service:pairing_list")).status_code == 200


@pytest.mark.parametrize("who", ["member", "resident", "dept"])
def test_the_pairing_list_is_refused_to_other_roles(cast, client, who):
    assert cast.login(client, who).get(reverse("service:pairing_list")).status_code == 403


@pytest.mark.parametrize("who", ["community", "street", "unit", "admin"])
@pytest.mark.parametrize(
    "query", [{"end": "9999-12-31"}, {"start": "0001-01-01"}, {"start": "2025-01-01", "end": "2100-01-01"}]
)
def test_the_record_list_refuses_days_outside_2000_to_2099(cast, client, who, query):
    """The calendar's own ends overflowed a day's bounds (a 500); such a day is a form error now."""
    record(cast)
    response = cast.login(client, who).get(reverse("service:record_list"), query)
    assert response.status_code == 400
    assert (
        "Choose a day between 2000-01-01 and 2099-12-31." in response.content.decode()
    )  # shown, not only kept
    errors = [e for field in ("start", "end") for e in response.context["form"].errors.get(field, [])]
    assert errors == ["Choose a day between 2000-01-01 and 2099-12-31."]


def test_the_record_export_with_a_day_outside_2000_to_2099_does_not_fail(cast, client):
    record(cast)
    cast.login(client, "community")
    response = client.get(reverse("jobs:export_start", args=["service_records"]), {"end": "9999-12-31"})
    assert response.status_code == 200
