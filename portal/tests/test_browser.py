"""A person's journey in a real browser (Playwright driving Debian's chromium): the street secretary
signs in on a phone-sized screen and drills from the street down to a building.

Screenshots are kept in test-artifacts/ for a human to look at.
"""

import pytest

from accounts.second_factor_actions import tooling_code
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS


@pytest.mark.django_db(transaction=True)
def test_street_secretary_drills_from_street_to_building(live_server, browser_page):
    cast = build_cast()
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "street")
    page.fill("input[name=password]", cast.password)
    page.screenshot(path=str(ARTIFACTS / "01-login-360.png"), full_page=True)
    page.click("button[type=submit]")
    # a street committee: the authenticator's code next (accounts/second_factor.py)
    page.wait_for_url(f"{live_server.url}/accounts/second-factor/**")
    page.fill("input[name=code]", tooling_code(cast.street))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert "东城街道" in page.content()  # the home page names the street the secretary looks after

    page.goto(f"{live_server.url}/areas/")  # one visible root: straight to the street
    page.wait_for_selector("text=龙津社区")
    assert "西安社区" not in page.content()  # street B's community is out of scope
    page.screenshot(path=str(ARTIFACTS / "02-street-360.png"), full_page=True)

    page.click("text=龙津社区")
    page.wait_for_selector("text=阳光小区")
    page.screenshot(path=str(ARTIFACTS / "03-community-360.png"), full_page=True)
    page.click("text=阳光小区")
    page.wait_for_selector("text=1号楼")
    page.click("text=1号楼")
    page.wait_for_selector("text=张三丰")
    body = page.content()
    assert "孙大妈" in body  # the resident living in the building
    assert "13800000001" not in body and "138****0001" in body  # phones masked
    page.screenshot(path=str(ARTIFACTS / "04-building-360.png"), full_page=True)
    # nothing overflows sideways on a 360 px screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
