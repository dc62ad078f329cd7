"""The check-in journey in a real browser, through the three roles: the member checks in on a phone,
their unit issues the certificate, the community confirms them by the certificate's code, and the
unit's check-in rate moves.

Screenshots are kept in test-artifacts/ (10- to 13-) for a human to look at.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from checkin import codes
from checkin.models import Certificate, CheckIn, CheckInState
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in


def rate_shown(page) -> str:
    """The check-in rate on the unit's reconciliation page (its first figure)."""
    return page.locator(".gj-stat").first.inner_text().strip()


@pytest.mark.django_db(transaction=True)
def test_member_unit_and_community_take_a_member_from_not_reported_to_confirmed(live_server, browser):
    cast = build_cast()
    ARTIFACTS.mkdir(exist_ok=True)
    site = live_server.url
    checkin_of = CheckIn.objects.filter(member=cast.m_member)

    # The unit's rate before: two in-service members, nobody reported.
    unit = signed_in(browser, live_server, "unit", cast.password, DESK)
    rate_url = site + reverse("checkin:unit_reconciliation", args=[cast.places.unit_a.public_id])
    unit.goto(rate_url)
    assert rate_shown(unit) == "0.0%"

    # 1. The member, on a phone: the platform proposes the community where they live.
    member = signed_in(browser, live_server, "member", cast.password, PHONE)
    member.goto(site + reverse("checkin:my_checkin"))
    member.wait_for_selector("#checkin-form")
    assert "龙津社区" in member.locator("#proposal-title").inner_text()
    building = member.locator("#checkin-form select[name=building]")
    assert building.input_value() == str(cast.places.building_a1.public_id)  # their home, filled in
    member.check("#checkin-form input[name=vanguard_kinds][value=volunteering]")
    member.check("#checkin-form input[name=vanguard_kinds][value=policy_outreach]")
    member.fill("#checkin-form input[name=skills]", "电脑维修")
    assert fits_the_phone(member)
    member.click("#checkin-form button[type=submit]")
    member.wait_for_selector("#status-title")
    assert "龙津社区" in member.locator("#status-title").inner_text()
    assert fits_the_phone(member)
    member.screenshot(path=str(ARTIFACTS / "10-member-checkin-360.png"), full_page=True)
    checkin = checkin_of.get()
    assert checkin.state == CheckInState.SUBMITTED and checkin.skills == "电脑维修"
    assert checkin.vanguard_kinds == ["policy_outreach", "volunteering"]

    # 2. The unit's admin issues the certificate from the unit page.
    unit.goto(site + reverse("checkin:unit_page"))
    issue = f"form[action$='/checkin/unit/{checkin.public_id}/issue/'] button[type=submit]"
    unit.click(issue)
    unit.wait_for_selector(f"#issued a[href$='/checkin/{checkin.public_id}/certificate.pdf']")
    assert unit.locator(issue).count() == 0  # no longer awaiting a certificate
    unit.screenshot(path=str(ARTIFACTS / "11-unit-certify.png"), full_page=True)
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CERTIFIED

    # 3. The community, on a phone, opens the certificate's code (what its QR code carries) and confirms.
    code = codes.certificate_code(Certificate.objects.get(checkin=checkin, revoked_at__isnull=True))
    community = signed_in(browser, live_server, "community", cast.password, PHONE)
    community.goto(site + reverse("checkin:verify") + f"?code={code}")
    community.wait_for_selector("[data-verdict=genuine]")
    assert "张三丰" in community.locator("[data-verdict=genuine]").inner_text()
    assert fits_the_phone(community)
    community.screenshot(path=str(ARTIFACTS / "12-community-confirm-360.png"), full_page=True)
    community.click("form[method=post][action$='/checkin/verify/'] button[type=submit]")
    community.wait_for_url(f"{site}{reverse('checkin:community_page')}*")
    assert "张三丰" in community.locator(".alert-success, .alert").first.inner_text()
    community.screenshot(path=str(ARTIFACTS / "12b-community-confirmed-360.png"), full_page=True)
    checkin.refresh_from_db()
    assert checkin.state == CheckInState.CONFIRMED
    assert list(checkin.events.values_list("to_state", "actor__username")) == [
        ("submitted", "member"),
        ("certified", "unit"),
        ("confirmed", "community"),
    ]

    # A second look at the same code is refused as already confirmed: no second confirmation.
    community.goto(site + reverse("checkin:verify") + f"?code={code}")
    assert community.locator("form[method=post][action$='/checkin/verify/']").count() == 0

    # 4. The unit's rate moves: one of its two in-service members is confirmed this month.
    unit.goto(rate_url)
    assert rate_shown(unit) == "50.0%"
    unit.screenshot(path=str(ARTIFACTS / "13-unit-rate.png"), full_page=True)
