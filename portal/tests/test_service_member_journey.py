"""The member's side of the service loop in a real browser, on a phone: the member sees an open need in
his own building, takes it, logs the service with a photo and shows the code; the beneficiary, not
signed in, opens the QR code's link on her own phone and confirms with five stars; the member's record
shows confirmed, with points.

Screenshots are kept in test-artifacts/service-member-*.png for a human to look at.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, PHONE, fits_the_phone, signed_in
from points.actions import balance_of
from service.models import NeedState, RecordState, ServiceCategory, ServiceRecord
from service.needs import actions
from service.posts import actions as post_actions
from service.records import codes

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"service-member-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_member_takes_logs_and_the_beneficiary_confirms_by_code(live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cast = build_cast()
    ARTIFACTS.mkdir(exist_ok=True)
    site = live_server.url
    repair = ServiceCategory.objects.get(code="home_repair")
    # 孙大妈 (the resident, same building as the member) asks for help; another need is further away.
    need = actions.post_need(
        acting_user=cast.resident,
        title="厨房水管漏水",
        description="水槽下面的接头一直滴水，需要懂水电的人帮忙看看。",
        category=repair,
        urgency="urgent",
    )
    actions.post_need(
        acting_user=cast.community,
        title="社区花坛补种",
        category=ServiceCategory.objects.get(code="environment"),
        community=cast.places.a1,
    )
    post_actions.publish_post(
        acting_user=cast.community,
        community=cast.places.a1,
        title="周末政策宣讲岗",
        category=ServiceCategory.objects.get(code="policy_outreach"),
        schedule="每周六 9:00–11:00",
        capacity=4,
        starts_on=timezone.localdate(),
        place="龙津社区党群服务中心",
    )

    # 1. The member, on a phone: what he can do near him; the need in his building comes first.
    member = signed_in(browser, live_server, "member", cast.password, PHONE)
    member.goto(site + reverse("service:member_home"))
    first = member.locator("#needs li[data-need]").first
    assert first.get_attribute("data-need") == str(need.public_id)
    assert "厨房水管漏水" in first.inner_text()
    assert first.locator(".gj-near").count() == 1
    assert fits_the_phone(member)
    shot(member, "1-home")

    # 2. He takes it, and finds it under his tasks.
    first.locator("button[type=submit]").click()
    member.wait_for_load_state()
    need.refresh_from_db()
    assert need.state == NeedState.TAKEN
    member.goto(site + reverse("service:my_tasks"))
    task = member.locator(f"li[data-taken='{need.public_id}']")
    assert "孙大妈" in task.inner_text()  # he serves her now: her name is shown
    assert fits_the_phone(member)
    shot(member, "2-tasks")

    # 3. After the repair he logs it: the item is chosen, start and duration filled in; a photo.
    task.locator(f"a[href$='?need={need.public_id}']").click()
    member.wait_for_selector("#log-form")
    assert member.locator("[data-link=need]").inner_text().count("厨房水管漏水") == 1
    assert member.locator("#log-form select[name=category]").input_value() == str(repair.public_id)
    member.select_option("#log-form select[name=minutes]", "45")
    member.fill("#log-form textarea[name=description]", "更换了水槽下的接头和密封圈，试水不再漏。")
    member.set_input_files(
        "#log-form input[name=photos]", files=[{"name": "repair.png", "mimeType": "image/png", "buffer": PNG}]
    )
    assert fits_the_phone(member)
    shot(member, "3-log")
    member.click("#log-form button[type=submit]")
    member.wait_for_selector("#code")
    record = ServiceRecord.objects.get(need=need)
    assert record.state == RecordState.SUBMITTED and record.photos.count() == 1
    code = codes.confirmation_code(record)
    assert member.locator(".gj-code").inner_text().strip() == code
    member.locator(".gj-photos img").first.scroll_into_view_if_needed()
    for image in ("img.gj-qr", ".gj-photos img"):  # the QR code and the photo load through their views
        expect(member.locator(image).first).to_have_js_property("complete", True)  # no string eval: CSP
        assert member.evaluate(f"document.querySelector('{image}').naturalWidth") > 0, image
    assert fits_the_phone(member)
    shot(member, "4-record-code")

    # 4. 孙大妈 scans the QR code: her own phone, not signed in.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    beneficiary = phone.new_page()
    beneficiary.set_default_timeout(15000)
    beneficiary.goto(codes.confirmation_url(record, absolute_base=site))
    assert beneficiary.locator("#code-form input[name=code]").input_value() == code
    body = beneficiary.locator("main").inner_text()
    assert "张三丰" in body and "孙大妈" not in body  # who served, never her own data
    beneficiary.click("#code-form .gj-stars label[for=id_score_0]")  # the fifth star (first in the markup)
    beneficiary.fill("#code-form textarea[name=comment]", "小张很细心，谢谢！")
    assert fits_the_phone(beneficiary)
    shot(beneficiary, "5-confirm-by-code")
    beneficiary.click("#code-form button[type=submit]")
    beneficiary.wait_for_selector("[data-state=confirmed]")
    assert beneficiary.locator("#code-form").count() == 0  # nothing to confirm twice
    shot(beneficiary, "6-confirmed-by-code")
    phone.close()

    # 5. The member's record shows confirmed, rated, with his points.
    record.refresh_from_db()
    assert record.state == RecordState.CONFIRMED and record.confirmed_via == "code"
    assert record.rating.score == 5
    assert balance_of(cast.m_member) == 8 + 5  # 45 minutes at 10 an hour, and 5 for an urgent need
    member.reload()
    member.wait_for_selector("[data-confirmed]")
    assert member.locator("#code").count() == 0
    assert f"+{balance_of(cast.m_member)}" in member.locator("[data-confirmed]").inner_text()
    assert fits_the_phone(member)
    shot(member, "7-record-confirmed")
    member.goto(site + reverse("service:my_records"))
    assert fits_the_phone(member)
    shot(member, "8-records")
