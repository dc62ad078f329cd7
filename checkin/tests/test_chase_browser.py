"""Whom to chase, looked at: the community's reconciliation page on a 360 px phone and on a desktop,
with the rate by month drawn by ECharts. Screenshots in test-artifacts/ (chase-*.png)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from checkin.tests.test_chase import stage
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in


@pytest.mark.django_db(transaction=True)
def test_the_community_sees_whom_to_chase_on_a_phone_and_a_desktop(live_server, browser):
    cast = stage(build_cast())
    url = live_server.url + reverse("checkin:area_reconciliation", args=[cast.places.a1.public_id])
    for name, viewport in (("360", PHONE), ("desktop", DESK)):
        page = signed_in(browser, live_server, "community", cast.password, viewport)
        page.goto(url)
        page.wait_for_selector("#chase table")
        page.wait_for_selector("[data-gj-chart=gj-rate-chart][data-gj-drawn] canvas")  # the chart was drawn
        rows = page.locator("#chase tbody tr")
        assert rows.count() == 4
        assert "赵六" in rows.first.inner_text()  # not submitted comes first
        assert page.locator("#chase").get_by_text("林主任").count() >= 1
        if viewport is PHONE:
            assert fits_the_phone(page)
        page.screenshot(path=str(ARTIFACTS / f"chase-community-{name}.png"), full_page=True)
        page.context.close()
