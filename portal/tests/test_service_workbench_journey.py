"""The community secretary's service desk in a real browser (desktop, zh-CN): a resident's new need is
on the desk; the secretary opens it, dispatches it to a member who lives nearby, and sees it move to
"awaiting reply"; then opens a flagged service record from the desk to review it. The desk is also
looked at on a 360 px phone (the columns stack).

Screenshots are kept in test-artifacts/service-workbench-*.png for a human to look at.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, signed_in
from service.models import Assignment, NeedState, RecordState, ServiceCategory
from service.needs import actions
from service.records import actions as record_actions


def the_desk(cast):
    """A resident's new need, another need dispatched earlier, and two records of the member, the
    second overlapping the first (flagged for review)."""
    repair = ServiceCategory.objects.get(code="home_repair")
    need = actions.post_need(
        acting_user=cast.resident,
        title="厨房水管漏水",
        description="水管接头一直滴水，家里只有老人。",
        category=repair,
        urgency="urgent",
        beneficiary_address="阳光小区1号楼302",
    )
    other = actions.post_need(
        acting_user=cast.community,
        community=cast.places.a1,
        title="楼道灯不亮",
        category=repair,
        compound=cast.places.compound_a1,
        building=cast.places.building_a1,
    )
    actions.dispatch_need(acting_user=cast.community, need=other, member=cast.m_b_home_a)
    start = timezone.now() - timedelta(hours=4)
    for minutes, text in ((90, "帮邻居修理自行车"), (60, "陪同孙大妈去社区医院")):
        record_actions.log_service_record(
            acting_user=cast.member,
            category=ServiceCategory.objects.get(code="elderly_care"),
            started_at=start,
            minutes=minutes,
            description=text,
            community=cast.places.a1,
        )
    return need


@pytest.mark.django_db(transaction=True)
def test_the_secretary_dispatches_a_new_need_and_reviews_a_flagged_record(live_server, browser):
    cast = build_cast()
    need = the_desk(cast)
    flagged = cast.m_member.service_records.get(state=RecordState.FLAGGED)
    ARTIFACTS.mkdir(exist_ok=True)
    site = live_server.url
    desk_url = site + reverse("service:workbench")

    # 1. The desk: the resident's need waits in the first column.
    page = signed_in(browser, live_server, "community", cast.password, DESK)
    page.goto(desk_url)
    new_column = page.locator("[data-column=open]")
    assert "厨房水管漏水" in new_column.inner_text()
    assert "孙大妈" in new_column.inner_text()  # the community serves her: it sees her name
    assert "楼道灯不亮" in page.locator("[data-column=offered]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "service-workbench-1-desk.png"), full_page=True)

    # 2. It opens the need: what, where, for whom, and the dispatch panel.
    new_column.locator(f"[data-need='{need.public_id}']").click()
    page.wait_for_selector("#dispatch")
    assert "阳光小区1号楼302" in page.locator("[data-beneficiary]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "service-workbench-2-need.png"), full_page=True)

    # 3. It looks for 张三丰 (the list narrows as it types) and dispatches to him.
    form = page.locator("form[data-manual-dispatch]")
    assert "钱七" in form.locator("select[name=target]").inner_text()
    page.fill("#who", "张")
    # (a locator's wait, not wait_for_function: that evaluates a string, which the page's CSP refuses)
    expect(page.locator("#dispatch_target")).not_to_contain_text("钱七")
    form.locator("select[name=target]").select_option(f"member:{cast.m_member.public_id}")
    form.locator("input[name=note]").fill("请先电话联系孙大妈")
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert "张三丰" in page.locator("[data-assignee]").inner_text()
    assert page.locator("[data-event=dispatch]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "service-workbench-3-dispatched.png"), full_page=True)
    need.refresh_from_db()
    assert need.state == NeedState.OFFERED
    assert Assignment.objects.get(need=need, state="offered").note == "请先电话联系孙大妈"

    # 4. Back on the desk the need waits for the reply.
    page.goto(desk_url)
    assert "厨房水管漏水" in page.locator("[data-column=offered]").inner_text()
    assert "厨房水管漏水" not in page.locator("[data-column=open]").inner_text()
    page.screenshot(path=str(ARTIFACTS / "service-workbench-4-awaiting-reply.png"), full_page=True)

    # 5. The flagged record: from the desk to the record's page, where the reason is shown.
    page.locator(f"#flagged [data-record='{flagged.public_id}']").click()
    page.wait_for_url(site + reverse("service:record_detail", args=[flagged.public_id]))
    assert "陪同孙大妈去社区医院" in page.content()
    page.screenshot(path=str(ARTIFACTS / "service-workbench-5-flagged-record.png"), full_page=True)

    # 6. The same desk on a phone: the columns stack and nothing runs off the screen.
    phone = signed_in(browser, live_server, "community", cast.password, PHONE)
    phone.goto(desk_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(ARTIFACTS / "service-workbench-6-desk-360.png"), full_page=True)
    phone.goto(site + reverse("service:need_detail", args=[need.public_id]))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(ARTIFACTS / "service-workbench-7-need-360.png"), full_page=True)
