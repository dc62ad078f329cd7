"""A unit's party admin uploads a roster on a phone-sized screen: errors first, then a clean import."""

import os

import pytest

from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, sign_in
from jobs.tests.conftest import row, xlsx_bytes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.django_db(transaction=True)
def test_unit_admin_fixes_and_imports_a_roster(live_server, browser_page):
    cast = build_cast()
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, live_server.url, "unit", cast.password)  # a unit admin: password, then the code

    page.goto(f"{live_server.url}/imports/members/")
    bad = xlsx_bytes([row(500, "陈一"), row(501, "林二", 手机号="12345"), row(3, "王五")])
    page.set_input_files("input[name=file]", files=[{"name": "名单.xlsx", "mimeType": XLSX, "buffer": bad}])
    page.click("main button[type=submit]")
    page.wait_for_selector("table >> text=手机号")
    assert page.locator("form[action$='/confirm/']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "jobs-01-preview-errors-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(f"{live_server.url}/imports/members/")
    good = xlsx_bytes([row(500, "陈一"), row(501, "林二")])
    page.set_input_files("input[name=file]", files=[{"name": "名单.xlsx", "mimeType": XLSX, "buffer": good}])
    page.click("main button[type=submit]")
    page.wait_for_selector("form[action$='/confirm/'] button")
    page.screenshot(path=str(ARTIFACTS / "jobs-02-preview-clean-360.png"), full_page=True)
    page.click("form[action$='/confirm/'] button")
    page.wait_for_selector(".badge.text-bg-success")
    page.screenshot(path=str(ARTIFACTS / "jobs-03-imported-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    from people.models import Member

    assert Member.objects.filter(name__in=["陈一", "林二"], unit=cast.places.unit_a).count() == 2
