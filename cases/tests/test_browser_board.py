"""The street's dispatch board and the case figures, looked at on a 360 px phone and on a desktop: the
sections hold their cards, nothing is wider than the phone, the on-time chart is drawn (no inline script:
the Content-Security-Policy guard of the ``browser`` fixture fails the journey otherwise). Screenshots in
test-artifacts/ (cases-board-*.png, cases-figures-*.png)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import actions
from cases.models import Case, CaseDispatch
from cases.tests.fixtures import grid_case
from conftest import build_cast
from gongjian.browser_testing import ARTIFACTS, DESK, PHONE, fits_the_phone, signed_in

SHOTS = [ARTIFACTS, Path("/tmp/shots/desk")]


def stage(cast):
    """A case of each kind on street A's board: new, returned, being handled, overdue; one finished."""
    p = cast.places
    new = grid_case(cast, title="楼道堆放杂物影响通行")
    actions.pass_up(acting_user=cast.community, case=new, reason="需要城管")
    returned = grid_case(cast, title="小区门口占道经营")
    [lead] = actions.dispatch_case(acting_user=cast.street, case=returned, lead=p.dept_a)
    actions.return_dispatch(acting_user=cast.dept, dispatch=lead, reason="属于市场监管，请改派")
    handled = grid_case(cast, title="路灯损坏夜间无照明")
    lead, _co = actions.dispatch_case(
        acting_user=cast.street, case=handled, lead=p.dept_a, co_handlers=[p.unit_a]
    )
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    late = grid_case(cast, title="消防通道被车辆长期占用")
    actions.dispatch_case(acting_user=cast.street, case=late, lead=p.dept_a)
    # past its deadline, which fell this month (so the month's figures count it)
    passed = timezone.localtime().replace(day=1, hour=0, minute=1, second=0, microsecond=0)
    Case.objects.filter(pk=late.pk).update(due_at=passed)
    CaseDispatch.objects.filter(case=late).update(due_at=passed)
    done = grid_case(cast, title="垃圾清运不及时")
    [lead] = actions.dispatch_case(acting_user=cast.street, case=done, lead=p.dept_a)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
    actions.resolve_case(acting_user=cast.dept, case=done, result="已清运")
    actions.rate_case(acting_user=cast.grid, case=done, rating="satisfied")
    return cast


def _shoot(page, name: str) -> None:
    for folder in SHOTS:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_street_board_on_a_phone_and_a_desktop(live_server, browser):
    cast = stage(build_cast())
    for name, viewport in (("360", PHONE), ("desktop", DESK)):
        page = signed_in(browser, live_server, "street", cast.password, viewport)
        page.goto(live_server.url + reverse("cases:board"))
        page.wait_for_selector("[data-section=new]")
        new = page.locator("[data-section=new] [data-case]")
        assert new.count() == 1  # passed up (the returned one has its own section)
        assert "属于市场监管" in page.locator("[data-section=returned]").inner_text()
        assert page.locator("[data-section=overdue] [data-case]").count() == 1
        assert page.locator("#by-handler tbody tr").count() == 2  # the department and the co-handling unit
        if viewport is PHONE:
            assert fits_the_phone(page)
        _shoot(page, f"cases-board-{name}.png")
        page.goto(live_server.url + reverse("cases:figures"))
        page.wait_for_selector("[data-gj-chart=gj-ontime-chart][data-gj-drawn] canvas")
        if viewport is PHONE:
            assert fits_the_phone(page)
        _shoot(page, f"cases-figures-{name}.png")
        page.goto(live_server.url + reverse("cases:case_list"))
        page.wait_for_selector("[data-case]")
        assert page.locator("tbody [data-case]").count() == 5
        if viewport is PHONE:
            assert fits_the_phone(page)
        _shoot(page, f"cases-list-{name}.png")
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_department_inbox_on_a_phone(live_server, browser):
    cast = stage(build_cast())
    page = signed_in(browser, live_server, "dept", cast.password, PHONE)
    assert page.locator("[data-work^='cases.']").count() >= 1  # its home starts with its cases
    page.goto(live_server.url + reverse("cases:inbox"))
    page.wait_for_selector("[data-section=awaiting] [data-dispatch]")
    assert fits_the_phone(page)
    _shoot(page, "cases-inbox-360.png")
    page.locator("[data-section=awaiting] [data-dispatch] button.btn-success").first.click()
    page.wait_for_selector("[data-section=handling] [data-dispatch]")
    assert page.locator("[data-section=handling] [data-dispatch]").count() == 2
    page.context.close()
