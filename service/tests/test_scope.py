"""Who sees what of the service loop: ``visible_to(user)`` of every model, for each role of street A, and
for the outsiders of street B, who see nothing of street A.

One small world in street A: needs in every state that matters, posts, pairings, a resource, a project,
service records (one confirmed and rated), points entries, rewards of a community and of the street,
and a redemption.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from gongjian.testing import item
from points import actions as points
from points.models import PointEntry, Redemption, Reward
from service.models import (
    HouseholdPairing,
    Need,
    Project,
    ProjectState,
    ProjectUnit,
    Rating,
    Resource,
    ResourceKind,
    ServicePost,
    ServiceRecord,
)
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db

OUTSIDERS = ("street2", "community2", "unit2", "grid2", "nobody")


@pytest.fixture
def world(cast):
    p = cast.places
    retired = create_user(acting_user=None, username="qianqi", password=None)
    grant_role(acting_user=None, user=retired, role=Role.MEMBER)
    cast.m_retired.user = retired
    cast.m_retired.save(update_fields=["user"])
    repair = item("home_repair")
    w: dict[str, object] = {}

    def need(key, user, **kwargs):
        kwargs.setdefault("community", p.a1)
        w[key] = actions.post_need(acting_user=user, title=key, category=repair, **kwargs)
        return w[key]

    need("open_a1", cast.community)
    w["resident_need"] = actions.post_need(acting_user=cast.resident, title="resident_need", category=repair)
    actions.take_need(acting_user=retired, need=need("taken_other", cast.community))
    actions.dispatch_need(
        acting_user=cast.community, need=need("offered_me", cast.community), member=cast.m_member
    )
    need("open_a2", cast.street, community=p.a2)
    need("grid_need", cast.grid, compound=p.compound_a1, building=p.building_a1)

    def post(key, community):
        w[key] = post_actions.publish_post(
            acting_user=cast.street,
            community=community,
            title=key,
            category=item("civility"),
            schedule="每天",
            capacity=3,
            starts_on=timezone.localdate(),
        )

    post("post_a1", p.a1)
    post("post_a2", p.a2)
    w["pairing_member"] = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    w["pairing_unit"] = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, unit=p.unit_a, reason="困难"
    )
    w["resource_a"] = Resource.objects.create(
        unit=p.unit_a,
        kind=ResourceKind.PEOPLE_HOURS,
        title="志愿服务时长",
        quantity=100,
        measure="小时",
        available_from=timezone.localdate(),
        community=p.a1,
        community_path=p.a1.path,
    )
    w["project_a1"] = Project.objects.create(
        community=p.a1, community_path=p.a1.path, title="养老中心", state=ProjectState.IN_PROGRESS
    )
    ProjectUnit.objects.create(project=w["project_a1"], unit=p.unit_a)

    started = timezone.now() - timedelta(days=2)
    w["record_me"] = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=started,
        minutes=60,
        description="陪聊",
        community=p.a1,
        beneficiary_resident=cast.r_a,
    )
    record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=w["record_me"], score=5)
    w["rating_me"] = Rating.objects.get(record=w["record_me"])
    w["record_retired"] = record_actions.log_service_record(
        acting_user=retired,
        category=item("elderly_care"),
        started_at=started,
        minutes=60,
        description="巡逻",
        community=p.a1,
    )
    w["entry_me"] = PointEntry.objects.get(record=w["record_me"])
    w["reward_a1"] = points.add_reward(acting_user=cast.community, area=p.a1, name="毛巾", cost=5, stock=3)
    w["reward_street"] = points.add_reward(
        acting_user=cast.street, area=p.street_a, name="米", cost=5, stock=3
    )
    w["redemption_me"] = points.redeem_reward(acting_user=cast.member, reward=w["reward_a1"])
    w["entry_spent"] = w["redemption_me"].entries.get()
    return w


MODELS = {
    "needs": (Need, ["open_a1", "resident_need", "taken_other", "offered_me", "open_a2", "grid_need"]),
    "posts": (ServicePost, ["post_a1", "post_a2"]),
    "pairings": (HouseholdPairing, ["pairing_member", "pairing_unit"]),
    "resources": (Resource, ["resource_a"]),
    "projects": (Project, ["project_a1"]),
    "records": (ServiceRecord, ["record_me", "record_retired"]),
    "ratings": (Rating, ["rating_me"]),
    "entries": (PointEntry, ["entry_me", "entry_spent"]),
    "rewards": (Reward, ["reward_a1", "reward_street"]),
    "redemptions": (Redemption, ["redemption_me"]),
}

EVERYTHING = {name: set(keys) for name, (_, keys) in MODELS.items()}

EXPECTED = {
    "admin": EVERYTHING,
    "orgdept": EVERYTHING,
    "street": EVERYTHING,
    "community": {
        **EVERYTHING,
        "needs": EVERYTHING["needs"] - {"open_a2"},
        "posts": {"post_a1"},
        "rewards": {"reward_a1"},
    },
    "unit": {
        "needs": {"open_a1", "resident_need", "grid_need"},  # open needs where the unit sits
        "posts": set(),
        "pairings": {"pairing_unit"},
        "resources": {"resource_a"},
        "projects": {"project_a1"},
        "records": {"record_me"},  # its members' service
        "ratings": {"rating_me"},
        "entries": {"entry_me", "entry_spent"},
        "rewards": set(),
        "redemptions": set(),
    },
    "grid": {
        "needs": {"grid_need", "resident_need"},  # needs in the grid, whoever posted them
        "posts": set(),
        "pairings": {"pairing_member", "pairing_unit"},  # households of the grid
        "resources": set(),
        "projects": set(),
        "records": set(),
        "ratings": set(),
        "entries": set(),
        "rewards": set(),
        "redemptions": set(),
    },
    "member": {
        "needs": {"open_a1", "resident_need", "grid_need", "offered_me"},
        "posts": {"post_a1"},
        "pairings": {"pairing_member"},
        "resources": set(),
        "projects": {"project_a1"},
        "records": {"record_me"},
        "ratings": {"rating_me"},
        "entries": {"entry_me", "entry_spent"},
        "rewards": {"reward_a1", "reward_street"},  # the community's and the street's catalogue
        "redemptions": {"redemption_me"},
    },
    "resident": {
        "needs": {"resident_need"},
        "posts": set(),
        "pairings": {"pairing_member", "pairing_unit"},  # the household's own
        "resources": set(),
        "projects": {"project_a1"},
        "records": {"record_me"},  # service they received
        "ratings": {"rating_me"},
        "entries": set(),
        "rewards": set(),
        "redemptions": set(),
    },
}


def seen(world, user, name) -> set[str]:
    model, keys = MODELS[name]
    ids = {world[k].pk: k for k in keys}
    return {ids[pk] for pk in model.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)}


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_what_it_should(cast, world, role, name):
    assert seen(world, getattr(cast, role), name) == EXPECTED[role][name]


@pytest.mark.parametrize("name", list(MODELS))
@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_see_nothing_of_street_a(cast, world, role, name):
    assert seen(world, getattr(cast, role), name) == set()


def test_anonymous_sees_nothing(cast, world):
    from django.contrib.auth.models import AnonymousUser

    for name in MODELS:
        assert seen(world, AnonymousUser(), name) == set()


def test_a_member_sees_an_open_need_until_somebody_else_takes_it(cast, world):
    need = world["open_a1"]
    assert Need.objects.visible_to(cast.member).filter(pk=need.pk).exists()
    actions.take_need(acting_user=cast.m_retired.user, need=need)
    assert not Need.objects.visible_to(cast.member).filter(pk=need.pk).exists()
    # the member it was offered to keeps seeing it after declining (their history), not the board's
    offered = world["offered_me"]
    actions.decline_assignment(acting_user=cast.member, assignment=offered.assignments.get(), reason="出差")
    assert Need.objects.visible_to(cast.member).filter(pk=offered.pk).exists()


def test_a_member_who_reports_to_a2_sees_its_open_needs(cast, world):
    from checkin.actions import submit_checkin

    submit_checkin(
        acting_user=cast.member, member=cast.m_member, community=cast.places.a2, override_reason="单位共建"
    )
    assert seen(world, cast.member, "needs") == EXPECTED["member"]["needs"] | {"open_a2"}
    assert seen(world, cast.member, "posts") == {"post_a1", "post_a2"}


def test_a_resident_sees_only_their_own(cast, world):
    other = create_user(acting_user=None, username="zhou", password=None)
    grant_role(acting_user=None, user=other, role=Role.RESIDENT)
    cast.r_b.user = other
    cast.r_b.save(update_fields=["user"])
    for name in MODELS:
        assert seen(world, other, name) == set(), name


def test_an_assignment_shows_its_need_to_whoever_answers_for_it(cast, world):
    """Offered (not open) needs reach the team's members and the unit's admin through the assignment."""
    from checkin.models import Team, TeamMembership

    team = Team.objects.create(community=cast.places.a1, name="助老队")
    TeamMembership.objects.create(team=team, member=cast.m_member)
    to_team = actions.post_need(
        acting_user=cast.community, title="t", category=item("elderly_care"), community=cast.places.a1
    )
    to_unit = actions.post_need(
        acting_user=cast.community, title="u", category=item("elderly_care"), community=cast.places.a1
    )
    actions.dispatch_need(acting_user=cast.community, need=to_team, team=team)
    actions.dispatch_need(acting_user=cast.community, need=to_unit, unit=cast.places.unit_a)
    ids = [to_team.pk, to_unit.pk]

    def visible(user):
        return set(Need.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))

    assert visible(cast.member) == {to_team.pk}
    assert visible(cast.unit) == {to_unit.pk}
    assert visible(cast.m_retired.user) == set()
    for outsider in OUTSIDERS:
        assert visible(getattr(cast, outsider)) == set()
