"""Organisation chart and unit pages: roles, scope, filters, figures and query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.actions import appoint_post, create_party_org, create_unit
from orgs.models import PartyOrgKind, PostTitle, Unit, UnitKind

pytestmark = pytest.mark.django_db


def get(client, cast, who, url, **params):
    cast.login(client, who)
    return client.get(url, params)


def org_url(org):
    return reverse("orgs:party_org_detail", args=[org.public_id])


def unit_url(unit):
    return reverse("orgs:unit_detail", args=[unit.public_id])


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


# --- organisation chart ---------------------------------------------------------------------------


def test_org_chart_for_street_is_an_indented_tree(client, cast):
    p = cast.places
    appoint_post(
        acting_user=None,
        party_org=p.org_a1,
        title=PostTitle.SECRETARY,
        holder_name="林书记",
        started_on=date(2023, 1, 1),
    )
    response = get(client, cast, "street", reverse("orgs:party_org_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "东城街道党工委" in text and "龙津社区党委" in text and "林书记" in text
    assert "西城街道党工委" not in text and "西城商贸党支部" not in text
    indents = {org.name: indent for org, indent in response.context["rows"]}
    # the tobacco company's branch shows too: its unit is located in the street
    assert indents == {"东城街道党工委": 0, "龙津社区党委": 1, "烟草公司党支部": 0}


def test_org_chart_for_admin_follows_the_tree(client, cast):
    response = get(client, cast, "admin", reverse("orgs:party_org_list"))
    rows = [(org.name, indent) for org, indent in response.context["rows"]]
    assert rows[:4] == [
        ("中共龙岩市委组织部", 0),
        ("东城街道党工委", 1),
        ("龙津社区党委", 2),
        ("西城街道党工委", 1),
    ]
    assert ("烟草公司党支部", 0) in rows


def test_member_sees_own_org(client, cast):
    response = get(client, cast, "member", reverse("orgs:party_org_list"))
    assert response.status_code == 200
    assert [org.name for org, _ in response.context["rows"]] == ["烟草公司党支部"]


def test_org_chart_search_and_kind_filter(client, cast):
    response = get(client, cast, "admin", reverse("orgs:party_org_list"), q="龙津")
    assert [org.name for org, _ in response.context["rows"]] == ["龙津社区党委"]
    response = get(client, cast, "admin", reverse("orgs:party_org_list"), kind=PartyOrgKind.BRANCH)
    assert {org.name for org, _ in response.context["rows"]} == {"烟草公司党支部", "西城商贸党支部"}
    response = get(client, cast, "admin", reverse("orgs:party_org_list"), q="不存在")
    assert response.context["rows"] == []
    assert "No party organisations match these filters." in response.content.decode()


@pytest.mark.parametrize("who", ["resident", "dept", "nobody"])
def test_org_chart_refuses_wrong_roles(client, cast, who):
    assert get(client, cast, who, reverse("orgs:party_org_list")).status_code == 403
    assert get(client, cast, who, org_url(cast.places.org_a1)).status_code == 403


def test_org_chart_query_count_is_constant(client, cast, django_assert_max_num_queries):
    p = cast.places
    cast.login(client, "admin")
    url = reverse("orgs:party_org_list")
    with django_assert_max_num_queries(11):  # + the second factor's device (django-otp: a privileged session)
        client.get(url)
    before = count_queries(client, url)
    for i in range(8):
        org = create_party_org(
            acting_user=None,
            name=f"测试支部{i}",
            kind=PartyOrgKind.BRANCH,
            code=f"O1-1-1-{i}",
            parent=p.org_a1,
            area=p.a1,
        )
        appoint_post(acting_user=None, party_org=org, title=PostTitle.SECRETARY, holder_name=f"书记{i}")
    assert count_queries(client, url) == before


def test_party_org_detail(client, cast):
    p = cast.places
    appoint_post(
        acting_user=None,
        party_org=p.org_a1,
        title=PostTitle.PART_TIME,
        holder_name="陈委员",
        from_unit=p.unit_a,
        started_on=date(2024, 3, 1),
    )
    response = get(client, cast, "street", org_url(p.org_a1))
    assert response.status_code == 200
    text = response.content.decode()
    assert "陈委员" in text and "龙岩市烟草公司" in text and "2024-03-01" in text
    assert org_url(p.org_street_a) in text  # parent, visible to the street
    assert reverse("places:area_detail", args=[p.a1.public_id]) in text
    assert response.context["counts"] == {"members": 1, "in_service": 0}  # 钱七


def test_party_org_detail_hides_links_to_invisible_parents(client, cast):
    response = get(client, cast, "street", org_url(cast.places.org_street_a))
    assert response.status_code == 200
    assert response.context["parent_visible"] is False
    assert org_url(cast.places.org_city) not in response.content.decode()
    assert org_url(cast.places.org_a1) in response.content.decode()  # child


@pytest.mark.parametrize("who", ["street2", "community2", "unit2"])
def test_party_org_detail_outsiders_get_404(client, cast, who):
    assert get(client, cast, who, org_url(cast.places.org_a1)).status_code == 404
    assert get(client, cast, who, org_url(cast.places.org_unit_a)).status_code == 404


# --- units ----------------------------------------------------------------------------------------


def test_unit_list_for_street(client, cast):
    response = get(client, cast, "street", reverse("orgs:unit_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "龙岩市烟草公司" in text and "新罗区城市管理局" in text
    assert "西城商贸有限公司" not in text
    rows = {row.record.name: row.record for row in response.context["table"].page.object_list}
    assert (rows["龙岩市烟草公司"].member_count, rows["龙岩市烟草公司"].in_service_count) == (2, 2)
    assert unit_url(cast.places.unit_a) in text


def test_unit_list_counts_in_service(client, cast):
    p = cast.places
    from gongjian.privacy import id_check_char
    from people.actions import MemberData, save_member

    save_member(
        acting_user=None,
        data=MemberData(
            name="退休甲",
            id_number="35080219500101001" + id_check_char("35080219500101001"),
            phone="13700000001",
            party_org=p.org_unit_a,
            unit=p.unit_a,
            residence_area=p.a2,
            in_service=False,
        ),
    )
    response = get(client, cast, "unit", reverse("orgs:unit_list"))
    rows = {row.record.name: row.record for row in response.context["table"].page.object_list}
    assert list(rows) == ["龙岩市烟草公司"]
    assert (rows["龙岩市烟草公司"].member_count, rows["龙岩市烟草公司"].in_service_count) == (3, 2)


def test_unit_list_filters_and_search(client, cast):
    url = reverse("orgs:unit_list")
    response = get(client, cast, "admin", url, kind=UnitKind.DEPARTMENT)
    assert [r.record.name for r in response.context["table"].page.object_list] == ["新罗区城市管理局"]
    response = get(client, cast, "admin", url, q="烟草")
    assert [r.record.name for r in response.context["table"].page.object_list] == ["龙岩市烟草公司"]
    response = get(client, cast, "admin", url, q="没有这个单位")
    assert response.status_code == 200
    assert "No units match these filters." in response.content.decode()


def test_unit_list_paginates_with_constant_queries(client, cast, django_assert_max_num_queries):
    cast.login(client, "orgdept")
    url = reverse("orgs:unit_list")
    with django_assert_max_num_queries(10):
        client.get(url)
    before = count_queries(client, url)
    for i in range(30):
        create_unit(
            acting_user=None, name=f"测试单位{i:02d}", kind=UnitKind.SOCIAL_ORG, address_area=cast.places.a2
        )
    assert count_queries(client, url) == before
    response = client.get(url)
    assert len(response.context["table"].page.object_list) == 25
    assert response.context["table"].paginator.count == 33
    assert len(client.get(url, {"page": 2}).context["table"].page.object_list) == 8
    names = [r.record.name for r in response.context["table"].page.object_list]
    # by name (in the database's collation), although an aggregate query drops Meta.ordering
    assert names == list(Unit.objects.order_by("name").values_list("name", flat=True)[:25])


def test_unit_list_export_button_keeps_filters(client, cast):
    export = reverse("jobs:export_start", args=["units"])
    response = get(client, cast, "street", reverse("orgs:unit_list"), kind=UnitKind.STATE_FIRM)
    assert f"{export}?kind=state_firm" in response.content.decode()


@pytest.mark.parametrize("who", ["member", "resident", "grid", "nobody"])
def test_unit_pages_refuse_wrong_roles(client, cast, who):
    assert get(client, cast, who, reverse("orgs:unit_list")).status_code == 403
    assert get(client, cast, who, unit_url(cast.places.unit_a)).status_code == 403


def test_unit_detail(client, cast):
    p = cast.places
    response = get(client, cast, "inspector", unit_url(p.unit_a))
    assert response.status_code == 200
    text = response.content.decode()
    assert "龙岩市烟草公司" in text and "烟草公司党支部" in text
    assert response.context["counts"] == {"members": 2, "in_service": 2}
    members = reverse("people:member_list")
    assert f"{members}?unit={p.unit_a.public_id}" in text


@pytest.mark.parametrize("who", ["street2", "community2", "unit2"])
def test_unit_detail_outsiders_get_404(client, cast, who):
    assert get(client, cast, who, unit_url(cast.places.unit_a)).status_code == 404
