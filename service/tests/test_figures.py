"""A unit's service figures on a small hand-built set: rate, hours, points and ratings add up."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from checkin.reconciliation import Period
from points.models import EntryKind, PointEntry
from service import figures
from service.models import (
    Project,
    ProjectState,
    ProjectUnit,
    Rating,
    RecordState,
    ServiceCategory,
    ServiceRecord,
)

pytestmark = pytest.mark.django_db

MARCH = Period.of("custom", start=date(2024, 3, 1), end=date(2024, 3, 31))


def at(day: int, month: int = 3, year: int = 2024, hour: int = 9):
    return datetime.combine(date(year, month, day), time(hour), tzinfo=timezone.get_current_timezone())


def record(cast, member, *, unit, day, minutes, state=RecordState.CONFIRMED, month=3, year=2024, score=None):
    r = ServiceRecord.objects.create(
        member=member,
        unit=unit,
        community=cast.places.a1,
        community_path=cast.places.a1.path,
        category=ServiceCategory.objects.get(code="elderly_care"),
        started_at=at(day, month, year),
        minutes=minutes,
        description="陪老人就医",
        state=state,
    )
    if score is not None:
        Rating.objects.create(record=r, score=score)
    return r


def points(member, amount, *, unit, rec=None, kind=EntryKind.SERVICE, served_on=date(2024, 3, 5)):
    return PointEntry.objects.create(
        member=member, amount=amount, kind=kind, unit=unit, record=rec, served_on=served_on
    )


@pytest.fixture
def service_set(cast):
    """Unit A: 张三丰 served twice in March (60 + 90 min, rated 5 and 4), 李四 only had records that do
    not count; 钱七, who has left unit A, served 30 minutes for it. Noise outside: last year, unit B."""
    unit_a, unit_b = cast.places.unit_a, cast.places.unit_b
    r1 = record(cast, cast.m_member, unit=unit_a, day=5, minutes=60, score=5)
    r2 = record(cast, cast.m_member, unit=unit_a, day=20, minutes=90, score=4)
    points(cast.m_member, 10, unit=unit_a, rec=r1)
    points(cast.m_member, 15, unit=unit_a, rec=r2, served_on=date(2024, 3, 20))
    bonus = points(cast.m_member, 5, unit=unit_a, rec=r2, kind=EntryKind.BONUS, served_on=date(2024, 3, 20))
    PointEntry.objects.create(
        member=cast.m_member,
        amount=-5,
        kind=EntryKind.REVERSAL,
        unit=unit_a,
        record=r2,
        reverses=bonus,
        served_on=date(2024, 3, 20),
    )
    points(cast.m_member, -8, unit=unit_a, kind=EntryKind.REDEMPTION)  # spending is not earning
    record(cast, cast.m_a2, unit=unit_a, day=6, minutes=120, state=RecordState.REJECTED, score=1)
    record(cast, cast.m_a2, unit=unit_a, day=7, minutes=45, state=RecordState.SUBMITTED)
    old = record(cast, cast.m_member, unit=unit_a, day=5, month=3, year=2023, minutes=240, score=1)
    points(cast.m_member, 40, unit=unit_a, rec=old, served_on=date(2023, 3, 5))
    r3 = record(cast, cast.m_retired, unit=unit_a, day=9, minutes=30)
    points(cast.m_retired, 3, unit=unit_a, rec=r3, served_on=date(2024, 3, 9))
    rb = record(cast, cast.m_b_home_a, unit=unit_b, day=5, minutes=600, score=2)
    points(cast.m_b_home_a, 100, unit=unit_b, rec=rb)

    def project(title, scores, unit=unit_a):
        p = Project.objects.create(
            community=cast.places.a1,
            community_path=cast.places.a1.path,
            title=title,
            state=ProjectState.COMPLETED,
        )
        ProjectUnit.objects.create(project=p, unit=unit)
        for score in scores:
            Rating.objects.create(project=p, score=score)
        return p

    return {
        "care": project("居家养老服务中心", [3, 5]),
        "library": project("社区书屋", []),
        "other": project("西城项目", [1], unit=unit_b),
    }


def test_unit_totals(cast, service_set, django_assert_num_queries):
    with django_assert_num_queries(4):
        f = figures.unit_figures(cast.places.unit_a, MARCH)
    assert f.in_service == 2  # 张三丰, 李四
    assert f.served == 1  # 张三丰 (钱七 served but is not in service with the unit)
    assert f.rate == 50.0
    assert f.records == 3
    assert f.minutes == 180
    assert f.hours == 3.0
    assert f.points == 10 + 15 + 5 - 5 + 3
    assert (f.ratings, f.rating) == (2, 4.5)
    by_title = {row.project.title: row for row in f.projects}
    assert set(by_title) == {"居家养老服务中心", "社区书屋"}
    assert (by_title["居家养老服务中心"].ratings, by_title["居家养老服务中心"].rating) == (2, 4.0)
    assert (by_title["社区书屋"].ratings, by_title["社区书屋"].rating) == (0, None)


def test_member_rows_add_up_to_the_totals(cast, service_set, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(figures.member_rows(cast.places.unit_a, MARCH))
    by_name = {row.name: row for row in rows}
    assert list(by_name) == ["张三丰", "钱七", "李四"]  # most hours first
    zs = by_name["张三丰"]
    assert (zs.n_records, zs.n_minutes, zs.n_hours, zs.n_points) == (2, 150, 2.5, 25)
    assert (zs.n_ratings, zs.avg_rating) == (2, 4.5)
    ls = by_name["李四"]
    assert (ls.n_records, ls.n_minutes, ls.n_points, ls.n_ratings, ls.avg_rating) == (0, 0, 0, 0, None)
    assert (by_name["钱七"].n_records, by_name["钱七"].n_points) == (1, 3)
    f = figures.unit_figures(cast.places.unit_a, MARCH)
    assert sum(r.n_records for r in rows) == f.records
    assert sum(r.n_minutes for r in rows) == f.minutes
    assert sum(r.n_points for r in rows) == f.points
    assert sum(r.n_ratings for r in rows) == f.ratings
    assert (
        sum(1 for r in rows if r.in_service and r.unit_id == cast.places.unit_a.pk and r.n_records)
        == f.served
    )


def test_another_period_counts_its_own_service(cast, service_set):
    march_2023 = Period.of("custom", start=date(2023, 3, 1), end=date(2023, 3, 31))
    f = figures.unit_figures(cast.places.unit_a, march_2023)
    assert (f.records, f.minutes, f.points, f.served, f.rating) == (1, 240, 40, 1, 1.0)


def test_no_in_service_members_means_no_rate(cast, service_set):
    f = figures.unit_figures(cast.places.dept_a, MARCH)
    assert (f.in_service, f.served, f.rate) == (0, 0, None)
    assert (f.records, f.minutes, f.points, f.ratings, f.rating) == (0, 0, 0, 0, None)
    assert list(figures.member_rows(cast.places.dept_a, MARCH)) == []


def test_projects_listed_are_those_the_user_may_see(cast, service_set):
    f = figures.unit_figures(cast.places.unit_a, MARCH, user=cast.community2)
    assert f.projects == []
    f = figures.unit_figures(cast.places.unit_a, MARCH, user=cast.unit)
    assert len(f.projects) == 2


def test_a_members_own_figures(cast, service_set, django_assert_num_queries):
    with django_assert_num_queries(2):
        mine = figures.member_figures(cast.m_member, MARCH)
    assert (mine.records, mine.minutes, mine.hours, mine.points, mine.ratings, mine.rating) == (
        2,
        150,
        2.5,
        25,
        2,
        4.5,
    )
