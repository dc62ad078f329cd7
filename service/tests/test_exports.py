"""Exports of the service lists: real .xlsx files holding the rows the page shows (scope and filters),
and beneficiaries' names only for the community and street that serve them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from gongjian.testing import item
from service.exports import SPECS
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.records import actions as record_actions

pytestmark = pytest.mark.django_db


def rows(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in r] for r in sheet.iter_rows()]


def export(client, name, **query):
    return rows(client.get(reverse("jobs:export_start", args=[name]), query))


def col(name: str, header: str) -> int:
    return [str(c.header) for c in SPECS[name].columns].index(header)


def needs(cast):
    for n in range(3):
        actions.post_need(
            acting_user=cast.community,
            community=cast.places.a1,
            building=cast.places.building_a1,
            compound=cast.places.compound_a1,
            title=f"龙津需求{n}",
            category=item(),
            beneficiary_resident=cast.r_a,
            urgency="urgent" if n == 0 else "normal",
        )
    actions.post_need(acting_user=cast.street, community=cast.places.a2, title="中山需求", category=item())
    actions.post_need(acting_user=cast.street2, community=cast.places.b1, title="西安需求", category=item())


def test_the_needs_export_holds_the_rows_the_page_shows(cast, client):
    needs(cast)
    cast.login(client, "street")
    query = {"urgency": "normal", "page": "1"}
    page = client.get(reverse("service:need_list"), query).content.decode()
    shown = set(re.findall(r'class="fw-semibold" href="/service/needs/[^"]+/">([^<]+)</a>', page))
    sheet = export(client, "service_needs", **query)
    assert sheet[0] == [str(c.header) for c in SPECS["service_needs"].columns]
    assert {r[0] for r in sheet[1:]} == shown == {"龙津需求1", "龙津需求2", "中山需求"}
    row = next(r for r in sheet[1:] if r[0] == "龙津需求1")
    assert row[col("service_needs", "Community")] == "龙津社区"
    assert row[col("service_needs", "Building")] == "1号楼"
    assert row[col("service_needs", "State")] == "Open"
    assert row[col("service_needs", "Beneficiary")] == "孙大妈"  # the street serves them
    event = AuditEvent.objects.get(action="export.service_needs")
    assert event.actor == cast.street and event.detail["rows"] == 3


def test_beneficiaries_are_blank_in_exports_for_anyone_but_the_community_and_street(cast, client):
    needs(cast)
    for who in ("grid", "orgdept"):
        sheet = export(cast.login(client, who), "service_needs")
        names = [r[col("service_needs", "Beneficiary")] for r in sheet[1:]]
        assert "龙津需求0" in {r[0] for r in sheet[1:]}
        assert set(names) == {None}, who  # an empty cell
    sheet = export(cast.login(client, "community"), "service_needs")
    assert {r[col("service_needs", "Beneficiary")] for r in sheet[1:]} == {"孙大妈"}


def test_the_needs_export_stays_in_the_scope(cast, client):
    needs(cast)
    titles = {r[0] for r in export(cast.login(client, "street2"), "service_needs")[1:]}
    assert titles == {"西安需求"}
    titles = {r[0] for r in export(cast.login(client, "community"), "service_needs")[1:]}
    assert titles == {"龙津需求0", "龙津需求1", "龙津需求2"}


@pytest.mark.parametrize(
    "who,name",
    [
        ("member", "service_needs"),
        ("resident", "service_needs"),
        ("unit", "service_needs"),
        ("member", "service_records"),
        ("grid", "service_records"),
        ("grid", "service_posts"),
        ("unit", "service_posts"),
        ("member", "household_pairings"),
        ("dept", "household_pairings"),
    ],
)
def test_exports_follow_the_list_pages_roles(cast, client, who, name):
    assert cast.login(client, who).get(reverse("jobs:export_start", args=[name])).status_code == 403


def test_the_records_export_with_the_flagged_filter(cast, client):
    start = timezone.now() - timedelta(hours=3)
    for minutes, text in ((60, "修水管"), (30, "重复记录")):
        record_actions.log_service_record(
            acting_user=cast.member,
            category=item(),
            started_at=start,
            minutes=minutes,
            description=text,
            community=cast.places.a1,
        )
    cast.login(client, "community")
    sheet = export(client, "service_records", state="flagged")
    assert len(sheet) == 2
    row = sheet[1]
    assert row[col("service_records", "Member")] == "张三丰"
    assert row[col("service_records", "What was done")] == "重复记录"
    assert row[col("service_records", "Flags")] == "Overlaps another record of the member"
    assert row[col("service_records", "Minutes")] == 30
    assert len(export(client, "service_records", state="pending")) == 3
    assert len(export(cast.login(client, "community2"), "service_records")) == 1  # the header only


def test_the_records_export_hides_beneficiaries_from_units(cast, client):
    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    record_actions.log_service_record(
        acting_user=cast.member,
        category=item(),
        started_at=timezone.now() - timedelta(hours=2),
        minutes=30,
        description="探望",
        pairing=pairing,
    )
    index = col("service_records", "Beneficiary")
    assert export(cast.login(client, "community"), "service_records")[1][index] == "孙大妈"
    assert export(cast.login(client, "unit"), "service_records")[1][index] is None


def test_the_posts_and_pairings_exports(cast, client):
    post = post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="政策宣讲岗",
        category=item("policy_outreach"),
        schedule="每周六",
        capacity=4,
        starts_on=timezone.localdate(),
    )
    post_actions.claim_post(acting_user=cast.member, post=post)
    pairing = pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    pairing_actions.log_pairing_visit(
        acting_user=cast.member, pairing=pairing, visited_on=timezone.localdate(), note="量血压"
    )
    cast.login(client, "community")
    sheet = export(client, "service_posts")
    assert sheet[1][0] == "政策宣讲岗"
    assert (
        sheet[1][col("service_posts", "Places")] == 4 and sheet[1][col("service_posts", "Places taken")] == 1
    )
    sheet = export(client, "household_pairings", active="true")
    assert sheet[1][0] == "孙大妈"
    assert sheet[1][col("household_pairings", "Member")] == "张三丰"
    assert sheet[1][col("household_pairings", "Visits")] == 1
    assert len(export(client, "household_pairings", active="false")) == 1
    assert len(export(cast.login(client, "street2"), "service_posts")) == 1
