"""Moving house (issue 10): the residence is updated, the paths follow, and the check-in follows the
rule through the check-in actions: kept, transferred to the new community, or checked out."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from checkin.actions import submit_checkin
from checkin.models import CheckIn, CheckInState
from checkin.moves import move_member_house
from gongjian.testing import refusals
from people.homes import move_home
from people.models import Member, Resident

pytestmark = pytest.mark.django_db
refused = refusals([CheckIn, AuditEvent])


@pytest.fixture
def checked_in(cast):
    return submit_checkin(acting_user=cast.member, member=cast.m_member)  # to 龙津社区 (A1), where they live


def test_moving_to_another_community_transfers_the_check_in(cast, checked_in):
    move = move_member_house(acting_user=cast.member, member=cast.m_member, area=cast.places.a2)
    assert move.checkin == "transferred"
    assert CheckIn.objects.get(pk=checked_in.pk).state == CheckInState.CHECKED_OUT
    assert move.new_checkin is not None and move.new_checkin.community == cast.places.a2
    member = Member.objects.get(pk=cast.m_member.pk)
    assert member.residence_area == cast.places.a2 and member.residence_path == cast.places.a2.path
    assert member.grid_path == "" and member.residence_building is None
    assert AuditEvent.objects.filter(action="member.move", target_id=str(member.public_id)).exists()


def test_moving_within_the_community_keeps_the_check_in(cast, checked_in):
    move = move_member_house(
        acting_user=cast.unit, member=cast.m_member, area=cast.places.a1, compound=cast.places.compound_a1
    )
    assert move.checkin == "kept"
    assert CheckIn.objects.get(pk=checked_in.pk).state == CheckInState.SUBMITTED


def test_moving_out_of_the_city_checks_out(cast, checked_in):
    move = move_member_house(acting_user=cast.member, member=cast.m_member, area=None)
    assert move.checkin == "checked_out"  # unit A has no paired community: the rule has none
    assert CheckIn.objects.get(pk=checked_in.pk).state == CheckInState.CHECKED_OUT
    assert not CheckIn.objects.active().filter(member=cast.m_member).exists()


def test_no_check_in_nothing_to_follow(cast):
    assert (
        move_member_house(acting_user=cast.member, member=cast.m_member, area=cast.places.a2).checkin
        == "none"
    )


def test_refusals_change_nothing(cast, checked_in):
    p = cast.places
    with refused(ValidationError, "not in the chosen compound", cast.m_member, checked_in):
        move_member_house(
            acting_user=cast.member,
            member=cast.m_member,
            area=p.a1,
            compound=p.compound_a1,
            building=p.building_b1,
        )
    with refused(ValidationError, "not a street", cast.m_member, checked_in):
        move_member_house(acting_user=cast.member, member=cast.m_member, area=p.street_a)
    with refused(ValidationError, "lives already", cast.m_member, checked_in):
        move_member_house(
            acting_user=cast.member,
            member=cast.m_member,
            area=p.a1,
            compound=p.compound_a1,
            building=p.building_a1,
        )
    with refused(PermissionDenied, "can record a move", cast.m_member, checked_in):
        move_member_house(acting_user=cast.community, member=cast.m_member, area=p.a2)


def test_a_resident_moves(cast):
    p = cast.places
    move_home(
        acting_user=cast.community, person=cast.r_a, area=p.b1, compound=p.compound_b1, building=p.building_b1
    )
    resident = Resident.objects.get(pk=cast.r_a.pk)
    assert resident.residence_path == p.b1.path and resident.grid_path == p.grid_b.path
    assert not Resident.objects.visible_to(cast.community).filter(pk=resident.pk).exists()
    assert Resident.objects.visible_to(cast.community2).filter(pk=resident.pk).exists()


def test_the_move_page(client, cast, checked_in):
    p = cast.places
    url = reverse("checkin:member_move", args=[cast.m_member.public_id])
    cast.login(client, "member")
    assert client.get(url).status_code == 200
    assert "阳光小区" in client.get(url, {"community": p.a1.public_id}).content.decode()
    bad = client.post(url, {"area": p.a1.public_id, "building": p.building_b1.public_id})
    assert bad.status_code == 400
    done = client.post(url, {"area": p.a2.public_id})
    assert done.status_code == 302
    assert Member.objects.get(pk=cast.m_member.pk).residence_area == p.a2
    cast.login(client, "unit2")
    assert client.get(url).status_code == 404
    for who in ("community", "street", "grid"):
        cast.login(client, who)
        assert client.get(url).status_code == 403


def test_the_move_api(api_post, cast, checked_in):
    p = cast.places
    moved = api_post("unit", f"members/{cast.m_member.public_id}/move", {"community": str(p.a2.public_id)})
    assert moved.status_code == 200, moved.content
    assert moved.json()["checkin"] == "transferred" and moved.json()["new_checkin"]
    assert (
        api_post("unit2", f"members/{cast.m_member.public_id}/move", {"community": None}).status_code == 404
    )
    assert (
        api_post("community", f"members/{cast.m_member.public_id}/move", {"community": None}).status_code
        == 403
    )
    bad = api_post(
        "unit", f"members/{cast.m_member.public_id}/move", {"community": str(p.street_a.public_id)}
    )
    assert bad.status_code == 422


def test_the_resident_move_api(api_post, cast):
    p = cast.places
    path = f"residents/{cast.r_a.public_id}/move"
    body = {"community": str(p.a2.public_id)}
    assert api_post("grid", path, body).status_code == 403
    assert api_post("community2", path, body).status_code == 404
    wrong = api_post("community", path, {**body, "building": str(p.building_a1.public_id)})
    assert wrong.status_code == 422
    moved = api_post("community", path, body)
    assert moved.status_code == 200 and moved.json()["residence_area"]["name"] == "中山社区"
