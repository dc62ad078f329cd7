"""Meeting compliance on a known fixture, answers computed by hand (alliances/compliance.py).

A street alliance founded 2025-02-15, looked at on 2026-05-10. It owes a plenary (yearly), regular joint
meetings (quarterly) and the street committee's meeting (quarterly). The plenary's 2025 began before the
founding and is not owed: one yearly period (2026, current). Quarterly: 2025-04, 07, 10, 2026-01, 04."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from alliances import compliance
from alliances.models import AllianceKind, Invitation, Meeting, MeetingKind, MeetingState
from alliances.tests.fixtures import street_alliance
from places.models import AreaLevel

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 10)


def at(day):
    return timezone.make_aware(datetime.combine(day, time(9)))


def held(a, kind, period_start, day, *, state=MeetingState.HELD, invited=(), **host):
    m = Meeting.objects.create(
        kind=kind,
        alliance=host.get("alliance", a.alliance if a else None),
        party_org=host.get("party_org"),
        area=host.get("area", a.alliance.area if a else None),
        area_path=host.get("area", a.alliance.area if a else None).path,
        title="会议",
        place="会议室",
        starts_at=at(day),
        ends_at=at(day).replace(hour=11),
        period_start=period_start,
        state=state,
    )
    for n, how in enumerate(invited):
        user = User.objects.create(username=f"{m.pk}-{n}")
        Invitation.objects.create(
            meeting=m,
            user=user,
            name=user.username,
            signed_in_at=at(day) if how == "in" else None,
            excused="请假" if how == "excused" else "",
        )
    return m


@pytest.fixture
def known(cast):
    a = street_alliance(cast)
    a.alliance.founded_on = date(2025, 2, 15)
    a.alliance.save()
    R = MeetingKind.REGULAR
    held(a, R, date(2025, 4, 1), date(2025, 5, 10), invited=("in", "in", "in", "excused"))  # on time
    held(a, R, date(2025, 7, 1), date(2025, 10, 15), invited=("in", "out"))  # late
    held(a, R, date(2025, 10, 1), date(2025, 11, 1), state=MeetingState.CANCELLED, invited=("out",))  # missed
    held(a, R, date(2026, 1, 1), date(2026, 3, 31))  # on time, on the last day
    held(a, R, date(2026, 4, 1), date(2026, 5, 20), state=MeetingState.PLANNED)  # due
    held(a, MeetingKind.PLENARY, date(2026, 1, 1), date(2026, 2, 1))  # on time
    held(a, MeetingKind.EMERGENCY, date(2025, 8, 1), date(2025, 8, 3))  # never required
    return a


def statuses(row):
    return [(p.start, p.status) for p in row.periods]


def test_a_street_alliance_owes_plenary_regular_and_street_meetings(cast):
    a = street_alliance(cast)
    assert compliance.required_kinds(a.alliance) == ["plenary", "regular", "street"]
    a.alliance.kind = AllianceKind.COMMUNITY
    a.alliance.area = cast.places.a1
    assert a.alliance.area.level == AreaLevel.COMMUNITY
    assert compliance.required_kinds(a.alliance) == ["plenary", "regular", "community"]


def test_each_period_on_time_late_missed_or_due(known):
    found = compliance.for_alliance(known.alliance, today=TODAY)
    plenary, regular, street = found.rows
    assert statuses(plenary) == [(date(2026, 1, 1), "on_time")]
    assert statuses(regular) == [
        (date(2025, 4, 1), "on_time"),
        (date(2025, 7, 1), "late"),
        (date(2025, 10, 1), "missed"),
        (date(2026, 1, 1), "on_time"),
        (date(2026, 4, 1), "due"),
    ]
    assert regular.periods[1].held_on == date(2025, 10, 15)
    assert [s for _, s in statuses(street)] == ["missed"] * 4 + ["due"]
    assert found.counts == {"on_time": 3, "late": 1, "missed": 5, "due": 2}
    assert len(found.missed) == 5


def test_attendance_of_held_meetings_with_the_excused_apart(known):
    found = compliance.for_alliance(known.alliance, today=TODAY)
    plenary, regular, _street = found.rows
    assert (regular.attendance.invited, regular.attendance.signed_in, regular.attendance.excused) == (6, 4, 1)
    assert regular.attendance.percent == 67
    assert plenary.attendance.percent is None
    assert found.attendance.invited == 6


def test_one_year(known):
    found = compliance.for_alliance(known.alliance, year=2025, today=TODAY)
    plenary, regular, _street = found.rows
    assert plenary.periods == []
    assert [s for _, s in statuses(regular)] == ["on_time", "late", "missed"]


def test_the_rule_alone():
    periods = compliance.assess(
        MeetingKind.COMMUNITY,
        date(2026, 1, 1),
        date(2026, 3, 15),
        [(date(2026, 1, 1), date(2026, 2, 3)), (date(2026, 1, 1), date(2026, 1, 20))],
    )
    assert [(p.start, p.status, p.held_on) for p in periods] == [
        (date(2026, 1, 1), "on_time", date(2026, 1, 20)),
        (date(2026, 2, 1), "missed", None),
        (date(2026, 3, 1), "due", None),
    ]
    assert compliance.assess(MeetingKind.EMERGENCY, date(2026, 1, 1), date(2026, 3, 15), []) == []


def test_a_party_orgs_three_meetings_and_a_lecture(cast):
    org = cast.places.org_unit_a
    host = {"alliance": None, "party_org": org, "area": cast.places.a1}
    held(None, MeetingKind.BRANCH_COMMITTEE, date(2026, 4, 1), date(2026, 4, 9), **host)
    held(None, MeetingKind.PARTY_LECTURE, date(2026, 1, 1), date(2026, 4, 2), **host)
    found = compliance.for_party_org(cast.street, org, since=date(2026, 3, 1), today=TODAY)
    rows = {row.kind: [s for _, s in statuses(row)] for row in found.rows}
    assert rows["branch_committee"] == ["missed", "on_time", "due"]
    assert rows["party_lecture"] == ["due"]  # the lecture answered Q1, which began before March
    assert rows["branch_assembly"] == ["due"]
    assert (
        compliance.for_party_org(cast.street2, org, since=date(2026, 3, 1), today=TODAY).counts["on_time"]
        == 0
    )


def test_two_queries_for_many_alliances(known, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        compliance.for_alliances([known.alliance], today=TODAY)


def test_the_compliance_page(client, cast, known):
    cast.login(client, "street")
    body = client.get(
        f"{reverse('alliances:compliance')}?alliance={known.alliance.public_id}"
    ).content.decode()
    assert 'data-kind="regular"' in body and 'data-status="missed"' in body
    assert "gj-compliance-chart" in body
    assert reverse("jobs:export_start", args=["alliance_compliance"]) in body
    summary = client.get(reverse("alliances:compliance")).content.decode()
    assert f'data-alliance="{known.alliance.public_id}"' in summary
    assert client.get(f"{reverse('alliances:compliance')}?year=abc").status_code == 200
    cast.login(client, "street2")
    assert (
        client.get(f"{reverse('alliances:compliance')}?alliance={known.alliance.public_id}").status_code
        == 404
    )
    assert (
        f'data-alliance="{known.alliance.public_id}"'
        not in client.get(reverse("alliances:compliance")).content.decode()
    )
