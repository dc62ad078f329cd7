"""The page behaviours that static/js/gongjian.js gives templates through data- attributes (the
Content-Security-Policy allows no inline script): each works in a real browser as its inline script did,
and the browser guard (conftest ``browser``) proves the pages break no policy on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import build_cast
from gongjian.browser_testing import PHONE, signed_in


@pytest.mark.django_db(transaction=True)
def test_choices_language_and_refusals_behave_without_inline_script(live_server, browser):
    cast = build_cast()
    resident = signed_in(browser, live_server, "resident", cast.password, PHONE)
    resident.goto(f"{live_server.url}/service/ask/")
    budget = resident.locator("#budget-field")
    expect(budget).to_be_hidden()  # a need has no budget
    resident.click("label[for=id_kind_1]")  # micro-wish
    expect(budget).to_be_visible()
    resident.click("label[for=id_kind_0]")
    expect(budget).to_be_hidden()
    # the language select (in the phone's menu) sends its form when a language is chosen
    resident.click(".navbar-toggler")
    resident.select_option("select[name=language]", "en")
    expect(resident.locator("html")).to_have_attribute("lang", "en")

    # a refused reveal (403) shows the refusal in place of the masked number
    unit = signed_in(browser, live_server, "unit", cast.password, PHONE)
    unit.route(
        "**/reveal/**",
        lambda route: route.fulfill(
            status=403, body="<span class='gj-refused'>refused</span>", content_type="text/html"
        ),
    )
    unit.goto(f"{live_server.url}/members/{cast.m_member.public_id}/")
    unit.locator("#gj-number-id_number button").click()
    expect(unit.locator("#gj-number-id_number .gj-refused")).to_have_text("refused")
