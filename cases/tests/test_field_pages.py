"""The grid's phone pages: reporting a problem (grid worker, resident, member, on somebody's behalf),
my grid, and a grid at work — each page's scope, each form's refusal, bad input never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import actions, keeping
from cases.models import Case, CaseSource, ResponsibilityArea
from cases.tests.fixtures import category, grid_case
from service.tests.pictures import picture, upload

pytestmark = pytest.mark.django_db
REPORT = reverse("cases:report")
MY_GRID = reverse("cases:my_grid")


def desk(grid) -> str:
    return reverse("cases:grid_desk", args=[grid.public_id])


def report_data(cast, **kwargs) -> dict:
    data = {
        "category": str(category().public_id),
        "title": "楼道堆放杂物",
        "place": f"building:{cast.places.building_a1.public_id}",
        "description": "",
        "address": "",
    }
    data.update(kwargs)
    return data


def test_the_grid_worker_reports_in_a_few_taps(client, cast):
    cast.login(client, "grid")
    page = client.get(REPORT)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="group"' in body and "data-gj-shown-when=" in body  # group, then item
    assert f"building:{cast.places.building_a1.public_id}" in body
    assert f"community:{cast.places.a1.public_id}" in body
    assert f"building:{cast.places.building_b1.public_id}" not in body  # not their grid
    assert 'capture="environment"' in body and "multiple" in body
    assert 'name="reporter_name"' in body  # a grid worker may report for somebody
    done = client.post(
        REPORT,
        report_data(cast, latitude="25.075123", longitude="117.017456", photos=[upload("a.jpg", picture())]),
    )
    case = Case.objects.get()
    assert done.status_code == 302 and done.url == reverse("cases:case_detail", args=[case.public_id])
    assert case.source == CaseSource.GRID_WORKER and case.reporter == cast.grid
    assert case.building == cast.places.building_a1 and case.grid == cast.places.grid_a3
    assert str(case.latitude) == "25.075123"
    assert case.updates.get().photos.count() == 1


def test_a_community_chosen_by_the_grid_worker_is_filed_in_their_grid(client, cast):
    cast.login(client, "grid")
    client.post(REPORT, report_data(cast, place=f"community:{cast.places.a1.public_id}"))
    case = Case.objects.get()
    assert case.community == cast.places.a1 and case.grid == cast.places.grid_a2


def test_a_resident_reports_from_home(client, cast):
    cast.login(client, "resident")
    page = client.get(REPORT)
    body = page.content.decode()
    assert 'name="reporter_name"' not in body
    assert f'value="building:{cast.places.building_a1.public_id}" selected' in body  # their home
    client.post(REPORT, report_data(cast))
    case = Case.objects.get()
    assert case.source == CaseSource.RESIDENT and case.reporter == cast.resident


def test_a_member_reports_from_home(client, cast):
    cast.login(client, "member")
    client.post(REPORT, report_data(cast))
    assert Case.objects.get().source == CaseSource.MEMBER


def test_reporting_on_somebodys_behalf_keeps_their_phone_sealed(client, cast):
    cast.login(client, "grid")
    client.post(REPORT, report_data(cast, reporter_name="孙大妈", reporter_phone="13900001111"))
    case = Case.objects.get()
    assert case.reporter_name == "孙大妈" and "13900001111" not in case.reporter_phone_cipher


def test_a_bad_report_keeps_what_was_typed_and_says_why(client, cast):
    cast.login(client, "grid")
    page = client.post(
        REPORT,
        report_data(
            cast,
            title="电梯坏了",
            photos=[upload("notes.txt", b"not a photo", "text/plain")],
        ),
    )
    assert page.status_code == 400
    body = page.content.decode()
    assert "notes.txt" in body and "电梯坏了" in body and not Case.objects.exists()
    page = client.post(
        REPORT, report_data(cast, title="电梯坏了", reporter_name="孙大妈", reporter_phone="12")
    )
    body = page.content.decode()
    assert page.status_code == 400 and "11-digit" in body and "孙大妈" in body


@pytest.mark.parametrize(
    "junk",
    [
        {"category": "not-a-uuid"},
        {"category": "00000000-0000-0000-0000-000000000000"},
        {"place": "building:nope"},
        {"place": "nonsense"},
        {"place": "building:00000000-0000-0000-0000-000000000000"},
        {"latitude": "north"},
        {"latitude": "NaN"},
        {"latitude": "1e400"},
        {"latitude": "95"},
        {"title": ""},
        {"title": "x" * 500},
    ],
)
def test_junk_is_refused_never_a_500(client, cast, junk):
    cast.login(client, "grid")
    page = client.post(REPORT, report_data(cast, **junk))
    assert page.status_code == 400 and not Case.objects.exists()


def test_a_group_is_not_a_category(client, cast):
    cast.login(client, "grid")
    group = category().parent
    page = client.post(REPORT, report_data(cast, category=str(group.public_id)))
    assert page.status_code == 400 and not Case.objects.exists()


def test_outsiders_place_is_refused(client, cast):
    cast.login(client, "grid2")
    page = client.post(REPORT, report_data(cast))  # a building of street A: not among grid2's places
    assert page.status_code == 400 and not Case.objects.exists()


def test_those_who_do_not_report_are_refused(client, cast):
    for who in ("dept", "inspector", "nobody"):
        cast.login(client, who)
        assert client.get(REPORT).status_code == 403


def test_my_grid_lists_the_open_cases_overdue_first(client, cast, django_assert_max_num_queries):
    import datetime as dt

    from django.utils import timezone

    early = grid_case(cast, title="早就超期")
    Case.objects.filter(pk=early.pk).update(due_at=timezone.now() - dt.timedelta(days=3))
    later = grid_case(cast, title="还没到期")
    done = grid_case(cast, title="已经办结")
    actions.resolve_case(acting_user=cast.community, case=done, result="处理好了")
    other = grid_case(cast, title="另一个")
    for _ in range(5):
        grid_case(cast, title="更多")
    cast.login(client, "grid")
    client.get(MY_GRID)
    with django_assert_max_num_queries(7):
        page = client.get(MY_GRID)
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index("早就超期") < body.index("还没到期")
    assert "已经办结" not in body and "data-overdue" in body and other.number in body
    assert later.number in body
    assert "cases/report/" in body
    filtered = client.get(MY_GRID, {"state": "dispatched"}).content.decode()
    assert "早就超期" not in filtered and "data-empty" in filtered
    assert client.get(MY_GRID, {"state": "junk", "page": "x"}).status_code == 200


def test_my_grid_of_another_street_shows_nothing_of_this_one(client, cast):
    grid_case(cast, title="东城的问题")
    cast.login(client, "grid2")
    body = client.get(MY_GRID).content.decode()
    assert "东城的问题" not in body


def test_my_grid_is_for_grid_workers(client, cast):
    cast.login(client, "dept")
    assert client.get(MY_GRID).status_code == 403


def test_the_grid_desk(client, cast, django_assert_max_num_queries):
    p = cast.places
    for n in range(4):  # rows do not add queries
        grid_case(cast, title=f"楼道杂物{n}")
        keeping.set_responsibility_area(
            acting_user=cast.community, grid=p.grid_a3, member=cast.m_member, building=p.building_a1
        )
    cast.login(client, "grid")
    client.get(desk(p.grid_a3))
    with django_assert_max_num_queries(11):
        page = client.get(desk(p.grid_a3))
    body = page.content.decode()
    assert page.status_code == 200
    assert "data-worker" in body and "东城一级网格" in body  # the worker of the ancestor grid
    assert "阳光小区" in body and "1号楼" in body
    assert "张三丰" in body and "楼道杂物" in body
    assert "Assign a responsibility area" not in body  # a grid worker does not keep them


def test_the_community_keeps_responsibility_areas(client, cast):
    p = cast.places
    cast.login(client, "community")
    page = client.get(desk(p.grid_a3))
    assert "Assign a responsibility area" in page.content.decode()
    url = reverse("cases:responsibility_add", args=[p.grid_a3.public_id])
    refused = client.post(url, {"note": "nobody chosen"})
    assert refused.status_code == 400 and "nobody chosen" in refused.content.decode()
    junk = client.post(url, {"member": "junk", "building": "00000000-0000-0000-0000-000000000000"})
    assert junk.status_code == 400
    done = client.post(
        url, {"member": str(cast.m_member.public_id), "building": str(p.building_a1.public_id)}
    )
    assert done.status_code == 302
    area = ResponsibilityArea.objects.get()
    assert area.member == cast.m_member and area.building == p.building_a1
    client.post(reverse("cases:responsibility_remove", args=[area.public_id]))
    assert not ResponsibilityArea.objects.exists()


def test_a_grid_worker_cannot_remove_responsibility_areas(client, cast):
    p = cast.places
    area = keeping.set_responsibility_area(acting_user=cast.community, grid=p.grid_a3, member=cast.m_member)
    cast.login(client, "grid")
    assert client.post(reverse("cases:responsibility_remove", args=[area.public_id])).status_code == 403
    assert ResponsibilityArea.objects.exists()


def test_the_grid_desk_of_another_street_is_not_found(client, cast):
    for who in ("street2", "community2", "grid2"):
        cast.login(client, who)
        assert client.get(desk(cast.places.grid_a3)).status_code == 404
    cast.login(client, "grid")
    assert client.get("/cases/grids/not-a-uuid/").status_code == 404
    assert client.get(desk(cast.places.grid_b)).status_code == 404
    cast.login(client, "dept")
    assert client.get(desk(cast.places.grid_a3)).status_code == 403


def test_people_to_visit_are_residents_with_open_needs_or_recent_reports(client, cast):
    cast.login(client, "resident")
    client.post(REPORT, report_data(cast))
    cast.login(client, "grid")
    body = client.get(desk(cast.places.grid_a3)).content.decode()
    assert "data-visit" in body and "孙大妈" in body


def test_the_community_files_for_a_caller_who_then_is_not_the_reporter(client, cast):
    cast.login(client, "community")
    page = client.get(REPORT).content.decode()
    assert 'name="reporter_phone"' in page and f"community:{cast.places.a2.public_id}" not in page
    client.post(
        REPORT,
        report_data(
            cast,
            place=f"community:{cast.places.a1.public_id}",
            reporter_name="来电群众",
            reporter_phone="13900003333",
        ),
    )
    case = Case.objects.get()
    assert case.source == CaseSource.COMMUNITY and case.reporter is None and case.grid is None
    assert case.reporter_phone_hint


def test_a_place_of_another_community_is_not_offered_to_its_resident(client, cast):
    cast.login(client, "resident")
    page = client.post(REPORT, report_data(cast, place=f"community:{cast.places.b1.public_id}"))
    assert page.status_code == 400 and not Case.objects.exists()


def test_the_grid_desk_shows_the_grids_live_needs_and_whom_they_are_for(client, cast):
    from service.models import ServiceCategory
    from service.needs.actions import post_need

    item = ServiceCategory.objects.filter(parent__isnull=False).first()
    need = post_need(
        acting_user=cast.grid,
        title="帮忙买菜",
        category=item,
        community=cast.places.a1,
        grid=cast.places.grid_a3,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
        beneficiary_resident=cast.r_a,
    )
    cast.login(client, "grid")
    body = client.get(desk(cast.places.grid_a3)).content.decode()
    assert "帮忙买菜" in body and str(need.public_id) in body
    assert "孙大妈" in body.split('id="visit"')[1]  # an open need: a visit
    cast.login(client, "community2")
    assert client.get(desk(cast.places.grid_a3)).status_code == 404


def test_a_refused_report_keeps_the_category_chosen(client, cast):
    cast.login(client, "grid")
    page = client.post(REPORT, report_data(cast, title=""))
    body = page.content.decode()
    assert page.status_code == 400
    assert f'value="{category().public_id}" autocomplete="off" checked' in body
    assert f'value="{category().parent.code}" autocomplete="off" checked' in body
