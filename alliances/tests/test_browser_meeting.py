"""A joint meeting run from phones at 360 px: the secretary calls it, an invitee scans the room's code and
signs in, the secretary sees the attendance, records the meeting as held, writes the minutes, adds a
resolution and publishes. With SHOTS=1 the screens are saved to /tmp/shots/meet-*.png."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from alliances.models import Invitation, Meeting, MinutesState, Resolution
from alliances.tests.fixtures import street_alliance
from conftest import build_cast
from gongjian.browser_testing import PHONE, fits_the_phone, signed_in

SHOTS = Path("/tmp/shots")


def shot(page, name: str) -> None:
    if os.environ.get("SHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"meet-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_joint_meeting_run_from_phones(live_server, browser):
    cast = build_cast()
    a = street_alliance(cast)
    secretary = signed_in(browser, live_server, "street", cast.password, PHONE)

    # the secretary calls the meeting, the unit invited
    secretary.goto(live_server.url + reverse("alliances:meeting_create"))
    starts = timezone.localtime() + timedelta(minutes=10)
    secretary.select_option("select[name=host]", f"a:{a.alliance.public_id}")
    secretary.select_option("select[name=kind]", "regular")
    secretary.fill("input[name=title]", "第四季度党建联席会议")
    secretary.fill("input[name=starts_at]", starts.strftime("%Y-%m-%dT%H:%M"))
    secretary.fill("input[name=ends_at]", (starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    secretary.fill("input[name=place]", "东城街道党群服务中心二楼会议室")
    secretary.fill("textarea[name=agenda]", "一、通报共建项目进展\n二、议定下季度任务")
    secretary.check(f"input[name=invite_units][value='{cast.places.unit_a.public_id}']")
    assert fits_the_phone(secretary)
    shot(secretary, "call-360")
    secretary.click("form[data-call-form] button[type=submit]")
    secretary.wait_for_selector("img[data-sign-in-qr]")
    meeting = Meeting.objects.get()
    assert secretary.url.endswith(reverse("alliances:meeting_detail", args=[meeting.public_id]))
    expect(secretary.locator("[data-missing-count]")).to_have_text("1")
    assert fits_the_phone(secretary)
    shot(secretary, "meeting-qr-360")

    # the invitee opens the address the code holds and signs in
    address = secretary.locator("[data-sign-in-address]").inner_text().strip()
    invitee = signed_in(browser, live_server, "unit", cast.password, PHONE)
    invitee.goto(address)
    shot(invitee, "sign-in-360")
    assert fits_the_phone(invitee)
    invitee.click("[data-sign-in]")
    expect(invitee.locator("[data-signed-in]")).to_be_visible()
    shot(invitee, "signed-in-360")
    assert Invitation.objects.get(meeting=meeting, user=cast.unit).signed_in_via == "qr"

    # the secretary sees who came, records the meeting as held, writes the minutes, adds a resolution
    secretary.reload()
    expect(secretary.locator("[data-present-count]")).to_have_text("1")
    expect(secretary.locator('[data-status="present"]')).to_contain_text("unit")
    secretary.click("[data-hold]")
    expect(secretary.locator('[data-state="held"]')).to_be_visible()
    secretary.fill(
        "form[data-minutes-form] textarea[name=text]", "会议议定：烟草公司负责龙津社区楼道照明改造。"
    )
    secretary.click("form[data-minutes-form] button")
    expect(secretary.locator("[data-minutes]")).to_contain_text("楼道照明")
    secretary.click("#resolution summary")
    secretary.fill("form[data-resolution-form] textarea[name=text]", "完成龙津社区老旧小区楼道照明改造")
    secretary.select_option(
        "form[data-resolution-form] select[name=owner_unit]", str(cast.places.unit_a.public_id)
    )
    secretary.fill(
        "form[data-resolution-form] input[name=due_on]",
        (timezone.localdate() + timedelta(days=30)).isoformat(),
    )
    assert fits_the_phone(secretary)
    shot(secretary, "resolution-form-360")
    secretary.click("form[data-resolution-form] button")
    expect(secretary.locator("[data-resolution='1']")).to_contain_text("楼道照明")
    secretary.click("[data-publish]")
    expect(secretary.locator('[data-minutes-state="published"]')).to_be_visible()
    assert fits_the_phone(secretary)
    shot(secretary, "published-360")
    meeting.refresh_from_db()
    assert meeting.minutes_state == MinutesState.PUBLISHED
    assert Resolution.objects.get().owner_unit == cast.places.unit_a

    # the unit finds its task
    invitee.goto(live_server.url + reverse("alliances:resolution_list"))
    expect(invitee.locator("[data-resolution]")).to_have_count(1)
    assert fits_the_phone(invitee)
    shot(invitee, "tasks-360")
    secretary.context.close()
    invitee.context.close()
