"""In the browser, at 360 px and on a desk: the community-code lookup (search, copy) and the export
buttons of the area, grid, party-organisation and audit lists (issue 9). Screenshots in test-artifacts/."""

import pytest

from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in


@pytest.mark.django_db(transaction=True)
def test_community_lookup_and_export_buttons(live_server, browser):
    cast = build_cast()
    for size, viewport in (("360", PHONE), ("desk", DESK)):
        page = signed_in(browser, live_server, "unit", cast.password, viewport)
        page.goto(f"{live_server.url}/imports/members/")
        page.click("main a[href='/communities/lookup/'] >> nth=0")
        page.wait_for_url(f"{live_server.url}/communities/lookup/")
        page.fill("input[name=q]", "xasq")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=350802002001")
        assert page.locator("[data-gj-code]").count() == 1
        page.click("[data-gj-copy='350802002001']")
        copied = page.evaluate(
            "[window.getSelection().toString(), document.querySelector('[data-gj-copy]').textContent.trim()]"
        )
        assert copied[0] == "350802002001" or copied[1] != "Copy"  # copied, or selected to copy
        page.fill("input[name=q]", "")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=350802001002")
        page.screenshot(path=str(ARTIFACTS / f"places-community-lookup-{size}.png"), full_page=True)
        if viewport is PHONE:
            assert fits_the_phone(page)
        page.context.close()

    shots = [
        ("street", "/areas/", "places-area-export"),
        ("street", "/grids/", "places-grid-export"),
        ("street", "/party-orgs/", "orgs-party-org-export"),
        ("admin", "/audit/", "audit-export"),
        ("street", "/members/", "people-member-export"),
    ]
    for who, path, name in shots:
        page = signed_in(browser, live_server, who, cast.password, PHONE)
        page.goto(f"{live_server.url}{path}")
        assert page.locator("a[data-export]:not([data-export-format])").count() == 1  # .xlsx
        assert page.locator("a[data-export][data-export-format=csv]").count() == 1
        assert page.locator("a[data-export-format=csv]").is_visible()
        page.screenshot(path=str(ARTIFACTS / f"{name}-360.png"), full_page=True)
        assert fits_the_phone(page), path
        page.context.close()
