"""The shared need page and every change made from it: who sees it (404 outside the scope, 403 for a
wrong role), who may do what, the beneficiary's privacy, and that a refused step keeps what was typed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from service.models import Assignment, AssignmentState, AssignmentVia, Need, NeedState, ServiceCategory
from service.needs import actions
from service.needs.suggestions import Suggestion

pytestmark = pytest.mark.django_db


def repair():
    return ServiceCategory.objects.get(code="home_repair")


def post(cast, **kw) -> Need:
    """孙大妈 (resident of A1) asks for help: the need is hers, on A1's board."""
    kw.setdefault("title", "厨房水管漏水")
    return actions.post_need(acting_user=cast.resident, category=repair(), **kw)


def detail(need) -> str:
    return reverse("service:need_detail", args=[need.public_id])


def dispatched(cast, need, member=None) -> Assignment:
    return actions.dispatch_need(acting_user=cast.community, need=need, member=member or cast.m_member)


# --- who sees the page ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["community", "street", "orgdept", "admin", "resident", "member", "unit"])
def test_the_need_page_opens_for_those_who_may_see_it(cast, client, who):
    need = post(cast)
    response = cast.login(client, who).get(detail(need))
    assert response.status_code == 200
    assert "厨房水管漏水" in response.content.decode()


def test_the_grid_worker_sees_needs_of_the_grid(cast, client):
    need = actions.post_need(
        acting_user=cast.community,
        community=cast.places.a1,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
        title="楼道堆物",
        category=repair(),
        beneficiary_resident=cast.r_a,
    )
    page = cast.login(client, "grid").get(detail(need))
    assert page.status_code == 200 and "孙大妈" in page.content.decode()
    assert cast.login(client, "grid2").get(detail(need)).status_code == 404


@pytest.mark.parametrize("who", ["street2", "community2", "unit2", "grid2"])
def test_outsiders_get_404(cast, client, who):
    need = post(cast)
    assert cast.login(client, who).get(detail(need)).status_code == 404


@pytest.mark.parametrize("who", ["inspector", "dept", "nobody"])
def test_wrong_roles_get_403(cast, client, who):
    need = post(cast)
    assert cast.login(client, who).get(detail(need)).status_code == 403


def test_signing_in_is_required(cast, client):
    response = client.get(detail(post(cast)))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_member_of_another_community_does_not_see_an_open_need(cast, client):
    need = post(cast)
    client.force_login(_member_user(cast, cast.m_b))
    assert client.get(detail(need)).status_code == 404


def _member_user(cast, member):
    from accounts.actions import create_user, grant_role
    from accounts.models import Role

    user = create_user(acting_user=None, username=f"m{member.pk}", password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    member.user = user
    member.save(update_fields=["user"])
    return user


# --- what the page shows --------------------------------------------------------------------------


def test_the_page_shows_what_where_when_and_the_history(cast, client):
    due = timezone.now() + timedelta(days=2)
    need = actions.post_need(
        acting_user=cast.community,
        community=cast.places.a1,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
        title="帮孙大妈买药",
        description="每周三上午",
        category=repair(),
        urgency="urgent",
        due_at=due,
        beneficiary_resident=cast.r_a,
        beneficiary_address="阳光小区1号楼302",
    )
    dispatched(cast, need)
    page = cast.login(client, "community").get(detail(need)).content.decode()
    for text in ("帮孙大妈买药", "每周三上午", "阳光小区", "1号楼", "Urgent", "孙大妈", "阳光小区1号楼302"):
        assert text in page
    assert timezone.localtime(due).strftime("%Y-%m-%d %H:%M") in page
    assert 'data-event="post"' in page and 'data-event="dispatch"' in page
    assert "张三丰" in page  # who is on it
    assert "Dispatched, awaiting reply" in page


def test_the_beneficiary_is_hidden_from_a_member_until_he_takes_the_need(cast, client):
    need = post(cast, beneficiary_address="阳光小区1号楼302")
    cast.login(client, "member")
    page = client.get(detail(need)).content.decode()
    assert "孙大妈" not in page and "1号楼302" not in page
    assert "Visible to those who serve" in page
    assert client.post(reverse("service:need_take", args=[need.public_id])).status_code == 302
    page = client.get(detail(need)).content.decode()
    assert "孙大妈" in page and "阳光小区1号楼302" in page


def test_the_beneficiary_is_shown_to_a_member_once_the_need_is_offered_to_him(cast, client):
    need = post(cast)
    cast.login(client, "member")
    assert "孙大妈" not in client.get(detail(need)).content.decode()
    dispatched(cast, need)
    assert "孙大妈" in client.get(detail(need)).content.decode()


def test_the_need_page_query_count_is_pinned(cast, client, django_assert_num_queries):
    need = post(cast)
    dispatched(cast, need)
    actions.withdraw_assignment(
        acting_user=cast.community, assignment=Assignment.objects.get(need=need), reason="没回"
    )
    cast.login(client, "community")
    client.get(detail(need))  # warm the session
    with django_assert_num_queries(20):  # 9 of them rank the suggestions (service/suggestions.py)
        assert client.get(detail(need)).status_code == 200


# --- dispatch -------------------------------------------------------------------------------------


def test_the_community_dispatches_to_a_member_through_the_page(cast, client):
    need = post(cast)
    cast.login(client, "community")
    page = client.get(detail(need)).content.decode()
    assert f"member:{cast.m_member.public_id}" in page  # 张三丰 lives in A1: offered
    assert f"member:{cast.m_b.public_id}" not in page  # 王五 serves B1
    response = client.post(
        reverse("service:need_dispatch", args=[need.public_id]),
        {"target": f"member:{cast.m_member.public_id}", "note": "先打电话"},
    )
    assert response.status_code == 302 and response.url == detail(need)
    need.refresh_from_db()
    assert need.state == NeedState.OFFERED
    offer = Assignment.objects.get(need=need)
    assert offer.member == cast.m_member and offer.via == AssignmentVia.DISPATCH and offer.note == "先打电话"
    assert offer.respond_by > timezone.now() + timedelta(hours=23)  # the default reply time
    assert "Dispatched" in client.get(detail(need)).content.decode()


def test_dispatch_to_a_team_or_a_unit(cast, client):
    from checkin.team_actions import create_team

    team = create_team(acting_user=cast.community, community=cast.places.a1, name="龙津志愿队")
    need, other = post(cast), post(cast, title="楼道灯坏了")
    cast.login(client, "street")
    url = reverse("service:need_dispatch", args=[need.public_id])
    assert client.post(url, {"target": f"team:{team.public_id}"}).status_code == 302
    url = reverse("service:need_dispatch", args=[other.public_id])
    assert client.post(url, {"target": f"unit:{cast.places.unit_a.public_id}"}).status_code == 302
    assert Assignment.objects.get(need=need).team == team
    assert Assignment.objects.get(need=other).unit == cast.places.unit_a


def test_a_refused_dispatch_keeps_what_was_typed(cast, client):
    need = post(cast)
    cast.login(client, "community")
    response = client.post(
        reverse("service:need_dispatch", args=[need.public_id]),
        {
            "target": f"member:{cast.m_member.public_id}",
            "note": "请周三前联系",
            "respond_by": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The reply deadline must be in the future." in page
    assert 'value="请周三前联系"' in page
    assert f'value="member:{cast.m_member.public_id}" selected' in page
    need.refresh_from_db()
    assert need.state == NeedState.OPEN and not Assignment.objects.filter(need=need).exists()


def test_dispatch_to_someone_who_does_not_serve_the_community_is_refused(cast, client):
    need = post(cast)
    cast.login(client, "community")
    response = client.post(
        reverse("service:need_dispatch", args=[need.public_id]), {"target": f"member:{cast.m_b.public_id}"}
    )
    assert response.status_code == 400
    assert "Choose a member, a team or a unit from the list." in response.content.decode()
    assert Need.objects.get(pk=need.pk).state == NeedState.OPEN


def test_dispatching_a_need_already_offered_is_refused_with_the_reason(cast, client):
    need = post(cast)
    dispatched(cast, need)
    cast.login(client, "community")
    response = client.post(
        reverse("service:need_dispatch", args=[need.public_id]),
        {"target": f"member:{cast.m_b_home_a.public_id}"},
    )
    assert response.status_code == 400
    assert "it cannot be dispatched" in response.content.decode()
    assert Assignment.objects.get(need=need).member == cast.m_member


def test_suggestions_are_shown_with_their_reasons_and_dispatch_in_one_click(cast, client, monkeypatch):
    need = post(cast)
    ranked = [
        Suggestion("member", cast.m_member, 0.9, ["同一楼栋", "技能：水电维修"]),
        Suggestion("member", cast.m_b_home_a, 0.5, ["同一社区"]),
    ]
    monkeypatch.setattr("service.needs.views.suggest", lambda need, limit=8: ranked)
    cast.login(client, "community")
    page = client.get(detail(need)).content.decode()
    assert "同一楼栋" in page and "技能：水电维修" in page and "赵六" in page
    assert page.index("张三丰") < page.index("赵六")
    response = client.post(
        reverse("service:need_dispatch", args=[need.public_id]),
        {"target": f"member:{cast.m_member.public_id}", "suggestion_reason": "同一楼栋；技能：水电维修"},
    )
    assert response.status_code == 302
    offer = Assignment.objects.get(need=need)
    assert offer.member == cast.m_member and offer.suggestion_reason == "同一楼栋；技能：水电维修"


def test_a_resource_suggestion_dispatches_to_its_unit(cast, client, monkeypatch):
    from service.models import Resource

    need = post(cast)
    resource = Resource(unit=cast.places.unit_a, title="水电维修志愿时")
    monkeypatch.setattr(
        "service.needs.views.suggest",
        lambda need, limit=8: [Suggestion("resource", resource, 0.7, ["资源对口"])],
    )
    cast.login(client, "community")
    page = client.get(detail(need)).content.decode()
    assert f'value="unit:{cast.places.unit_a.public_id}"' in page and "资源对口" in page


@pytest.mark.parametrize("who", ["grid", "member", "resident", "unit"])
def test_only_the_community_or_street_dispatch(cast, client, who):
    need = post(cast)
    response = cast.login(client, who).post(
        reverse("service:need_dispatch", args=[need.public_id]),
        {"target": f"member:{cast.m_member.public_id}"},
    )
    assert response.status_code == 403
    assert Need.objects.get(pk=need.pk).state == NeedState.OPEN


def test_an_outside_community_cannot_dispatch(cast, client):
    need = post(cast)
    response = cast.login(client, "community2").post(
        reverse("service:need_dispatch", args=[need.public_id]), {"target": f"member:{cast.m_b.public_id}"}
    )
    assert response.status_code == 404


# --- the reply ------------------------------------------------------------------------------------


def test_the_member_accepts_through_the_page(cast, client):
    need = post(cast)
    offer = dispatched(cast, need)
    cast.login(client, "member")
    page = client.get(detail(need)).content.decode()
    assert reverse("service:assignment_accept", args=[offer.public_id]) in page
    response = client.post(reverse("service:assignment_accept", args=[offer.public_id]))
    assert response.status_code == 302
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.state == NeedState.TAKEN and offer.state == AssignmentState.ACCEPTED


def test_declining_needs_a_reason_and_keeps_the_offer_until_given(cast, client):
    need = post(cast)
    offer = dispatched(cast, need)
    cast.login(client, "member")
    url = reverse("service:assignment_decline", args=[offer.public_id])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert "Say why you decline" in response.content.decode()
    offer.refresh_from_db()
    assert offer.state == AssignmentState.OFFERED
    assert client.post(url, {"reason": "这周出差"}).status_code == 302
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.state == NeedState.OPEN and offer.decline_reason == "这周出差"
    assert "这周出差" in cast.login(client, "community").get(detail(need)).content.decode()


def test_a_long_decline_reason_is_refused_with_the_text_kept(cast, client):
    need = post(cast)
    offer = dispatched(cast, need)
    cast.login(client, "member")
    response = client.post(
        reverse("service:assignment_decline", args=[offer.public_id]), {"reason": "忙" * 201}
    )
    assert response.status_code == 400 and "忙" * 201 in response.content.decode()


def test_someone_else_cannot_answer_the_offer(cast, client):
    need = post(cast)
    offer = dispatched(cast, need, member=cast.m_b_home_a)
    cast.login(client, "member")  # 张三丰 sees the open need's page, but the offer is 赵六's
    response = client.post(reverse("service:assignment_accept", args=[offer.public_id]))
    assert response.status_code == 404  # the offered need is no longer open: outside his scope
    offer.refresh_from_db()
    assert offer.state == AssignmentState.OFFERED


def test_a_unit_admin_declines_for_the_unit_but_an_outsider_gets_404(cast, client):
    need = post(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, unit=cast.places.unit_a)
    url = reverse("service:assignment_decline", args=[offer.public_id])
    assert cast.login(client, "unit2").post(url, {"reason": "不行"}).status_code == 404
    assert cast.login(client, "unit").post(url, {"reason": "人手不够"}).status_code == 302
    offer.refresh_from_db()
    assert offer.state == AssignmentState.DECLINED


def test_answering_is_for_members_and_unit_admins(cast, client):
    offer = dispatched(cast, post(cast))
    response = cast.login(client, "community").post(
        reverse("service:assignment_accept", args=[offer.public_id])
    )
    assert response.status_code == 403


# --- take, complete, close ------------------------------------------------------------------------


def test_a_unit_admin_takes_a_need_for_the_unit(cast, client):
    need = post(cast)
    cast.login(client, "unit")
    page = client.get(detail(need)).content.decode()
    assert str(cast.places.unit_a.public_id) in page
    response = client.post(
        reverse("service:need_take", args=[need.public_id]), {"unit": str(cast.places.unit_a.public_id)}
    )
    assert response.status_code == 302
    taken = Assignment.objects.get(need=need)
    assert taken.unit == cast.places.unit_a and taken.via == AssignmentVia.TAKEN


def test_a_unit_admin_cannot_take_for_another_unit(cast, client):
    need = post(cast)
    cast.login(client, "unit")
    response = client.post(
        reverse("service:need_take", args=[need.public_id]), {"unit": str(cast.places.unit_b.public_id)}
    )
    assert response.status_code == 400
    assert Need.objects.get(pk=need.pk).state == NeedState.OPEN


def test_taking_a_need_already_offered_is_refused_with_the_reason(cast, client):
    need = post(cast)
    dispatched(cast, need)
    cast.login(client, "member")  # offered to him: he answers the offer, he does not take it
    response = client.post(reverse("service:need_take", args=[need.public_id]))
    assert response.status_code == 400
    assert "it cannot be taken" in response.content.decode()
    assert Assignment.objects.get(need=need).via == AssignmentVia.DISPATCH


def test_a_need_somebody_took_is_gone_from_the_others(cast, client):
    need = post(cast)
    actions.take_need(acting_user=cast.unit, need=need, unit=cast.places.unit_a)
    cast.login(client, "member")
    assert client.post(reverse("service:need_take", args=[need.public_id])).status_code == 404


def test_taking_is_for_members_and_unit_admins(cast, client):
    need = post(cast)
    assert (
        cast.login(client, "community").post(reverse("service:need_take", args=[need.public_id])).status_code
        == 403
    )


def test_complete_then_close(cast, client):
    need = post(cast)
    offer = dispatched(cast, need)
    actions.accept_assignment(acting_user=cast.member, assignment=offer)
    cast.login(client, "member")
    assert (
        client.post(reverse("service:need_complete", args=[need.public_id]), {"note": "修好了"}).status_code
        == 302
    )
    need.refresh_from_db()
    assert need.state == NeedState.DONE
    # the member may not close it; the community does
    assert client.post(reverse("service:need_close", args=[need.public_id])).status_code == 403
    cast.login(client, "community")
    assert (
        client.post(reverse("service:need_close", args=[need.public_id]), {"note": "回访满意"}).status_code
        == 302
    )
    need.refresh_from_db()
    assert need.state == NeedState.CLOSED
    events = list(need.events.values_list("action", "actor__username"))
    assert events[-2:] == [("serve", "member"), ("close", "community")]


def test_closing_a_need_not_yet_served_is_refused(cast, client):
    need = post(cast)
    cast.login(client, "community")
    response = client.post(reverse("service:need_close", args=[need.public_id]), {"note": "看看"})
    assert response.status_code == 400
    assert "This need is Open; it cannot be closed." in response.content.decode()


# --- withdraw, cancel -----------------------------------------------------------------------------


def test_the_community_takes_a_need_back_with_a_reason(cast, client):
    need = post(cast)
    offer = dispatched(cast, need)
    cast.login(client, "community")
    url = reverse("service:assignment_withdraw", args=[offer.public_id])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Say why you take the need back." in response.content.decode()
    assert Need.objects.get(pk=need.pk).state == NeedState.OFFERED
    assert client.post(url, {"reason": "两天没回复"}).status_code == 302
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.state == NeedState.OPEN and offer.state == AssignmentState.WITHDRAWN


def test_withdrawing_is_for_the_community_and_street(cast, client):
    offer = dispatched(cast, post(cast))
    url = reverse("service:assignment_withdraw", args=[offer.public_id])
    assert cast.login(client, "member").post(url, {"reason": "x"}).status_code == 403
    assert cast.login(client, "community2").post(url, {"reason": "x"}).status_code == 404


def test_cancel_needs_a_reason_and_keeps_the_page(cast, client):
    need = post(cast)
    offer = dispatched(cast, need)
    cast.login(client, "community")
    url = reverse("service:need_cancel", args=[need.public_id])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "Say why the need is cancelled." in response.content.decode()
    assert client.post(url, {"reason": "重复发布"}).status_code == 302
    need.refresh_from_db()
    offer.refresh_from_db()
    assert need.state == NeedState.CANCELLED and offer.state == AssignmentState.WITHDRAWN


def test_the_resident_who_posted_may_cancel_but_not_another(cast, client):
    need = post(cast)
    url = reverse("service:need_cancel", args=[need.public_id])
    assert cast.login(client, "grid2").post(url, {"reason": "x"}).status_code == 404
    assert cast.login(client, "member").post(url, {"reason": "x"}).status_code == 403
    assert cast.login(client, "resident").post(url, {"reason": "已经修好了"}).status_code == 302
    assert Need.objects.get(pk=need.pk).state == NeedState.CANCELLED


# --- what the page tells those who do not serve the beneficiary -----------------------------------


def test_the_history_is_for_those_who_serve_the_beneficiary(cast, client):
    """赵六 lives in A1 and browses its open needs: he sees the need, not who was asked and why they
    declined (the reason names her), as he does not see her name."""
    need = post(cast, compound=cast.places.compound_a1, building=cast.places.building_a1)
    offer = dispatched(cast, need)
    actions.decline_assignment(
        acting_user=cast.member, assignment=offer, reason="孙大妈家在六楼，我腰伤背不动她"
    )
    client.force_login(_member_user(cast, cast.m_b_home_a))
    page = client.get(detail(need)).content.decode()
    assert "厨房水管漏水" in page and "Visible to those who serve" in page
    assert "data-history-hidden" in page and 'data-event="' not in page
    assert "孙大妈家在六楼" not in page and "张三丰" not in page
    staff = cast.login(client, "community").get(detail(need)).content.decode()
    assert (
        "孙大妈家在六楼" in staff and 'data-event="decline"' in staff and "data-history-hidden" not in staff
    )


def test_the_offers_note_is_for_those_who_serve_the_beneficiary(cast, client):
    """张三丰 declined; the need, offered to 钱七 now, still opens for him: not with the note for 钱七."""
    need = post(cast)
    offer = dispatched(cast, need)
    actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="出差")
    actions.dispatch_need(
        acting_user=cast.community, need=need, member=cast.m_retired, note="先联系她女儿 13900001111"
    )
    page = cast.login(client, "member").get(detail(need)).content.decode()
    assert "钱七" in page and "13900001111" not in page and "孙大妈" not in page
    staff = cast.login(client, "community").get(detail(need)).content.decode()
    assert "先联系她女儿 13900001111" in staff
