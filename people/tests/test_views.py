"""Member and resident pages: roles, scope, search, filters, masking and the audited reveal."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent, Outcome
from conftest import _id
from orgs.actions import appoint_post
from orgs.models import PostTitle
from people.actions import MemberData, save_member, save_resident

MEMBER_ID = _id(1)  # cast.m_member's ID number
MEMBER_PHONE = "13800000001"


def page(client, cast, who, name, *args, **params):
    cast.login(client, who)
    return client.get(reverse(f"people:{name}", args=args), params)


def text(response) -> str:
    return response.content.decode()


def detail_links(response) -> int:
    return len(re.findall(r'href="/members/[0-9a-f-]{36}/"', text(response)))


def shown(response, names) -> set[str]:
    body = text(response)
    return {n for n in names if n in body}


ALL_MEMBERS = {"张三丰", "李四", "王五", "赵六", "钱七"}


# Member list


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ALL_MEMBERS),
        ("orgdept", ALL_MEMBERS),
        ("street", {"张三丰", "李四", "赵六", "钱七"}),
        ("street2", {"王五", "赵六"}),
        ("community", {"张三丰", "李四", "赵六", "钱七"}),
        ("unit", {"张三丰", "李四"}),
        ("inspector", {"张三丰", "李四"}),
        ("grid", {"张三丰", "赵六"}),
    ],
)
def test_member_list_shows_the_members_in_scope(client, cast, who, expected):
    response = page(client, cast, who, "member_list")
    assert response.status_code == 200
    assert shown(response, ALL_MEMBERS) == expected


@pytest.mark.parametrize("who", ["resident", "member", "dept", "nobody"])
def test_member_list_refuses_other_roles(client, cast, who):
    assert page(client, cast, who, "member_list").status_code == 403


def test_member_list_needs_sign_in(client, cast):
    response = client.get(reverse("people:member_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("张三", {"张三丰"}),
        ("zsf", {"张三丰"}),
        ("0001", {"张三丰"}),
        ("0002", {"李四"}),
        ("nobodyhere", set()),
    ],
)
def test_member_list_search(client, cast, q, expected):
    response = page(client, cast, "admin", "member_list", q=q)
    assert shown(response, ALL_MEMBERS) == expected


def test_member_list_filters(client, cast):
    p = cast.places
    assert shown(page(client, cast, "admin", "member_list", in_service="false"), ALL_MEMBERS) == {"钱七"}
    assert shown(page(client, cast, "admin", "member_list", unit=str(p.unit_a.public_id)), ALL_MEMBERS) == {
        "张三丰",
        "李四",
    }
    assert shown(page(client, cast, "admin", "member_list", area=str(p.a2.public_id)), ALL_MEMBERS) == {
        "李四"
    }
    assert shown(
        page(client, cast, "street", "member_list", area=str(p.a1.public_id), in_service="true"), ALL_MEMBERS
    ) == {"张三丰", "赵六"}
    assert shown(page(client, cast, "admin", "member_list", status="probationary"), ALL_MEMBERS) == set()


def test_member_list_empty_state_and_export_link(client, cast):
    response = page(client, cast, "admin", "member_list", q="nobodyhere")
    body = text(response)
    assert "No members match." in body or "没有" in body
    export = reverse("jobs:export_start", args=["members"])
    assert f'href="{export}?q=nobodyhere"' in body


def test_member_list_is_always_masked(client, cast):
    response = page(client, cast, "admin", "member_list")
    body = text(response)
    assert "138****0001" in body and 'class="gj-masked"' in body
    assert MEMBER_PHONE not in body
    assert MEMBER_ID not in body
    assert cast.m_member.masked_id_number not in body  # lists show phones only


def _add_members(cast, count, start=100):
    p = cast.places
    for n in range(start, start + count):
        save_member(
            acting_user=None,
            data=MemberData(
                name=f"测试{n}",
                id_number=_id(n),
                phone=f"1390000{n:04d}",
                party_org=p.org_unit_a,
                unit=p.unit_a,
                residence_area=p.a1,
                in_service=True,
            ),
        )


def test_member_list_paginates_25_a_page_and_counts_all(client, cast):
    _add_members(cast, 30)
    response = page(client, cast, "unit", "member_list")
    assert detail_links(response) == 25
    assert "32" in text(response)  # 30 added + 张三丰 + 李四
    assert detail_links(page(client, cast, "unit", "member_list", page=2)) == 7


def test_member_list_query_count_does_not_grow(client, cast, django_assert_num_queries):
    cast.login(client, "admin")
    url = reverse("people:member_list")
    client.get(url)  # warm up (content types, etc.)
    with django_assert_num_queries(9):  # + the second factor's device (django-otp: a privileged session)
        client.get(url)
    _add_members(cast, 30)
    with django_assert_num_queries(9):
        response = client.get(url, {"q": "测试", "in_service": "true"})
    assert detail_links(response) == 25


# Member detail


def test_member_detail_for_right_roles(client, cast):
    for who in ("admin", "street", "community", "unit", "inspector", "grid", "member"):
        response = page(client, cast, who, "member_detail", cast.m_member.public_id)
        assert response.status_code == 200, who
        body = text(response)
        assert "张三丰" in body and "烟草公司党支部" in body and "龙津社区" in body


@pytest.mark.parametrize("who", ["street2", "community2", "unit2", "grid2"])
def test_member_detail_outside_scope_is_missing(client, cast, who):
    assert page(client, cast, who, "member_detail", cast.m_member.public_id).status_code == 404


def test_member_sees_only_their_own_detail(client, cast):
    assert page(client, cast, "member", "member_detail", cast.m_a2.public_id).status_code == 404


@pytest.mark.parametrize("who", ["resident", "dept", "nobody"])
def test_member_detail_refuses_other_roles(client, cast, who):
    assert page(client, cast, who, "member_detail", cast.m_member.public_id).status_code == 403


@pytest.mark.parametrize("who", ["street", "inspector", "unit", "admin", "member"])
def test_member_detail_is_masked_until_revealed(client, cast, who):
    body = text(page(client, cast, who, "member_detail", cast.m_member.public_id))
    assert MEMBER_ID not in body and MEMBER_PHONE not in body
    assert cast.m_member.masked_id_number in body and "138****0001" in body


def test_member_detail_offers_show_only_with_the_right(client, cast):
    reveal_id = reverse("people:member_reveal", args=[cast.m_member.public_id, "id_number"])
    reveal_phone = reverse("people:member_reveal", args=[cast.m_member.public_id, "phone"])
    street = text(page(client, cast, "street", "member_detail", cast.m_member.public_id))
    assert reveal_id not in street and reveal_phone not in street
    community = text(page(client, cast, "community", "member_detail", cast.m_member.public_id))
    assert reveal_id not in community and reveal_phone in community
    unit = text(page(client, cast, "unit", "member_detail", cast.m_member.public_id))
    assert reveal_id in unit and reveal_phone in unit


def test_member_detail_lists_posts_held(client, cast):
    appoint_post(
        acting_user=None,
        party_org=cast.places.org_unit_a,
        title=PostTitle.SECRETARY,
        holder_name="张三丰",
        member=cast.m_member,
    )
    body = text(page(client, cast, "street", "member_detail", cast.m_member.public_id))
    assert "烟草公司党支部" in body
    assert str(PostTitle.SECRETARY.label) in body or "书记" in body


def test_member_detail_breadcrumb_links_to_the_list_only_for_list_roles(client, cast):
    list_url = f'href="{reverse("people:member_list")}"'
    assert list_url in text(page(client, cast, "street", "member_detail", cast.m_member.public_id))
    body = text(page(client, cast, "member", "member_detail", cast.m_member.public_id))
    assert 'aria-label="Breadcrumb"' in body or "breadcrumb" in body
    assert f'class="breadcrumb-item"><a {list_url}' not in body


# Reveal


def reveal(client, cast, who, person, field, view="member_reveal"):
    cast.login(client, who)
    return client.post(reverse(f"people:{view}", args=[person.public_id, field]))


def test_unit_admin_reveals_own_member_id_number(client, cast):
    response = reveal(client, cast, "unit", cast.m_member, "id_number")
    assert response.status_code == 200
    assert MEMBER_ID in text(response)
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="privacy.reveal.id_number", actor=cast.unit)
    assert event.outcome == Outcome.SUCCESS
    assert event.target_id == str(cast.m_member.public_id)


def test_street_reveal_is_refused_and_audited(client, cast):
    response = reveal(client, cast, "street", cast.m_member, "id_number")
    assert response.status_code == 403
    assert MEMBER_ID not in text(response)
    event = AuditEvent.objects.get(action="privacy.reveal.id_number", actor=cast.street)
    assert event.outcome == Outcome.DENIED


def test_member_reveals_own_phone(client, cast):
    response = reveal(client, cast, "member", cast.m_member, "phone")
    assert response.status_code == 200 and MEMBER_PHONE in text(response)


def test_reveal_needs_post(client, cast):
    cast.login(client, "unit")
    url = reverse("people:member_reveal", args=[cast.m_member.public_id, "id_number"])
    assert client.get(url).status_code == 405
    assert not AuditEvent.objects.filter(action__startswith="privacy.reveal").exists()


def test_reveal_outside_scope_is_missing_and_unknown_field_too(client, cast):
    assert reveal(client, cast, "unit2", cast.m_member, "id_number").status_code == 404
    assert reveal(client, cast, "unit", cast.m_member, "birth_date").status_code == 404
    assert reveal(client, cast, "resident", cast.m_member, "phone").status_code == 403


# Residents

RESIDENTS = {"孙大妈", "周大爷"}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", RESIDENTS),
        ("street", {"孙大妈"}),
        ("community", {"孙大妈"}),
        ("grid", {"孙大妈"}),
        ("community2", {"周大爷"}),
        ("grid2", {"周大爷"}),
    ],
)
def test_resident_list(client, cast, who, expected):
    response = page(client, cast, who, "resident_list")
    assert response.status_code == 200
    assert shown(response, RESIDENTS) == expected
    assert "13900001111" not in text(response)


@pytest.mark.parametrize("who", ["member", "unit", "inspector", "resident", "dept"])
def test_resident_list_refuses_other_roles(client, cast, who):
    assert page(client, cast, who, "resident_list").status_code == 403


def test_resident_list_search_and_area_filter(client, cast):
    assert shown(page(client, cast, "admin", "resident_list", q="sdm"), RESIDENTS) == {"孙大妈"}
    assert shown(page(client, cast, "admin", "resident_list", q="2222"), RESIDENTS) == {"周大爷"}
    assert shown(
        page(client, cast, "admin", "resident_list", area=str(cast.places.b1.public_id)), RESIDENTS
    ) == {"周大爷"}
    body = text(page(client, cast, "admin", "resident_list", q="nobodyhere"))
    assert 'href="{}?q=nobodyhere"'.format(reverse("jobs:export_start", args=["residents"])) in body


def test_resident_list_query_count(client, cast, django_assert_num_queries):
    cast.login(client, "community")
    url = reverse("people:resident_list")
    client.get(url)
    with django_assert_num_queries(7):
        client.get(url)
    p = cast.places
    for n in range(5):
        save_resident(
            acting_user=None,
            name=f"居民{n}",
            residence_area=p.a1,
            phone=f"1370000{n:04d}",
            residence_compound=p.compound_a1,
            residence_building=p.building_a1,
        )
    with django_assert_num_queries(7):
        response = client.get(url)
    assert "居民4" in text(response)


def test_resident_detail(client, cast):
    for who in ("admin", "street", "community", "grid", "resident"):
        response = page(client, cast, who, "resident_detail", cast.r_a.public_id)
        assert response.status_code == 200, who
        assert "孙大妈" in text(response) and "13900001111" not in text(response)
    for who in ("community2", "grid2", "street2"):
        assert page(client, cast, who, "resident_detail", cast.r_a.public_id).status_code == 404, who
    assert page(client, cast, "resident", "resident_detail", cast.r_b.public_id).status_code == 404
    for who in ("member", "unit", "dept"):
        assert page(client, cast, who, "resident_detail", cast.r_a.public_id).status_code == 403, who


def test_resident_phone_reveal(client, cast):
    response = reveal(client, cast, "community", cast.r_a, "phone", view="resident_reveal")
    assert response.status_code == 200 and "13900001111" in text(response)
    assert reveal(client, cast, "grid", cast.r_a, "phone", view="resident_reveal").status_code == 200
    assert reveal(client, cast, "street", cast.r_a, "phone", view="resident_reveal").status_code == 403
    assert reveal(client, cast, "community2", cast.r_a, "phone", view="resident_reveal").status_code == 404
    outcomes = list(
        AuditEvent.objects.filter(action="privacy.reveal.phone").values_list("actor_label", "outcome")
    )
    assert sorted(outcomes) == [
        ("community", "success"),
        ("community2", "denied"),  # out of scope: answered 404, audited all the same
        ("grid", "success"),
        ("street", "denied"),
    ]
