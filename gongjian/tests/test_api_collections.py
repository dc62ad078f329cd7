"""Every collection: list shape, scope per role, 404 for outsiders (same as missing), 403 for wrong roles,
paging, and pinned query counts."""

import uuid

import pytest

# collection → (how to find its street-A object in the cast, a role the pages refuse)
COLLECTIONS = {
    "areas": (lambda c, r: c.places.a1, "unit"),
    "grids": (lambda c, r: c.places.grid_a2, "member"),
    "compounds": (lambda c, r: c.places.compound_a1, "member"),
    "buildings": (lambda c, r: c.places.building_a1, "inspector"),
    "party-orgs": (lambda c, r: c.places.org_a1, "resident"),
    "units": (lambda c, r: c.places.unit_a, "member"),
    "members": (lambda c, r: c.m_a2, "resident"),
    "residents": (lambda c, r: c.r_a, "unit"),
    "applicants": (lambda c, r: r.applicant_a, "unit"),
    "commercial-buildings": (lambda c, r: r.cbuilding_a, "grid"),
    "trade-unions": (lambda c, r: r.union_a, "member"),
    "youth-league-orgs": (lambda c, r: r.league_a, "unit"),
    "cases": (lambda c, r: r.case_a, "inspector"),
}


@pytest.fixture
def street_a_object(cast, registries):
    return lambda collection: COLLECTIONS[collection][0](cast, registries)


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_list_shape_and_scope(api_get, street_a_object, collection):
    obj = street_a_object(collection)
    response = api_get("street", collection)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count", "count_exact", "has_more"}
    assert body["count"] == len(body["items"]) > 0
    ids = {item["id"] for item in body["items"]}
    assert str(obj.public_id) in ids
    assert all("pk" not in item and isinstance(item["id"], str) for item in body["items"])

    outsider = api_get("street2", collection).json()
    assert str(obj.public_id) not in {item["id"] for item in outsider["items"]}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_detail_in_scope_and_404_outside_like_missing(api_get, street_a_object, collection):
    obj = street_a_object(collection)
    mine = api_get("street", f"{collection}/{obj.public_id}")
    assert mine.status_code == 200
    assert mine.json()["id"] == str(obj.public_id)

    outside = api_get("street2", f"{collection}/{obj.public_id}")
    missing = api_get("street2", f"{collection}/{uuid.uuid4()}")
    assert outside.status_code == missing.status_code == 404
    assert outside.content == missing.content


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_wrong_role_is_refused(api_get, street_a_object, collection):
    obj = street_a_object(collection)
    refused_role = COLLECTIONS[collection][1]
    for who in (refused_role, "nobody"):
        listing = api_get(who, collection)
        detail = api_get(who, f"{collection}/{obj.public_id}")
        assert listing.status_code == detail.status_code == 403, who
        assert listing.json() == {"detail": "Your role may not use this endpoint."}


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_list_query_count_is_pinned(api_get, django_assert_max_num_queries, registries, collection):
    api_get("admin", collection)  # the tokens exist before counting
    api_get("street", collection)
    # token + user, role grants, count, page
    with django_assert_max_num_queries(4):
        assert api_get("admin", collection).status_code == 200
    with django_assert_max_num_queries(4):
        assert api_get("street", collection).status_code == 200


def test_member_list_does_not_grow_queries_with_rows(cast, api_get, django_assert_num_queries):
    from people.actions import save_member

    api_get("street", "members")
    with django_assert_num_queries(3):  # a list on one page needs no count: the offset gives it
        first = api_get("street", "members").json()
    for n in range(20):
        save_member(acting_user=None, data=_member_data(cast, n))
    with django_assert_num_queries(3):
        second = api_get("street", "members").json()
    assert second["count"] == first["count"] + 20
    assert second["count_exact"] and not second["has_more"]
    with django_assert_num_queries(4):  # a page of a longer list counts, up to the cap
        third = api_get("street", "members", limit=5).json()
    assert (third["count"], third["count_exact"], third["has_more"]) == (second["count"], True, True)


def _member_data(cast, n):
    from gongjian.privacy import id_check_char
    from people.actions import MemberData

    first17 = f"35080219900101{500 + n:03d}"
    return MemberData(
        name=f"成员{n}",
        id_number=first17 + id_check_char(first17),
        phone=f"1370000{n:04d}",
        party_org=cast.places.org_a1,
        unit=cast.places.unit_a,
        residence_area=cast.places.a2,
        residence_compound=cast.places.compound_a1,
        residence_building=cast.places.building_a1,
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("street", {"张三丰", "李四", "赵六", "钱七"}),
        ("street2", {"王五", "赵六"}),
        ("unit", {"张三丰", "李四"}),
        ("grid", {"张三丰", "赵六"}),
        ("inspector", {"张三丰", "李四"}),
    ],
)
def test_members_follow_visible_to(api_get, who, expected):
    body = api_get(who, "members").json()
    assert {item["name"] for item in body["items"]} == expected
    assert body["count"] == len(expected)


def test_member_may_read_only_their_own_record(cast, api_get):
    assert api_get("member", "members").status_code == 403
    own = api_get("member", f"members/{cast.m_member.public_id}")
    assert own.status_code == 200 and own.json()["name"] == "张三丰"
    assert api_get("member", f"members/{cast.m_a2.public_id}").status_code == 404


def test_resident_may_read_only_their_own_record(cast, api_get):
    assert api_get("resident", "residents").status_code == 403
    assert api_get("resident", f"residents/{cast.r_a.public_id}").status_code == 200
    assert api_get("resident", f"residents/{cast.r_b.public_id}").status_code == 404


def test_member_detail_shape(cast, api_get):
    body = api_get("street", f"members/{cast.m_member.public_id}").json()
    assert body["unit"] == {"id": str(cast.places.unit_a.public_id), "name": "龙岩市烟草公司"}
    assert body["party_org"]["id"] == str(cast.places.org_unit_a.public_id)
    assert body["residence_building"]["name"] == "1号楼"
    assert body["phone_masked"] == "138****0001"
    assert body["id_number_masked"].startswith("350802********")
    assert "birth_date" not in body  # with the masked ID it would give the full number back


def test_paging(cast, api_get):
    page = api_get("admin", "members", limit=2, offset=0).json()
    rest = api_get("admin", "members", limit=2, offset=2).json()
    assert page["count"] == rest["count"] == 5
    assert len(page["items"]) == 2 and len(rest["items"]) == 2
    assert not {i["id"] for i in page["items"]} & {i["id"] for i in rest["items"]}
    assert api_get("admin", "members", limit=201).status_code == 422
    assert api_get("admin", "members", limit=0).status_code == 422
    assert api_get("admin", "members", offset=-1).status_code == 422


def test_default_page_is_fifty(cast, api_get):
    from people.actions import save_member

    for n in range(55):
        save_member(acting_user=None, data=_member_data(cast, n))
    body = api_get("admin", "members").json()
    assert body["count"] == 60 and len(body["items"]) == 50


def test_member_filters_reuse_the_page_filterset(cast, api_get):
    p = cast.places
    names = lambda **params: {i["name"] for i in api_get("street", "members", **params).json()["items"]}  # noqa: E731
    assert names(in_service="false") == {"钱七"}
    assert names(unit=str(p.unit_a.public_id)) == {"张三丰", "李四"}
    assert names(area=str(p.a2.public_id)) == {"李四"}
    assert names(q="张") == {"张三丰"}
    assert names(q="0004") == {"赵六"}  # last four digits of the phone
    assert names(status="full") == {"张三丰", "李四", "赵六", "钱七"}
    # a unit outside the caller's scope is an invalid choice, like on the page
    outside = api_get("street", "members", unit=str(p.unit_b.public_id))
    assert outside.status_code == 422
    assert api_get("street", "members", status="nonsense").status_code == 422


def test_unit_and_party_org_filters(cast, api_get):
    units = api_get("street", "units", kind="department").json()["items"]
    assert [u["name"] for u in units] == ["新罗区城市管理局"]
    orgs = api_get("admin", "party-orgs", kind="branch", q="烟草").json()["items"]
    assert [o["name"] for o in orgs] == ["烟草公司党支部"]


def test_area_filters_parent_and_level(cast, api_get):
    p = cast.places
    children = api_get("orgdept", "areas", parent=str(p.street_a.public_id)).json()
    assert {a["name"] for a in children["items"]} == {"龙津社区", "中山社区"}
    streets = api_get("orgdept", "areas", level="street").json()
    assert {a["name"] for a in streets["items"]} == {"东城街道", "西城街道"}
    assert api_get("orgdept", "areas", level="galaxy").status_code == 422
    # an outsider's parent filter finds nothing rather than leaking the children
    assert api_get("street2", "areas", parent=str(p.street_a.public_id)).json()["count"] == 0
    community = api_get("orgdept", f"areas/{p.a1.public_id}").json()
    assert community["parent"] == {"id": str(p.street_a.public_id), "name": "东城街道"}
    assert community["level"] == "community"


def test_grid_worker_sees_their_grids_compounds_and_buildings(cast, api_get):
    grids = {g["name"] for g in api_get("grid", "grids").json()["items"]}
    assert grids == {"东城一级网格", "龙津二级网格", "阳光三级网格"}
    assert [c["name"] for c in api_get("grid", "compounds").json()["items"]] == ["阳光小区"]
    buildings = api_get("grid", "buildings").json()["items"]
    assert [(b["name"], b["compound"]["name"], b["community"]["name"]) for b in buildings] == [
        ("1号楼", "阳光小区", "龙津社区")
    ]
    assert api_get("grid2", f"compounds/{cast.places.compound_a1.public_id}").status_code == 404


def test_malformed_id_is_rejected(api_get):
    assert api_get("street", "members/not-a-uuid").status_code in (404, 422)


def test_404_body_is_the_same_in_debug(cast, api_get, settings):
    settings.DEBUG = True
    outside = api_get("street2", f"members/{cast.m_member.public_id}")
    missing = api_get("street2", f"members/{uuid.uuid4()}")
    assert outside.json() == missing.json() == {"detail": "Not found."}
