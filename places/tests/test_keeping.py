"""The places registry kept by its owners (issue 10): compounds and buildings by the community and its
street, grids with their workers and buildings by the street. Each page: the keeper works, an outsider
gets 404, a wrong role 403; each refusal changes nothing and keeps what was typed."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import Role, RoleGrant, User
from audit.models import AuditEvent
from gongjian.testing import refusals
from people.models import Member, Resident
from places import actions
from places.access import keeps_grids, keeps_places
from places.models import Building, Compound, Grid

pytestmark = pytest.mark.django_db

refused = refusals([Compound, Building, Grid, RoleGrant, User, AuditEvent])


def url(name, *objects):
    return reverse(f"places:{name}", args=[o.public_id for o in objects])


def post(client, cast, who, address, data):
    cast.login(client, who)
    return client.post(address, data)


# --- the rule, written once -----------------------------------------------------------------------


def test_who_keeps_which_places(cast):
    p = cast.places
    assert keeps_places(cast.community, p.a1) and keeps_places(cast.street, p.a1)
    assert keeps_places(cast.admin, p.b1)
    assert not keeps_places(cast.community, p.a2)  # another community of the same street
    assert not keeps_places(cast.orgdept, p.a1)  # reads, does not keep
    assert not keeps_places(cast.grid, p.a1) and not keeps_places(cast.street2, p.a1)
    assert keeps_grids(cast.street, p.street_a) and not keeps_grids(cast.community, p.street_a)
    assert not keeps_grids(cast.street2, p.street_a) and not keeps_grids(cast.orgdept, p.street_a)


# --- compounds ------------------------------------------------------------------------------------


def test_the_community_adds_and_renames_a_compound(client, cast):
    p = cast.places
    response = post(
        client, cast, "community", url("compound_new"), {"community": p.a1.public_id, "name": " 春晖苑 "}
    )
    compound = Compound.objects.get(name="春晖苑")
    assert response.status_code == 302 and response["Location"] == url("compound_detail", compound)
    assert AuditEvent.objects.filter(action="compound.create", actor=cast.community).exists()
    response = client.post(url("compound_edit", compound), {"name": "春晖新苑", "address": "龙津路 8 号"})
    assert response.status_code == 302
    compound.refresh_from_db()
    assert (compound.name, compound.address) == ("春晖新苑", "龙津路 8 号")
    assert AuditEvent.objects.filter(action="compound.update", target_id=str(compound.public_id)).exists()


def test_a_duplicate_compound_name_is_refused_and_the_form_keeps_what_was_typed(client, cast):
    p = cast.places
    before = Compound.objects.count()
    response = post(
        client,
        cast,
        "street",
        url("compound_new"),
        {"community": p.a1.public_id, "name": "阳光小区", "address": "typed address 99"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "already has a compound named 阳光小区" in text and "typed address 99" in text
    assert Compound.objects.count() == before


def test_a_community_outside_the_keepers_places_is_not_a_choice(client, cast):
    response = post(
        client, cast, "community", url("compound_new"), {"community": cast.places.a2.public_id, "name": "X"}
    )
    assert response.status_code == 400
    assert not Compound.objects.filter(name="X").exists()


@pytest.mark.parametrize("who", ["orgdept", "grid", "unit", "member", "nobody"])
def test_compound_pages_refuse_a_wrong_role(client, cast, who):
    cast.login(client, who)
    assert client.get(url("compound_new")).status_code == 403
    assert client.get(url("compound_edit", cast.places.compound_a1)).status_code == 403


@pytest.mark.parametrize("who", ["community2", "street2"])
def test_compound_pages_answer_an_outsider_404(client, cast, who):
    p = cast.places
    cast.login(client, who)
    assert client.get(url("compound_edit", p.compound_a1)).status_code == 404
    assert client.post(url("compound_retire", p.compound_a1)).status_code == 404
    assert client.get(url("building_new", p.compound_a1)).status_code == 404
    assert client.get(url("building_edit", p.building_a1)).status_code == 404


def test_a_compound_with_buildings_in_use_is_not_retired(client, cast):
    compound = cast.places.compound_a1
    with refused(ValidationError, "still has 1 buildings in use", compound):
        actions.retire_compound(acting_user=cast.community, compound=compound)
    response = post(client, cast, "community", url("compound_retire", compound), {})
    assert response.status_code == 302
    compound.refresh_from_db()
    assert compound.retired_on is None


# --- buildings ------------------------------------------------------------------------------------


def test_buildings_are_added_moved_and_retired(client, cast):
    p = cast.places
    response = post(
        client, cast, "community", url("building_new", p.compound_a1), {"name": "2号楼", "grid": ""}
    )
    assert response.status_code == 302
    building = Building.objects.get(compound=p.compound_a1, name="2号楼")
    assert building.grid is None
    response = client.post(url("building_edit", building), {"name": "2号楼", "grid": p.grid_a3.public_id})
    assert response.status_code == 302
    building.refresh_from_db()
    assert building.grid == p.grid_a3
    response = client.post(url("building_retire", building))
    assert response.status_code == 302
    building.refresh_from_db()
    assert building.retired_on is not None and building.grid is None
    # retired buildings leave the compound's list
    page = client.get(url("compound_detail", p.compound_a1))
    assert [row["obj"] for row in page.context["rows"]] == [p.building_a1]


def test_moving_a_building_to_another_grid_moves_the_people_living_there(client, cast):
    p = cast.places
    response = post(
        client,
        cast,
        "street",
        url("building_edit", p.building_a1),
        {"name": "1号楼", "grid": p.grid_a2.public_id},
    )
    assert response.status_code == 302
    assert Member.objects.get(pk=cast.m_member.pk).grid_path == p.grid_a2.path
    assert Resident.objects.get(pk=cast.r_a.pk).grid_path == p.grid_a2.path
    event = AuditEvent.objects.get(action="building.update")
    assert event.detail["grid"] == p.grid_a2.code


def test_a_grid_of_another_street_is_refused(cast):
    p = cast.places
    with refused(ValidationError, "The grid must lie in the building's street.", p.building_a1):
        actions.update_building(acting_user=cast.street, building=p.building_a1, name="1号楼", grid=p.grid_b)


def test_a_building_people_live_in_is_not_retired(cast):
    p = cast.places
    with refused(ValidationError, "3 people are recorded as living in 1号楼", p.building_a1):
        actions.retire_building(acting_user=cast.community, building=p.building_a1)


def test_a_reader_who_does_not_keep_is_refused_by_the_action(cast):
    with refused(PermissionDenied, "keeps 龙津社区's compounds"):
        actions.create_compound(acting_user=cast.orgdept, community=cast.places.a1, name="新小区")


# --- grids ----------------------------------------------------------------------------------------


def test_the_street_draws_grids_in_three_levels(client, cast):
    p = cast.places
    response = post(
        client,
        cast,
        "street",
        url("grid_new"),
        {
            "street": p.street_a.public_id,
            "parent": p.grid_a.public_id,
            "code": "G350802001-1-2",
            "name": "中山二级网格",
            "community": p.a2.public_id,
        },
    )
    grid = Grid.objects.get(code="G350802001-1-2")
    assert response.status_code == 302 and response["Location"] == url("grid_detail", grid)
    assert (grid.level, grid.community, grid.path) == (2, p.a2, p.grid_a.path + "G350802001-1-2.")
    response = client.post(url("grid_edit", grid), {"name": "中山网格", "community": p.a2.public_id})
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.name == "中山网格"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "G350802001-1"}, "A grid with code G350802001-1 exists already."),
        ({"community": ""}, "A level-2 or level-3 grid lies inside one community"),
    ],
)
def test_grid_refusals_keep_what_was_typed(client, cast, fields, message):
    p = cast.places
    data = {
        "street": p.street_a.public_id,
        "parent": p.grid_a.public_id,
        "code": "G-new",
        "name": "typed name 7",
        "community": p.a2.public_id,
    }
    data.update(fields)
    before = Grid.objects.count()
    response = post(client, cast, "street", url("grid_new"), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text and "typed name 7" in text
    assert Grid.objects.count() == before


def test_a_fourth_level_and_a_community_of_another_street_are_refused(cast):
    p = cast.places
    with refused(ValidationError, "Grids have at most three levels."):
        actions.create_grid(
            acting_user=cast.street,
            street=p.street_a,
            code="G4",
            name="四级",
            parent=p.grid_a3,
            community=p.a1,
        )
    with refused(ValidationError, "a community of its street"):
        actions.create_grid(
            acting_user=cast.street, street=p.street_a, code="G5", name="错", parent=p.grid_a, community=p.b1
        )


def test_grid_pages_refuse_wrong_roles_and_answer_outsiders_404(client, cast):
    p = cast.places
    cast.login(client, "community")
    assert client.get(url("grid_new")).status_code == 403
    assert client.get(url("grid_edit", p.grid_a2)).status_code == 403
    cast.login(client, "street2")
    for name in ("grid_edit", "grid_workers", "grid_buildings"):
        assert client.get(url(name, p.grid_a)).status_code == 404


def test_the_street_names_and_removes_grid_workers_one_person_one_account(client, cast):
    p = cast.places
    response = post(
        client,
        cast,
        "street",
        url("grid_workers", p.grid_a3),
        {"full_name": "陈网格", "phone": "139 0000 3333"},
    )
    assert response.status_code == 302
    worker = User.objects.get(full_name="陈网格")
    assert not worker.has_usable_password()
    assert worker.masked_phone == "139****3333"
    grant = RoleGrant.objects.get(user=worker, role=Role.GRID_WORKER)
    assert grant.grid == p.grid_a3
    # the same phone for another grid: the same account, a second grant
    response = client.post(url("grid_workers", p.grid_a2), {"full_name": "", "phone": "+86 13900003333"})
    assert response.status_code == 302
    assert User.objects.filter(full_name="陈网格").count() == 1
    assert worker.role_grants.count() == 2
    # twice on the same grid: refused, said on the form
    response = client.post(url("grid_workers", p.grid_a3), {"phone": "13900003333"})
    assert response.status_code == 400 and "already a worker of this grid" in response.content.decode()
    page = client.get(url("grid_workers", p.grid_a3)).content.decode()
    assert "139****3333" in page and "13900003333" not in page
    response = client.post(reverse("places:grid_worker_remove", args=[p.grid_a3.public_id, grant.public_id]))
    assert response.status_code == 302
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(action="role.revoke", target_id=str(worker.public_id)).exists()


def test_a_new_person_needs_a_name(cast):
    with refused(ValidationError, "Give the person's name"):
        actions.assign_grid_worker(
            acting_user=cast.street, grid=cast.places.grid_a, full_name="", phone="13900004444"
        )


def test_the_grid_workers_page_costs_the_same_for_more_workers(client, cast, django_assert_max_num_queries):
    p = cast.places
    actions.assign_grid_worker(acting_user=cast.street, grid=p.grid_a, full_name="一", phone="13900005551")
    cast.login(client, "street")
    with django_assert_max_num_queries(12):
        assert client.get(url("grid_workers", p.grid_a)).status_code == 200
    for n in range(2, 5):
        actions.assign_grid_worker(
            acting_user=cast.street, grid=p.grid_a, full_name=f"人{n}", phone=f"1390000555{n}"
        )
    with django_assert_max_num_queries(12):
        assert client.get(url("grid_workers", p.grid_a)).status_code == 200


def test_the_street_chooses_the_buildings_a_grid_covers(client, cast):
    p = cast.places
    extra = actions.create_building(acting_user=cast.community, compound=p.compound_a1, name="5号楼")
    cast.login(client, "street")
    page = client.get(url("grid_buildings", p.grid_a3))
    assert page.status_code == 200
    response = client.post(url("grid_buildings", p.grid_a3), {"buildings": [str(extra.public_id)]})
    assert response.status_code == 302
    extra.refresh_from_db()
    p.building_a1.refresh_from_db()
    assert extra.grid == p.grid_a3 and p.building_a1.grid is None
    assert Member.objects.get(pk=cast.m_member.pk).grid_path == ""


def test_a_building_of_another_street_is_refused_for_a_grid(cast):
    p = cast.places
    with refused(ValidationError, "is not in this grid's street or community", p.building_b1):
        actions.set_grid_buildings(acting_user=cast.street, grid=p.grid_a, buildings=[p.building_b1])


def test_keepers_see_the_buttons_readers_do_not(client, cast):
    p = cast.places
    cast.login(client, "community")
    assert (
        url("compound_edit", p.compound_a1)
        in client.get(url("compound_detail", p.compound_a1)).content.decode()
    )
    cast.login(client, "orgdept")
    assert (
        url("compound_edit", p.compound_a1)
        not in client.get(url("compound_detail", p.compound_a1)).content.decode()
    )
    assert reverse("places:grid_new") not in client.get(reverse("places:grid_list")).content.decode()
    cast.login(client, "street")
    assert reverse("places:grid_new") in client.get(reverse("places:grid_list")).content.decode()
