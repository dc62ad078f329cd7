"""Rankings and the reads behind the points pages: the numbers add up, redemptions never lower a
ranking, corrections do, equal points share a rank, and every ranking is one query."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from checkin.reconciliation import Period
from points import actions, queries
from points.models import EntryKind, PointEntry
from service.models import ServiceCategory
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db


def give_user(cast, member, username: str):
    """Link a cast member to a new user with the member role (the cast links only 张三丰)."""
    user = create_user(acting_user=None, username=username, password=cast.password, full_name=member.name)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    member.user = user
    member.save(update_fields=["user"])
    return user


def serve(cast, user, minutes: int, *, days_ago: int = 1, community=None, code: str = "home_repair"):
    """A member logs service in a community of street A and the street confirms it: points are booked."""
    record = record_actions.log_service_record(
        acting_user=user,
        category=ServiceCategory.objects.get(code=code),
        started_at=timezone.now() - timedelta(days=days_ago, hours=2),
        minutes=minutes,
        description="帮忙",
        community=community or cast.places.a1,
    )
    record_actions.confirm_as_organiser(acting_user=cast.street, record=record, note="核实")
    return record


def month():
    return Period.of("month").bounds()


@pytest.fixture
def scene(cast):
    """张三丰 90 min (15 points) + 60 min (10); 赵六 120 min (20), both in A1; 李四 60 min (10) in A2."""
    cast.u_zhao = give_user(cast, cast.m_b_home_a, "zhao")
    cast.u_li = give_user(cast, cast.m_a2, "li")
    serve(cast, cast.member, 90, days_ago=1)
    serve(cast, cast.member, 60, days_ago=2)
    serve(cast, cast.u_zhao, 120, days_ago=1)
    record_li = record_actions.log_service_record(
        acting_user=cast.u_li,
        category=ServiceCategory.objects.get(code="home_repair"),
        started_at=timezone.now() - timedelta(days=1, hours=2),
        minutes=60,
        description="帮忙",
        community=cast.places.a2,
    )
    record_actions.confirm_as_organiser(acting_user=cast.street, record=record_li, note="核实")
    return cast


def test_ranking_adds_up_and_is_one_query(scene, django_assert_num_queries):
    a1 = PointEntry.objects.filter(community=scene.places.a1)
    start, end = month()
    with django_assert_num_queries(1):
        rows = queries.ranking(a1, start, end)
    assert [(r.rank, r.name, r.points, r.minutes) for r in rows] == [
        (1, "张三丰", 25, 150),
        (2, "赵六", 20, 120),
    ]
    assert sum(r.points for r in rows) == a1.in_period(start, end).balance()
    assert rows[0].hours == 2.5


def test_redemptions_do_not_lower_a_ranking_but_corrections_do(scene):
    from points.models import Reward

    reward = actions.add_reward(
        acting_user=scene.community, area=scene.places.a1, name="毛巾", cost=20, stock=5
    )
    redemption = actions.redeem_reward(acting_user=scene.member, reward=reward)
    actions.cancel_redemption(acting_user=scene.member, redemption=redemption)
    actions.redeem_reward(acting_user=scene.member, reward=Reward.objects.get(pk=reward.pk))
    assert actions.balance_of(scene.m_member) == 5
    a1 = PointEntry.objects.filter(community=scene.places.a1)
    rows = queries.ranking(a1, *month())
    assert rows[0].name == "张三丰" and rows[0].points == 25

    service = PointEntry.objects.filter(member=scene.m_member, kind=EntryKind.SERVICE).first()
    actions.reverse_entry(acting_user=scene.community, entry=service, reason="重复登记")
    rows = queries.ranking(a1, *month())
    assert [(r.rank, r.name) for r in rows] == [(1, "赵六"), (2, "张三丰")]
    mine = next(r for r in rows if r.name == "张三丰")
    assert mine.points == 25 - service.amount
    assert mine.minutes == 150 - service.minutes
    # the ranking still equals the sum of the earning entries, redemptions left out
    earned = queries.earning(a1).in_period(*month())
    assert sum(r.points for r in rows) == earned.balance()
    assert not earned.filter(kind=EntryKind.REDEMPTION).exists()


def test_equal_points_share_a_rank():
    rows = [
        {
            "member_id": i,
            "member__public_id": i,
            "member__name": n,
            "member__unit__name": None,
            "points": p,
            "time_minutes": 0,
        }
        for i, (n, p) in enumerate([("甲", 30), ("乙", 20), ("丙", 20), ("丁", 5)])
    ]
    assert [r.rank for r in queries.ranked(rows)] == [1, 2, 2, 4]


def test_a_period_without_entries_is_empty(scene):
    last_year = Period.of(
        "custom",
        start=timezone.localdate().replace(year=2020, month=1, day=1),
        end=timezone.localdate().replace(year=2020, month=12, day=31),
    )
    assert queries.ranking(PointEntry.objects.all(), *last_year.bounds()) == []


def test_limit_keeps_the_best(scene):
    rows = queries.ranking(PointEntry.objects.all(), *month(), limit=2)
    assert [r.name for r in rows] == ["张三丰", "赵六"]


def test_totals_and_rank_of(scene):
    entries = PointEntry.objects.all()
    assert queries.ranking_totals(entries, *month()) == {"members": 3, "points": 55, "hours": 5.5}
    li = queries.rank_of(entries, *month(), scene.m_a2.pk)
    assert (li.rank, li.points) == (3, 10)
    assert queries.rank_of(entries, *month(), scene.m_b.pk) is None


def test_my_ranks_in_one_query(scene, django_assert_num_queries):
    year_start = Period.of("year").bounds()[0]
    with django_assert_num_queries(1):
        ranks = queries.my_ranks(
            member_id=scene.m_b_home_a.pk,
            community_ids=[scene.places.a1.pk, scene.places.a2.pk],
            month=month(),
            year_start=year_start,
        )
    a1, a2 = ranks
    assert (a1.community_name, a1.month_rank, a1.month_points, a1.year_rank, a1.ranked_members) == (
        "龙津社区",
        2,
        20,
        2,
        2,
    )
    assert a2.month_rank is None and a2.year_points == 0


def test_rankable_entries_follow_the_scope(scene):
    def members(user):
        return set(queries.rankable_entries(user).values_list("member__name", flat=True))

    # a member sees the board of the community they live in (names and points), not another's
    assert members(scene.member) == {"张三丰", "赵六"}
    assert members(scene.community) == {"张三丰", "赵六"}
    assert members(scene.street) == {"张三丰", "赵六", "李四"}
    assert members(scene.unit) == {"张三丰", "李四"}  # unit A's members, wherever they served
    assert members(scene.community2) == set()
    assert members(scene.unit2) == {"赵六"}


def test_choices_of_communities_units_and_catalogues(cast):
    p = cast.places
    assert set(queries.ranking_communities(cast.street)) == {p.a1, p.a2}
    assert set(queries.ranking_communities(cast.member)) == {p.a1}
    assert set(queries.ranking_communities(cast.unit)) == set()
    assert set(queries.ranking_units(cast.inspector)) == {p.unit_a}
    assert set(queries.catalogue_areas(cast.street)) == {p.street_a, p.a1, p.a2}
    assert set(queries.catalogue_areas(cast.community)) == {p.a1}
    assert set(queries.catalogue_areas(cast.member)) == set()
