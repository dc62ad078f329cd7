"""The grid worker's journey on a 360 px phone: signs in, reports a problem with a photo and the phone's
location in a few taps, lands on the case page, and finds the case on "my grid". Then the case page as the
street (the dispatch form) and as the department (accept / return), and a grid at work, each looked at on
a phone and on a desktop. Screenshots in /tmp/shots/field/ (and test-artifacts/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cases import actions, keeping
from cases.models import Case
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, TIMEOUT_MS, fits_the_phone, sign_in, signed_in
from service.tests.pictures import picture

SHOTS = Path("/tmp/shots/field")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for where in (SHOTS, ARTIFACTS):
        page.screenshot(path=str(where / f"cases-{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_grid_worker_reports_a_problem_with_a_photo_on_a_phone(live_server, browser, tmp_path):
    cast = build_cast()
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        device_scale_factor=1,
        geolocation={"latitude": 25.075123, "longitude": 117.017456},
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    sign_in(page, live_server.url, "grid", cast.password)

    page.goto(live_server.url + reverse("cases:my_grid"))
    assert page.locator("[data-empty]").count() == 1
    page.click("[data-report-button]")
    page.wait_for_selector("form[data-case-report]")
    assert page.locator("[data-items]:visible").count() == 0  # the items wait for a group
    page.click("label[for=group-appearance]")
    assert page.locator("[data-items]:visible").count() == 1
    page.click("label[for=cat-piles]")
    page.fill("input[name=title]", "楼道堆放杂物")
    assert page.locator("select[name=place]").input_value().startswith("community:")  # their grid's
    page.select_option("select[name=place]", f"building:{cast.places.building_a1.public_id}")
    page.click("[data-case-locate]")
    expect(page.locator("input[name=latitude]")).not_to_have_value(
        ""
    )  # a locator's wait: no eval under the CSP
    photo = tmp_path / "stairs.jpg"
    photo.write_bytes(picture(size=(320, 240)))
    page.set_input_files("input[name=photos]", str(photo))
    assert fits_the_phone(page)
    shot(page, "report-360")
    page.click("form[data-case-report] button[type=submit]")
    page.wait_for_selector("img[data-photo]")
    case = Case.objects.get()
    assert page.url.endswith(reverse("cases:case_detail", args=[case.public_id]))
    assert str(case.latitude) == "25.075123" and case.building == cast.places.building_a1
    # the thumbnail is served in scope (it loads lazily: brought into view, then waited for by its load
    # event — a function handed to the page, not a string it would eval, which the CSP forbids)
    thumb = page.locator("img[data-photo]").first
    thumb.scroll_into_view_if_needed()
    loaded = "img => img.complete ? img.naturalWidth : new Promise(done => img.addEventListener('load', () => done(img.naturalWidth), {once: true}))"
    assert thumb.evaluate(loaded) > 0
    assert fits_the_phone(page)
    shot(page, "case-grid-360")

    page.goto(live_server.url + reverse("cases:my_grid"))
    assert page.locator(f'[data-case="{case.number}"]').count() == 1
    assert fits_the_phone(page)
    shot(page, "my-grid-360")
    context.close()

    desk = signed_in(browser, live_server, "grid", cast.password, DESK)
    desk.goto(live_server.url + reverse("cases:report"))
    shot(desk, "report-1280")
    desk.goto(live_server.url + reverse("cases:my_grid"))
    shot(desk, "my-grid-1280")
    desk.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_case_page_for_the_street_the_department_and_a_grid_at_work(live_server, browser):
    cast = build_cast()
    from cases.tests.fixtures import grid_case

    case = grid_case(
        cast, reporter_name="孙大妈", reporter_phone="13900001111", description="一楼到三楼楼道堆满纸箱"
    )
    grid_case(cast, title="楼道杂物又被举报")
    keeping.set_responsibility_area(
        acting_user=cast.community,
        grid=cast.places.grid_a3,
        member=cast.m_member,
        building=cast.places.building_a1,
    )
    url = live_server.url + reverse("cases:case_detail", args=[case.public_id])
    for name, viewport in (("360", PHONE), ("1280", DESK)):
        page = signed_in(browser, live_server, "street", cast.password, viewport)
        page.goto(url)
        page.wait_for_selector("form[data-dispatch-form]")
        assert page.locator("[data-duplicate]").count() == 1
        if viewport is PHONE:
            assert fits_the_phone(page)
        shot(page, f"case-street-{name}")
        page.context.close()

    actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    for name, viewport in (("360", PHONE), ("1280", DESK)):
        page = signed_in(browser, live_server, "dept", cast.password, viewport)
        page.goto(url)
        page.wait_for_selector("form[data-accept]")
        assert page.locator("form[data-return]").count() == 1
        assert "孙大妈" in page.locator("[data-reporter]").inner_text()
        if viewport is PHONE:
            assert fits_the_phone(page)
        shot(page, f"case-dept-{name}")
        page.context.close()

    desk_url = live_server.url + reverse("cases:grid_desk", args=[cast.places.grid_a3.public_id])
    for name, viewport in (("360", PHONE), ("1280", DESK)):
        page = signed_in(browser, live_server, "community", cast.password, viewport)
        page.goto(desk_url)
        page.wait_for_selector("#areas [data-area]")
        assert page.locator("#cases [data-case]").count() == 2
        if viewport is PHONE:
            assert fits_the_phone(page)
        shot(page, f"grid-desk-{name}")
        page.context.close()
