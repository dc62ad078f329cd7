"""The department inbox: what waits for acceptance and for how long, accepting and returning from it, a
return without a reason keeping what was typed, another unit's dispatch being a 404, who opens it, and
its query count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from cases import actions
from cases.models import CaseDispatch, CaseState, DispatchState
from cases.tests.fixtures import grid_case

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _dispatched(cast, title="井盖缺失", unit=None):
    case = grid_case(cast, title=title)
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=unit or cast.places.dept_a)
    return case, lead


def _titles(pager):
    return [d.case.title for d in pager["page"]]


def test_the_inbox_shows_what_waits_and_accept_moves_it(client, cast):
    case, lead = _dispatched(cast)
    cast.login(client, "dept")
    page = client.get(reverse("cases:inbox"))
    assert page.status_code == 200
    assert _titles(page.context["awaiting"]) == ["井盖缺失"] and _titles(page.context["handling"]) == []
    assert "left to accept" in page.content.decode() or "签收" in page.content.decode()
    response = client.post(reverse("cases:inbox_accept", args=[lead.public_id]))
    assert response.status_code == 302 and response["Location"].endswith("#handling")
    lead.refresh_from_db()
    case.refresh_from_db()
    assert lead.state == DispatchState.ACCEPTED and case.state == CaseState.HANDLING
    page = client.get(reverse("cases:inbox"))
    assert _titles(page.context["handling"]) == ["井盖缺失"] and page.context["counts"]["handling"] == 1
    # accepting twice is refused with the action's words, not an error page
    again = client.post(reverse("cases:inbox_accept", args=[lead.public_id]), follow=True)
    assert again.status_code == 200 and any(m.level_tag == "error" for m in again.context["messages"])


def test_return_needs_a_reason_and_keeps_what_was_typed(client, cast):
    case, lead = _dispatched(cast)
    cast.login(client, "dept")
    blank = client.post(reverse("cases:inbox_return", args=[lead.public_id]), {"reason": "   "})
    assert blank.status_code == 400
    assert "data-error" in blank.content.decode()
    too_long = client.post(reverse("cases:inbox_return", args=[lead.public_id]), {"reason": "长" * 300})
    assert too_long.status_code == 400 and "长" * 300 in too_long.content.decode()
    lead.refresh_from_db()
    assert lead.state == DispatchState.AWAITING
    done = client.post(reverse("cases:inbox_return", args=[lead.public_id]), {"reason": "属于住建部门"})
    assert done.status_code == 302
    lead.refresh_from_db()
    case.refresh_from_db()
    assert lead.state == DispatchState.RETURNED and lead.return_reason == "属于住建部门"
    assert case.state == CaseState.TRIAGE  # not lost: back with the street
    page = client.get(reverse("cases:inbox"))
    assert [d.case.title for d in page.context["returned"]] == ["井盖缺失"]


def test_another_units_dispatch_is_not_found_and_others_are_refused(client, cast):
    _case, lead = _dispatched(cast)
    cast.login(client, "unit")  # a unit admin, but not of the department
    assert client.post(reverse("cases:inbox_accept", args=[lead.public_id])).status_code == 404
    assert (
        client.post(reverse("cases:inbox_return", args=[lead.public_id]), {"reason": "x"}).status_code == 404
    )
    assert client.post("/cases/inbox/not-a-uuid/accept/").status_code == 404
    assert _titles(client.get(reverse("cases:inbox")).context["awaiting"]) == []
    for who in ("street", "community", "grid", "resident"):
        cast.login(client, who)
        assert client.get(reverse("cases:inbox")).status_code == 403, who
        assert client.post(reverse("cases:inbox_accept", args=[lead.public_id])).status_code == 403, who
    cast.login(client, "dept")
    assert client.get(reverse("cases:inbox_accept", args=[lead.public_id])).status_code == 405
    lead.refresh_from_db()
    assert lead.state == DispatchState.AWAITING


def test_late_and_done(client, cast):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False):
        _late_case, late = _dispatched(cast, title="迟迟未签收")
        done_case, done = _dispatched(cast, title="已办结")
        actions.accept_dispatch(acting_user=cast.dept, dispatch=done)
        actions.resolve_case(acting_user=cast.dept, case=done_case, result="已修复")
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=SH), tick=False):
        cast.login(client, "dept")
        page = client.get(reverse("cases:inbox"))
        assert page.context["counts"]["late_to_accept"] == 1
        assert "gj-late" in page.content.decode()
        assert [d.case.title for d in page.context["done"]] == ["已办结"]
    assert late.accept_by < dt.datetime(2026, 11, 10, tzinfo=SH)


def test_inbox_queries_do_not_grow(client, cast, django_assert_max_num_queries):
    cast.login(client, "dept")
    for i in range(3):
        _dispatched(cast, title=f"问题{i}")
    client.get(reverse("cases:inbox"))
    with django_assert_max_num_queries(16) as few:
        assert client.get(reverse("cases:inbox")).status_code == 200
    for i in range(9):
        case, lead = _dispatched(cast, title=f"更多{i}")
        if i % 2:
            actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
        elif i % 3 == 0:
            actions.return_dispatch(acting_user=cast.dept, dispatch=lead, reason="退回")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("cases:inbox")).status_code == 200
    assert CaseDispatch.objects.for_user(cast.dept).count() == 12
