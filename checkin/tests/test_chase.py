"""Whom to chase (信息比对, issue 9 item 3): an area's in-service members who should report there and
have not, on the area's reconciliation page, in its Excel export and in the API — the same rows.

The scene, on top of the cast (A1 = 龙津社区, A2 = 中山社区, both in street A; unit A = 龙岩市烟草公司,
contact 林主任; unit B = 西城商贸有限公司, contact 黄经理; unit B is paired with A1):

    counted in A1 (area_members, 7)        its check-in                         reported this month?
    张三丰  lives A1, unit A                 confirmed in A1                      yes
    冯五    lives A1, unit A                 confirmed in A2 (override)           yes (counts wherever)
    赵六    lives A1, unit B                 none                                 no: not submitted
    孙一    lives A1, unit A                 submitted to A1                      no: awaiting certificate
    吴三    lives A1, unit B                 returned by the unit                 no: awaiting certificate
    周二    lives A1, unit A                 certified 5 days ago                 no: awaiting confirmation
    郑四    no home, unit B (paired with A1) none                                 no: not submitted
    counted in A2: 李四 (unit A, submitted to A2), 何七 (unit A, certified into A1 by override)
    counted in B1: 王五 (unit B, none); 钱七 is retired (not in service)

So A1's rate is 2 of 7 and five members are to chase. The community (A1) cannot open 郑四 (no home,
and his unit is located in B1), so it sees four and a note that one more is outside its scope.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from checkin import chase
from checkin import reconciliation as rec
from checkin.actions import confirm_checkin, issue_certificate, return_checkin, submit_checkin
from checkin.exports import SPECS
from checkin.models import CheckIn, UnitPairing
from checkin.tests.test_reconciliation import add_member
from jobs.exports import get_spec
from orgs.models import Unit
from people.models import Member
from rollups.counting import mark_changed

EXPORT = "checkin_unreported"
NOT_SUBMITTED, CERTIFICATE, CONFIRMATION = (
    rec.NOT_SUBMITTED,
    rec.AWAITING_CERTIFICATE,
    rec.AWAITING_CONFIRMATION,
)


def add(n, name, unit, org, area):
    return add_member(None, n, name, unit, org, area)


def stage(cast):
    """The scene of the module docstring, on a cast (also used by the browser test, on its own cast)."""
    s, p = cast, cast.places
    Unit.objects.filter(pk=p.unit_a.pk).update(contact_name="林主任")
    Unit.objects.filter(pk=p.unit_b.pk).update(contact_name="黄经理")
    zhang = submit_checkin(acting_user=s.unit, member=s.m_member)
    issue_certificate(acting_user=s.unit, checkin=zhang)
    confirm_checkin(acting_user=s.community, checkin=zhang)
    s.feng = add(60, "冯五", p.unit_a, p.org_unit_a, p.a1)
    feng = submit_checkin(acting_user=s.unit, member=s.feng, community=p.a2, override_reason="works nearby")
    issue_certificate(acting_user=s.unit, checkin=feng)
    confirm_checkin(acting_user=s.admin, checkin=feng)
    s.sun = add(61, "孙一", p.unit_a, p.org_unit_a, p.a1)
    submit_checkin(acting_user=s.unit, member=s.sun)
    s.zhou = add(62, "周二", p.unit_a, p.org_unit_a, p.a1)
    zhou = submit_checkin(acting_user=s.unit, member=s.zhou)
    issue_certificate(acting_user=s.unit, checkin=zhou)
    CheckIn.objects.filter(pk=zhou.pk).update(certified_at=timezone.now() - timedelta(days=5))
    s.wu = add(63, "吴三", p.unit_b, p.org_unit_b, p.a1)
    return_checkin(
        acting_user=s.unit2, checkin=submit_checkin(acting_user=s.unit2, member=s.wu), reason="wrong building"
    )
    s.zheng = add(64, "郑四", p.unit_b, p.org_unit_b, None)
    UnitPairing.objects.create(unit=p.unit_b, community=p.a1, started_on=date(2020, 1, 1))
    submit_checkin(acting_user=s.unit, member=s.m_a2)
    s.he = add(65, "何七", p.unit_a, p.org_unit_a, p.a2)
    he = submit_checkin(acting_user=s.unit, member=s.he, community=p.a1, override_reason="parents live there")
    issue_certificate(acting_user=s.unit, checkin=he)
    return s


@pytest.fixture
def scene(cast):
    return stage(cast)


def month():
    return rec.Period.of("month")


def statuses(rows) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in rows:
        found.setdefault(row.checkin_status, set()).add(row.name)
    return found


# --- the rows ----------------------------------------------------------------------------------------


def test_the_list_is_the_rates_denominator_less_those_who_reported(scene):
    p = scene.places
    rows = list(chase.unreported(p.a1, period=month()))
    assert rec.rates(area=p.a1, start=month().start, end=month().end) == rec.Rate(7, 2)
    assert statuses(rows) == {
        NOT_SUBMITTED: {"赵六", "郑四"},
        CERTIFICATE: {"孙一", "吴三"},
        CONFIRMATION: {"周二"},
    }
    # not submitted first, then awaiting a certificate, then awaiting confirmation
    assert [r.checkin_status for r in rows] == [NOT_SUBMITTED] * 2 + [CERTIFICATE] * 2 + [CONFIRMATION]
    by_name = {r.name: r for r in rows}
    assert by_name["周二"].checked_in_to == "龙津社区"
    assert chase.days_waiting(by_name["周二"].waiting_since, timezone.localdate()) == 5
    assert by_name["孙一"].waiting_since is not None and by_name["赵六"].waiting_since is None
    assert by_name["赵六"].checked_in_to is None and by_name["赵六"].unit.contact_name == "黄经理"
    assert by_name["郑四"].answers_to == "龙津社区"  # no home: counted where his unit is paired
    assert by_name["孙一"].answers_to == "龙津社区" and by_name["孙一"].unit.contact_name == "林主任"
    a2 = statuses(chase.unreported(p.a2, period=month()))
    assert a2 == {CERTIFICATE: {"李四"}, CONFIRMATION: {"何七"}}
    assert len(chase.unreported(p.city, period=month())) == 8  # and 王五 in B1


def test_the_list_is_cut_to_what_the_viewer_may_see(scene):
    p = scene.places
    seen = chase.unreported(p.a1, period=month(), members=Member.objects.visible_to(scene.community))
    assert {r.name for r in seen} == {"赵六", "孙一", "吴三", "周二"}  # not 郑四
    # B1's community sees unit B's members (the unit is located there), and no one else of A1
    other = chase.unreported(p.a1, period=month(), members=Member.objects.visible_to(scene.community2))
    assert {r.name for r in other} == {"赵六", "郑四", "吴三"}


def test_a_past_period_lists_who_was_confirmed_only_later(scene):
    p = scene.places
    march = rec.Period("custom", date(2025, 3, 1), date(2025, 3, 31))
    rows = statuses(chase.unreported(p.a1, period=march))
    assert rows[rec.CONFIRMED] == {"张三丰", "冯五"}  # confirmed now, after that period's end
    assert sum(map(len, rows.values())) == rec.rates(area=p.a1, start=march.start, end=march.end).members


def test_the_rate_by_month_is_rates_month_by_month_in_one_query(scene, django_assert_num_queries):
    p = scene.places
    CheckIn.objects.filter(member=scene.m_member).update(confirmed_at=timezone.now() - timedelta(days=70))
    mark_changed([scene.m_member.residence_path])  # written behind the actions' back: the roll-ups are told
    months = chase.last_months(timezone.localdate(), 6)
    assert len(months) == 6 and months[-1] == month() and months[0].start < months[-1].start
    chase.monthly_rates(p.a1, months)  # the roll-ups count each month once
    with django_assert_num_queries(2):  # the stale marks, the sums (docs/ROLLUPS.md)
        found = chase.monthly_rates(p.a1, months)
    assert found == [rec.rates(area=p.a1, start=m.start, end=m.end) for m in months]
    assert found[-1] == rec.Rate(7, 2) and found[0].reported == 0
    assert chase.monthly_rates(p.a1, []) == []


# --- page, export and API agree -------------------------------------------------------------------


def page_url(place, **params):
    path = reverse("checkin:area_reconciliation", args=[place.public_id])
    return path + ("?" + urlencode(params) if params else "")


def export_url(place, **params):
    return reverse("jobs:export_start", args=[EXPORT]) + "?" + urlencode({"area": place.public_id, **params})


def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    return [[cell.value for cell in row] for row in ws.iter_rows()]


@pytest.mark.parametrize(
    ("who", "area", "params", "expected"),
    [
        ("admin", "a1", {}, 5),
        ("community", "a1", {}, 4),
        ("community", "a1", {"status": CERTIFICATE}, 2),
        ("community", "a1", {"q": "孙"}, 1),
        ("street", "street_a", {}, 6),  # A1's four and A2's 李四 and 何七
        ("orgdept", "city", {}, 8),
        ("admin", "a1", {"period": "custom", "start": "2025-03-01", "end": "2025-03-31"}, 7),
    ],
)
def test_page_count_export_rows_and_api_count_agree(client, scene, api_get, who, area, params, expected):
    area = getattr(scene.places, area)
    scene.login(client, who)
    response = client.get(page_url(area, **params))
    assert response.status_code == 200
    shown = response.context["chase_pager"]["page"].paginator.count
    rows = sheet(client.get(export_url(area, **params)))[1:]
    api = api_get(who, "reconciliation/unreported", area=area.public_id, **params).json()
    assert shown == len(rows) == api["count"] == expected
    assert [r[0] for r in rows] == [item["member"]["name"] for item in api["items"]]
    page_names = [m.name for m, _label, _days in response.context["chase_rows"]]
    assert page_names == [r[0] for r in rows]
    if "status" not in params and "q" not in params:
        assert response.context["chase_total"] == expected


def test_the_page_shows_whom_to_chase_and_about_what(client, scene):
    scene.login(client, "community")
    body = client.get(page_url(scene.places.a1)).content.decode()
    for name in ("赵六", "孙一", "吴三", "周二"):
        assert name in body
    assert "郑四" not in body
    assert "1 more member counted in the rate is outside what you may open." in body
    assert "林主任" in body and "黄经理" in body  # the units' contacts
    assert "Not submitted" in body and "Awaiting certificate" in body and "Awaiting confirmation" in body
    assert "waiting 5 days" in body
    assert reverse("people:member_detail", args=[scene.zhou.public_id]) in body
    assert export_url(scene.places.a1).split("?")[0] in body and 'id="gj-rate-chart"' in body
    chart = client.get(page_url(scene.places.a1)).context["chart"]  # the rate by month, this month last
    assert chart["labels"][-1] == f"{month().start:%m}" and len(chart["labels"]) == chase.CHART_MONTHS
    assert chart["title"].endswith(f"to {month().start:%Y-%m}")
    assert chart["series"][0]["data"][-1] == 28.6 and chart["percent"]
    only = client.get(page_url(scene.places.a1, status=CONFIRMATION)).content.decode()
    assert "周二" in only and "孙一" not in only


def test_the_list_is_paged_and_the_export_holds_every_row(client, scene):
    p = scene.places
    for n in range(100, 155):
        add(n, f"新人{n}", p.unit_a, p.org_unit_a, p.a1)
    scene.login(client, "admin")
    first = client.get(page_url(p.a1))
    assert len(first.context["chase_rows"]) == 50 and first.context["chase_total"] == 60
    second = client.get(page_url(p.a1, page=2))
    assert len(second.context["chase_rows"]) == 10
    assert len(sheet(client.get(export_url(p.a1)))) == 61  # header and 60 rows


def test_the_checkins_export_is_another_list(client, scene):
    """Why a community "exported 45 rows where 64 should report": the older export lists the check-ins
    filed into the area's communities (confirmed ones included, members counted elsewhere included,
    members who never submitted missing), not the members the rate counts. Both stay, named apart."""
    scene.login(client, "admin")
    area = scene.places.a1
    checkins = sheet(client.get(page_url(area, export="xlsx")))[1:]
    chased = sheet(client.get(export_url(area)))[1:]
    assert {r[0] for r in checkins} == {"张三丰", "孙一", "吴三", "周二", "何七"}
    assert {r[0] for r in chased} == {"赵六", "郑四", "孙一", "吴三", "周二"}
    body = client.get(page_url(area)).content.decode()
    assert "Export whom to chase" in body and "Export check-ins" in body


def test_the_export_columns_and_audit(client, scene):
    scene.login(client, "community")
    rows = sheet(client.get(export_url(scene.places.a1, status=CONFIRMATION)))
    assert rows[0] == [str(c.header) for c in SPECS[EXPORT].columns]
    assert rows[0][:5] == ["Full name", "Phone", "Status", "Unit", "Unit contact"]
    (zhou,) = rows[1:]
    assert zhou[:7] == [
        "周二",
        "138****0062",
        "Awaiting confirmation",
        "龙岩市烟草公司",
        "林主任",
        "龙津社区",
        "龙津社区",
    ]
    assert zhou[8] == 5
    event = AuditEvent.objects.get(action=f"export.{EXPORT}")
    assert event.actor == scene.community and event.detail["rows"] == 1
    assert event.detail["filters"]["status"] == CONFIRMATION
    assert get_spec(EXPORT) is SPECS[EXPORT]  # found by jobs' discovery


# --- scope and masking --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "area", "page", "api"),
    [
        ("community2", "a1", 404, 404),
        ("street2", "street_a", 404, 404),
        ("community", "a2", 404, 404),
        ("community", "street_a", 404, 404),
        ("unit", "a1", 403, 403),
        ("inspector", "a1", 403, 403),
        ("member", "a1", 403, 403),
    ],
)
def test_outsiders_get_nothing(client, scene, api_get, who, area, page, api):
    area = getattr(scene.places, area)
    scene.login(client, who)
    assert client.get(page_url(area)).status_code == page
    assert api_get(who, "reconciliation/unreported", area=area.public_id).status_code == api
    exported = client.get(export_url(area))
    if page == 403:
        assert exported.status_code == 403
    else:  # an area outside the viewer's: an empty sheet, never another area's members
        assert sheet(exported)[1:] == []


def test_the_api_needs_an_area(scene, api_get):
    answer = api_get("community", "reconciliation/unreported")
    assert answer.status_code == 422 and "Give an area" in answer.json()["detail"]
    bad = api_get("community", "reconciliation/unreported", area="not-a-uuid")
    assert bad.status_code == 422
    custom = api_get(
        "community", "reconciliation/unreported", area=scene.places.a1.public_id, period="custom"
    )
    assert custom.status_code == 422


FULL_PHONE = re.compile(r"1380000\d{4}")


@pytest.mark.parametrize("who", ["community", "street", "orgdept"])
def test_no_full_phone_in_the_page_the_export_or_the_api(client, scene, api_get, who):
    area = {"community": scene.places.a1, "street": scene.places.street_a, "orgdept": scene.places.city}[who]
    scene.login(client, who)
    body = client.get(page_url(area)).content.decode()
    rows = sheet(client.get(export_url(area)))
    api = api_get(who, "reconciliation/unreported", area=area.public_id).json()
    for text in (body, str(rows), str(api)):
        assert not FULL_PHONE.search(text)
        assert "138****0061" in text  # 孙一's mask


# --- queries ------------------------------------------------------------------------------------


def test_queries_do_not_grow_with_the_rows(client, scene, api_get, django_assert_max_num_queries):
    p = scene.places
    scene.login(client, "community")
    page, export = page_url(p.a1), export_url(p.a1)
    client.get(page)  # session and language warm-up
    api_get("community", "reconciliation/unreported", area=p.a1.public_id)

    def measure():
        client.get(page)  # the roll-ups recount what changed since (a fixed number of queries)
        with django_assert_max_num_queries(PAGE_QUERIES):
            assert client.get(page).status_code == 200
        with django_assert_max_num_queries(EXPORT_QUERIES):
            assert client.get(export).status_code == 200
        with django_assert_max_num_queries(API_QUERIES):
            assert api_get("community", "reconciliation/unreported", area=p.a1.public_id).status_code == 200

    measure()
    for n in range(100, 130):
        member = add(n, f"新人{n}", p.unit_b if n % 2 else p.unit_a, p.org_unit_a, p.a1)
        if n % 3 == 0:
            submit_checkin(acting_user=scene.unit if n % 2 == 0 else scene.unit2, member=member)
    measure()


# session, user, grants, the area, ancestors, summary (5 for a community: no child rows), units;
# whom to chase: the area in its filter, counts per status, the page's count and rows; the rate by
# month (one query); the unread badge; session save (3)
PAGE_QUERIES = 22  # the rate and the rate by month from the roll-ups: two queries each (docs/ROLLUPS.md)
# session, user, grants, the area in the filter, count, rows, the audit row, session save (3)
EXPORT_QUERIES = 10
# token, grants, the area, the area in the filter, count, rows, and the test client's session (4)
API_QUERIES = 10


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"page": "999"},
        {"page": "x"},
        {"period": "custom", "start": "2025-13-40"},
        {"period": "custom", "start": "2025-03-01"},
        {"q": "x" * 300},
        {"area": "not-a-uuid"},
    ],
)
def test_bad_input_on_the_page_and_the_export_is_never_a_500(client, scene, params):
    scene.login(client, "community")
    page = client.get(page_url(scene.places.a1, **params))
    assert page.status_code == 200
    shown = page.context["chase_pager"]["page"].paginator.count
    exported = sheet(client.get(export_url(scene.places.a1, **params)))[1:]
    if "area" not in params:  # the page names its area in the path; the export only by the parameter
        assert shown == len(exported)
