"""The community directory: a unit admin looks up the 12-digit codes its roster asks for (issue 9)."""

import pytest
from django.urls import reverse

from places import views
from places.actions import create_area
from places.models import AreaLevel

pytestmark = pytest.mark.django_db
URL = "/communities/lookup/"


def codes(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return [area.code for area in response.context["rows"]]


def add_communities(cast, first: int, stop: int) -> None:
    """新建3社区 350802001003 … in street A."""
    for n in range(first, stop):
        create_area(
            acting_user=None,
            code=f"350802001{n:03d}",
            name=f"新建{n}社区",
            level=AreaLevel.COMMUNITY,
            parent=cast.places.street_a,
        )


def test_the_page_is_where_the_import_page_says():
    assert reverse("places:community_lookup") == URL


def test_a_unit_admin_looks_up_every_community_with_its_street_and_district(client, cast):
    """Its members live anywhere: the directory is not its Area scope (the unit's own community)."""
    cast.login(client, "unit")
    assert codes(client) == ["350802001001", "350802001002", "350802002001"]
    page = client.get(URL).content.decode()
    for text in ("龙津社区", "中山社区", "西安社区", "东城街道", "西城街道", "新罗区"):
        assert text in page
    assert 'data-gj-copy="350802002001"' in page  # each code has its copy button
    assert f'href="{reverse("jobs:import_members")}"' in page
    # names and codes only: no way into the area pages it may not open
    assert reverse("places:area_detail", args=[cast.places.b1.public_id]) not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("中山", ["350802001002"]),  # the community's name
        ("西城", ["350802002001"]),  # its street's name
        ("新罗", ["350802001001", "350802001002", "350802002001"]),  # its district's
        ("ljsq", ["350802001001"]),  # pinyin initials of 龙津社区
        ("LJ", ["350802001001"]),  # in capitals, and only a part
        ("sq", ["350802001001", "350802001002", "350802002001"]),
        ("350802002", ["350802002001"]),  # the beginning of the code
        ("350802001002", ["350802001002"]),
        ("9999", []),
        ("%_", []),  # no wildcard
    ],
)
def test_search_by_name_initials_or_code(client, cast, query, expected):
    cast.login(client, "unit2")
    assert codes(client, q=query) == expected


def test_streets_and_districts_are_not_listed(client, cast):
    cast.login(client, "unit")
    assert codes(client, q="350802") == ["350802001001", "350802001002", "350802002001"]
    assert codes(client, q="dcjd") == []  # 东城街道 is a street


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["350802001001", "350802001002", "350802002001"]),
        ("orgdept", ["350802001001", "350802001002", "350802002001"]),
        ("street", ["350802001001", "350802001002"]),
        ("street2", ["350802002001"]),
        ("community", ["350802001001"]),
    ],
)
def test_area_roles_look_up_the_communities_they_see(client, cast, who, expected):
    cast.login(client, who)
    assert codes(client) == expected
    assert codes(client, q="xasq") == [c for c in expected if c == "350802002001"]


@pytest.mark.parametrize("who", ["member", "resident", "grid", "dept", "inspector", "nobody"])
def test_other_roles_are_refused(client, cast, who):
    cast.login(client, who)
    assert client.get(URL).status_code == 403


def test_signed_out_goes_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response.url


def test_long_or_odd_input_is_a_page_not_an_error(client, cast):
    cast.login(client, "unit")
    assert codes(client, q="龙" * 500) == []
    assert codes(client, q="a" * 500) == []
    assert codes(client, q="中山\x00") == ["350802001002"]  # a NUL, which PostgreSQL would refuse
    assert codes(client, q=" 3508020020\t") == ["350802002001"]
    assert codes(client, page="x") == ["350802001001", "350802001002", "350802002001"]


def test_paged_by_name_and_by_initials_in_code_order(client, cast, monkeypatch):
    add_communities(cast, 3, 8)
    monkeypatch.setattr(views, "COMMUNITIES_PER_PAGE", 3)
    cast.login(client, "unit")
    assert codes(client, q="3508020010") == ["350802001001", "350802001002", "350802001003"]
    assert codes(client, q="3508020010", page=3) == ["350802001007"]
    assert codes(client, q="xj") == ["350802001003", "350802001004", "350802001005"]
    assert codes(client, q="xj", page=2) == ["350802001006", "350802001007"]
    page = client.get(URL, {"q": "xj", "page": 2}).content.decode()
    assert "?q=xj&amp;page=1" in page  # the pager keeps the search


@pytest.mark.parametrize("query", ["", "新建", "xj"])
def test_query_count_does_not_grow_with_the_rows(client, cast, django_assert_max_num_queries, query):
    add_communities(cast, 3, 30)
    cast.login(client, "unit")
    with django_assert_max_num_queries(10):  # + the second factor's device (django-otp: a privileged session)
        response = client.get(URL, {"q": query})
    assert len(response.context["rows"]) >= 27
