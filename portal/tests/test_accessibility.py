"""Accessibility in a real browser: every demo role of the cast signs in, and axe-core (from the npm
registry, vendored into static/vendor/ by the Makefile, never from a CDN) checks its home page and each
list its navigation offers against WCAG 2.x A and AA. No violation of impact "serious" or "critical"
is allowed, colour contrast included.

One test per role, each with its own browser; each role's home is also checked on a 360 px phone, with its menu
opened, and kept as screenshots (test-artifacts/a11y-<role>-home-*.png, a11y-<role>-menu-360.png) for a
human to look at; the distinct problems found, with their pages, go to test-artifacts/a11y-report-<role>.txt.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from checkin import actions as checkin_actions
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in
from service.models import ServiceCategory
from service.needs import actions as need_actions
from service.records import actions as record_actions

AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what the product promises.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")
# The demo roles of the cast (conftest.build_cast), each with the username it signs in with.
ROLES = ["member", "resident", "community", "street", "unit", "grid", "orgdept", "inspector", "dept"]
# Links in the navigation that are not a list of the product's own (the Django admin).
NOT_LISTS = ("/admin/",)

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 40).map(n => n.target.join(" ") + " — " + (n.failureSummary || "").split("\\n").slice(1).join(" ")),
  }));
}"""


def some_work(cast) -> None:
    """Rows on the lists, so their badges and states are checked too: check-ins in two states, a
    resident's urgent need, a dispatched need, the member's service records (one confirmed, one
    flagged for review) and a confirmed record of 赵六 (unit B), so that two members and two units
    have points to compare."""
    checkin_actions.submit_checkin(acting_user=cast.member, member=cast.m_member)
    awaiting = checkin_actions.submit_checkin(acting_user=cast.unit, member=cast.m_a2)
    checkin_actions.issue_certificate(acting_user=cast.unit, checkin=awaiting)
    repair = ServiceCategory.objects.get(code="home_repair")
    need_actions.post_need(
        acting_user=cast.resident,
        title="厨房水管漏水",
        category=repair,
        urgency="urgent",
        beneficiary_address="阳光小区1号楼302",
    )
    other = need_actions.post_need(
        acting_user=cast.community, community=cast.places.a1, title="楼道灯不亮", category=repair
    )
    need_actions.dispatch_need(acting_user=cast.community, need=other, member=cast.m_b_home_a)
    care = ServiceCategory.objects.get(code="elderly_care")
    start = timezone.now() - timedelta(hours=4)
    records = [
        record_actions.log_service_record(
            acting_user=cast.member,
            category=care,
            started_at=start,
            minutes=minutes,
            description=text,
            community=cast.places.a1,
        )
        for minutes, text in ((90, "帮邻居修理自行车"), (60, "陪同孙大妈去社区医院"))
    ]
    record_actions.confirm_as_organiser(acting_user=cast.community, record=records[0])
    # a second member with points, of another unit: the rankings have members and units to compare
    zhao = create_user(acting_user=None, username="zhao", password=cast.password, full_name="赵六")
    grant_role(acting_user=None, user=zhao, role=Role.MEMBER)
    cast.m_b_home_a.user = zhao
    cast.m_b_home_a.save(update_fields=["user"])
    record = record_actions.log_service_record(
        acting_user=zhao,
        category=care,
        started_at=start - timedelta(days=1),
        minutes=30,
        description="帮孙大妈买菜",
        community=cast.places.a1,
    )
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record)


def nav_links(page) -> list[str]:
    """The pages the role's navigation offers (menus included), in order, each once."""
    hrefs = page.eval_on_selector_all(
        "#gj-nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    seen: list[str] = []
    for href in hrefs:
        if href not in seen and not href.startswith(NOT_LISTS):
            seen.append(href)
    return seen


def violations(page) -> list[dict]:
    """axe's serious and critical findings on the page as it is now (axe is loaded into each page of a
    context by ``add_init_script`` where a test walks many pages; into this one page otherwise)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # from the site itself: the Content-Security-Policy refuses an inline <script> with its text
        page.add_script_tag(url="/static/vendor/axe.min.js")
    return [v for v in page.evaluate(RUN_AXE, WCAG_TAGS) if v["impact"] in BLOCKING]


def report(found: dict[tuple[str, str], list[dict]]) -> str:
    """Each distinct problem once, with the pages it was found on."""
    where: dict[str, list[str]] = {}
    for (role, url), problems in found.items():
        for v in problems:
            for node in v["nodes"]:
                where.setdefault(f"[{v['impact']}] {v['id']}: {node}", []).append(f"{role} {url}")
    return "\n".join(
        f"{problem}\n    on {len(pages)} page(s): {', '.join(pages[:8])}" for problem, pages in where.items()
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_role_home_and_lists_pass_axe_without_serious_violations(live_server, browser, role):
    """One role a test (nine tests, not one of a minute: parallel workers share them out)."""
    assert AXE.exists(), "axe-core is vendored by `make assets` (static/vendor/axe.min.js)"
    cast = build_cast()
    some_work(cast)
    site = live_server.url
    found: dict[tuple[str, str], list[dict]] = {}
    broken: list[str] = []  # a page that fails is no page to check
    page = signed_in(browser, live_server, role, cast.password, DESK)
    page.context.add_init_script(path=str(AXE))  # once for every page the role walks through
    links = nav_links(page)
    assert "/" in links, f"{role}'s navigation has no home link"
    page.screenshot(path=str(ARTIFACTS / f"a11y-{role}-home-desk.png"), full_page=True)
    for url in links:
        if url != "/" and (status := page.goto(site + url).status) >= 400:
            broken.append(f"{role} {url}: HTTP {status}")
        if problems := violations(page):
            found[(role, url)] = problems
    # The home page on a phone too: the navbar folds into a menu there.
    page.set_viewport_size(PHONE)
    page.goto(site + "/")
    page.screenshot(path=str(ARTIFACTS / f"a11y-{role}-home-360.png"), full_page=True)
    if problems := violations(page):
        found[(role, "/ (360 px)")] = problems
    # ... and its menu, opened, on the phone
    page.click(".navbar-toggler")
    page.wait_for_selector("#gj-nav.show:not(.showing)")
    page.screenshot(path=str(ARTIFACTS / f"a11y-{role}-menu-360.png"))
    if problems := violations(page):
        found[(role, "menu (360 px)")] = problems
    page.context.close()
    (ARTIFACTS / f"a11y-report-{role}.txt").write_text(report(found) or "no serious or critical violations\n")
    # The role was walked through its home and at least one list of its own.
    assert len(links) >= 2, links
    assert not broken, broken
    assert not found, "axe found serious or critical violations:\n" + report(found)


@pytest.mark.django_db(transaction=True)
def test_charts_are_drawn_labelled_with_their_figures_and_fit_a_phone(live_server, browser):
    """static/js/charts.js draws each chart of templates/parts/chart.html (the street's areas, the
    rankings' members and units) and labels it with every figure, on a phone and a desktop."""
    cast = build_cast()
    some_work(cast)
    site = live_server.url
    page = signed_in(browser, live_server, "street", cast.password, PHONE)
    expected = {
        "/areas/": [["龙津社区", "中山社区"]],
        "/points/rankings/": [["张三丰", "赵六"], ["龙岩市烟草公司", "西城商贸有限公司"]],
    }
    for url, names in expected.items():
        for size, viewport in (("360", PHONE), ("desk", DESK)):
            page.set_viewport_size(viewport)
            page.goto(site + url)
            page.wait_for_selector(".gj-chart[data-gj-drawn] canvas")
            labels = page.eval_on_selector_all(
                ".gj-chart", "boxes => boxes.map(b => b.getAttribute('aria-label'))"
            )
            assert len(labels) == len(names), labels
            for label, shown in zip(labels, names, strict=True):
                assert all(name in label for name in shown), label
            assert page.locator(".gj-chart[data-gj-drawn] canvas").count() == len(names)
            assert fits_the_phone(page) or size == "desk"
            page.screenshot(
                path=str(ARTIFACTS / f"a11y-charts{url.replace('/', '-')}{size}.png"), full_page=True
            )
    assert not violations(page), "the charts' page has serious or critical violations"
    page.context.close()
