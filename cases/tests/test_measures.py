"""The figures on a known fixture: cases made through the actions under a frozen clock in November 2026
(no holiday in it), counted by hand, compared with cases.measures; zero denominators; the figures page
and its drill-down never reaching outside the viewer's scope; its query count.

    A  reported 2 Nov, dispatched to the department, accepted 3 Nov (in time), resolved 4 Nov, satisfied
    B  reported 2 Nov, dispatched, accepted 5 Nov (late), resolved 9 Nov (late), unsatisfied: reopened to
       the department, due 13 Nov; resolved 10 Nov (in time), basically satisfied
    C  reported 2 Nov, settled by the community on 3 Nov, not rated
    D  reported 2 Nov, dispatched to the member unit, returned; dispatched to the department 3 Nov, never
       accepted: overdue
    E  reported 20 Oct, settled late on 2 Nov, rated satisfied on 3 Nov
    F  reported 20 Nov, due 25 Nov (the end of the day), still open
    G  street B, reported 2 Nov
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import actions, measures
from cases.actions import report_case
from cases.tests.fixtures import category, grid_case

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = measures.period_of("month", dt.date(2026, 11, 15))
AFTER = dt.datetime(2026, 12, 1, 10, 0, tzinfo=SH)


def at(month, day, hour=9):
    return time_machine.travel(dt.datetime(2026, month, day, hour, 0, tzinfo=SH), tick=False)


def build(cast):
    p = cast.places
    c = {}
    with at(11, 2):
        for name in "ABCD":
            c[name] = grid_case(cast, title=name)
        c["G"] = report_case(acting_user=cast.grid2, title="G", category=category(), building=p.building_b1)
    with at(11, 2, 10):
        [a] = actions.dispatch_case(acting_user=cast.street, case=c["A"], lead=p.dept_a)
        [b] = actions.dispatch_case(acting_user=cast.street, case=c["B"], lead=p.dept_a)
        [d1] = actions.dispatch_case(acting_user=cast.street, case=c["D"], lead=p.unit_a)
    with at(11, 2, 15):
        actions.return_dispatch(acting_user=cast.unit, dispatch=d1, reason="不归我们")
    with at(11, 3):
        actions.accept_dispatch(acting_user=cast.dept, dispatch=a)
        actions.resolve_case(acting_user=cast.community, case=c["C"], result="社区已清理")
        actions.dispatch_case(acting_user=cast.street, case=c["D"], lead=p.dept_a)
    with at(11, 4):
        actions.resolve_case(acting_user=cast.dept, case=c["A"], result="已清理")
    with at(11, 5):
        actions.rate_case(acting_user=cast.grid, case=c["A"], rating="satisfied")
        actions.accept_dispatch(acting_user=cast.dept, dispatch=b)
    with at(11, 9):
        actions.resolve_case(acting_user=cast.dept, case=c["B"], result="已清理")
    with at(11, 9, 10):
        actions.rate_case(acting_user=cast.grid, case=c["B"], rating="unsatisfied", comment="还在")
    with at(11, 10):
        actions.resolve_case(acting_user=cast.dept, case=c["B"], result="再次清理")
    with at(11, 10, 11):
        actions.rate_case(acting_user=cast.grid, case=c["B"], rating="basic")
    with at(10, 20):
        c["E"] = grid_case(cast, title="E")
    with at(11, 2, 11):
        actions.resolve_case(acting_user=cast.community, case=c["E"], result="补办")
    with at(11, 3, 11):
        actions.rate_case(acting_user=cast.grid, case=c["E"], rating="satisfied")
    with at(11, 20):
        c["F"] = grid_case(cast, title="F")
    for case in c.values():
        case.refresh_from_db()
    return c


def _titles(queryset):
    return sorted(case.title for case in queryset)


def test_the_known_fixture_counted_by_hand(cast):
    c = build(cast)
    assert c["F"].due_at == dt.datetime(2026, 11, 26, tzinfo=SH)
    assert c["B"].completed_on_time is True and c["B"].reopen_count == 1
    with time_machine.travel(AFTER, tick=False):
        total = measures.figures(cast.street, "street", NOVEMBER).total
        assert total.counts == {
            "received": 5,  # A B C D F
            "accept_due": 4,  # A, B, D's first (returned) and second (never accepted)
            "accepted_on_time": 1,  # A
            "due": 5,  # A B C D F
            "completed_on_time": 3,  # A B C
            "rated": 3,  # A B E
            "satisfied": 3,
            "reopened": 1,  # B
        }
        assert total.accepted_on_time_rate.rate == 25.0
        assert total.on_time_rate.rate == 60.0
        assert total.satisfaction_rate.rate == 100.0

        departments = measures.figures(cast.street, "department", NOVEMBER)
        [dept] = departments.rows
        assert dept.of == cast.places.dept_a
        assert dept.counts == {
            "received": 3,  # A B D
            "accept_due": 3,
            "accepted_on_time": 1,
            "due": 3,  # A B (lead, done) and D (awaiting, past its deadline)
            "completed_on_time": 2,
            "rated": 2,
            "satisfied": 2,
            "reopened": 1,
        }
        assert dept.on_time_rate.rate == 66.7 and dept.accepted_on_time_rate.rate == 33.3

        [unit] = measures.figures(cast.street, "unit", NOVEMBER).rows
        assert unit.of == cast.places.unit_a
        assert unit.counts["received"] == 1 and unit.counts["accept_due"] == 1
        assert unit.accepted_on_time_rate.rate == 0.0  # a real zero: one due, none in time
        assert unit.on_time_rate.rate is None and unit.on_time_rate.why_none  # its return: nothing due
        assert unit.satisfaction_rate.rate is None

        [piles] = measures.figures(cast.street, "category", NOVEMBER).rows
        assert piles.of == category() and piles.counts == total.counts
        [grid] = measures.figures(cast.street, "grid", NOVEMBER).rows
        assert grid.of == cast.places.grid_a3 and grid.counts["received"] == 5


def test_as_of_now_a_deadline_not_yet_come_is_not_counted(cast):
    build(cast)
    with time_machine.travel(dt.datetime(2026, 11, 21, 12, tzinfo=SH), tick=False):
        total = measures.figures(cast.street, "street", NOVEMBER).total
    assert total.counts["due"] == 4  # F is due on the 25th
    assert total.counts["completed_on_time"] == 3


def test_zero_denominators_are_none_with_a_reason(client, cast):
    build(cast)
    january = measures.period_of("month", dt.date(2027, 1, 1))
    with time_machine.travel(AFTER, tick=False):
        found = measures.figures(cast.street, "department", january)
        assert found.rows == [] and not any(found.total.counts.values())
        for name, *_ in measures.RATES:
            ratio = found.total.ratio(name)
            assert ratio.rate is None and str(ratio.why_none)
        cast.login(client, "street")
        page = client.get(reverse("cases:figures"), {"on": "2027-01", "by": "street"})
        html = page.content.decode()
        assert page.status_code == 200 and "—" in html and "0%" not in html and "0.0%" not in html


def test_scope_of_the_figures_and_of_every_drill_down(client, cast):
    c = build(cast)
    with time_machine.travel(AFTER, tick=False):
        assert measures.figures(cast.street2, "street", NOVEMBER).total.counts["received"] == 1  # G only
        assert measures.figures(cast.orgdept, "street", NOVEMBER).total.counts["received"] == 6
        # the department: its own cases and its own dispatches
        assert measures.figures(cast.dept, "street", NOVEMBER).total.counts["received"] == 3
        assert [r.of for r in measures.figures(cast.dept, "department", NOVEMBER).rows] == [
            cast.places.dept_a
        ]
        assert measures.figures(cast.dept, "unit", NOVEMBER).rows == []
        assert measures.figures(cast.unit, "unit", NOVEMBER).rows[0].counts["received"] == 1
        assert measures.figures(cast.unit, "department", NOVEMBER).rows == []

        assert _titles(measures.cases_for(cast.street, "due", NOVEMBER)) == ["A", "B", "C", "D", "F"]
        assert _titles(measures.cases_for(cast.street, "accept_due", NOVEMBER, unit=cast.places.dept_a)) == [
            "A",
            "B",
            "D",
        ]
        assert _titles(measures.cases_for(cast.street, "reopened", NOVEMBER, unit=cast.places.dept_a)) == [
            "B"
        ]
        assert _titles(measures.cases_for(cast.street2, "due", NOVEMBER)) == ["G"]  # its own only

        listed = reverse("cases:case_list")
        query = {"figure": "due", "period": "month", "on": "2026-11"}
        for who, expected in (("street", 5), ("street2", 1), ("dept", 3), ("grid", 5), ("community", 5)):
            cast.login(client, who)
            page = client.get(listed, query)
            assert page.status_code == 200 and len(page.context["pager"]["page"]) == expected, who
        cast.login(client, "street2")
        # street B asking for street A's unit figures still sees nothing of street A
        page = client.get(listed, {**query, "figure": "received", "unit": cast.places.dept_a.public_id})
        assert len(page.context["pager"]["page"]) == 0
        cast.login(client, "dept")
        page = client.get(
            listed, {**query, "figure": "completed_on_time", "unit": cast.places.dept_a.public_id}
        )
        assert _titles(page.context["pager"]["page"]) == ["A", "B"]
    assert c["G"].street == cast.places.street_b


def test_the_figures_page_links_each_count_to_its_cases(client, cast):
    build(cast)
    with time_machine.travel(AFTER, tick=False):
        cast.login(client, "street")
        page = client.get(reverse("cases:figures"), {"on": "2026-11"})
        assert page.status_code == 200 and page.context["by"] == "department"
        [row] = page.context["rows"]
        count, url = row["counts"]["received"]
        assert count == 3 and "figure=received" in url and str(cast.places.dept_a.public_id) in url
        assert len(client.get(url).context["pager"]["page"]) == 3
        assert page.context["chart"]["labels"] == [cast.places.dept_a.name]
        assert page.context["chart"]["series"][0]["data"] == [66.7]
        html = page.content.decode()
        assert 'data-gj-chart="gj-ontime-chart"' in html and "66.7%" in html
        for by in measures.DIMENSIONS:
            assert client.get(reverse("cases:figures"), {"by": by, "on": "2026-11"}).status_code == 200
        for bad in ({"by": "x", "period": "y", "on": "zz"}, {"on": "2026-99"}, {"on": "\x00"}):
            assert client.get(reverse("cases:figures"), bad).status_code == 200
        for who, status in (("street", 200), ("dept", 200), ("unit", 200), ("grid", 200), ("resident", 403)):
            cast.login(client, who)
            assert client.get(reverse("cases:figures")).status_code == status, who


@pytest.mark.parametrize("by", ["department", "street", "community", "category"])
def test_the_figures_page_queries_do_not_grow(client, cast, django_assert_max_num_queries, by):
    build(cast)
    with time_machine.travel(AFTER, tick=False):
        cast.login(client, "street")
        client.get(reverse("cases:figures"))
        with django_assert_max_num_queries(14) as few:
            assert client.get(reverse("cases:figures"), {"by": by, "on": "2026-11"}).status_code == 200
    with at(11, 12):
        for i in range(6):
            case = grid_case(cast, title=f"更多{i}", category=category("garbage" if i % 2 else "noise"))
            actions.dispatch_case(
                acting_user=cast.street, case=case, lead=cast.places.dept_a if i % 2 else cast.places.unit_a
            )
    with time_machine.travel(AFTER, tick=False):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert client.get(reverse("cases:figures"), {"by": by, "on": "2026-11"}).status_code == 200


def test_area_figures_for_the_homes(cast):
    from gongjian.figures import area_figures

    build(cast)
    with time_machine.travel(AFTER, tick=False):
        shown = area_figures(
            cast.street,
            [cast.places.street_a, cast.places.a1, cast.places.a2],
            ("cases_open", "cases_overdue", "cases_on_time"),
            on=dt.date(2026, 11, 15),
        )
    street = {f.key: f.value for f in shown[cast.places.street_a.pk]}
    assert street == {"cases_open": 2, "cases_overdue": 2, "cases_on_time": 60.0}  # D and F open and late
    assert {f.key: f.value for f in shown[cast.places.a2.pk]} == {
        "cases_open": 0,
        "cases_overdue": 0,
        "cases_on_time": None,
    }
    assert "figure=due" in shown[cast.places.a1.pk][2].url
