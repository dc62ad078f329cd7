"""The cases API: the category tree, the scoped list and its filters, one case (the reporter only for
those who may see them), a report, and each step of the whistle through the actions, with its refusals
in the project's error shape. Junk never gives a 500."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone

from cases import actions
from cases.models import Case, CaseState, DispatchState
from cases.tests.fixtures import category, grid_case

pytestmark = pytest.mark.django_db


def hotline_case(cast, **kwargs):
    values = {
        "title": "噪音扰民",
        "category": category(),
        "community": cast.places.a1,
        "reporter_name": "陈先生",
        "reporter_phone": "13912345678",
        "source": "hotline",
        "external_id": "12345-0001",
    }
    values.update(kwargs)
    return actions.report_case(acting_user=cast.street, **values)


def dispatched(cast, case=None):
    case = case or grid_case(cast)
    actions.dispatch_case(acting_user=cast.street, case=case, lead=cast.places.dept_a)
    return case


def accepted(cast, case=None):
    case = dispatched(cast, case)
    actions.accept_dispatch(acting_user=cast.dept, dispatch=case.dispatches.get())
    return case


# --- categories -----------------------------------------------------------------------------------


def test_categories_are_a_tree_of_groups_and_codes(cast, api_get):
    response = api_get("grid", "case-categories")
    assert response.status_code == 200
    groups = response.json()
    assert groups and all(group["children"] for group in groups)
    codes = {child["code"] for group in groups for child in group["children"]}
    assert {"piles", "fire-lane"} <= codes
    piles = next(c for g in groups for c in g["children"] if c["code"] == "piles")
    assert set(piles) == {
        "id",
        "code",
        "name",
        "description",
        "keywords",
        "deadline_days",
        "accept_days",
        "default_handler",
    }
    assert api_get("inspector", "case-categories").status_code == 403
    assert api_get("nobody", "case-categories").status_code == 403


# --- reading --------------------------------------------------------------------------------------


def test_list_is_scoped(cast, api_get):
    case = grid_case(cast)
    ids = lambda who: {c["id"] for c in api_get(who, "cases").json()["items"]}  # noqa: E731
    mine = str(case.public_id)
    assert mine in ids("street") and mine in ids("community") and mine in ids("grid")
    assert mine not in ids("street2") and mine not in ids("community2") and mine not in ids("grid2")
    assert mine not in ids("dept")  # not dispatched to it yet
    dispatched(cast, case)
    other = grid_case(cast, title="另一件")
    assert ids("dept") == {mine} and str(other.public_id) not in ids("dept")
    assert api_get("inspector", "cases").status_code == 403
    assert api_get("nobody", "cases").status_code == 403


def test_outsider_gets_404_like_missing(cast, api_get):
    case = grid_case(cast)
    assert api_get("street", f"cases/{case.public_id}").status_code == 200
    outside = api_get("street2", f"cases/{case.public_id}")
    missing = api_get("street2", f"cases/{uuid.uuid4()}")
    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json() == {"detail": "Not found."}
    assert api_get("dept", f"cases/{case.public_id}").status_code == 404
    assert api_get("street", "cases/not-a-uuid").status_code == 422


def test_detail_shape_and_the_reporter_only_for_those_handling(cast, api_get):
    case = accepted(cast, hotline_case(cast, building=cast.places.building_a1))
    body = api_get("street", f"cases/{case.public_id}").json()
    assert body["number"] == case.number and body["state"] == "handling"
    assert body["reporter_name"] == "陈先生" and body["reporter_phone_masked"] == "139****5678"
    assert "13912345678" not in str(body)
    assert body["category"]["code"] == "piles" and body["community"]["name"] == "龙津社区"
    [dispatch] = body["dispatches"]
    assert dispatch["unit"]["name"] == "新罗区城市管理局" and dispatch["role"] == "lead"
    assert dispatch["state"] == "accepted"
    assert [e["action"] for e in body["events"]] == ["report", "dispatch", "accept"]
    assert body["events"][1]["unit"]["name"] == "新罗区城市管理局"
    handler = api_get("dept", f"cases/{case.public_id}").json()
    assert handler["reporter_name"] == "陈先生"
    # a grid worker of the grid sees the case but not who reported it
    grid_view = api_get("grid", f"cases/{case.public_id}")
    assert grid_view.status_code == 200
    assert grid_view.json()["reporter_name"] is None and grid_view.json()["reporter_phone_masked"] is None


def test_filters(cast, api_get):
    p = cast.places
    first = grid_case(cast)
    second = hotline_case(cast, community=p.a2, title="路灯不亮", category=category("fire-lane"))
    dispatched(cast, first)
    numbers = lambda **f: {c["number"] for c in api_get("street", "cases", **f).json()["items"]}  # noqa: E731
    assert numbers(state="dispatched") == {first.number}
    assert numbers(community=str(p.a2.public_id)) == {second.number}
    assert numbers(street=str(p.street_a.public_id)) == {first.number, second.number}
    assert numbers(street=str(p.street_b.public_id)) == set()
    assert numbers(grid=str(p.grid_a.public_id)) == {first.number}  # its grid lies under grid A
    assert numbers(unit=str(p.dept_a.public_id)) == {first.number}
    assert numbers(category=str(category("fire-lane").public_id)) == {second.number}
    group = category("piles").parent
    assert first.number in numbers(category=str(group.public_id))
    assert numbers(overdue="true") == set()
    assert numbers(overdue="false") == {first.number, second.number}
    today = timezone.localdate(first.reported_at).isoformat()
    assert numbers(reported_from=today, reported_to=today) == {first.number, second.number}
    assert numbers(reported_to="2001-01-01") == set()
    assert numbers(grid=str(uuid.uuid4())) == set()
    assert api_get("street", "cases", state="lost").status_code == 422
    assert api_get("street", "cases", reported_from="1800-01-01").status_code == 422
    assert api_get("street", "cases", overdue="maybe").status_code == 422


def test_list_query_count_is_pinned(cast, api_get, django_assert_max_num_queries):
    for n in range(6):
        dispatched(cast, grid_case(cast, title=f"问题{n}"))
    api_get("street", "cases")
    api_get("dept", "cases")
    with django_assert_max_num_queries(4):  # token + user, role grants, page (a short list: no count)
        assert len(api_get("street", "cases").json()["items"]) == 6
    with django_assert_max_num_queries(4):
        assert len(api_get("dept", "cases").json()["items"]) == 6


# --- reporting ------------------------------------------------------------------------------------


def test_grid_worker_reports(cast, api_post):
    response = api_post(
        "grid",
        "cases",
        {
            "title": "楼道堆放杂物",
            "category": str(category().public_id),
            "building": str(cast.places.building_a1.public_id),
            "latitude": 25.07,
            "longitude": 117.02,
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["source"] == "grid_worker" and body["state"] == "triage"
    assert body["community"]["name"] == "龙津社区" and body["building"]["name"] == "1号楼"
    assert body["latitude"] == 25.07
    assert Case.objects.get(public_id=body["id"]).reporter == cast.grid


def test_street_files_a_hotline_ticket_and_the_phone_is_sealed(cast, api_post):
    response = api_post(
        "street",
        "cases",
        {
            "title": "噪音",
            "category": str(category().public_id),
            "community": str(cast.places.a1.public_id),
            "reporter_name": "陈先生",
            "reporter_phone": "13912345678",
            "hotline": True,
            "external_id": "T-1",
        },
    )
    assert response.status_code == 201, response.json()
    case = Case.objects.get(public_id=response.json()["id"])
    assert case.source == "hotline" and case.external_id == "T-1"
    assert "13912345678" not in case.reporter_phone_cipher and case.reporter_phone_hint
    assert response.json()["reporter_phone_masked"] == "139****5678"


@pytest.mark.parametrize(
    ("who", "body", "status"),
    [
        ("grid2", {"building": "a1"}, 403),  # another street's grid worker
        ("resident", {"community": "b1"}, 403),  # not where the resident lives
        ("grid", {"title": "   "}, 422),
        ("grid", {"category": "group"}, 422),
        ("grid", {"category": "unknown"}, 422),
        ("grid", {"building": "unknown"}, 422),
        ("grid", {"latitude": 91}, 422),
        ("grid", {"reporter_phone": "12"}, 422),
        ("dept", {}, 403),
        ("nobody", {}, 403),
    ],
)
def test_report_refusals(cast, api_post, who, body, status):
    p = cast.places
    payload = {
        "title": "楼道堆放杂物",
        "category": str(category().public_id),
        "building": str(p.building_a1.public_id),
    }
    places = {"a1": p.building_a1.public_id, "b1": p.b1.public_id, "unknown": uuid.uuid4()}
    for key, value in body.items():
        if key in ("building", "community"):
            payload.pop("building", None)
            payload[key] = str(places[value])
        elif key == "category":
            payload[key] = str(category().parent.public_id if value == "group" else uuid.uuid4())
        else:
            payload[key] = value
    before = Case.objects.count()
    response = api_post(who, "cases", payload)
    assert response.status_code == status, response.json()
    assert isinstance(response.json()["detail"], str)
    assert Case.objects.count() == before


# --- the whistle ----------------------------------------------------------------------------------


def test_the_whole_path_through_the_api(cast, api_post, api_get):
    case = grid_case(cast)
    url = f"cases/{case.public_id}"
    dept_a = str(cast.places.dept_a.public_id)
    unit_a = str(cast.places.unit_a.public_id)
    response = api_post(
        "street", f"{url}/dispatch", {"lead": dept_a, "co_handlers": [unit_a], "note": "尽快"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "dispatched"
    assert {(d["unit"]["id"], d["role"]) for d in response.json()["dispatches"]} == {
        (dept_a, "lead"),
        (unit_a, "co"),
    }
    assert api_post("dept", f"{url}/accept").json()["state"] == "handling"
    assert api_post("unit", f"{url}/accept").status_code == 200
    body = api_post("dept", f"{url}/progress", {"text": "已到现场"}).json()
    assert body["updates"][-1]["kind"] == "progress" and body["updates"][-1]["unit"]["id"] == dept_a
    assert api_post("dept", f"{url}/close", {"result": "杂物已清理"}).json()["state"] == "resolved"
    assert api_post("street", f"{url}/rate", {"rating": "satisfied"}).status_code == 403
    rated = api_post("grid", f"{url}/rate", {"rating": "basic", "comment": "可以"})
    assert (
        rated.status_code == 200 and rated.json()["state"] == "closed" and rated.json()["rating"] == "basic"
    )
    reopened = api_post("grid", f"{url}/reopen", {"reason": "又堆了"})
    assert reopened.status_code == 200 and reopened.json()["state"] == "handling"
    assert reopened.json()["reopen_count"] == 1
    actions_seen = [e["action"] for e in api_get("grid", url).json()["events"]]
    assert actions_seen == [
        "report",
        "dispatch",
        "dispatch",
        "accept",
        "accept",
        "progress",
        "resolve",
        "rate",
        "reopen",
    ]


def test_dispatch_refusals(cast, api_post):
    case = grid_case(cast)
    url = f"cases/{case.public_id}/dispatch"
    dept_a = str(cast.places.dept_a.public_id)
    assert api_post("street2", url, {"lead": dept_a}).status_code == 404  # outside its scope
    assert api_post("community", url, {"lead": dept_a}).status_code == 403  # wrong role
    refused = api_post("street", url, {"lead": str(cast.places.unit_b.public_id)})  # street B's unit
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Choose a department or unit that can be called to this case."
    assert api_post("street", url, {}).json()["detail"] == "Choose the lead handler."
    assert api_post("street", url, {"lead": str(uuid.uuid4())}).status_code == 422
    assert api_post("street", url, {"lead": "junk"}).status_code == 422
    assert api_post("street", url, {"lead": dept_a, "due_at": "2001-01-01T00:00:00"}).status_code == 422
    assert case.dispatches.count() == 0
    assert api_post("street", url, {"lead": dept_a}).status_code == 200
    again = api_post("street", url, {"lead": dept_a})
    assert again.status_code == 422 and "already has a lead" in again.json()["detail"]


def test_return_keeps_the_case(cast, api_post):
    case = dispatched(cast)
    url = f"cases/{case.public_id}/return"
    assert api_post("dept", url, {"reason": ""}).status_code == 422
    assert api_post("unit", url, {"reason": "不是我们的"}).status_code == 404  # not called: cannot see it
    response = api_post("dept", url, {"reason": "不属于本部门职责"})
    assert response.status_code == 200
    assert response.json()["state"] == "triage"
    assert response.json()["dispatches"][0]["state"] == "returned"
    assert response.json()["dispatches"][0]["return_reason"] == "不属于本部门职责"
    # nothing left to answer
    assert api_post("dept", f"cases/{case.public_id}/accept").status_code == 422


def test_accept_refusals(cast, api_post):
    case = dispatched(cast)
    url = f"cases/{case.public_id}/accept"
    assert api_post("street", url).status_code == 403  # a dispatcher is not a handler
    assert api_post("unit", url).status_code == 404  # its unit was not called
    assert api_post("dept", url, {"unit": str(uuid.uuid4())}).status_code == 422
    assert api_post("dept", url).status_code == 200
    second = api_post("dept", url)
    assert second.status_code == 422


def test_close_needs_a_result_and_the_right_hand(cast, api_post):
    case = accepted(cast)
    url = f"cases/{case.public_id}/close"
    assert api_post("dept", url, {"result": "  "}).status_code == 422
    assert api_post("dept", url, {}).status_code == 422
    assert api_post("grid", url, {"result": "好了"}).status_code == 403
    assert api_post("street2", url, {"result": "好了"}).status_code == 404
    case.refresh_from_db()
    assert case.state == CaseState.HANDLING


def test_community_closes_in_triage(cast, api_post):
    case = grid_case(cast)
    response = api_post("community", f"cases/{case.public_id}/close", {"result": "社区已协调清理"})
    assert response.status_code == 200 and response.json()["state"] == "resolved"
    assert response.json()["updates"][-1]["kind"] == "result"


def test_progress_refusals(cast, api_post):
    case = dispatched(cast)
    url = f"cases/{case.public_id}/progress"
    assert api_post("dept", url, {"text": "在路上"}).status_code == 403  # not yet accepted
    assert api_post("dept", url, {"text": ""}).status_code == 422
    assert api_post("street", url, {"text": "已督促"}).status_code == 200


def test_rate_and_reopen_refusals(cast, api_post):
    case = grid_case(cast)
    url = f"cases/{case.public_id}"
    assert api_post("grid", f"{url}/rate", {"rating": "satisfied"}).status_code == 422  # not resolved yet
    assert api_post("grid", f"{url}/rate", {"rating": "great"}).status_code == 422
    assert api_post("grid", f"{url}/reopen", {"reason": "还没好"}).status_code == 422
    assert api_post("grid2", f"{url}/reopen", {"reason": "还没好"}).status_code == 404


def test_merge(cast, api_post):
    first = grid_case(cast)
    second = grid_case(cast, title="又被举报")
    url = f"cases/{second.public_id}/merge"
    assert api_post("community", url, {"into": str(second.public_id)}).status_code == 422
    assert api_post("community", url, {"into": str(uuid.uuid4())}).status_code == 422
    assert api_post("grid", url, {"into": str(first.public_id)}).status_code == 403
    assert api_post("community2", url, {"into": str(first.public_id)}).status_code == 404
    response = api_post("community", url, {"into": str(first.public_id), "reason": "重复"})
    assert response.status_code == 200 and response.json()["state"] == "merged"
    assert response.json()["merged_into"] == first.number
    second.refresh_from_db()
    assert second.state == CaseState.MERGED and second.merged_into == first
    assert not second.dispatches.filter(state=DispatchState.AWAITING).exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        '{"lead": 12}',
        '{"lead": null, "co_handlers": "x"}',
        '{"reason": {"a": 1}}',
        '{"result": "' + "x" * 3000 + '"}',
        '{"into": "00000000-0000-0000-0000-000000000000"}',
    ],
)
@pytest.mark.parametrize(
    "step", ["dispatch", "accept", "return", "progress", "close", "rate", "reopen", "merge"]
)
def test_junk_never_gives_a_server_error(cast, client, bearer, body, step):
    case = grid_case(cast)
    for target in (case.public_id, "junk", uuid.uuid4(), "9" * 40):
        response = client.post(
            f"/api/v1/cases/{target}/{step}", body, content_type="application/json", headers=bearer("street")
        )
        assert response.status_code < 500, (step, body, target, response.content)
        assert isinstance(response.json()["detail"], str)


def test_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/case-categories"])
    assert {"get", "post"} <= set(paths["/api/v1/cases"])
    assert "get" in paths["/api/v1/cases/{case_id}"]
    for step in ("dispatch", "accept", "return", "progress", "close", "rate", "reopen", "merge"):
        assert "post" in paths[f"/api/v1/cases/{{case_id}}/{step}"], step
