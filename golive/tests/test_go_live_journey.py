"""Going live, in a real browser, from an empty database: the platform administrator sets up a city
from the national division list and the set-up files; the unit admin he named signs in by SMS code
and imports the unit's roster; a member on it activates by phone and checks in; a resident registers
and asks for help. Everything but the administrator's own account is done through the pages.

Screenshots at 360 px in test-artifacts/golive-journey-*.png for a human to look at.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.actions import create_user, grant_role
from accounts.models import Role
from accounts.tests import outbox as box
from checkin.models import CheckIn, CheckInState
from golive.catalogue import SHEETS
from gongjian.browser_testing import ARTIFACTS, PHONE, TIMEOUT_MS, enrol_on_page, fits_the_phone, signed_in
from gongjian.testing import id_number
from jobs.roster import COLUMNS as ROSTER_COLUMNS
from orgs.models import Unit
from people.models import Member, Resident
from places.models import Area, Building, Compound
from service.models import Need

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CITY, STREETS = "350800", ["350802001", "350802002"]  # 龙岩市: 东城街道, 南城街道
COMMUNITY = "350802001001"  # 东门社区居委会, in 东城街道
UNIT = "龙岩市东城建设有限公司"
ADMIN_PHONE, MEMBER_PHONE, RESIDENT_PHONE = "13711112222", "13822223333", "13933334444"


def _rows(headers: list[str], rows: list[dict]) -> list[list[str]]:
    return [[values.get(h, "") for h in headers] for values in rows]


def xlsx(headers: list[str], rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in _rows(headers, rows):
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(headers: list[str], rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(_rows(headers, rows))
    return out.getvalue().encode("utf-8-sig")


def template_headers(page, url: str) -> list[str]:
    """The header row of a template as the page hands it out (.xlsx, or .csv with ?format=csv)."""
    body = page.request.get(url).body()
    if "format=csv" in url:
        return next(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return [c.value for c in load_workbook(io.BytesIO(body)).active[1]]


def headers(page, site: str, key: str, fmt: str = "") -> list[str]:
    found = template_headers(page, site + reverse("golive:template", args=[key]) + fmt)
    assert found == [c.header for c in SHEETS[key].columns]
    return found


def phone_page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def shot(page, name: str) -> None:
    assert fits_the_phone(page), name
    page.screenshot(path=str(ARTIFACTS / f"golive-journey-{name}.png"), full_page=True)


def import_sheet(page, site: str, key: str, content: bytes, filename: str, *, new: int) -> None:
    """From the set-up steps, open the sheet's page, upload the file, see every row pass the checks,
    confirm, see it succeed."""
    page.goto(site + reverse("golive:index"))
    page.click(f"main a[href='{reverse('golive:sheet', args=[key])}']")
    kind = "text/csv" if filename.endswith(".csv") else XLSX
    page.set_input_files("input[name=file]", files=[{"name": filename, "mimeType": kind, "buffer": content}])
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("form[action$='/confirm/'] button")
    assert "确认导入" in page.locator("form[action$='/confirm/']").inner_text()
    page.click("form[action$='/confirm/'] button")
    page.wait_for_selector("#job-progress .badge.text-bg-success")
    assert page.locator(".gj-stat").nth(1).inner_text().strip() == str(new)


@pytest.mark.django_db(transaction=True)
def test_a_city_goes_live_from_an_empty_database(live_server, browser, settings, tmp_path):
    settings.SMS_BACKEND = "accounts.tests.outbox.OutboxSender"
    settings.MEDIA_ROOT = tmp_path
    box.SENT.clear()
    ARTIFACTS.mkdir(exist_ok=True)
    site = live_server.url
    # The only thing done outside the browser: the platform administrator's account.
    admin = create_user(
        acting_user=None, username="platform", password="platform-pass-123", full_name="平台管理员"
    )
    grant_role(acting_user=None, user=admin, role=Role.PLATFORM_ADMIN)

    # 1. The platform administrator: the divisions from the national list, two streets ticked.
    page = signed_in(browser, live_server, "platform", "platform-pass-123", PHONE)
    page.goto(site + reverse("golive:index"))
    page.click(f"main a[href='{reverse('golive:divisions')}']")
    page.fill("input[name=q]", "龙岩")
    page.click("form[role=search] button[type=submit]")
    page.click(f"a[href='?city={CITY}']")
    for street in STREETS:
        page.check(f"input[name=street][value='{street}']")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector(f"input[name=street][value='{STREETS[1]}'] ~ .badge.text-bg-success")
    assert "29" in page.locator(".alert-success").inner_text()  # city, district, 2 streets, 25 communities
    shot(page, "1-divisions")
    assert Area.objects.filter(code__in=STREETS).count() == 2
    community = Area.objects.get(code=COMMUNITY)

    # ... then the set-up files, in the catalogue's order: units, a party organisation, a compound
    # and a building, the unit admin's account.
    unit_row = {"单位名称": UNIT, "单位类型": "非公企业", "所在区划代码": COMMUNITY, "联系人": "郑经理"}
    import_sheet(page, site, "units", xlsx(headers(page, site, "units"), [unit_row]), "单位.xlsx", new=1)
    org_row = {"组织编码": "DC-JS", "组织名称": "东城建设公司党支部", "组织类型": "党支部", "所属单位": UNIT}
    import_sheet(
        page,
        site,
        "party_orgs",
        csv_file(headers(page, site, "party_orgs", "?format=csv"), [org_row]),
        "党组织.csv",
        new=1,
    )
    compound_row = {"所在社区代码": COMMUNITY, "小区名称": "东门花园", "地址": "东门路8号"}
    import_sheet(
        page, site, "compounds", xlsx(headers(page, site, "compounds"), [compound_row]), "小区.xlsx", new=1
    )
    building_row = {"所在社区代码": COMMUNITY, "小区名称": "东门花园", "楼栋名称": "3幢"}
    import_sheet(
        page, site, "buildings", xlsx(headers(page, site, "buildings"), [building_row]), "楼栋.xlsx", new=1
    )
    admin_row = {"姓名": "郑晓燕", "手机号": ADMIN_PHONE, "所属单位": UNIT}
    import_sheet(
        page, site, "unit_admins", xlsx(headers(page, site, "unit_admins"), [admin_row]), "管理员.xlsx", new=1
    )
    shot(page, "2-unit-admins-imported")
    page.goto(site + reverse("golive:index"))
    shot(page, "3-setup-steps")
    unit = Unit.objects.get(name=UNIT)
    compound = Compound.objects.get(name="东门花园", community=community)
    building = Building.objects.get(name="3幢", compound=compound)

    # 2. The unit admin signs in by SMS code (no password was ever set) and imports the roster.
    unit_admin = phone_page(browser)
    unit_admin.goto(site + reverse("accounts:login"))
    unit_admin.click(f"a[href='{reverse('accounts:code_sign_in')}']")
    unit_admin.fill("input[name=phone]", ADMIN_PHONE)
    unit_admin.click("button[type=submit]")
    unit_admin.wait_for_url(site + reverse("accounts:code_sign_in_verify"))
    unit_admin.fill("input[name=code]", box.last_code(ADMIN_PHONE))
    shot(unit_admin, "4-unit-admin-code")
    unit_admin.click("button[type=submit]")
    # A unit admin may reveal ID numbers: before anything else, they set up the second factor.
    unit_admin.wait_for_url(f"{site}{reverse('accounts:second_factor_enrol')}**")
    codes = enrol_on_page(unit_admin, site)
    assert len(codes) == 10
    unit_admin.click(f"main a[href='{reverse('portal:home')}']")
    unit_admin.wait_for_url(site + reverse("portal:home"))
    assert UNIT in unit_admin.content()
    unit_admin.goto(site + reverse("jobs:import_members"))
    roster = template_headers(unit_admin, site + reverse("jobs:roster_template"))
    assert roster == [c.header for c in ROSTER_COLUMNS]
    member_row = {
        "姓名": "陈建国",
        "身份证号": id_number(71),
        "手机号": MEMBER_PHONE,
        "入党日期": "2012-07-01",
        "党员状态": "正式党员",
        "所在党组织编码": "DC-JS",
        "是否在职": "是",
        "居住社区代码": COMMUNITY,
        "居住小区": "东门花园",
        "居住楼栋": "3幢",
    }
    unit_admin.set_input_files(
        "input[name=file]",
        files=[{"name": "名单.xlsx", "mimeType": XLSX, "buffer": xlsx(roster, [member_row])}],
    )
    unit_admin.click("main button[type=submit]")
    unit_admin.wait_for_selector("form[action$='/confirm/'] button")
    unit_admin.click("form[action$='/confirm/'] button")
    unit_admin.wait_for_selector(".badge.text-bg-success")
    assert "新增党员1名" in unit_admin.locator("#job-progress").inner_text()
    shot(unit_admin, "5-roster-imported")
    member = Member.objects.get(name="陈建国")
    assert member.unit == unit and member.user is None and member.residence_building == building

    # 3. The member activates by phone (code + the ID's last four), skips the password, checks in.
    phone = phone_page(browser)
    phone.goto(site + reverse("accounts:login"))
    phone.click(f"a[href='{reverse('accounts:activate')}']")
    phone.fill("input[name=phone]", MEMBER_PHONE)
    phone.click("button[type=submit]")
    phone.wait_for_url(site + reverse("accounts:activate_verify"))
    phone.fill("input[name=code]", box.last_code(MEMBER_PHONE))
    phone.fill("input[name=id_last4]", id_number(71)[-4:])
    shot(phone, "6-member-activate")
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{site}{reverse('accounts:set_password')}*")
    phone.click(f"a[href='{reverse('portal:home')}']")
    phone.wait_for_url(site + reverse("portal:home"))
    phone.goto(site + reverse("checkin:my_checkin"))
    phone.wait_for_selector("#checkin-form")
    assert "东门社区" in phone.locator("#proposal-title").inner_text()
    assert phone.locator("#checkin-form select[name=building]").input_value() == str(building.public_id)
    phone.check("#checkin-form input[name=vanguard_kinds][value=volunteering]")
    phone.click("#checkin-form button[type=submit]")
    phone.wait_for_selector("#status-title")
    assert "东门社区" in phone.locator("#status-title").inner_text()
    assert "已提交" in phone.locator("main").inner_text()
    shot(phone, "7-member-checked-in")
    assert CheckIn.objects.get(member=member).state == CheckInState.SUBMITTED

    # 4. A resident registers (phone + code, community → compound → building) and asks for help.
    resident = phone_page(browser)
    resident.goto(site + reverse("accounts:login"))
    resident.click(f"a[href='{reverse('accounts:register')}']")
    resident.fill("input[name=phone]", RESIDENT_PHONE)
    resident.click("button[type=submit]")
    resident.wait_for_url(site + reverse("accounts:register_details"))
    resident.fill("input[name=code]", box.last_code(RESIDENT_PHONE))
    resident.fill("input[name=name]", "黄阿婆")
    resident.select_option("select[name=community]", str(community.public_id))
    resident.wait_for_selector(
        f"select[name=compound] option[value='{compound.public_id}']", state="attached"
    )
    resident.select_option("select[name=compound]", str(compound.public_id))
    resident.wait_for_selector(
        f"select[name=building] option[value='{building.public_id}']", state="attached"
    )
    resident.select_option("select[name=building]", str(building.public_id))
    shot(resident, "8-resident-register")
    resident.click("form button.btn-primary[type=submit]")
    resident.wait_for_url(site + reverse("portal:home"))
    assert Resident.objects.get(name="黄阿婆").residence_building == building
    resident.goto(site + reverse("service:ask"))
    resident.fill("input[name=title]", "楼道灯坏了，晚上看不见")
    resident.select_option("select[name=category]", index=1)
    resident.click("main form button.btn-primary[type=submit]")
    resident.wait_for_selector(".alert-success")
    assert "楼道灯坏了" in resident.locator("h1").inner_text()
    shown = resident.locator("main").inner_text()
    assert "待接单" in shown and "东门花园 3幢" in shown and "黄阿婆" in shown
    shot(resident, "9-resident-need-posted")
    need = Need.objects.get(title="楼道灯坏了，晚上看不见")
    assert need.community == community and need.building == building
