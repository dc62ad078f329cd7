"""Getting in, in a real browser on a 360 px phone: a member on a roster activates by SMS code and the
ID's last four characters, a resident registers choosing community → compound → building (the lists
follow by htmx). Screenshots in test-artifacts/ (40- to 43-) for a human to look at."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests import outbox as box
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, PHONE, TIMEOUT_MS, fits_the_phone
from gongjian.testing import id_number
from people.models import Member, Resident


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


@pytest.mark.django_db(transaction=True)
def test_a_member_activates_and_a_resident_registers_on_a_phone(live_server, browser, settings):
    settings.SMS_BACKEND = "accounts.tests.outbox.OutboxSender"
    box.SENT.clear()
    cast = build_cast()
    ARTIFACTS.mkdir(exist_ok=True)
    site = live_server.url

    # 1. The member, from the sign-in page: phone → code + the ID's last four → a password, or skip.
    member = phone_page(browser)
    member.goto(site + reverse("accounts:login"))
    member.click(f"a[href='{reverse('accounts:activate')}']")
    member.fill("input[name=phone]", "138 0000 0002")
    member.click("button[type=submit]")
    member.wait_for_url(site + reverse("accounts:activate_verify"))
    member.fill("input[name=code]", box.last_code("13800000002"))
    member.fill("input[name=id_last4]", id_number(2)[-4:])
    assert fits_the_phone(member)
    member.screenshot(path=str(ARTIFACTS / "40-member-activate-360.png"), full_page=True)
    member.click("button[type=submit]")
    member.wait_for_url(f"{site}{reverse('accounts:set_password')}*")
    assert fits_the_phone(member)
    member.screenshot(path=str(ARTIFACTS / "41-member-password-360.png"), full_page=True)
    member.click(f"a[href='{reverse('portal:home')}']")
    member.wait_for_url(site + reverse("portal:home"))
    assert Member.objects.get(pk=cast.m_a2.pk).user is not None

    # 2. A resident registers: community → compound → building, the lists following the choice.
    resident = phone_page(browser)
    resident.goto(site + reverse("accounts:register"))
    resident.fill("input[name=phone]", "13922223333")
    resident.click("button[type=submit]")
    resident.wait_for_url(site + reverse("accounts:register_details"))
    resident.fill("input[name=code]", box.last_code("13922223333"))
    resident.fill("input[name=name]", "吴阿姨")
    p = cast.places
    resident.select_option("select[name=community]", str(p.a1.public_id))
    resident.wait_for_selector(
        f"select[name=compound] option[value='{p.compound_a1.public_id}']", state="attached"
    )
    resident.select_option("select[name=compound]", str(p.compound_a1.public_id))
    resident.wait_for_selector(
        f"select[name=building] option[value='{p.building_a1.public_id}']", state="attached"
    )
    resident.select_option("select[name=building]", str(p.building_a1.public_id))
    assert fits_the_phone(resident)
    resident.screenshot(path=str(ARTIFACTS / "42-resident-register-360.png"), full_page=True)
    resident.click("form button.btn-primary[type=submit]")
    resident.wait_for_url(site + reverse("portal:home"))
    assert fits_the_phone(resident)
    resident.screenshot(path=str(ARTIFACTS / "43-resident-home-360.png"), full_page=True)
    registered = Resident.objects.get(name="吴阿姨")
    assert registered.residence_building == p.building_a1 and registered.verified_at is None
