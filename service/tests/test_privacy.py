"""Whom a need or a record is for (name, address) is shown only to those who serve them:
access.sees_beneficiary and access.sees_record_beneficiary (docs/SCOPES.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from access import beneficiary_label, record_beneficiary_label, sees_beneficiary, sees_record_beneficiary
from accounts.actions import create_user, grant_role
from accounts.models import Role
from checkin.models import Team, TeamMembership
from gongjian.testing import item
from service.needs import actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(cast):
    """A need the community posts for 孙大妈, in the grid of her building."""
    return actions.post_need(
        acting_user=cast.community,
        title="需要助餐",
        category=item("elderly_care"),
        community=cast.places.a1,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
        beneficiary_resident=cast.r_a,
        beneficiary_address="阳光小区1号楼302",
    )


@pytest.fixture
def other_member(cast):
    user = create_user(acting_user=None, username="zhaoliu", password=None)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    cast.m_b_home_a.user = user
    cast.m_b_home_a.save(update_fields=["user"])
    return user


@pytest.mark.parametrize("who", ["admin", "orgdept", "street", "community", "grid", "resident"])
def test_those_who_serve_see_the_beneficiary(cast, need, who):
    assert sees_beneficiary(getattr(cast, who), need)
    assert beneficiary_label(getattr(cast, who), need) == "孙大妈"


@pytest.mark.parametrize(
    "who", ["member", "unit", "dept", "inspector", "nobody", "street2", "community2", "unit2", "grid2"]
)
def test_others_do_not(cast, need, who):
    assert not sees_beneficiary(getattr(cast, who), need)
    assert beneficiary_label(getattr(cast, who), need) == "Visible to those who serve"


def test_anonymous_does_not(need):
    assert not sees_beneficiary(AnonymousUser(), need)
    assert not sees_beneficiary(None, need)


def test_the_poster_sees_whom_they_posted_for(cast):
    grid_need = actions.post_need(
        acting_user=cast.grid,
        title="老人摔倒后需要陪护",
        category=item("elderly_care"),
        community=cast.places.a1,
        grid=cast.places.grid_a,
        beneficiary_name="王奶奶",
    )
    assert sees_beneficiary(cast.grid, grid_need)
    own = actions.post_need(acting_user=cast.resident, title="想学用智能手机", category=item("tutoring"))
    assert sees_beneficiary(cast.resident, own)
    assert not sees_beneficiary(cast.member, own)


def test_the_grid_worker_of_a_residents_grid_sees_the_residents_own_need(cast):
    own = actions.post_need(acting_user=cast.resident, title="想学用智能手机", category=item("tutoring"))
    assert sees_beneficiary(cast.grid, own)
    assert not sees_beneficiary(cast.grid2, own)


def test_a_member_sees_the_beneficiary_once_they_take_the_need(cast, need, other_member):
    assert not sees_beneficiary(cast.member, need)
    actions.take_need(acting_user=cast.member, need=need)
    assert sees_beneficiary(cast.member, need)
    assert beneficiary_label(cast.member, need) == "孙大妈"
    assert not sees_beneficiary(other_member, need)


def test_an_offer_shows_the_beneficiary_until_declined(cast, need):
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    assert sees_beneficiary(cast.member, need)
    actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="出差")
    assert not sees_beneficiary(cast.member, need)


def test_a_withdrawn_taker_no_longer_sees_the_beneficiary(cast, need):
    assignment = actions.take_need(acting_user=cast.member, need=need)
    actions.withdraw_assignment(acting_user=cast.community, assignment=assignment, reason="改派")
    assert not sees_beneficiary(cast.member, need)


def test_the_unit_admin_of_the_assigned_unit_sees_the_beneficiary(cast, need):
    actions.dispatch_need(acting_user=cast.community, need=need, unit=cast.places.unit_a)
    assert sees_beneficiary(cast.unit, need)
    assert not sees_beneficiary(cast.unit2, need)
    assert not sees_beneficiary(cast.member, need), "a member of the unit is not its admin"


def test_team_members_see_the_beneficiary_of_the_teams_need(cast, need, other_member):
    team = Team.objects.create(community=cast.places.a1, name="助老队")
    TeamMembership.objects.create(team=team, member=cast.m_member)
    actions.dispatch_need(acting_user=cast.community, need=need, team=team)
    assert sees_beneficiary(cast.member, need)
    assert not sees_beneficiary(other_member, need)


def test_the_member_who_served_still_sees_whom_they_served(cast, need):
    """After logging the service (need served, then closed) the member still knows whom they served:
    their own record names the beneficiary anyway."""
    actions.take_need(acting_user=cast.member, need=need)
    need.refresh_from_db()
    record = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=2),
        minutes=60,
        description="送餐",
        need=need,
    )
    assert record.beneficiary_name == "孙大妈"
    need.refresh_from_db()
    assert sees_beneficiary(cast.member, need)
    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record)
    need.refresh_from_db()
    assert sees_beneficiary(cast.member, need)


# --- whom a service record was for ------------------------------------------------------------------


@pytest.fixture
def record(cast):
    return record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=3),
        minutes=60,
        description="陪聊",
        community=cast.places.a1,
        beneficiary_resident=cast.r_a,
    )


@pytest.mark.parametrize("who", ["member", "community", "street", "admin", "orgdept", "resident"])
def test_a_records_beneficiary_is_shown_to_those_who_served_or_received(cast, record, who):
    assert sees_record_beneficiary(getattr(cast, who), record)
    assert record_beneficiary_label(getattr(cast, who), record) == "孙大妈"


@pytest.mark.parametrize(
    "who", ["unit", "inspector", "grid", "dept", "nobody", "street2", "community2", "unit2", "grid2"]
)
def test_a_records_beneficiary_is_hidden_from_others(cast, record, who):
    assert not sees_record_beneficiary(getattr(cast, who), record)
    assert record_beneficiary_label(getattr(cast, who), record) == "Visible to those who serve"
    assert not sees_record_beneficiary(AnonymousUser(), record)
