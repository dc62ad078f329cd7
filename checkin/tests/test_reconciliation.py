"""Reconciliation (信息比对) on a fixture whose answers we know, its pages, and its exports.

The scene, on top of the cast:
    unit A (龙岩市烟草公司): 张三丰 confirmed in A1, 李四 submitted to A2
    unit B (西城商贸有限公司): 王五 certified 10 days ago in B1, 赵六 (lives in A1) not submitted
    钱七 is retired (not in service); the department 新罗区城市管理局 has no members.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from checkin import reconciliation as rec
from checkin.actions import (
    check_out,
    confirm_checkin,
    issue_certificate,
    submit_checkin,
    transfer_checkin,
)
from checkin.models import CheckIn, UnitPairing
from conftest import _id
from people.actions import MemberData, save_member


def at(day: date, hour: int = 12, minute: int = 0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def confirmed(cast, member, unit_admin="unit", community="community"):
    checkin = submit_checkin(acting_user=getattr(cast, unit_admin), member=member)
    issue_certificate(acting_user=getattr(cast, unit_admin), checkin=checkin)
    return confirm_checkin(acting_user=getattr(cast, community), checkin=checkin)


@pytest.fixture
def scene(cast):
    s = cast
    s.c_zhang = confirmed(cast, cast.m_member)
    s.c_li = submit_checkin(acting_user=cast.unit, member=cast.m_a2)
    s.c_wang = submit_checkin(acting_user=cast.unit2, member=cast.m_b)
    issue_certificate(acting_user=cast.unit2, checkin=s.c_wang)
    CheckIn.objects.filter(pk=s.c_wang.pk).update(certified_at=timezone.now() - timedelta(days=10))
    return s


def this_month():
    return rec.Period.of("month")


def add_member(cast, n, name, unit, org, area, **extra):
    return save_member(
        acting_user=None,
        data=MemberData(
            name=name,
            id_number=_id(n),
            phone=f"1380000{n:04d}",
            party_org=org,
            unit=unit,
            residence_area=area,
            in_service=True,
            **extra,
        ),
    )


# --- numbers ---------------------------------------------------------------------------------------


def test_unit_roster_statuses_communities_and_waiting_days(scene):
    p = scene.places
    rows = rec.unit_roster(p.unit_a)
    assert [(r.member.name, r.status) for r in rows] == [
        ("李四", rec.AWAITING_CERTIFICATE),
        ("张三丰", rec.CONFIRMED),
    ]
    assert rows[0].checkin.community == p.a2 and rows[0].days_waiting == 0
    assert rows[1].checkin.community == p.a1 and rows[1].days_waiting is None
    rows_b = rec.unit_roster(p.unit_b)
    assert [(r.member.name, r.status, r.days_waiting) for r in rows_b] == [
        ("赵六", rec.NOT_SUBMITTED, None),
        ("王五", rec.AWAITING_CONFIRMATION, 10),
    ]
    assert rows_b[0].checkin is None and rows_b[1].checkin.community == p.b1
    assert rec.unit_roster(p.dept_a) == []


def test_returned_checkin_waits_for_a_certificate(scene):
    from checkin.actions import return_checkin

    return_checkin(acting_user=scene.unit, checkin=scene.c_li, reason="fix the building")
    assert {r.member.name: r.status for r in rec.unit_roster(scene.places.unit_a)}[
        "李四"
    ] == rec.AWAITING_CERTIFICATE


def test_unit_summary_counts_and_rate(scene):
    p = scene.places
    a = rec.unit_summary(p.unit_a)
    assert {k: a[k] for k in rec.STATUSES} == {
        rec.NOT_SUBMITTED: 0,
        rec.AWAITING_CERTIFICATE: 1,
        rec.AWAITING_CONFIRMATION: 0,
        rec.CONFIRMED: 1,
    }
    assert a["members"] == 2 and a["rate"].value == 0.5
    b = rec.unit_summary(p.unit_b)
    assert (b[rec.NOT_SUBMITTED], b[rec.AWAITING_CONFIRMATION], b["rate"].value) == (1, 1, 0.0)
    assert rec.unit_summary(p.dept_a)["rate"].value is None
    assert rec.summarize(rec.unit_roster(p.unit_a)) == a


def test_rates_per_unit_never_divide_by_zero(scene):
    p, m = scene.places, this_month()
    assert rec.rates(units=[p.unit_a], start=m.start, end=m.end) == rec.Rate(members=2, reported=1)
    assert rec.rates(units=[p.unit_a], start=m.start, end=m.end).percent == 50.0
    assert rec.rates(units=[p.unit_b], start=m.start, end=m.end) == rec.Rate(2, 0)
    assert rec.rates(units=[p.unit_a, p.unit_b], start=m.start, end=m.end) == rec.Rate(4, 1)
    empty = rec.rates(units=[p.dept_a], start=m.start, end=m.end)
    assert empty == rec.Rate(0, 0) and empty.value is None and empty.percent is None
    with pytest.raises(ValueError):
        rec.rates(start=m.start, end=m.end)
    with pytest.raises(ValueError):
        rec.rates(units=[p.unit_a], area=p.city, start=m.start, end=m.end)


def test_rates_per_area_count_the_members_living_there(scene):
    p, m = scene.places, this_month()

    def rate(area):
        return rec.rates(area=area, start=m.start, end=m.end)

    assert rate(p.city) == rec.Rate(4, 1)  # 钱七 is retired
    assert rate(p.street_a) == rec.Rate(3, 1)  # 张三丰 and 赵六 in A1, 李四 in A2
    assert rate(p.a1) == rec.Rate(2, 1)
    assert rate(p.a2) == rec.Rate(1, 0)
    assert rate(p.street_b) == rec.Rate(1, 0)


def test_members_with_no_home_count_where_their_unit_is_paired(scene):
    p, m = scene.places, this_month()
    add_member(scene, 40, "孙无家", p.unit_b, p.org_unit_b, None)
    UnitPairing.objects.create(unit=p.unit_b, community=p.a2, started_on=date(2020, 1, 1))
    UnitPairing.objects.create(unit=p.unit_b, community=p.b1, started_on=date(2021, 1, 1))  # not the rule's
    assert rec.rates(area=p.street_a, start=m.start, end=m.end) == rec.Rate(4, 1)
    assert rec.rates(area=p.a2, start=m.start, end=m.end) == rec.Rate(2, 0)
    assert rec.rates(area=p.street_b, start=m.start, end=m.end) == rec.Rate(1, 0)
    assert rec.rates(area=p.city, start=m.start, end=m.end) == rec.Rate(5, 1)
    rows = {r.area.name: r.rate for r in rec.area_summary(p.street_a, scene.admin, period=m).children}
    assert rows == {"龙津社区": rec.Rate(2, 1), "中山社区": rec.Rate(2, 0)}


def test_a_transferred_member_counts_once(scene):
    p, m = scene.places, this_month()
    moved = transfer_checkin(
        acting_user=scene.member,
        checkin=scene.c_zhang,
        reason="moved",
        community=p.a2,
        override_reason="new flat",
    )
    issue_certificate(acting_user=scene.unit, checkin=moved)
    confirm_checkin(acting_user=scene.admin, checkin=moved)
    assert CheckIn.objects.filter(member=scene.m_member, confirmed_at__isnull=False).count() == 2
    assert rec.rates(units=[p.unit_a], start=m.start, end=m.end) == rec.Rate(2, 1)
    assert rec.rates(area=p.city, start=m.start, end=m.end) == rec.Rate(4, 1)
    assert rec.rates(area=p.street_a, start=m.start, end=m.end) == rec.Rate(3, 1)


def test_period_boundaries(scene):
    p = scene.places
    CheckIn.objects.filter(pk=scene.c_zhang.pk).update(confirmed_at=at(date(2025, 3, 31), 23, 59))

    def rate(start, end):
        return rec.rates(units=[p.unit_a], start=start, end=end).reported

    assert rate(date(2025, 3, 1), date(2025, 3, 31)) == 1  # confirmed on the last evening of March
    assert rate(date(2025, 2, 1), date(2025, 2, 28)) == 0  # not yet confirmed
    assert rate(date(2025, 6, 1), date(2025, 6, 30)) == 1  # still active later
    CheckIn.objects.filter(pk=scene.c_zhang.pk).update(confirmed_at=at(date(2025, 4, 1), 0, 0))
    assert rate(date(2025, 3, 1), date(2025, 3, 31)) == 0  # midnight belongs to April
    assert rate(date(2025, 4, 1), date(2025, 4, 1)) == 1
    check_out(acting_user=scene.unit, checkin=scene.c_zhang, reason="left")
    CheckIn.objects.filter(pk=scene.c_zhang.pk).update(closed_at=at(date(2025, 5, 1), 0, 0))
    assert rate(date(2025, 5, 1), date(2025, 5, 31)) == 1  # closed at the very start: still counted
    assert rate(date(2025, 5, 2), date(2025, 5, 31)) == 0  # closed before the period
    assert rate(date(2025, 4, 1), date(2025, 4, 30)) == 1


def test_periods():
    today = date(2025, 8, 14)
    assert rec.Period.of("month", today=today) == rec.Period("month", date(2025, 8, 1), date(2025, 8, 31))
    assert rec.Period.of("quarter", today=today) == rec.Period("quarter", date(2025, 7, 1), date(2025, 9, 30))
    assert rec.Period.of("year", today=today) == rec.Period("year", date(2025, 1, 1), date(2025, 12, 31))
    assert rec.Period.of("month", today=date(2024, 2, 10)).end == date(2024, 2, 29)
    assert rec.Period.of("quarter", today=date(2025, 12, 31)).end == date(2025, 12, 31)
    custom = rec.Period.of("custom", today=today, start=date(2025, 5, 9), end=date(2025, 5, 1))
    assert (custom.start, custom.end) == (date(2025, 5, 1), date(2025, 5, 9))
    assert rec.Period.of("custom", today=today).kind == "month"  # no dates: this month


def test_area_summary_of_the_city_and_a_street(scene):
    p = scene.places
    city = rec.area_summary(p.city, scene.admin, period=this_month())
    assert city.rate == rec.Rate(4, 1)
    assert city.counts == {rec.AWAITING_CERTIFICATE: 1, rec.AWAITING_CONFIRMATION: 1, rec.CONFIRMED: 1}
    assert (city.pending, city.oldest_pending_days) == (1, 10)
    assert [c.member.name for c in city.oldest_pending] == ["王五"]
    assert [(c.area, c.rate, c.counts[rec.CONFIRMED]) for c in city.children] == [
        (p.district, rec.Rate(4, 1), 1)
    ]
    assert [(u.name, u.checkins, u.confirmed) for u in city.top_units] == [
        ("龙岩市烟草公司", 2, 1),
        ("西城商贸有限公司", 1, 0),
    ]
    street = rec.area_summary(p.street_a, scene.street, period=this_month())
    assert street.rate == rec.Rate(3, 1) and street.pending == 0 and street.oldest_pending_days is None
    rows = {r.area.name: (r.rate, r.counts, r.oldest_pending_days) for r in street.children}
    assert rows == {
        "龙津社区": (
            rec.Rate(2, 1),
            {rec.AWAITING_CERTIFICATE: 0, rec.AWAITING_CONFIRMATION: 0, rec.CONFIRMED: 1},
            None,
        ),
        "中山社区": (
            rec.Rate(1, 0),
            {rec.AWAITING_CERTIFICATE: 1, rec.AWAITING_CONFIRMATION: 0, rec.CONFIRMED: 0},
            None,
        ),
    }
    b = rec.area_summary(p.street_b, scene.admin, period=this_month())
    assert [(r.area, r.oldest_pending_days, r.rate) for r in b.children] == [(p.b1, 10, rec.Rate(1, 0))]
    community = rec.area_summary(p.a1, scene.community, period=this_month())
    assert community.children == [] and community.rate == rec.Rate(2, 1)


def _grow(cast, start, count):
    """``count`` more in-service members of unit A living in A1, each with a confirmed check-in."""
    p = cast.places
    for n in range(start, start + count):
        member = add_member(cast, n, f"新人{n}", p.unit_a, p.org_unit_a, p.a1)
        confirmed(cast, member)


def test_query_counts_do_not_grow_with_members(scene, django_assert_num_queries):
    from accounts.scope import scope_for

    p, m = scene.places, this_month()
    scope_for(scene.admin)  # computed once per request in the app

    def measure():
        with django_assert_num_queries(2):
            rec.unit_roster(p.unit_a)
        with django_assert_num_queries(1):
            rec.unit_summary(p.unit_a)
        with django_assert_num_queries(1):
            rec.rates(area=p.city, start=m.start, end=m.end)
        rec.area_summary(p.street_a, scene.admin, period=m)  # the roll-ups recount what changed
        # four of check-ins, the children, and the roll-ups' rates: the stale marks, the sums
        with django_assert_num_queries(7):
            rec.area_summary(p.street_a, scene.admin, period=m)

    measure()
    _grow(scene, 100, 6)
    measure()
    assert rec.rates(units=[p.unit_a], start=m.start, end=m.end) == rec.Rate(8, 7)


# --- pages -----------------------------------------------------------------------------------------


def url(name, obj=None, **params):
    from urllib.parse import urlencode

    path = reverse(f"checkin:{name}", args=[obj.public_id] if obj is not None else [])
    return path + ("?" + urlencode(params) if params else "")


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("unit", ("unit", "unit_a")),
        ("inspector", ("unit", "unit_a")),
        ("unit2", ("unit", "unit_b")),
        ("community", ("area", "a1")),
        ("street", ("area", "street_a")),
        ("orgdept", ("area", "city")),
        ("admin", ("area", "city")),
    ],
)
def test_overview_sends_each_role_to_its_page(client, cast, who, target):
    cast.login(client, who)
    kind, name = target
    expected = url(f"{kind}_reconciliation", getattr(cast.places, name))
    assert client.get(url("reconciliation")).url == expected


@pytest.mark.parametrize("who", ["member", "resident", "grid", "dept", "nobody"])
def test_overview_refuses_other_roles(client, cast, who):
    cast.login(client, who)
    assert client.get(url("reconciliation")).status_code == 403


def test_overview_lets_holders_of_several_roles_choose(client, cast):
    from accounts.actions import grant_role
    from accounts.models import Role

    grant_role(acting_user=None, user=cast.unit, role=Role.COMMUNITY, area=cast.places.b1)
    cast.login(client, "unit")
    response = client.get(url("reconciliation"))
    assert response.status_code == 200
    assert url("unit_reconciliation", cast.places.unit_a) in response.content.decode()
    assert url("area_reconciliation", cast.places.b1) in response.content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("unit", 200),
        ("inspector", 200),
        ("community", 200),  # the unit is located in A1
        ("street", 200),
        ("orgdept", 200),
        ("admin", 200),
        ("unit2", 404),
        ("community2", 404),
        ("street2", 404),
        ("member", 403),
        ("dept", 403),
        ("grid", 403),
        ("nobody", 403),
    ],
)
def test_unit_page_roles_and_scope(client, scene, who, status):
    scene.login(client, who)
    assert client.get(url("unit_reconciliation", scene.places.unit_a)).status_code == status


def test_unit_page_shows_roster_rate_and_filters(client, scene):
    scene.login(client, "unit")
    body = client.get(url("unit_reconciliation", scene.places.unit_a)).content.decode()
    assert "50.0%" in body and "1 of 2 reported" in body
    assert "李四" in body and "张三丰" in body and "Awaiting certificate" in body
    assert "138****0001" in body and "13800000001" not in body
    only = client.get(url("unit_reconciliation", scene.places.unit_a, status="confirmed")).content.decode()
    assert "张三丰" in only and "李四" not in only


def test_unit_page_without_in_service_members(client, scene):
    scene.login(client, "admin")
    body = client.get(url("unit_reconciliation", scene.places.dept_a)).content.decode()
    assert "no in-service members" in body


def test_unit_page_period_selector(client, scene):
    scene.login(client, "unit")
    CheckIn.objects.filter(pk=scene.c_zhang.pk).update(confirmed_at=at(date(2025, 3, 10)))
    past = client.get(
        url("unit_reconciliation", scene.places.unit_a, period="custom", start="2025-01-01", end="2025-02-28")
    )
    assert "0.0%" in past.content.decode()
    year = client.get(url("unit_reconciliation", scene.places.unit_a, period="year"))
    assert year.status_code == 200 and "50.0%" in year.content.decode()
    broken = client.get(url("unit_reconciliation", scene.places.unit_a, period="custom", start="2025-01-01"))
    assert broken.status_code == 200 and "Give both dates" in broken.content.decode()


def test_unit_page_queries_stay_constant(client, scene, django_assert_num_queries):
    scene.login(client, "unit")
    page = url("unit_reconciliation", scene.places.unit_a)
    client.get(page)  # session and language warm-up
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        assert client.get(page).status_code == 200
    _grow(scene, 100, 6)
    with django_assert_num_queries(UNIT_PAGE_QUERIES):
        assert client.get(page).status_code == 200


# session, user, the second factor's device (django-otp), role grants, unread badge, unit, roster (2), rate
UNIT_PAGE_QUERIES = 9
AREA_PAGE_QUERIES = (
    # session, user, the second factor's device, grants, unread badge, area, summary (7), ancestors, units;
    # whom to chase (checkin/tests/test_chase.py): the area in its filter, counts, page count and rows,
    # and the rate by month; the rates from the roll-ups (docs/ROLLUPS.md): the stale marks and the
    # sums, for the summary and again for the rate by month
    21
)


@pytest.mark.parametrize(
    ("who", "area", "status"),
    [
        ("street", "street_a", 200),
        ("street", "a1", 200),
        ("orgdept", "city", 200),
        ("admin", "city", 200),
        ("community", "a1", 200),
        ("community", "street_a", 404),
        ("community", "a2", 404),
        ("street2", "street_a", 404),
        ("community2", "a1", 404),
        ("unit", "a1", 403),
        ("inspector", "a1", 403),
        ("member", "a1", 403),
        ("dept", "a1", 403),
        ("nobody", "a1", 403),
    ],
)
def test_area_page_roles_and_scope(client, scene, who, area, status):
    scene.login(client, who)
    assert client.get(url("area_reconciliation", getattr(scene.places, area))).status_code == status


def test_area_page_shows_rates_backlog_children_and_units(client, scene):
    scene.login(client, "orgdept")
    body = client.get(url("area_reconciliation", scene.places.district)).content.decode()
    assert "25.0%" in body and "1 of 4 reported" in body
    assert "oldest waiting 10 days" in body
    assert url("area_reconciliation", scene.places.street_a) in body  # drill-down rows
    assert "33.3%" in body and "0.0%" in body
    assert url("unit_reconciliation", scene.places.unit_a) in body
    assert "王五" in body


def test_area_page_queries_stay_constant(client, scene, django_assert_num_queries):
    scene.login(client, "street")
    page = url("area_reconciliation", scene.places.street_a)
    client.get(page)
    with django_assert_num_queries(AREA_PAGE_QUERIES):
        assert client.get(page).status_code == 200
    _grow(scene, 100, 6)
    client.get(page)  # the roll-ups recount the communities that changed (a fixed number of queries)
    with django_assert_num_queries(AREA_PAGE_QUERIES):
        assert client.get(page).status_code == 200


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_unit_export_is_masked_escaped_and_audited(client, scene):
    p = scene.places
    add_member(scene, 50, "=HYPERLINK(1)", p.unit_a, p.org_unit_a, p.a1)
    scene.login(client, "unit")
    rows = _sheet(client.get(url("unit_reconciliation", p.unit_a, export="xlsx")))
    assert rows[0][:3] == ["Full name", "Phone", "Status"]
    names = {r[0]: r for r in rows[1:]}
    assert set(names) == {"'=HYPERLINK(1)", "李四", "张三丰"}
    assert names["张三丰"][1] == "138****0001" and names["张三丰"][2] == "Confirmed"
    assert "13800000001" not in str(rows)
    event = AuditEvent.objects.get(action="export.reconciliation")
    assert event.actor == scene.unit and event.detail["rows"] == 3 and event.detail["scope"] == "unit"
    filtered = _sheet(client.get(url("unit_reconciliation", p.unit_a, export="xlsx", status="not_submitted")))
    assert [r[0] for r in filtered[1:]] == ["'=HYPERLINK(1)"]


def test_area_export_lists_the_checkins_masked(client, scene):
    scene.login(client, "street")
    rows = _sheet(client.get(url("area_reconciliation", scene.places.street_a, export="xlsx")))
    assert sorted(r[0] for r in rows[1:]) == ["张三丰", "李四"]
    assert "13800000001" not in str(rows) and "138****0001" in str(rows)
    assert AuditEvent.objects.filter(action="export.reconciliation", detail__scope="area").count() == 1


def test_export_outside_scope_is_missing(client, scene):
    scene.login(client, "unit2")
    assert client.get(url("unit_reconciliation", scene.places.unit_a, export="xlsx")).status_code == 404
    assert not AuditEvent.objects.filter(action="export.reconciliation").exists()
