"""API writes of the places registry: the keeper works (201/200), a wrong role 403, an outsider's object
404, an unknown or out-of-scope object named in the body 422 with its reason; nothing changes on a
refusal."""

import json

import pytest

from accounts.models import Role, RoleGrant, User
from people.models import Member
from places.models import Building, Compound, Grid

pytestmark = pytest.mark.django_db

API = "/api/v1/"


@pytest.fixture
def call(client, bearer):
    def request(who: str, method: str, path: str, payload: dict | None = None):
        return client.generic(
            method.upper(),
            API + path,
            "" if payload is None else json.dumps(payload),
            content_type="application/json",
            headers=bearer(who),
        )

    return request


def test_compounds_are_created_changed_and_retired_by_their_keepers(call, cast):
    p = cast.places
    response = call("community", "post", "compounds", {"community": str(p.a1.public_id), "name": "新华苑"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "新华苑" and body["community"]["id"] == str(p.a1.public_id)
    assert body["retired_on"] is None
    response = call("street", "patch", f"compounds/{body['id']}", {"address": "中山路 1 号"})
    assert response.status_code == 200 and response.json()["address"] == "中山路 1 号"
    assert response.json()["name"] == "新华苑"
    response = call("community", "post", f"compounds/{body['id']}/retire")
    assert response.status_code == 200 and response.json()["retired_on"]


def test_compound_writes_refuse_wrong_roles_outsiders_and_unknown_communities(call, cast):
    p = cast.places
    before = Compound.objects.count()
    assert (
        call("orgdept", "post", "compounds", {"community": str(p.a1.public_id), "name": "X"}).status_code
        == 403
    )
    assert (
        call("grid", "post", "compounds", {"community": str(p.a1.public_id), "name": "X"}).status_code == 403
    )
    response = call("community", "post", "compounds", {"community": str(p.b1.public_id), "name": "X"})
    assert response.status_code == 422 and response.json()["detail"] == "No such community in your scope."
    assert call("street2", "patch", f"compounds/{p.compound_a1.public_id}", {"name": "Y"}).status_code == 404
    assert call("community2", "post", f"compounds/{p.compound_a1.public_id}/retire").status_code == 404
    response = call("community", "post", "compounds", {"community": str(p.a1.public_id), "name": "阳光小区"})
    assert response.status_code == 422 and "already has a compound named" in response.json()["detail"]
    assert Compound.objects.count() == before


def test_buildings_are_created_and_moved_between_grids(call, cast):
    p = cast.places
    response = call(
        "community",
        "post",
        "buildings",
        {"compound": str(p.compound_a1.public_id), "name": "9号楼", "grid": str(p.grid_a3.public_id)},
    )
    assert response.status_code == 201, response.content
    assert response.json()["grid"]["id"] == str(p.grid_a3.public_id)
    response = call("street", "patch", f"buildings/{p.building_a1.public_id}", {"grid": None})
    assert response.status_code == 200 and response.json()["grid"] is None
    assert Member.objects.get(pk=cast.m_member.pk).grid_path == ""
    response = call("street", "patch", f"buildings/{p.building_a1.public_id}", {"name": "一号楼"})
    assert response.status_code == 200 and response.json()["grid"] is None  # left out: stays
    response = call("street", "post", f"buildings/{p.building_a1.public_id}/retire")
    assert response.status_code == 422 and "recorded as living in" in response.json()["detail"]
    assert call("street2", "patch", f"buildings/{p.building_a1.public_id}", {"name": "Z"}).status_code == 404
    assert call("orgdept", "patch", f"buildings/{p.building_a1.public_id}", {"name": "Z"}).status_code == 403


def test_grids_their_workers_and_buildings(call, cast):
    p = cast.places
    response = call(
        "street",
        "post",
        "grids",
        {"street": str(p.street_a.public_id), "code": "G-A-2", "name": "东城二号网格"},
    )
    assert response.status_code == 201, response.content
    grid_id = response.json()["id"]
    assert response.json()["level"] == 1
    response = call(
        "street", "post", "grids", {"street": str(p.street_a.public_id), "code": "G-A-2", "name": "again"}
    )
    assert (
        response.status_code == 422 and response.json()["detail"] == "A grid with code G-A-2 exists already."
    )
    response = call(
        "street", "post", "grids", {"street": str(p.street_b.public_id), "code": "G-B-9", "name": "b"}
    )
    assert response.status_code == 422 and response.json()["detail"] == "No such street in your scope."
    assert (
        call(
            "community", "post", "grids", {"street": str(p.street_a.public_id), "code": "G", "name": "g"}
        ).status_code
        == 403
    )

    response = call(
        "street", "post", f"grids/{grid_id}/workers", {"phone": "13900007777", "full_name": "黄网格"}
    )
    assert response.status_code == 201, response.content
    worker = response.json()
    assert worker["name"] == "黄网格" and worker["phone"] == "139****7777"
    listed = call("street", "get", f"grids/{grid_id}/workers").json()
    assert [w["id"] for w in listed] == [worker["id"]]
    assert call("street2", "get", f"grids/{grid_id}/workers").status_code == 404
    assert call("nobody", "get", f"grids/{grid_id}/workers").status_code == 403
    assert call("street", "delete", f"grids/{grid_id}/workers/{worker['id']}").status_code == 204
    assert not RoleGrant.objects.filter(public_id=worker["id"]).exists()
    assert User.objects.filter(public_id=worker["user"]).exists()  # the account stays

    response = call(
        "street", "put", f"grids/{grid_id}/buildings", {"buildings": [str(p.building_a1.public_id)]}
    )
    assert response.status_code == 200, response.content
    assert [b["id"] for b in response.json()] == [str(p.building_a1.public_id)]
    assert Building.objects.get(pk=p.building_a1.pk).grid.public_id.hex == grid_id.replace("-", "")
    response = call(
        "street", "put", f"grids/{grid_id}/buildings", {"buildings": [str(p.building_b1.public_id)]}
    )
    assert response.status_code == 422
    assert Grid.objects.get(public_id=grid_id).buildings.count() == 1


def test_a_grid_worker_with_the_phone_of_an_existing_account_gets_that_account(call, cast):
    p = cast.places
    first = call(
        "street", "post", f"grids/{p.grid_a.public_id}/workers", {"phone": "13900008888", "full_name": "甲"}
    )
    second = call("street", "post", f"grids/{p.grid_a3.public_id}/workers", {"phone": "+86 139 0000 8888"})
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["user"] == second.json()["user"]
    assert RoleGrant.objects.filter(user__public_id=first.json()["user"], role=Role.GRID_WORKER).count() == 2
