"""The alliances' figures of an area (alliances/figures.py)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from alliances.models import MeetingKind
from alliances.tests.desk_fixtures import desk_alliance, meeting
from gongjian.figures import area_figures

pytestmark = pytest.mark.django_db

KEYS = [
    "alliances",
    "alliance_units_active",
    "alliance_agreements",
    "alliance_tasks_open",
    "alliance_tasks_overdue",
    "alliance_meetings_on_time",
]


def values(user, areas):
    return {pk: {s.key: s.value for s in shown} for pk, shown in area_figures(user, areas, KEYS).items()}


def test_the_figures_of_the_street_district_and_another_street(cast, django_assert_max_num_queries):
    a = desk_alliance(cast)
    p = cast.places
    today = timezone.localdate()
    late_start = date(today.year, 1, 1) if today.month > 3 else None
    if late_start:  # a meeting for the first quarter held after it: not on time
        meeting(a, MeetingKind.REGULAR, period_start=late_start, held_on=today - timedelta(days=1))
    with django_assert_max_num_queries(6):
        found = values(cast.orgdept, [p.street_a, p.street_b, p.district])
    street = found[p.street_a.pk]
    assert street == {
        "alliances": 1,
        "alliance_units_active": 2,
        "alliance_agreements": 2,
        "alliance_tasks_open": 2,
        "alliance_tasks_overdue": 1,
        "alliance_meetings_on_time": 1,
    }
    assert found[p.district.pk] == street
    assert set(found[p.street_b.pk].values()) == {0}
    assert set(values(cast.street2, [p.street_a])[p.street_a.pk].values()) == {0}


def test_each_figure_opens_onto_the_alliances_pages(cast):
    shown = area_figures(cast.street, [cast.places.street_a], KEYS)[cast.places.street_a.pk]
    assert all(s.url.startswith("/alliances/") for s in shown)
    assert all(
        s.url == "" for s in area_figures(cast.member, [cast.places.street_a], KEYS)[cast.places.street_a.pk]
    )
