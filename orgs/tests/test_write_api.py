"""API writes of the organisations registry: the keeper works, a wrong role 403, an outsider's object
404, an unknown or out-of-scope object named in the body 422 with its reason; refusals (a cycle, a taken
code, a dissolved organisation with members) change nothing."""

import json

import pytest

from accounts.models import Role, RoleGrant, User
from orgs.models import PartyOrg, PartyOrgKind, Post, PostTitle, Unit, UnitKind
from people.models import Member

pytestmark = pytest.mark.django_db

API = "/api/v1/"
MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def call(client, bearer):
    def request(who: str, method: str, path: str, payload: dict | None = None):
        body = "" if payload is None else json.dumps(payload)
        return client.generic(
            method.upper(), API + path, body, content_type="application/json", headers=bearer(who)
        )

    return request


def test_party_orgs_are_founded_changed_merged_and_dissolved(call, cast):
    p = cast.places
    response = call(
        "street",
        "post",
        "party-orgs",
        {
            "name": "龙津第三支部",
            "kind": PartyOrgKind.BRANCH,
            "code": "O1-1-1-3",
            "parent": str(p.org_a1.public_id),
            "area": str(p.a1.public_id),
        },
    )
    assert response.status_code == 201, response.content
    org = response.json()
    assert org["parent"]["id"] == str(p.org_a1.public_id) and org["area"]["id"] == str(p.a1.public_id)
    response = call("street", "patch", f"party-orgs/{org['id']}", {"name": "龙津三支部"})
    assert response.status_code == 200 and response.json()["name"] == "龙津三支部"
    assert response.json()["parent"]["id"] == str(p.org_a1.public_id)  # left out: stays
    response = call("street", "post", f"party-orgs/{org['id']}/dissolve")
    assert response.status_code == 200
    assert PartyOrg.objects.get(public_id=org["id"]).dissolved_on is not None
    response = call(
        "street", "post", f"party-orgs/{p.org_a1.public_id}/merge", {"into": str(p.org_street_a.public_id)}
    )
    assert response.status_code == 200 and response.json()["id"] == str(p.org_street_a.public_id)
    assert Member.objects.get(pk=cast.m_retired.pk).party_org_id == p.org_street_a.pk


def test_party_org_refusals(call, cast):
    p = cast.places
    before = PartyOrg.objects.count()
    base = {"name": "X", "kind": PartyOrgKind.BRANCH, "code": "X1", "area": str(p.a1.public_id)}
    response = call("street", "post", "party-orgs", base | {"parent": MISSING})
    assert (
        response.status_code == 422
        and response.json()["detail"] == "No such parent organisation in your scope."
    )
    response = call("street", "post", "party-orgs", base | {"parent": str(p.org_street_b.public_id)})
    assert response.status_code == 422  # outside the caller's scope: as missing
    response = call("street", "post", "party-orgs", base | {"code": "O1-1"})
    assert response.status_code == 422 and response.json()["detail"] == "The organisation code O1-1 is taken."
    assert call("community", "post", "party-orgs", base).status_code == 403
    assert PartyOrg.objects.count() == before
    response = call(
        "orgdept", "patch", f"party-orgs/{p.org_street_a.public_id}", {"parent": str(p.org_a1.public_id)}
    )
    assert response.status_code == 422 and "cannot sit under itself" in response.json()["detail"]
    assert PartyOrg.objects.get(pk=p.org_street_a.pk).parent_id == p.org_city.pk
    response = call("street", "post", f"party-orgs/{p.org_unit_a.public_id}/dissolve")
    assert response.status_code == 422 and "still has 2 members" in response.json()["detail"]
    assert call("street2", "patch", f"party-orgs/{p.org_a1.public_id}", {"name": "Y"}).status_code == 404
    assert call("unit", "post", f"party-orgs/{p.org_unit_a.public_id}/dissolve").status_code == 403


def test_posts_through_the_api(call, cast):
    p = cast.places
    payload = {
        "title": PostTitle.FIRST_SECRETARY,
        "holder_name": "刘第一",
        "from_unit": str(p.dept_a.public_id),
        "started_on": "2024-05-01",
    }
    response = call("street", "post", f"party-orgs/{p.org_a1.public_id}/posts", payload)
    assert response.status_code == 201, response.content
    post = response.json()
    assert post["from_unit"]["id"] == str(p.dept_a.public_id) and post["ended_on"] is None
    listed = call("community", "get", f"party-orgs/{p.org_a1.public_id}/posts?current=true").json()
    assert [row["id"] for row in listed] == [post["id"]]
    assert call("street2", "get", f"party-orgs/{p.org_a1.public_id}/posts").status_code == 404
    assert call("nobody", "get", f"party-orgs/{p.org_a1.public_id}/posts").status_code == 403
    response = call("street", "post", f"posts/{post['id']}/end", {"ended_on": "2024-04-01"})
    assert response.status_code == 422 and response.json()["detail"] == "A term cannot end before it started."
    response = call("street", "post", f"posts/{post['id']}/end", {})
    assert response.status_code == 200 and response.json()["ended_on"]
    assert call("street2", "post", f"posts/{post['id']}/end", {}).status_code == 404
    response = call(
        "street",
        "post",
        f"party-orgs/{p.org_a1.public_id}/posts",
        {"title": PostTitle.PART_TIME, "holder_name": "无单位"},
    )
    assert response.status_code == 422
    assert not Post.objects.filter(holder_name="无单位").exists()


def test_units_and_their_admins_through_the_api(call, cast):
    p = cast.places
    payload = {"name": "东城医院", "kind": UnitKind.PUBLIC_INSTITUTION, "address_area": str(p.a2.public_id)}
    response = call("street", "post", "units", payload)
    assert response.status_code == 201, response.content
    unit_id = response.json()["id"]
    assert call("street", "post", "units", payload).status_code == 422  # the name is taken
    response = call(
        "street", "post", "units", payload | {"name": "西城医院", "address_area": str(p.b1.public_id)}
    )
    assert response.status_code == 422 and response.json()["detail"] == "No such area among those you keep."
    assert call("community", "post", "units", payload | {"name": "Z"}).status_code == 403
    response = call("street", "patch", f"units/{unit_id}", {"contact_name": "钱主任"})
    assert response.status_code == 200 and response.json()["contact_name"] == "钱主任"
    assert response.json()["name"] == "东城医院"
    assert call("street2", "patch", f"units/{p.unit_a.public_id}", {"contact_name": "x"}).status_code == 404
    assert Unit.objects.filter(name__in=["西城医院", "Z"]).count() == 0

    response = call(
        "street", "post", f"units/{unit_id}/admins", {"phone": "13600001234", "full_name": "孔管理"}
    )
    assert response.status_code == 201, response.content
    admin = response.json()
    assert admin["phone"] == "136****1234"
    again = call("street", "post", f"units/{p.unit_a.public_id}/admins", {"phone": "13600001234"})
    assert again.status_code == 201 and again.json()["user"] == admin["user"]
    user = User.objects.get(public_id=admin["user"])
    assert set(user.role_grants.values_list("role", flat=True)) == {Role.UNIT_ADMIN}
    assert [row["id"] for row in call("street", "get", f"units/{unit_id}/admins").json()] == [admin["id"]]
    assert call("street", "delete", f"units/{unit_id}/admins/{admin['id']}").status_code == 204
    assert not RoleGrant.objects.filter(public_id=admin["id"]).exists()
    assert call("street2", "get", f"units/{p.unit_a.public_id}/admins").status_code == 404


def test_lists_filter_by_admin_and_by_dissolution(call, cast):
    p = cast.places
    with_admin = {row["name"] for row in call("street", "get", "units?admin=true").json()["items"]}
    without = {row["name"] for row in call("street", "get", "units?admin=false").json()["items"]}
    assert with_admin == {p.unit_a.name} and without == set()  # the department is not asked for one
    org = PartyOrg.objects.create(name="旧支部", kind=PartyOrgKind.BRANCH, code="OLD", path="OLD.", area=p.a1)
    call("street", "post", f"party-orgs/{org.public_id}/dissolve")
    dissolved = call("street", "get", "party-orgs?dissolved=true").json()["items"]
    assert [row["name"] for row in dissolved] == ["旧支部"] and dissolved[0]["dissolved_on"]
    assert "旧支部" not in {
        row["name"] for row in call("street", "get", "party-orgs?dissolved=false").json()["items"]
    }
