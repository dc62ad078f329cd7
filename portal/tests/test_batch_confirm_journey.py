"""The community secretary confirms in batches, in a real browser: on the check-in page they tick
"select all on this page" and confirm the members they have seen, one of whom was withdrawn meanwhile;
on the records list they tick the waiting records and confirm them. Both pages are looked at on a
360 px phone and a desktop.

Screenshots are kept in test-artifacts/batch-*.png for a human to look at.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from checkin import actions
from checkin.models import CheckInState
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in
from gongjian.testing import id_number, item
from people.actions import MemberData, save_member
from service.models import RecordState
from service.records import actions as record_actions
from service.records import codes


def waiting_checkins(cast):
    """Four certified check-ins in 龙津社区; the third is returned by its unit afterwards."""
    p = cast.places
    members = [cast.m_member] + [
        save_member(
            acting_user=None,
            data=MemberData(
                name=name,
                id_number=id_number(30 + n),
                phone=f"1380000{30 + n:04d}",
                party_org=p.org_unit_a,
                unit=p.unit_a,
                residence_area=p.a1,
                residence_compound=p.compound_a1,
                residence_building=p.building_a1,
                in_service=True,
            ),
        )
        for n, name in enumerate(("陈一", "林二", "黄三"))
    ]
    checkins = []
    for member in members:
        checkin = actions.submit_checkin(acting_user=cast.unit, member=member)
        actions.issue_certificate(acting_user=cast.unit, checkin=checkin)
        checkins.append(checkin)
    return checkins


def waiting_records(cast):
    start = timezone.now() - timedelta(days=2)
    return [
        record_actions.log_service_record(
            acting_user=cast.member,
            category=item("elderly_care"),
            started_at=start - timedelta(days=n),
            minutes=60,
            description=text,
            community=cast.places.a1,
            beneficiary_name="孙大妈",
        )
        for n, text in enumerate(("陪老人聊天", "帮忙买菜", "打扫楼道"))
    ]


@pytest.mark.django_db(transaction=True)
def test_the_secretary_confirms_check_ins_and_records_in_batches(live_server, browser):
    cast = build_cast()
    checkins = waiting_checkins(cast)
    records = waiting_records(cast)
    ARTIFACTS.mkdir(exist_ok=True)
    checkin_url = live_server.url + reverse("checkin:community_page")
    records_url = live_server.url + reverse("service:record_list") + "?state=pending"

    phone = signed_in(browser, live_server, "community", cast.password, PHONE)
    phone.goto(checkin_url)
    assert fits_the_phone(phone)
    phone.locator("#pending").screenshot(path=str(ARTIFACTS / "batch-checkins-phone.png"))
    phone.goto(records_url)
    assert fits_the_phone(phone)
    phone.screenshot(path=str(ARTIFACTS / "batch-records-phone.png"), full_page=True)

    desk = signed_in(browser, live_server, "community", cast.password, DESK)
    desk.goto(checkin_url)
    desk.check("#pending-all")  # select all on this page
    assert desk.locator("input[data-gj-group=confirm]:checked").count() == 4
    desk.screenshot(path=str(ARTIFACTS / "batch-checkins-desk-ticked.png"), full_page=True)
    actions.return_checkin(acting_user=cast.unit, checkin=checkins[2], reason="地址填错了")  # meanwhile
    desk.click("#batch-confirm button[type=submit]")
    desk.wait_for_selector(".alert")
    message = desk.locator(".alert").first.inner_text()
    assert "3" in message and "林二" in message
    desk.screenshot(path=str(ARTIFACTS / "batch-checkins-desk-done.png"), full_page=True)
    states = [c.__class__.objects.get(pk=c.pk).state for c in checkins]
    assert states == [CheckInState.CONFIRMED] * 2 + [CheckInState.RETURNED, CheckInState.CONFIRMED]

    desk.goto(records_url)
    desk.check("#records-all")
    desk.screenshot(path=str(ARTIFACTS / "batch-records-desk-ticked.png"), full_page=True)
    desk.click("#batch-confirm button[type=submit]")
    desk.wait_for_selector(".alert")
    assert "3" in desk.locator(".alert").first.inner_text()
    desk.screenshot(path=str(ARTIFACTS / "batch-records-desk-done.png"), full_page=True)
    assert {r.__class__.objects.get(pk=r.pk).state for r in records} == {RecordState.CONFIRMED}


@pytest.mark.django_db(transaction=True)
def test_the_person_served_disputes_and_the_unit_prints_all_on_a_phone(live_server, browser):
    """The resident says a service did not happen (the record page, then the public code page, no
    account); the unit's page offers printing all its certificates. All at 360 px and on a desktop."""
    cast = build_cast()
    waiting_checkins(cast)
    mine, by_code = waiting_records(cast)[:2]
    for_her = record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(days=6),
        minutes=60,
        description="上门理发",
        community=cast.places.a1,
        beneficiary_resident=cast.r_a,
    )
    ARTIFACTS.mkdir(exist_ok=True)
    for name, viewport in (("phone", PHONE), ("desk", DESK)):
        resident = signed_in(browser, live_server, "resident", cast.password, viewport)
        resident.goto(live_server.url + reverse("service:record_detail", args=[for_her.public_id]))
        resident.click("#dispute summary")
        assert fits_the_phone(resident) or viewport is DESK
        resident.screenshot(path=str(ARTIFACTS / f"batch-dispute-account-{name}.png"), full_page=True)
        unit = signed_in(browser, live_server, "unit", cast.password, viewport)
        unit.goto(live_server.url + reverse("checkin:unit_page"))
        assert unit.locator("#print-certificates").is_visible()
        assert fits_the_phone(unit) or viewport is DESK
        unit.locator("#issued").screenshot(path=str(ARTIFACTS / f"batch-print-all-{name}.png"))

    resident.fill("#dispute textarea", "那天我在外地，没有人来过")
    resident.click("#dispute button[type=submit]")
    resident.wait_for_selector("[data-dispute-reason]")
    resident.screenshot(path=str(ARTIFACTS / "batch-dispute-account-done.png"), full_page=True)
    for_her.refresh_from_db()
    assert for_her.state == RecordState.FLAGGED

    stranger = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1).new_page()
    code_url = live_server.url + codes.confirmation_url(by_code)
    stranger.goto(code_url)
    stranger.click("#dispute summary")
    assert fits_the_phone(stranger)
    stranger.screenshot(path=str(ARTIFACTS / "batch-dispute-code-phone.png"), full_page=True)
    stranger.fill("#dispute textarea", "没有人来过")
    stranger.click("#dispute button[type=submit]")
    stranger.wait_for_selector("[data-state=flagged]")
    by_code.refresh_from_db()
    assert by_code.state == RecordState.FLAGGED and mine.state == RecordState.SUBMITTED
