"""The case list, the dispatch board and the stuck list: who opens them, what each section holds, that
street B sees nothing of street A, the filters' bad input, the export's masked phones, the to-do items on
the homes, and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse

from accounts.scope import scope_for
from cases import actions
from cases.exports import SPECS
from cases.tests.fixtures import grid_case
from gongjian.work import items_for

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _hotline(cast, title="占道经营", phone="13912345678"):
    """A hotline case the street files with the caller's name and phone."""
    from cases.tests.fixtures import category

    return actions.report_case(
        acting_user=cast.street,
        title=title,
        category=category(),
        building=cast.places.building_a1,
        reporter_name="王女士",
        reporter_phone=phone,
        source="hotline",
    )


def _sections(response) -> dict[str, list[str]]:
    return {key: [c.title for c in cards] for key, cards, *_ in _as_tuples(response.context["sections"])}


def _as_tuples(sections):
    return [(s["key"], s["cards"], s["count"]) for s in sections]


def test_the_board_sorts_cases_into_its_sections(client, cast):
    new = grid_case(cast, title="新问题")
    actions.pass_up(acting_user=cast.community, case=new)
    returned = grid_case(cast, title="被退回的问题")
    [lead] = actions.dispatch_case(acting_user=cast.street, case=returned, lead=cast.places.dept_a)
    actions.return_dispatch(acting_user=cast.dept, dispatch=lead, reason="不属于本部门")
    handled = grid_case(cast, title="处理中的问题")
    [lead2] = actions.dispatch_case(acting_user=cast.street, case=handled, lead=cast.places.dept_a)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=lead2)
    cast.login(client, "street")
    response = client.get(reverse("cases:board"))
    assert response.status_code == 200
    sections = _sections(response)
    assert sections["new"] == ["新问题"]  # both wait at the street, the returned one in its own section
    assert sections["returned"] == ["被退回的问题"]
    assert "不属于本部门" in response.content.decode()
    [row] = response.context["handlers"]
    assert row["unit__name"] == cast.places.dept_a.name and row["n"] == 1 and row["late"] == 0
    # the community sees the cases held by the community only as its "new"
    held = grid_case(cast, title="社区待处理")
    cast.login(client, "community")
    assert _sections(client.get(reverse("cases:board")))["new"] == ["社区待处理"]
    assert held.holder_level == "community"


def test_due_soon_overdue_and_stuck(client, cast):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, 0, tzinfo=SH), tick=False):
        late = grid_case(cast, title="早已超期")
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=SH), tick=False):
        soon = grid_case(cast, title="即将到期")
        soon.due_at = dt.datetime(2026, 11, 21, 9, 0, tzinfo=SH)
        soon.save(update_fields=["due_at"])
        cast.login(client, "street")
        sections = _sections(client.get(reverse("cases:board")))
        assert sections["overdue"] == ["早已超期"] and sections["due_soon"] == ["即将到期"]
        stuck = client.get(reverse("cases:stuck"))
        assert [c.title for c in stuck.context["pager"]["page"]] == ["早已超期"]
        listed = client.get(reverse("cases:case_list"), {"overdue": "true"})
        assert [c.title for c in listed.context["pager"]["page"]] == ["早已超期"]
    assert late.pk != soon.pk


def test_who_opens_the_board_and_street_b_sees_nothing_of_street_a(client, cast):
    grid_case(cast)
    for who, status in (("street", 200), ("community", 200), ("orgdept", 200), ("dept", 403), ("grid", 403)):
        cast.login(client, who)
        assert client.get(reverse("cases:board")).status_code == status, who
    cast.login(client, "street2")
    response = client.get(reverse("cases:board"))
    assert all(not s["cards"] and not s["count"] for s in response.context["sections"])
    assert response.context["counts"]["stuck"] == 0
    assert list(client.get(reverse("cases:case_list")).context["pager"]["page"]) == []
    assert client.get(reverse("cases:stuck")).context["pager"]["page"].object_list == []


def test_the_case_list_scope_and_filters(client, cast):
    mine = grid_case(cast, title="派给城管的")
    actions.dispatch_case(acting_user=cast.street, case=mine, lead=cast.places.dept_a)
    grid_case(cast, title="没有派出的")
    cast.login(client, "dept")
    listed = client.get(reverse("cases:case_list"))
    assert [c.title for c in listed.context["pager"]["page"]] == ["派给城管的"]  # only its own
    cast.login(client, "street")
    by_unit = client.get(reverse("cases:case_list"), {"unit": cast.places.dept_a.public_id})
    assert [c.title for c in by_unit.context["pager"]["page"]] == ["派给城管的"]
    by_state = client.get(reverse("cases:case_list"), {"state": "triage"})
    assert [c.title for c in by_state.context["pager"]["page"]] == ["没有派出的"]
    both = client.get(reverse("cases:case_list"), {"street": cast.places.street_a.public_id, "q": "派"})
    assert len(both.context["pager"]["page"]) == 2
    outside = client.get(reverse("cases:case_list"), {"community": cast.places.b1.public_id})
    assert outside.status_code == 200 and "community" in outside.context["form"].errors


@pytest.mark.parametrize(
    "query",
    [
        {"on": "2026-13"},
        {"on": "../../etc"},
        {"reported_after": "99999-01-01"},
        {"reported_before": "0001-01-01"},
        {"unit": "not-a-uuid"},
        {"grid": "00000000-0000-0000-0000-000000000000"},
        {"figure": "nonsense", "period": "century"},
        {"figure": "received", "on": "2026-02", "period": "quarter"},
        {"state": "\x00"},
        {"page": "99999"},
        {"q": "x" * 500},
    ],
)
def test_strange_filters_never_give_a_500(client, cast, query):
    grid_case(cast)
    cast.login(client, "street")
    response = client.get(reverse("cases:case_list"), query)
    assert response.status_code == 200


def test_the_export_masks_phones_and_names_the_caller_only_to_those_who_may_see(cast):
    case = _hotline(cast)
    actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    spec = SPECS["cases"]
    headers = [str(c.header) for c in spec.columns]
    name_at, phone_at = headers.index("Reporter's name"), headers.index("Reporter's phone")

    def rows(user):
        return list(spec.cells(spec.filtered(user, QueryDict(""))))

    [street_row] = rows(cast.street)
    assert street_row[name_at] == "王女士" and street_row[phone_at] == "139****5678"
    assert "13912345678" not in "".join(str(v) for v in street_row)
    [dept_row] = rows(cast.dept)  # the handler sees who called
    assert dept_row[phone_at] == "139****5678"
    [grid_row] = rows(cast.grid)  # the grid worker sees the case in their grid, not who called
    assert grid_row[name_at] in ("", None) and grid_row[phone_at] in ("", None)
    assert rows(cast.street2) == []
    assert not spec.allowed(cast.resident) and spec.allowed(cast.dept)


def test_the_list_page_offers_the_export_to_its_roles_only(client, cast):
    grid_case(cast)
    cast.login(client, "street")
    assert 'data-export="cases"' in client.get(reverse("cases:case_list")).content.decode()
    cast.login(client, "resident")
    page = client.get(reverse("cases:case_list"))
    assert page.status_code == 200 and 'data-export="cases"' not in page.content.decode()


def _keys(user):
    return {item.key: item for item in items_for(user, scope_for(user))}


def test_to_do_items_on_the_homes(client, cast):
    case = grid_case(cast)
    assert _keys(cast.community)["cases.to_triage"].count == 1
    assert "cases.to_triage" not in _keys(cast.street)  # still with the community
    actions.pass_up(acting_user=cast.community, case=case)
    assert _keys(cast.street)["cases.to_triage"].count == 1
    [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    dept = _keys(cast.dept)
    assert dept["cases.to_accept"].count == 1 and "cases.overdue" not in dept
    assert _keys(cast.grid)["cases.grid_open"].count == 1
    actions.return_dispatch(acting_user=cast.dept, dispatch=lead, reason="不归我们管")
    assert _keys(cast.street)["cases.returned"].count == 1
    [again] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=again)
    actions.resolve_case(acting_user=cast.dept, case=case, result="已清理")
    assert _keys(cast.grid)["cases.to_rate"].count == 1
    assert not any(k.startswith("cases.") for k in _keys(cast.street2))
    # the department's home puts its cases first
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=SH), tick=False):
        other = grid_case(cast, title="另一件")
        actions.dispatch_case(acting_user=cast.street, case=other, lead=cast.places.dept_a)
    cast.login(client, "dept")
    home = client.get(reverse("portal:home")).content.decode()
    assert 'data-work="cases.to_accept"' in home
    first = home.index("data-work=")
    assert home[first:].startswith('data-work="cases.')


def _grow(cast, n: int) -> None:
    for i in range(n):
        case = grid_case(cast, title=f"问题{i}")
        if i % 3 == 0:
            actions.pass_up(acting_user=cast.community, case=case)
        elif i % 3 == 1:
            [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
            if i % 2:
                actions.accept_dispatch(acting_user=cast.dept, dispatch=lead)
        else:
            [lead] = actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.unit_a)
            actions.return_dispatch(acting_user=cast.unit, dispatch=lead, reason="退回")


@pytest.mark.parametrize("name", ["cases:board", "cases:case_list", "cases:stuck"])
def test_list_queries_do_not_grow_with_the_rows(client, cast, django_assert_max_num_queries, name):
    cast.login(client, "street")
    _grow(cast, 3)
    client.get(reverse(name))  # the session's first save
    with django_assert_max_num_queries(17) as few:
        assert client.get(reverse(name)).status_code == 200
    _grow(cast, 9)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse(name)).status_code == 200
