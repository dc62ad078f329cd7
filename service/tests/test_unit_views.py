"""Unit pages: resources, projects and a unit's members' service. For each: the right role works, an
outsider gets 404, a wrong role 403; refused forms keep what was typed; list pages pin their queries."""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from jobs.workbooks import XLSX_CONTENT_TYPE
from service.models import (
    Milestone,
    Project,
    ProjectCommitment,
    ProjectState,
    ProjectUnit,
    RecordState,
    Resource,
    ResourceKind,
    ServiceCategory,
    ServiceRecord,
)
from service.projects import actions as ua
from service.resources import actions as resource_actions

pytestmark = pytest.mark.django_db


def offer(cast, **kw):
    args = {
        "acting_user": cast.unit,
        "unit": cast.places.unit_a,
        "kind": ResourceKind.VENUE,
        "title": "职工活动室",
        "quantity": 120,
        "measure": "m²",
    }
    args.update(kw)
    return resource_actions.add_resource(**args)


def project(cast, state=ProjectState.PROPOSED, unit=True, **kw) -> Project:
    p = ua.propose_project(
        acting_user=cast.community,
        community=cast.places.a1,
        title=kw.pop("title", "居家养老服务中心"),
        unit=cast.places.unit_a if unit else None,
        **kw,
    )
    if state != ProjectState.PROPOSED:
        Project.objects.filter(pk=p.pk).update(state=state)
        p.refresh_from_db()
    return p


def detail_url(p) -> str:
    return reverse("service:project_detail", args=[p.public_id])


# --- resources ------------------------------------------------------------------------------------


def test_resource_list_by_role(client, cast):
    mine = offer(cast)
    b = offer(cast, acting_user=cast.unit2, unit=cast.places.unit_b, title="西城会议室")
    for who, sees, hides in [
        ("unit", mine, b),
        ("community", mine, b),  # unit A sits in A1
        ("street", mine, b),
        ("inspector", mine, b),
        ("unit2", b, mine),
        ("community2", b, mine),
    ]:
        cast.login(client, who)
        response = client.get(reverse("service:resource_list"))
        assert response.status_code == 200, who
        assert sees.title in response.content.decode(), who
        assert hides.title not in response.content.decode(), who


def test_unit_admin_sees_change_and_withdraw_only_on_their_own(client, cast):
    mine = offer(cast)
    cast.login(client, "unit")
    page = client.get(reverse("service:resource_list")).content.decode()
    assert reverse("service:resource_withdraw", args=[mine.public_id]) in page
    assert reverse("service:resource_new") in page
    cast.login(client, "community")
    page = client.get(reverse("service:resource_list")).content.decode()
    assert reverse("service:resource_withdraw", args=[mine.public_id]) not in page
    assert reverse("service:resource_new") not in page


@pytest.mark.parametrize("who", ["member", "resident", "grid", "dept", "nobody"])
def test_resource_list_wrong_role(client, cast, who):
    cast.login(client, who)
    assert client.get(reverse("service:resource_list")).status_code == 403


def test_resource_filters(client, cast):
    offer(cast, title="活动室")
    legal = ServiceCategory.objects.get(code="legal_aid")
    offer(cast, kind=ResourceKind.SKILLS, title="法律咨询", category=legal, quantity=10, measure="小时")
    old = offer(cast, title="旧物资", kind=ResourceKind.GOODS, quantity=5, measure="件")
    resource_actions.withdraw_resource(acting_user=cast.unit, resource=old)
    cast.login(client, "community")
    url = reverse("service:resource_list")
    page = client.get(url, {"kind": "skills"}).content.decode()
    assert "法律咨询" in page and "活动室" not in page
    page = client.get(url, {"category": str(legal.parent.public_id)}).content.decode()  # a big category
    assert "法律咨询" in page and "活动室" not in page
    page = client.get(url, {"available": "true"}).content.decode()
    assert "旧物资" not in page and "活动室" in page
    page = client.get(url, {"available": "false"}).content.decode()
    assert "旧物资" in page and "活动室" not in page
    page = client.get(url, {"unit": str(cast.places.unit_b.public_id)}).content.decode()
    assert "活动室" in page  # a unit outside the user's scope is not a valid choice: the filter is ignored


def test_resource_list_queries(client, cast, django_assert_num_queries):
    for n in range(12):
        offer(cast, title=f"资源{n}")
    ua.commit_to_project(
        acting_user=cast.unit,
        project=project(cast),
        unit=cast.places.unit_a,
        resource=Resource.objects.first(),
        quantity=10,
    )
    cast.login(client, "community")
    client.get(reverse("service:resource_list"))
    # session, user, role grants; count, categories, unread, units, page; the session's save (3)
    with django_assert_num_queries(8):
        response = client.get(reverse("service:resource_list"))
    assert response.status_code == 200


def test_offer_a_resource(client, cast):
    cast.login(client, "unit")
    response = client.get(reverse("service:resource_new"))
    assert response.status_code == 200
    assert "龙津社区" in response.content.decode()  # communities of the unit's street
    assert "西安社区" not in response.content.decode()
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("service:resource_new"),
        {
            "unit": str(cast.places.unit_a.public_id),
            "kind": "funds",
            "title": "助老基金",
            "quantity": "20000",
            "measure": "元",
            "available_from": today,
            "community": str(cast.places.a1.public_id),
        },
    )
    assert response.status_code == 302
    resource = Resource.objects.get(title="助老基金")
    assert (resource.unit, resource.community, resource.kind) == (cast.places.unit_a, cast.places.a1, "funds")


def test_a_refused_offer_keeps_the_input(client, cast):
    cast.login(client, "unit")
    today = timezone.localdate()
    response = client.post(
        reverse("service:resource_new"),
        {
            "unit": str(cast.places.unit_a.public_id),
            "kind": "goods",
            "title": "过冬棉被",
            "quantity": "50",
            "measure": "床",
            "available_from": today.isoformat(),
            "available_until": (today - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "过冬棉被" in page and 'value="50' in page
    assert "The end comes before the start." in page
    assert not Resource.objects.exists()


@pytest.mark.parametrize("who", ["community", "street", "inspector", "member"])
def test_offer_wrong_role(client, cast, who):
    cast.login(client, who)
    assert client.get(reverse("service:resource_new")).status_code == 403


def test_change_an_offer(client, cast):
    resource = offer(cast)
    url = reverse("service:resource_edit", args=[resource.public_id])
    cast.login(client, "unit")
    assert "职工活动室" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "职工活动室（二楼）",
            "quantity": "80",
            "measure": "m²",
            "available_from": resource.available_from.isoformat(),
        },
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert (resource.title, int(resource.quantity)) == ("职工活动室（二楼）", 80)
    response = client.post(url, {"title": "", "quantity": "80", "measure": "m²", "available_from": "bad"})
    assert response.status_code == 400
    cast.login(client, "unit2")
    assert client.get(url).status_code == 404
    cast.login(client, "community")  # can see it, but only unit admins change offers
    assert client.get(url).status_code == 403


def test_withdraw(client, cast):
    resource = offer(cast)
    url = reverse("service:resource_withdraw", args=[resource.public_id])
    cast.login(client, "unit2")
    assert client.post(url).status_code == 404
    cast.login(client, "member")
    assert client.post(url).status_code == 403
    cast.login(client, "unit")
    assert client.get(url).status_code == 405
    response = client.post(url, {"reason": "装修"}, follow=True)
    assert response.status_code == 200
    resource.refresh_from_db()
    assert resource.withdrawn_at is not None
    response = client.post(url, follow=True)
    assert "already been withdrawn" in response.content.decode()


# --- projects -------------------------------------------------------------------------------------


def test_project_list_by_role(client, cast):
    ours = project(cast)
    theirs = ua.propose_project(acting_user=cast.community2, community=cast.places.b1, title="西城睦邻点")
    for who, sees, hides in [
        ("community", ours, theirs),
        ("street", ours, theirs),
        ("unit", ours, theirs),  # unit A takes part
        ("member", ours, theirs),  # lives in A1
        ("resident", ours, theirs),
        ("community2", theirs, ours),
        ("unit2", None, ours),
    ]:
        cast.login(client, who)
        response = client.get(reverse("service:project_list"))
        assert response.status_code == 200, who
        page = response.content.decode()
        if sees is not None:
            assert sees.title in page, who
        assert hides.title not in page, who


@pytest.mark.parametrize("who", ["grid", "dept", "nobody"])
def test_project_list_wrong_role(client, cast, who):
    cast.login(client, who)
    assert client.get(reverse("service:project_list")).status_code == 403


def test_project_filters(client, cast):
    project(cast, title="养老中心")
    project(cast, state=ProjectState.COMPLETED, title="书屋", unit=False)
    cast.login(client, "street")
    url = reverse("service:project_list")
    page = client.get(url, {"state": "completed"}).content.decode()
    assert "书屋" in page and "养老中心" not in page
    page = client.get(url, {"unit": str(cast.places.unit_a.public_id)}).content.decode()
    assert "养老中心" in page and "书屋" not in page
    page = client.get(url, {"community": str(cast.places.a2.public_id)}).content.decode()
    assert "养老中心" not in page and "书屋" not in page


def test_project_list_queries(client, cast, django_assert_num_queries):
    for n in range(8):
        project(cast, title=f"项目{n}")
    cast.login(client, "community")
    client.get(reverse("service:project_list"))
    # session, user, grants; count, unread, communities, units, page, units of the page; session save (3)
    with django_assert_num_queries(9):
        response = client.get(reverse("service:project_list"))
    assert response.status_code == 200


def test_propose_as_community(client, cast):
    cast.login(client, "community")
    response = client.get(reverse("service:project_new"))
    assert response.status_code == 200
    response = client.post(
        reverse("service:project_new"),
        {
            "community": str(cast.places.a1.public_id),
            "title": "社区食堂",
            "budget": "300000",
            "unit": str(cast.places.unit_a.public_id),
        },
    )
    p = Project.objects.get(title="社区食堂")
    assert response.status_code == 302 and response["Location"] == detail_url(p)
    assert list(p.units.all()) == [cast.places.unit_a]


def test_propose_as_unit_admin_needs_the_unit(client, cast):
    cast.login(client, "unit")
    response = client.post(
        reverse("service:project_new"),
        {"community": str(cast.places.a2.public_id), "title": "法律服务站", "description": "每月两次"},
    )
    # a unit admin with one unit gets it preselected: posting it is what the page does
    assert response.status_code == 400
    assert "法律服务站" in response.content.decode() and "每月两次" in response.content.decode()
    response = client.post(
        reverse("service:project_new"),
        {
            "community": str(cast.places.a2.public_id),
            "title": "法律服务站",
            "unit": str(cast.places.unit_a.public_id),
        },
    )
    assert response.status_code == 302
    assert ProjectUnit.objects.filter(project__title="法律服务站", unit=cast.places.unit_a).exists()


def test_propose_outside_is_refused_and_keeps_the_input(client, cast):
    cast.login(client, "community")
    response = client.post(
        reverse("service:project_new"),
        {"community": str(cast.places.b1.public_id), "title": "越界项目", "description": "说明文字"},
    )
    assert response.status_code == 400  # B1 is not among the choices
    assert "越界项目" in response.content.decode() and "说明文字" in response.content.decode()
    assert not Project.objects.exists()


@pytest.mark.parametrize("who", ["member", "resident", "inspector", "grid"])
def test_propose_wrong_role(client, cast, who):
    cast.login(client, who)
    assert client.get(reverse("service:project_new")).status_code == 403


def test_project_detail_for_the_community(client, cast):
    p = project(cast, budget="80000")
    ua.add_milestone(acting_user=cast.community, project=p, title="选址")
    cast.login(client, "community")
    response = client.get(detail_url(p))
    assert response.status_code == 200
    page = response.content.decode()
    assert "居家养老服务中心" in page and "龙岩市烟草公司" in page and "选址" in page
    assert 'value="agree"' in page and 'value="drop"' in page and 'value="start"' not in page
    assert reverse("service:project_milestone_add", args=[p.public_id]) in page


@pytest.mark.parametrize("who", ["community2", "street2", "unit2"])
def test_project_detail_outsiders(client, cast, who):
    p = project(cast)
    cast.login(client, who)
    assert client.get(detail_url(p)).status_code == 404


def test_project_detail_wrong_role(client, cast):
    p = project(cast)
    for who in ("grid", "dept", "nobody"):
        cast.login(client, who)
        assert client.get(detail_url(p)).status_code == 403, who


def test_project_detail_for_a_unit_admin(client, cast):
    p = project(cast)
    offer(cast)
    cast.login(client, "unit")
    page = client.get(detail_url(p)).content.decode()
    assert 'value="agree"' not in page  # only the community moves it
    assert "commit-form" in page and "职工活动室" in page


def test_project_detail_queries(client, cast, django_assert_num_queries):
    p = project(cast, state=ProjectState.IN_PROGRESS)
    for n in range(3):
        ua.add_milestone(acting_user=cast.community, project=p, title=f"节点{n}")
    offer(cast)
    cast.login(client, "community")
    client.get(detail_url(p))
    with django_assert_num_queries(14):
        response = client.get(detail_url(p))
    assert response.status_code == 200


def test_resident_sees_the_rating_form_once_completed(client, cast):
    p = project(cast, state=ProjectState.COMPLETED)
    cast.login(client, "resident")
    page = client.get(detail_url(p)).content.decode()
    try:
        rate_url = reverse("service:project_rate", args=[p.public_id])
    except NoReverseMatch:  # the resident pages own the endpoint; the form waits for it
        assert "rate-form" not in page
    else:
        assert f'action="{rate_url}"' in page and 'name="score"' in page and 'name="comment"' in page
    running = project(cast, state=ProjectState.IN_PROGRESS, title="进行中")
    assert "rate-form" not in client.get(detail_url(running)).content.decode()


def test_move_a_project(client, cast):
    p = project(cast)
    url = reverse("service:project_move", args=[p.public_id])
    cast.login(client, "community")
    assert client.post(url, {"action": "agree"}).status_code == 302
    assert client.post(url, {"action": "start"}).status_code == 302
    response = client.post(url, {"action": "complete", "beneficiaries_served": "0"})
    assert response.status_code == 400
    assert "at least one" in response.content.decode()
    assert 'value="0"' in response.content.decode()
    p.refresh_from_db()
    assert p.state == ProjectState.IN_PROGRESS
    assert client.post(url, {"action": "complete", "beneficiaries_served": "86"}).status_code == 302
    response = client.post(url, {"action": "evaluate", "evaluation": ""})
    assert response.status_code == 400
    assert client.post(url, {"action": "evaluate", "evaluation": "效果良好"}).status_code == 302
    p.refresh_from_db()
    assert (p.state, p.beneficiaries_served, p.evaluation) == (ProjectState.EVALUATED, 86, "效果良好")
    assert client.post(url, {"action": "nonsense"}).status_code == 400


def test_move_refused(client, cast):
    p = project(cast)
    url = reverse("service:project_move", args=[p.public_id])
    cast.login(client, "unit")
    assert client.post(url, {"action": "agree"}).status_code == 403
    cast.login(client, "community2")
    assert client.post(url, {"action": "agree"}).status_code == 404
    p.refresh_from_db()
    assert p.state == ProjectState.PROPOSED


def test_join_and_commit(client, cast):
    p = project(cast, unit=False)
    resource = offer(cast)
    cast.login(client, "unit")
    url = reverse("service:project_unit_add", args=[p.public_id])
    # Unit A sits in the project's community, so its admin sees the project and joins it from the page.
    assert client.get(detail_url(p)).status_code == 200
    assert client.post(url, {"unit": str(cast.places.unit_a.public_id)}).status_code == 302
    assert p.units.filter(pk=cast.places.unit_a.pk).exists()
    commit = reverse("service:project_commit", args=[p.public_id])
    response = client.post(
        commit,
        {
            "commit-unit": str(cast.places.unit_a.public_id),
            "commit-resource": str(resource.public_id),
            "commit-quantity": "500",
        },
    )
    assert response.status_code == 400  # only 120 m² offered
    assert "left to commit" in response.content.decode()
    response = client.post(
        commit,
        {
            "commit-unit": str(cast.places.unit_a.public_id),
            "commit-resource": str(resource.public_id),
            "commit-quantity": "100",
        },
    )
    assert response.status_code == 302
    assert ProjectCommitment.objects.get(project=p).quantity == 100
    cast.login(client, "unit2")
    assert client.post(url, {"unit": str(cast.places.unit_b.public_id)}).status_code == 404
    cast.login(client, "member")
    assert client.post(commit, {}).status_code == 403


def test_community_adds_a_unit(client, cast):
    p = project(cast, unit=False)
    cast.login(client, "community")
    url = reverse("service:project_unit_add", args=[p.public_id])
    assert client.post(url, {"unit": str(cast.places.unit_a.public_id)}).status_code == 302
    response = client.post(url, {"unit": str(cast.places.unit_a.public_id)})
    assert response.status_code == 400 and "already takes part" in response.content.decode()


def test_milestones_through_the_page(client, cast):
    p = project(cast, state=ProjectState.IN_PROGRESS)
    add = reverse("service:project_milestone_add", args=[p.public_id])
    cast.login(client, "community")
    response = client.post(add, {"milestone-title": "", "milestone-due_on": "2030-01-01"})
    assert response.status_code == 400 and 'value="2030-01-01"' in response.content.decode()
    assert client.post(add, {"milestone-title": "完成装修"}).status_code == 302
    milestone = Milestone.objects.get(project=p)
    done = reverse("service:project_milestone_done", args=[milestone.public_id])
    cast.login(client, "unit")  # a participating unit's admin marks it done
    assert client.post(add, {"milestone-title": "x"}).status_code == 403
    assert done in client.get(detail_url(p)).content.decode()
    assert client.post(done).status_code == 302
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()
    response = client.post(done)
    assert response.status_code == 400 and "already done" in response.content.decode()
    cast.login(client, "community2")
    assert client.post(done).status_code == 404
    cast.login(client, "member")
    assert client.post(done).status_code == 403


def test_records_of_the_project_are_shown(client, cast):
    p = project(cast, state=ProjectState.IN_PROGRESS)
    ServiceRecord.objects.create(
        member=cast.m_member,
        unit=cast.places.unit_a,
        community=cast.places.a1,
        community_path=cast.places.a1.path,
        category=ServiceCategory.objects.get(code="elderly_care"),
        project=p,
        started_at=timezone.now() - timedelta(days=1),
        minutes=90,
        description="布置活动室",
        state=RecordState.CONFIRMED,
    )
    cast.login(client, "community")
    page = client.get(detail_url(p)).content.decode()
    assert "张三丰" in page and "1.5" in page


# --- a unit's members' service --------------------------------------------------------------------


def test_unit_service_for_the_unit_admin_and_inspector(client, cast):
    for who in ("unit", "inspector"):
        cast.login(client, who)
        response = client.get(reverse("service:unit_service"))
        assert response.status_code == 200, who
        page = response.content.decode()
        assert "龙岩市烟草公司" in page and "张三丰" in page and "李四" in page, who
        assert "0.0%" in page  # two in-service members, nobody served yet


def test_unit_service_for_area_roles(client, cast):
    cast.login(client, "street")
    response = client.get(reverse("service:unit_service"))
    assert response.status_code == 200
    assert "Choose the unit" in response.content.decode()
    response = client.get(
        reverse("service:unit_service"), {"unit": str(cast.places.unit_a.public_id), "period": "year"}
    )
    assert response.status_code == 200 and "张三丰" in response.content.decode()
    response = client.get(reverse("service:unit_service"), {"unit": str(cast.places.dept_a.public_id)})
    assert "No in-service members" in response.content.decode()


@pytest.mark.parametrize("who", ["unit2", "community2", "street2"])
def test_unit_service_outsiders(client, cast, who):
    cast.login(client, who)
    response = client.get(reverse("service:unit_service"), {"unit": str(cast.places.unit_a.public_id)})
    assert response.status_code == 404
    assert client.get(reverse("service:unit_service"), {"unit": "not-a-uuid"}).status_code == 404


@pytest.mark.parametrize("who", ["member", "resident", "grid", "dept", "nobody"])
def test_unit_service_wrong_role(client, cast, who):
    cast.login(client, who)
    assert client.get(reverse("service:unit_service")).status_code == 403


def test_unit_service_queries(client, cast, django_assert_num_queries):
    project(cast)
    cast.login(client, "unit")
    url = reverse("service:unit_service")
    client.get(url)
    # session, user, second factor's device, grants; units; figures (4); rows count, unread, rows page;
    # session save (3)
    with django_assert_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, name, query",
    [
        ("community", "resources", ""),
        ("street", "projects", "state=proposed"),
        ("unit", "unit_service", "unit={unit}&period=quarter"),
        ("street", "unit_service", "unit={unit}"),
    ],
)
def test_exports(client, cast, who, name, query):
    offer(cast)
    project(cast)
    cast.login(client, who)
    url = reverse("jobs:export_start", args=[name]) + "?" + query.format(unit=cast.places.unit_a.public_id)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE


def test_export_wrong_role(client, cast):
    cast.login(client, "member")
    assert client.get(reverse("jobs:export_start", args=["unit_service"])).status_code == 403
    assert client.get(reverse("jobs:export_start", args=["resources"])).status_code == 403


@pytest.mark.parametrize("served", [str(10**20), "10000001"])
def test_completing_with_more_people_than_a_project_serves_is_refused(client, cast, served):
    """A number past the column was a 500; more than ten million is refused with the reason, the
    number kept in the field."""
    p = project(cast, state=ProjectState.IN_PROGRESS)
    url = reverse("service:project_move", args=[p.public_id])
    response = cast.login(client, "community").post(
        url, {"action": "complete", "beneficiaries_served": served}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say how many people the project served (at most 10000000)." in body
    assert f'value="{served}"' in body
    p.refresh_from_db()
    assert (p.state, p.beneficiaries_served) == (ProjectState.IN_PROGRESS, 0)
