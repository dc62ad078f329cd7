"""Residents' pages: asking for help (a resident for themself; grid workers, the community and the
street for somebody), following my requests, and rating a project. Roles (403), scope (404), what
was typed kept on error, and pinned query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from gongjian.testing import item
from service.models import Need, NeedKind, PostedAs, ProjectState, Rating, ServiceCategory
from service.needs import actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db

ASK = reverse("service:ask")
MY_NEEDS = reverse("service:my_needs")
RESIDENTS = reverse("service:ask_residents")


def text(response) -> str:
    return response.content.decode()


def ask_data(**extra) -> dict:
    return {
        "kind": "need",
        "title": "厨房水管漏水",
        "category": str(item().public_id),
        "urgency": "normal",
        "due_on": "",
        "budget": "",
        "description": "",
        **extra,
    }


def resident_user(cast, resident, username):
    user = create_user(acting_user=None, username=username, password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.RESIDENT)
    resident.user = user
    resident.save(update_fields=["user"])
    return user


def need_of_resident(cast, title="厨房水管漏水", **kwargs) -> Need:
    return actions.post_need(acting_user=cast.resident, title=title, category=item(), **kwargs)


# --- ask --------------------------------------------------------------------------------------------


def test_ask_for_its_roles(client, cast):
    for who in ("resident", "grid", "community", "street", "admin"):
        cast.login(client, who)
        assert client.get(ASK).status_code == 200, who
    for who in ("member", "unit", "orgdept", "inspector", "nobody"):
        cast.login(client, who)
        assert client.get(ASK).status_code == 403, who


def test_resident_form_is_short_and_grouped(client, cast):
    cast.login(client, "resident")
    body = text(client.get(ASK))
    assert body.count("<optgroup") >= 4
    assert 'name="community"' not in body and 'name="beneficiary_name"' not in body
    assert "龙津社区" in body  # told where the need goes


def test_resident_posts_for_themself(client, cast):
    cast.login(client, "resident")
    due = timezone.localdate() + timedelta(days=3)
    response = client.post(ASK, ask_data(urgency="urgent", due_on=due.isoformat(), description="水一直滴"))
    need = Need.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("service:need_detail", args=[need.public_id])
    assert (need.community, need.beneficiary_resident, need.posted_as) == (
        cast.places.a1,
        cast.r_a,
        PostedAs.RESIDENT,
    )
    assert need.building == cast.places.building_a1 and need.urgency == "urgent"
    assert timezone.localtime(need.due_at).date() == due
    assert need.budget is None and need.description == "水一直滴"


def test_a_wish_keeps_its_budget_a_need_does_not(client, cast):
    cast.login(client, "resident")
    client.post(ASK, ask_data(kind="wish", title="想要一个助行器", budget="120.50"))
    client.post(ASK, ask_data(title="换灯泡", budget="30"))
    wish, need = Need.objects.get(kind=NeedKind.WISH), Need.objects.get(kind=NeedKind.NEED)
    assert str(wish.budget) == "120.50" and need.budget is None


def test_errors_keep_what_was_typed(client, cast):
    cast.login(client, "resident")
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(
        ASK, ask_data(kind="wish", category="", due_on=yesterday, budget="88", description="楼道灯坏了")
    )
    assert response.status_code == 400
    body = text(response)
    assert 'value="厨房水管漏水"' in body and "楼道灯坏了" in body and 'value="88"' in body
    assert "The date needed by must be today or later." in body
    assert 'value="wish" autocomplete="off" checked' in body
    assert not Need.objects.exists()


def test_a_big_category_is_not_a_choice(client, cast):
    big = ServiceCategory.objects.get(code="livelihood")  # a big category, not an item
    cast.login(client, "resident")
    assert f'value="{big.public_id}"' not in text(client.get(ASK))
    response = client.post(ASK, ask_data(category=str(big.public_id)))
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert 'value="厨房水管漏水"' in text(response)
    assert not Need.objects.exists()


def test_a_resident_without_a_record_is_told(client, cast):
    user = create_user(acting_user=None, username="newcomer", password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.RESIDENT)
    client.force_login(user)
    assert "No resident record is linked" in text(client.get(ASK))


def test_community_posts_for_a_resident_on_record(client, cast):
    cast.login(client, "community")
    body = text(client.get(ASK))
    assert 'name="community"' in body and "龙津社区" in body and "西安社区" not in body
    response = client.post(
        ASK,
        ask_data(
            community=str(cast.places.a1.public_id),
            beneficiary_resident=str(cast.r_a.public_id),
            beneficiary_address="阳光小区1号楼302",
        ),
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.posted_as == PostedAs.COMMUNITY and need.beneficiary_resident == cast.r_a
    assert need.beneficiary_name == "孙大妈" and need.beneficiary_address == "阳光小区1号楼302"
    assert need.building == cast.places.building_a1 and need.grid == cast.places.grid_a3


def test_street_posts_for_somebody_not_on_record(client, cast):
    cast.login(client, "street")
    response = client.post(ASK, ask_data(community=str(cast.places.a2.public_id), beneficiary_name="钱奶奶"))
    assert response.status_code == 302
    need = Need.objects.get()
    assert (need.community, need.posted_as, need.beneficiary_name) == (
        cast.places.a2,
        PostedAs.STREET,
        "钱奶奶",
    )


def test_grid_worker_posts_in_a_grid(client, cast):
    cast.login(client, "grid")
    body = text(client.get(ASK))
    assert 'name="grid"' in body and "龙津社区 · 龙津二级网格" in body
    response = client.post(
        ASK, ask_data(grid=str(cast.places.grid_a2.public_id), beneficiary_resident=str(cast.r_a.public_id))
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.posted_as == PostedAs.GRID_WORKER and need.community == cast.places.a1
    assert need.grid == cast.places.grid_a3  # the building's grid, inside the one chosen


def test_outsiders_cannot_post_into_another_area(client, cast):
    cast.login(client, "community2")
    response = client.post(
        ASK,
        ask_data(community=str(cast.places.a1.public_id), beneficiary_resident=str(cast.r_a.public_id)),
    )
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert 'value="厨房水管漏水"' in text(response)
    cast.login(client, "grid2")
    response = client.post(ASK, ask_data(grid=str(cast.places.grid_a2.public_id)))
    assert response.status_code == 400
    assert not Need.objects.exists()


def test_a_resident_of_another_community_is_refused(client, cast):
    cast.login(client, "street")
    response = client.post(
        ASK,
        ask_data(community=str(cast.places.a2.public_id), beneficiary_resident=str(cast.r_a.public_id)),
    )
    assert response.status_code == 400
    assert "The beneficiary does not live in 中山社区." in text(response)
    assert not Need.objects.exists()


def test_resident_search_for_the_select(client, cast):
    cast.login(client, "community")
    body = text(client.get(RESIDENTS, {"q": "孙", "community": cast.places.a1.public_id}))
    assert "孙大妈" in body and str(cast.r_a.public_id) in body
    assert "13900001111" not in body and "1111" in body  # masked phone only
    assert "周大爷" not in text(client.get(RESIDENTS, {"q": "周"}))  # not in their area
    cast.login(client, "community2")
    assert "孙大妈" not in text(client.get(RESIDENTS, {"q": "孙", "community": cast.places.a1.public_id}))
    cast.login(client, "grid")
    assert "孙大妈" in text(client.get(RESIDENTS, {"q": "sdm", "grid": cast.places.grid_a2.public_id}))
    cast.login(client, "resident")
    assert client.get(RESIDENTS, {"q": "孙"}).status_code == 403


# --- my needs ---------------------------------------------------------------------------------------


def test_my_needs_for_its_roles(client, cast):
    for who in ("resident", "grid", "community", "street"):
        cast.login(client, who)
        assert client.get(MY_NEEDS).status_code == 200, who
    for who in ("member", "unit", "nobody"):
        cast.login(client, who)
        assert client.get(MY_NEEDS).status_code == 403, who


def test_my_needs_say_in_plain_words_who_is_on_it(client, cast):
    need = need_of_resident(cast)
    cast.login(client, "resident")
    body = text(client.get(MY_NEEDS))
    assert "厨房水管漏水" in body and "Waiting for the community to find somebody." in body
    assignment = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    assert "Offered to 张三丰; waiting for their answer." in text(client.get(MY_NEEDS))
    actions.accept_assignment(acting_user=cast.member, assignment=assignment)
    body = text(client.get(MY_NEEDS))
    assert "张三丰 is on it." in body
    assert "1380000" not in body and "龙岩市烟草公司" not in body  # a name only, no phone, no unit


def test_my_needs_lists_needs_posted_for_me_and_not_others(client, cast):
    actions.post_need(
        acting_user=cast.community,
        title="代办低保材料",
        category=item("policy_outreach"),
        community=cast.places.a1,
        beneficiary_resident=cast.r_a,
    )
    other = resident_user(cast, cast.r_b, "zhou")
    actions.post_need(acting_user=other, title="西城的需求", category=item())
    cast.login(client, "resident")
    body = text(client.get(MY_NEEDS))
    assert "代办低保材料" in body and "西城的需求" not in body


def test_cancel_is_offered_to_the_poster_while_not_served(client, cast):
    need = need_of_resident(cast)
    cast.login(client, "resident")
    try:
        cancel_url = reverse("service:need_cancel", args=[need.public_id])
    except NoReverseMatch:  # the workbench's page is not there yet
        cancel_url = None
    body = text(client.get(MY_NEEDS))
    if cancel_url:
        assert cancel_url in body
    actions.cancel_need(acting_user=cast.resident, need=need, reason="已自己修好")
    body = text(client.get(MY_NEEDS))
    assert "Cancelled." in body
    assert cancel_url is None or cancel_url not in body


def test_records_waiting_for_my_confirmation(client, cast):
    need = need_of_resident(cast)
    assignment = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    actions.accept_assignment(acting_user=cast.member, assignment=assignment)
    need.refresh_from_db()
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=item(),
        started_at=timezone.now() - timedelta(hours=3),
        minutes=60,
        description="换了水管接头",
        need=need,
    )
    cast.login(client, "resident")
    body = text(client.get(MY_NEEDS))
    assert "Please confirm" in body
    assert reverse("service:record_detail", args=[record.public_id]) in body
    assert "张三丰 has served it; waiting for confirmation." in body
    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record)
    body = text(client.get(MY_NEEDS))
    assert "Please confirm" not in body and "How was the service?" in body
    assert "Done, by 张三丰." in body


def test_my_needs_queries_do_not_grow(client, cast, django_assert_num_queries):
    for n in range(2):
        need_of_resident(cast, title=f"需求{n}")
    cast.login(client, "resident")
    client.get(MY_NEEDS)
    with django_assert_num_queries(MY_NEEDS_QUERIES):
        assert client.get(MY_NEEDS).status_code == 200
    for n in range(2, 8):
        need = need_of_resident(cast, title=f"需求{n}")
        actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    with django_assert_num_queries(MY_NEEDS_QUERIES):
        assert client.get(MY_NEEDS).status_code == 200


# session, user, grants, resident (scope), needs (count, page, assignments), records to confirm,
# records to rate, projects, unread
MY_NEEDS_QUERIES = 11


# --- rating a project -------------------------------------------------------------------------------


@pytest.fixture
def project(cast):
    from service.projects import actions as unit_actions

    p = cast.places
    project = unit_actions.propose_project(
        acting_user=cast.community,
        community=p.a1,
        title="居家养老服务中心",
        unit=p.unit_a,
        starts_on=timezone.localdate(),
    )
    unit_actions.agree_project(acting_user=cast.community, project=project)
    unit_actions.start_project(acting_user=cast.community, project=project)
    return project


def _complete(cast, project):
    from service.projects import actions as unit_actions

    unit_actions.complete_project(acting_user=cast.community, project=project, beneficiaries_served=40)
    project.refresh_from_db()
    assert project.state == ProjectState.COMPLETED


def test_resident_rates_a_completed_project_once(client, cast, project):
    rate = reverse("service:project_rate", args=[project.public_id])
    cast.login(client, "resident")
    assert rate not in text(client.get(MY_NEEDS))  # still running
    response = client.post(rate, {"score": "4", "comment": "很方便"})
    assert response.status_code == 400 and "A project is rated once it is completed." in text(response)
    _complete(cast, project)
    assert rate in text(client.get(MY_NEEDS))
    response = client.post(rate, {"score": "5", "comment": "很方便"})
    assert response.status_code == 302 and response["Location"] == MY_NEEDS
    rating = Rating.objects.get(project=project)
    assert (rating.score, rating.comment, rating.rated_by) == (5, "很方便", cast.resident)
    assert rate not in text(client.get(MY_NEEDS))
    again = client.post(rate, {"score": "3"})
    assert again.status_code == 400 and "You have already rated this project." in text(again)
    assert Rating.objects.filter(project=project).count() == 1


def test_rating_errors_keep_the_comment(client, cast, project):
    _complete(cast, project)
    cast.login(client, "resident")
    response = client.post(
        reverse("service:project_rate", args=[project.public_id]), {"score": "9", "comment": "还行吧"}
    )
    assert response.status_code == 400
    body = text(response)
    assert "Rate from 1 to 5 stars." in body and 'value="还行吧"' in body
    assert not Rating.objects.exists()


def test_rating_goes_back_to_the_page_it_came_from(client, cast, project):
    _complete(cast, project)
    cast.login(client, "resident")
    target = "/service/projects/"
    response = client.post(
        reverse("service:project_rate", args=[project.public_id]), {"score": "4", "next": target}
    )
    assert response["Location"] == target
    response = client.post(
        reverse("service:project_rate", args=[project.public_id]),
        {"score": "4", "next": "https://evil.example/"},
    )
    assert response.status_code == 400  # already rated; the foreign address is ignored


def test_project_rate_scope_and_role(client, cast, project):
    _complete(cast, project)
    rate = reverse("service:project_rate", args=[project.public_id])
    zhou = resident_user(cast, cast.r_b, "zhou")
    client.force_login(zhou)
    assert client.post(rate, {"score": "1"}).status_code == 404
    cast.login(client, "community")
    assert client.post(rate, {"score": "1"}).status_code == 403
    cast.login(client, "member")
    assert client.post(rate, {"score": "1"}).status_code == 403
    cast.login(client, "resident")
    assert client.get(rate).status_code == 405
    assert not Rating.objects.exists()
