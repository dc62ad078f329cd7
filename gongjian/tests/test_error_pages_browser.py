"""The error pages and the favicon in a real browser, on a phone and a desktop; screenshots in
test-artifacts/ (edges-*.png) for a human to look at."""

import pytest

from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in


@pytest.mark.django_db(transaction=True)
def test_error_pages_fit_the_phone_and_show_the_favicon(live_server, browser):
    cast = build_cast()
    for name, viewport in (("360", PHONE), ("desk", DESK)):
        page = signed_in(browser, live_server, "resident", cast.password, viewport)
        response = page.goto(f"{live_server.url}/checkin/unit/")  # a unit admin's page
        assert response.status == 403
        assert page.locator(".gj-error-code").inner_text() == "403"
        assert page.locator(".gj-error a[href='/']").count() == 1  # the way home
        page.screenshot(path=str(ARTIFACTS / f"edges-403-{name}.png"), full_page=True)
        response = page.goto(f"{live_server.url}/no-such-page/")
        assert response.status == 404
        page.screenshot(path=str(ARTIFACTS / f"edges-404-{name}.png"), full_page=True)
        if viewport is PHONE:
            assert fits_the_phone(page)
        icons = page.eval_on_selector_all("link[rel=icon]", "links => links.map(l => l.href)")
        assert len(icons) == 2
        for href in icons:
            assert page.request.get(href).status == 200
        assert page.request.get(f"{live_server.url}/favicon.ico").status == 200  # followed to the PNG
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_audit_log_reads_in_words_on_a_phone(live_server, browser):
    cast = build_cast()
    for name, viewport in (("360", PHONE), ("desk", DESK)):
        page = signed_in(browser, live_server, "admin", cast.password, viewport)  # records auth.login
        page.goto(f"{live_server.url}/audit/")
        first = page.locator("table tbody tr").first
        assert "auth.login" in first.inner_text() and first.locator(".font-monospace").count() == 1
        page.screenshot(path=str(ARTIFACTS / f"edges-audit-{name}.png"), full_page=True)
        if viewport is PHONE:
            assert fits_the_phone(page)
        page.context.close()
