"""The alliance workbench, what is owed, meeting compliance and the unit's view on a 360 px phone: nothing
wider than the phone, the compliance chart drawn (no inline script: the ``browser`` fixture's CSP guard
fails the journey otherwise). Screenshots in test-artifacts/ (alliances-desk-*.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from alliances.tests.desk_fixtures import desk_alliance
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, PHONE, fits_the_phone, signed_in

SHOTS = [ARTIFACTS, Path("/tmp/shots/desk")]


def _shoot(page, name: str) -> None:
    for folder in SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_desk_on_a_phone(live_server, browser):
    cast = build_cast()
    a = desk_alliance(cast)
    page = signed_in(browser, live_server, "street", cast.password, PHONE)
    page.goto(live_server.url + reverse("alliances:index"))  # the only alliance: straight to it
    page.wait_for_selector("[data-section=late]")
    assert page.locator("[data-late]").count() >= 3
    assert fits_the_phone(page)
    _shoot(page, "alliances-desk-workbench-360.png")
    page.goto(f"{live_server.url}{reverse('alliances:owed')}?alliance={a.alliance.public_id}")
    page.wait_for_selector("[data-commitment]")
    assert fits_the_phone(page)
    _shoot(page, "alliances-desk-owed-360.png")
    page.goto(f"{live_server.url}{reverse('alliances:compliance')}?alliance={a.alliance.public_id}")
    page.wait_for_selector("[data-gj-chart=gj-compliance-chart][data-gj-drawn] canvas")
    assert fits_the_phone(page)
    _shoot(page, "alliances-desk-compliance-360.png")
    page.context.close()
    page = signed_in(browser, live_server, "unit", cast.password, PHONE)
    assert page.locator("[data-work^='alliances.']").count() >= 1  # its home starts with its alliance work
    page.goto(live_server.url + reverse("alliances:my_unit"))
    page.wait_for_selector("[data-section=tasks] [data-task]")
    assert fits_the_phone(page)
    _shoot(page, "alliances-desk-unit-360.png")
    page.context.close()
