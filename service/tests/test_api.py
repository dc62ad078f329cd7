"""The service API over HTTP: the menu, needs and wishes with dispatch, posts, household pairings,
resources, projects and service records with confirmation. Per collection: the right role reads and
writes, an outsider (street B) gets 404 like a missing object, a wrong role is refused, every refusal
answers the action's message and changes nothing, lists answer {items, count} in a pinned number of
queries."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from checkin.actions import submit_checkin
from checkin.models import UnitPairing
from gongjian.testing import item
from points.models import PointEntry
from service.models import (
    Assignment,
    HouseholdPairing,
    Need,
    NeedEvent,
    PostClaim,
    Project,
    ProjectUnit,
    Rating,
    Resource,
    ServiceCategory,
    ServicePost,
    ServiceRecord,
    ServiceRecordEvent,
)
from service.needs import actions
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.records import actions as record_actions
from service.records import codes

API = "/api/v1/"
NOT_FOUND = {"detail": "Not found."}
WRONG_ROLE = {"detail": "Your role may not use this endpoint."}
EMPTY_PAGE = {"items": [], "count": 0, "count_exact": True, "has_more": False}


# --- fixtures -------------------------------------------------------------------------------------


def _ago(hours: float):
    return timezone.now() - timedelta(hours=hours)


def _need(cast, title="厨房水管漏水", kind="need", by=None, **extra) -> Need:
    """A need for 孙大妈 (resident of A1, building 1 of the grid worker's grid), posted by the community
    or, ``by=cast.resident``, by herself (set-up through the action, not under test)."""
    if by is None:
        p = cast.places
        extra = {
            "community": p.a1,
            "compound": p.compound_a1,
            "building": p.building_a1,
            "beneficiary_resident": cast.r_a,
        } | extra
    return actions.post_need(
        acting_user=by or cast.community, title=title, kind=kind, category=item("home_repair"), **extra
    )


def _need_b(cast) -> Need:
    return actions.post_need(
        acting_user=cast.community2,
        title="西城的需求",
        category=item("home_repair"),
        community=cast.places.b1,
        beneficiary_resident=cast.r_b,
    )


def _record(cast, hours_ago=3, minutes=60, **extra) -> ServiceRecord:
    """A record the member (张三丰) logged for 孙大妈 in A1."""
    extra.setdefault("community", cast.places.a1)
    extra.setdefault("beneficiary_resident", cast.r_a)
    return record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=_ago(hours_ago),
        minutes=minutes,
        description="陪同就医",
        **extra,
    )


def _post(cast, capacity=2, community=None, by=None) -> ServicePost:
    return post_actions.publish_post(
        acting_user=by or cast.community,
        community=community or cast.places.a1,
        title="政策宣讲岗",
        category=item("policy_outreach"),
        schedule="周六 9:00–11:00",
        capacity=capacity,
        starts_on=timezone.localdate(),
    )


def _ids(response) -> set[str]:
    return {item["id"] for item in response.json()["items"]}


# --- the menu -------------------------------------------------------------------------------------


def test_menu_is_flat_with_parents_and_as_a_tree(cast, api_get):
    flat = api_get("nobody", "service-categories", limit=200)
    assert flat.status_code == 200
    body = flat.json()
    assert (
        set(body) == {"items", "count", "count_exact", "has_more"}
        and body["count"] == ServiceCategory.objects.count() == 22
    )
    by_code = {c["code"]: c for c in body["items"]}
    livelihood = by_code["livelihood"]
    assert livelihood["parent"] is None and livelihood["name"] == "民生服务"
    assert by_code["home_repair"]["parent"] == livelihood["id"]
    assert "电工" in by_code["home_repair"]["keywords"]

    items = api_get("member", "service-categories", parent=livelihood["id"]).json()
    assert {c["code"] for c in items["items"]} == {
        "elderly_care",
        "home_repair",
        "parking",
        "congestion",
        "health",
    }
    big = api_get("member", "service-categories", big="true").json()
    assert big["count"] == 5

    tree = api_get("resident", "service-categories/tree")
    assert tree.status_code == 200
    assert [c["code"] for c in tree.json()] == ["livelihood", "economy", "education", "culture", "governance"]
    assert [i["code"] for i in tree.json()[1]["items"]] == ["jobs", "business"]

    one = api_get("grid", f"service-categories/{by_code['jobs']['id']}")
    assert one.status_code == 200 and one.json()["name"] == "就业创业"


def test_menu_of_a_city_and_retired_items(cast, api_get):
    city = cast.places.city
    ServiceCategory.objects.create(city=city, parent=item("culture"), code="tea", name="茶文化", sort=999)
    item("parking").__class__.objects.filter(code="parking").update(active=False)
    shared = api_get("member", "service-categories", limit=200).json()
    assert "tea" in {c["code"] for c in shared["items"]}  # no city named: every row
    assert "parking" not in {c["code"] for c in shared["items"]}
    ours = api_get("member", "service-categories", city=str(city.public_id), limit=200).json()
    assert ours["count"] == 22  # 21 shared still offered + 茶文化
    tea = next(c for c in ours["items"] if c["code"] == "tea")
    assert tea["city"] == {"id": str(city.public_id), "name": "龙岩市"}
    retired = api_get("member", "service-categories", retired="true", limit=200).json()
    assert "parking" in {c["code"] for c in retired["items"]}
    not_a_city = api_get("member", "service-categories", city=str(cast.places.a1.public_id))
    assert not_a_city.status_code == 422 and not_a_city.json() == {"detail": "Choose a city."}


def test_menu_needs_sign_in(client, db):
    assert client.get(API + "service-categories").status_code == 401


# --- needs: posting -------------------------------------------------------------------------------


def test_resident_posts_a_need_for_themself(cast, api_post):
    response = api_post(
        "resident",
        "needs",
        {
            "title": "楼道灯坏了",
            "category": str(item("home_repair").public_id),
            "urgency": "urgent",
            "description": "三楼楼道灯不亮",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "need" and body["state"] == "open" and body["posted_as"] == "resident"
    assert body["community"] == {"id": str(cast.places.a1.public_id), "name": "龙津社区"}
    assert body["compound"]["name"] == "阳光小区" and body["building"]["name"] == "1号楼"
    assert body["beneficiary_name"] == "孙大妈"  # the beneficiary sees their own name
    assert body["assignment"] is None and body["assignments"] == []
    assert [(e["action"], e["to_state"], e["actor"]) for e in body["events"]] == [
        ("post", "open", "resident")
    ]
    assert Need.objects.get(public_id=body["id"]).beneficiary_resident == cast.r_a


def test_community_posts_a_wish_with_budget_and_beneficiary(cast, api_post, api_get):
    response = api_post(
        "community",
        "wishes",
        {
            "title": "想要一台收音机",
            "category": str(item("elderly_care").public_id),
            "community": str(cast.places.a1.public_id),
            "budget": "120.50",
            "beneficiary": str(cast.r_a.public_id),
            "beneficiary_address": "阳光小区1号楼302",
            "due_at": (timezone.now() + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 201, response.json()
    wish = response.json()
    assert wish["kind"] == "wish" and wish["posted_as"] == "community" and wish["budget"] == "120.50"
    assert wish["beneficiary_name"] == "孙大妈" and wish["beneficiary_address"] == "阳光小区1号楼302"
    # a wish lives under /wishes, not /needs
    assert api_get("community", f"wishes/{wish['id']}").status_code == 200
    assert api_get("community", f"needs/{wish['id']}").json() == NOT_FOUND
    assert wish["id"] in _ids(api_get("community", "wishes"))
    assert wish["id"] not in _ids(api_get("community", "needs"))
    member = {"member": str(cast.m_member.public_id)}
    assert api_post("community", f"needs/{wish['id']}/dispatch", member).json() == NOT_FOUND
    dispatched = api_post("community", f"wishes/{wish['id']}/dispatch", member)
    assert dispatched.status_code == 200 and dispatched.json()["state"] == "offered"


@pytest.mark.parametrize(
    ("who", "payload", "status", "detail"),
    [
        ("member", {}, 403, "Your role may not use this endpoint."),
        (
            "community2",
            {"community": "a1"},
            403,
            "Only residents (for themselves), grid workers, the community and the street can post needs here.",
        ),
        (
            "community",
            {"community": "a1", "due_at": "past"},
            422,
            "The date needed by must be in the future.",
        ),
        ("community", {"community": "a1", "category": "big"}, 422, "Choose an item of the service menu."),
        ("community", {"community": "street"}, 422, "Choose a community."),
        ("community", {"community": "a1", "beneficiary": "r_b"}, 422, "Unknown resident."),
    ],
)
def test_posting_refusals_change_nothing(cast, api_post, who, payload, status, detail):
    values = {
        "a1": str(cast.places.a1.public_id),
        "street": str(cast.places.street_a.public_id),
        "past": (timezone.now() - timedelta(hours=1)).isoformat(),
        "big": str(item("livelihood").public_id),
        "r_b": str(cast.r_b.public_id),
    }
    body = {"title": "修水管", "category": str(item("home_repair").public_id)}
    body |= {key: values[value] for key, value in payload.items()}
    response = api_post(who, "needs", body)
    assert response.status_code == status and response.json() == {"detail": detail}
    assert not Need.objects.exists()


# --- needs: reading, scope and privacy ------------------------------------------------------------


def test_need_scope_per_role(cast, api_get):
    need = _need(cast)
    other = _need_b(cast)
    mine, theirs = str(need.public_id), str(other.public_id)
    for who in ("admin", "orgdept", "street", "community", "grid", "resident", "member"):
        listed = api_get(who, "needs")
        assert listed.status_code == 200, who
        assert mine in _ids(listed), who
        assert theirs not in _ids(listed) or who in ("admin", "orgdept"), who
        assert api_get(who, f"needs/{mine}").status_code == 200, who
    for who in ("street2", "community2", "grid2"):
        assert mine not in _ids(api_get(who, "needs")), who
        assert api_get(who, f"needs/{mine}").json() == NOT_FOUND, who
    # unit B's admin serves B1 (where the unit sits), not A1
    assert _ids(api_get("unit2", "needs")) == {theirs}
    assert api_get("inspector", "needs").json() == WRONG_ROLE
    assert api_get("dept", f"needs/{mine}").json() == WRONG_ROLE


def test_beneficiary_shown_only_to_those_who_serve(cast, api_get, api_post):
    need = _need(cast, beneficiary_address="阳光小区1号楼302")
    path = f"needs/{need.public_id}"
    for who in ("community", "street", "grid", "resident", "orgdept", "admin"):
        body = api_get(who, path).json()
        assert body["beneficiary_name"] == "孙大妈" and body["beneficiary_address"] == "阳光小区1号楼302", who
    # a member of the community sees the need (to take it) but not whom it is for
    body = api_get("member", path).json()
    assert body["beneficiary_name"] is None and body["beneficiary_address"] is None
    listed = api_get("member", "needs").json()["items"][0]
    assert listed["beneficiary_name"] is None
    # once it is offered to them, they serve: the name shows
    api_post("community", f"{path}/dispatch", {"member": str(cast.m_member.public_id)})
    assert api_get("member", path).json()["beneficiary_name"] == "孙大妈"
    assert api_get("member", "needs").json()["items"][0]["beneficiary_address"] == "阳光小区1号楼302"


def test_need_filters(cast, api_get):
    soon = timezone.now() + timedelta(minutes=10)
    late = _need(cast, title="过期的需求", due_at=soon, urgency="urgent")
    Need.objects.filter(pk=late.pk).update(due_at=_ago(1))  # it fell due an hour ago
    plain = _need(cast, title="普通需求", urgency="low")
    other = actions.post_need(
        acting_user=cast.community,
        title="就业咨询",
        category=item("jobs"),
        community=cast.places.a1,
    )
    late_id, plain_id, other_id = str(late.public_id), str(plain.public_id), str(other.public_id)
    assert _ids(api_get("community", "needs", overdue="true")) == {late_id}
    assert _ids(api_get("community", "needs", overdue="false")) == {plain_id, other_id}
    assert _ids(api_get("community", "needs", urgency="urgent")) == {late_id}
    assert _ids(api_get("community", "needs", category=str(item("economy").public_id))) == {other_id}
    assert _ids(api_get("community", "needs", category=str(item("home_repair").public_id))) == {
        late_id,
        plain_id,
    }
    assert _ids(api_get("community", "needs", community=str(cast.places.a2.public_id))) == set()
    assert _ids(api_get("community", "needs", state="open")) == {late_id, plain_id, other_id}
    assert api_get("community", "needs", state="nonsense").status_code == 422
    assert api_get("community", f"needs/{late_id}").json()["overdue"] is True
    page = api_get("community", "needs", limit=2, offset=2).json()
    assert page["count"] == 3 and len(page["items"]) == 1


# --- needs: dispatch, accept, decline, withdraw, take, complete, close, cancel --------------------


def test_dispatch_accept_serve_close(cast, api_get, api_post):
    need = _need(cast)
    path = f"needs/{need.public_id}"
    assert isinstance(api_get("community", f"{path}/suggestions").json(), list)
    respond_by = (timezone.now() + timedelta(hours=6)).replace(microsecond=0)
    dispatched = api_post(
        "community",
        f"{path}/dispatch",
        {
            "member": str(cast.m_member.public_id),
            "note": "请今天联系",
            "respond_by": respond_by.isoformat(),
            "suggestion_reason": "同楼栋，技能匹配：水电",
        },
    )
    assert dispatched.status_code == 200, dispatched.json()
    body = dispatched.json()
    assert body["state"] == "offered"
    offer = body["assignment"]
    assert offer["to"] == "member" and offer["assignee"]["name"] == "张三丰"
    assert offer["state"] == "offered" and offer["via"] == "dispatch" and offer["note"] == "请今天联系"
    assert offer["suggestion_reason"] == "同楼栋，技能匹配：水电"
    assert datetime.fromisoformat(offer["respond_by"]) == respond_by

    # the member finds it among their tasks and accepts
    tasks = api_get("member", "assignments", mine="true").json()
    assert [t["id"] for t in tasks["items"]] == [offer["id"]]
    assert tasks["items"][0]["need"]["title"] == "厨房水管漏水"
    accepted = api_post("member", f"assignments/{offer['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    assert accepted.json()["need"]["state"] == "taken"
    again = api_post("member", f"assignments/{offer['id']}/accept")
    assert again.status_code == 422
    assert again.json() == {"detail": "This offer is Accepted; it cannot be accepted."}

    completed = api_post("member", f"{path}/complete", {"note": "已修好"})
    assert completed.status_code == 200 and completed.json()["state"] == "done"
    assert api_post("member", f"{path}/close").json() == WRONG_ROLE
    closed = api_post("community", f"{path}/close", {"note": "回访满意"})
    assert closed.status_code == 200 and closed.json()["state"] == "closed" and closed.json()["closed_at"]
    assert [e["action"] for e in closed.json()["events"]] == ["post", "dispatch", "accept", "serve", "close"]


def test_decline_and_withdraw(cast, api_get, api_post):
    need = _need(cast)
    path = f"needs/{need.public_id}"
    offer = api_post("community", f"{path}/dispatch", {"member": str(cast.m_member.public_id)}).json()
    offer_id = offer["assignment"]["id"]
    no_reason = api_post("member", f"assignments/{offer_id}/decline", {"reason": " "})
    assert no_reason.status_code == 422
    assert no_reason.json() == {"detail": "Say why you decline, so the community can find somebody else."}
    declined = api_post("member", f"assignments/{offer_id}/decline", {"reason": "出差一周"})
    assert declined.status_code == 200
    assert declined.json()["state"] == "declined" and declined.json()["decline_reason"] == "出差一周"
    assert declined.json()["need"]["state"] == "open"

    second = api_post("community", f"{path}/dispatch", {"unit": str(cast.places.unit_a.public_id)}).json()
    second_id = second["assignment"]["id"]
    assert second["assignment"]["to"] == "unit"
    assert api_post("member", f"assignments/{second_id}/accept").json() == NOT_FOUND  # not offered to them
    assert api_post("unit", f"assignments/{second_id}/withdraw", {"reason": "x"}).json() == WRONG_ROLE
    withdrawn = api_post("community", f"assignments/{second_id}/withdraw", {"reason": "三天未回复"})
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    detail = api_get("community", path).json()
    assert detail["state"] == "open" and detail["assignment"] is None
    assert [a["state"] for a in detail["assignments"]] == ["withdrawn", "declined"]


def test_offer_history_only_for_those_who_serve(cast, api_get):
    need = _need(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, unit=cast.places.unit_a)
    actions.decline_assignment(acting_user=cast.unit, assignment=offer, reason="单位人手不足")
    path = f"needs/{need.public_id}"
    staff = api_get("community", path).json()
    assert [a["decline_reason"] for a in staff["assignments"]] == ["单位人手不足"]
    assert [e["action"] for e in staff["events"]] == ["post", "dispatch", "decline"]
    # a member browsing the open need sees it, not who declined it and why
    browsing = api_get("member", path).json()
    assert browsing["state"] == "open" and browsing["assignments"] == [] and browsing["events"] == []
    assert api_get("member", "assignments").json() == EMPTY_PAGE
    assert api_get("member", f"assignments/{offer.public_id}").json() == NOT_FOUND
    assert _ids(api_get("unit", "assignments")) == {str(offer.public_id)}
    assert _ids(api_get("grid", "assignments")) == {str(offer.public_id)}


def test_dispatch_refusals_change_nothing(cast, api_get, api_post):
    need = _need(cast)
    path = f"needs/{need.public_id}/dispatch"
    # 王五 serves street B: named by id, he answers like an unknown id (his name is not given away)
    far = api_post("community", path, {"member": str(cast.m_b.public_id)})
    assert far.status_code == 422 and far.json() == {"detail": "Choose a member."}
    two = api_post(
        "community", path, {"member": str(cast.m_member.public_id), "unit": str(cast.places.unit_a.public_id)}
    )
    assert two.status_code == 422 and two.json() == {"detail": "Choose one member, one team or one unit."}
    unknown = api_post("community", path, {"member": str(cast.places.a1.public_id)})
    assert unknown.status_code == 422 and unknown.json() == {"detail": "Choose a member."}
    assert api_post("resident", path, {"member": str(cast.m_member.public_id)}).json() == WRONG_ROLE
    assert api_post("community2", path, {"member": str(cast.m_member.public_id)}).json() == NOT_FOUND
    assert api_post("street2", path, {"member": str(cast.m_member.public_id)}).status_code == 404
    need.refresh_from_db()
    assert need.state == "open" and not Assignment.objects.exists()
    assert NeedEvent.objects.filter(need=need).count() == 1

    api_post("community", path, {"member": str(cast.m_member.public_id)})
    twice = api_post("community", path, {"member": str(cast.m_b_home_a.public_id)})
    assert twice.status_code == 422
    assert twice.json() == {"detail": "This need is Dispatched, awaiting reply; it cannot be dispatched."}
    assert Assignment.objects.count() == 1


def test_member_takes_and_resident_cancels(cast, api_get, api_post):
    need = _need(cast, by=cast.resident)
    path = f"needs/{need.public_id}"
    # 王五 lives in B1 and does not serve A1: he cannot even see the need
    assert api_post("member", f"{path}/take").status_code == 200
    body = api_get("member", path).json()
    assert body["state"] == "taken" and body["assignment"]["via"] == "taken"
    assert api_post("member", f"{path}/take").json() == {"detail": "This need is Taken; it cannot be taken."}
    assert api_post("grid", f"{path}/take").json() == WRONG_ROLE
    no_reason = api_post("resident", f"{path}/cancel", {"reason": ""})
    assert no_reason.status_code == 422 and no_reason.json() == {"detail": "Say why the need is cancelled."}
    cancelled = api_post("resident", f"{path}/cancel", {"reason": "已自行解决"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["assignments"][0]["state"] == "withdrawn"


def test_unit_admin_takes_for_the_unit(cast, api_get, api_post):
    need = _need(cast)
    path = f"needs/{need.public_id}/take"
    other_unit = api_post("unit", path, {"unit": str(cast.places.unit_b.public_id)})
    assert other_unit.status_code == 422 and other_unit.json() == {"detail": "Choose a unit."}
    taken = api_post("unit", path, {"unit": str(cast.places.unit_a.public_id)})
    assert taken.status_code == 200, taken.json()
    assert taken.json()["assignment"]["assignee"]["name"] == "龙岩市烟草公司"


def test_suggestions_are_for_dispatchers(cast, api_get):
    need = _need(cast)
    path = f"needs/{need.public_id}/suggestions"
    assert api_get("street", path).status_code == 200
    assert api_get("member", path).json() == WRONG_ROLE
    assert api_get("community2", path).json() == NOT_FOUND


def test_suggestion_shape(cast, api_get, monkeypatch):
    from service.needs import api
    from service.needs.suggestions import Suggestion

    resource = Resource.objects.create(
        unit=cast.places.unit_a,
        kind="skills",
        title="水电维修服务",
        quantity=10,
        measure="小时",
        available_from=timezone.localdate(),
    )
    ranked = [
        Suggestion("member", cast.m_member, 0.9, ["同楼栋", "技能匹配：水电"]),
        Suggestion("resource", resource, 0.5, ["资源：水电维修服务"]),
    ]
    monkeypatch.setattr(api, "suggest", lambda need: ranked)
    body = api_get("community", f"needs/{_need(cast).public_id}/suggestions").json()
    assert body == [
        {
            "kind": "member",
            "id": str(cast.m_member.public_id),
            "name": "张三丰",
            "unit": None,
            "score": 0.9,
            "reasons": ["同楼栋", "技能匹配：水电"],
        },
        {
            "kind": "resource",
            "id": str(resource.public_id),
            "name": "水电维修服务",
            "unit": {"id": str(cast.places.unit_a.public_id), "name": "龙岩市烟草公司"},
            "score": 0.5,
            "reasons": ["资源：水电维修服务"],
        },
    ]


def test_assignments_scope(cast, api_get, api_post):
    need = _need(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    path = f"assignments/{offer.public_id}"
    assert api_get("community", path).status_code == 200
    assert api_get("member", path).json()["need"]["id"] == str(need.public_id)
    assert api_get("community2", path).json() == NOT_FOUND
    assert api_post("community2", f"{path}/withdraw", {"reason": "x"}).json() == NOT_FOUND
    assert api_get("community2", "assignments").json() == EMPTY_PAGE
    assert api_get("community", "assignments", mine="true").json()["count"] == 0


def test_needs_list_query_count_is_pinned(cast, api_get, django_assert_max_num_queries):
    for n in range(3):
        need = _need(cast, title=f"需求{n}")
        if n:
            actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    for who in ("community", "street", "grid", "resident", "member"):
        assert api_get(who, "needs").json()["count"] == 3, who
    # token + user, role grants, count, page, current assignments
    for who in ("community", "street", "grid"):
        with django_assert_max_num_queries(5):
            assert api_get(who, "needs").status_code == 200
    # + the resident's own record
    with django_assert_max_num_queries(6):
        assert api_get("resident", "needs").status_code == 200
    # + the member's record, served communities (check-ins, residence) and, while service.privacy
    # asks for the current assignment itself, one query per need it cannot decide otherwise
    with django_assert_max_num_queries(9 + 3):
        assert api_get("member", "needs").status_code == 200
    with django_assert_max_num_queries(7):  # the member's record, served communities; count, page
        assert api_get("member", "assignments").status_code == 200


# --- service posts --------------------------------------------------------------------------------


def test_publish_claim_leave_close(cast, api_get, api_post):
    published = api_post(
        "community",
        "service-posts",
        {
            "community": str(cast.places.a1.public_id),
            "title": "矛盾调解岗",
            "category": str(item("mediation").public_id),
            "schedule": "每周三 14:00–17:00",
            "capacity": 1,
            "starts_on": timezone.localdate().isoformat(),
            "place": "社区党群服务中心",
        },
    )
    assert published.status_code == 201, published.json()
    body = published.json()
    assert body["capacity"] == 1 and body["taken"] == 0 and body["open"] and body["holders"] == []
    path = f"service-posts/{body['id']}"

    listed = api_get("member", "service-posts").json()
    assert listed["count"] == 1 and listed["items"][0]["held"] is False
    claimed = api_post("member", f"{path}/claim")
    assert claimed.status_code == 200, claimed.json()
    assert claimed.json()["taken"] == 1 and claimed.json()["held"] is True
    assert claimed.json()["holders"] is None  # who holds it: for the community only
    assert api_get("community", path).json()["holders"][0]["member"]["name"] == "张三丰"
    assert _ids(api_get("member", "service-posts", held="true")) == {body["id"]}
    assert api_get("community", "service-posts", held="true").json()["count"] == 0  # staff hold no posts

    # full: 赵六 (unit B, lives in A1) is refused and nothing changes
    cast.m_b_home_a.user = cast.nobody
    cast.m_b_home_a.save(update_fields=["user"])
    from accounts.actions import grant_role
    from accounts.models import Role

    grant_role(acting_user=None, user=cast.nobody, role=Role.MEMBER)
    full = api_post("nobody", f"{path}/claim")
    assert full.status_code == 422
    assert full.json() == {"detail": "This post is full (1 of 1 places taken)."}
    assert PostClaim.objects.count() == 1

    twice = api_post("member", f"{path}/claim")
    assert twice.status_code == 422 and twice.json() == {"detail": "You already hold this post."}
    left = api_post("member", f"{path}/leave")
    assert left.status_code == 200 and left.json()["taken"] == 0 and left.json()["held"] is False
    again = api_post("member", f"{path}/leave")
    assert again.status_code == 422 and again.json() == {"detail": "You do not hold this post."}

    assert api_post("member", f"{path}/close").json() == WRONG_ROLE
    closed = api_post("community", f"{path}/close")
    assert closed.status_code == 200 and closed.json()["open"] is False and closed.json()["closed_at"]
    late = api_post("member", f"{path}/claim")
    assert late.status_code == 422 and late.json() == {"detail": "This post is closed."}
    assert _ids(api_get("community", "service-posts", open="false")) == {body["id"]}
    assert _ids(api_get("community", "service-posts", open="true")) == set()


def test_post_refusals_and_scope(cast, api_get, api_post):
    a_post = _post(cast)
    b_post = _post(cast, community=cast.places.b1, by=cast.community2)
    path = f"service-posts/{a_post.public_id}"
    assert api_get("community2", path).json() == NOT_FOUND
    assert api_post("community2", f"{path}/close").json() == NOT_FOUND
    assert _ids(api_get("street", "service-posts")) == {str(a_post.public_id)}
    assert _ids(api_get("admin", "service-posts")) == {str(a_post.public_id), str(b_post.public_id)}
    # the member does not serve B1: its post is outside their scope
    assert api_post("member", f"service-posts/{b_post.public_id}/claim").json() == NOT_FOUND
    assert api_get("resident", "service-posts").json() == WRONG_ROLE
    assert api_post("resident", f"{path}/claim").json() == WRONG_ROLE
    wrong_place = api_post(
        "community2",
        "service-posts",
        {
            "community": str(cast.places.a1.public_id),
            "title": "岗位",
            "category": str(item("mediation").public_id),
            "schedule": "周三",
            "capacity": 2,
            "starts_on": timezone.localdate().isoformat(),
        },
    )
    assert wrong_place.status_code == 403
    assert wrong_place.json() == {"detail": "Only the community or its street can publish posts here."}
    backwards = api_post(
        "community",
        "service-posts",
        {
            "community": str(cast.places.a1.public_id),
            "title": "岗位",
            "category": str(item("mediation").public_id),
            "schedule": "周三",
            "capacity": 2,
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert backwards.status_code == 422
    assert backwards.json() == {"detail": "A post cannot end before it starts."}
    assert ServicePost.objects.count() == 2


def test_posts_list_query_count_is_pinned(cast, api_get, django_assert_max_num_queries):
    for _ in range(3):
        post_ = _post(cast)
        post_actions.claim_post(acting_user=cast.member, post=post_)
    api_get("community", "service-posts")
    api_get("member", "service-posts")
    # token + user, role grants, count, page
    with django_assert_max_num_queries(4):
        assert api_get("community", "service-posts").json()["count"] == 3
    # + the member's record and the communities they serve (check-ins, residence)
    with django_assert_max_num_queries(7):
        assert api_get("member", "service-posts").json()["count"] == 3


# --- household pairings ---------------------------------------------------------------------------


def test_pair_visit_end(cast, api_get, api_post):
    created = api_post(
        "community",
        "household-pairings",
        {"household": str(cast.r_a.public_id), "member": str(cast.m_member.public_id), "reason": "独居老人"},
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["household"]["name"] == "孙大妈" and body["member"]["name"] == "张三丰"
    assert body["unit"] is None and body["started_on"] == timezone.localdate().isoformat()
    assert body["visit_count"] == 0 and body["visits"] == []
    path = f"household-pairings/{body['id']}"

    twice = api_post(
        "community",
        "household-pairings",
        {"household": str(cast.r_a.public_id), "member": str(cast.m_member.public_id), "reason": "独居老人"},
    )
    assert twice.status_code == 422
    assert twice.json() == {"detail": "They are already paired with this household."}

    future = api_post("member", f"{path}/visits", {"visited_on": "2999-01-01", "note": "送药"})
    assert future.status_code == 422 and future.json() == {"detail": "A visit cannot be in the future."}
    visited = api_post(
        "member", f"{path}/visits", {"visited_on": timezone.localdate().isoformat(), "note": "送药"}
    )
    assert visited.status_code == 201 and visited.json()["visit_count"] == 1
    assert (
        visited.json()["visits"][0]["note"] == "送药" and visited.json()["visits"][0]["logged_by"] == "member"
    )
    assert (
        api_post("resident", f"{path}/visits", {"visited_on": "2024-01-01", "note": "x"}).json() == WRONG_ROLE
    )

    for who in ("community", "street", "grid", "member", "resident"):
        assert api_get(who, path).status_code == 200, who
        assert body["id"] in _ids(api_get(who, "household-pairings")), who
    # the member's unit sees pairings of the unit, not of its members
    for who in ("unit", "community2", "street2", "grid2", "unit2"):
        assert api_get(who, path).json() == NOT_FOUND, who

    assert api_post("member", f"{path}/end", {"reason": "搬走"}).json() == WRONG_ROLE
    ended = api_post("community", f"{path}/end", {"reason": "搬走"})
    assert ended.status_code == 200 and ended.json()["ended_on"] == timezone.localdate().isoformat()
    again = api_post("community", f"{path}/end", {})
    assert again.status_code == 422 and again.json() == {"detail": "This pairing has already ended."}
    assert _ids(api_get("community", "household-pairings", active="true")) == set()
    assert _ids(api_get("community", "household-pairings", active="false")) == {body["id"]}


def test_pairing_refusals(cast, api_get, api_post):
    outsider_household = api_post(
        "community",
        "household-pairings",
        {"household": str(cast.r_b.public_id), "member": str(cast.m_member.public_id), "reason": "困难户"},
    )
    assert outsider_household.status_code == 422 and outsider_household.json() == {
        "detail": "Unknown resident."
    }
    far_member = api_post(
        "community",
        "household-pairings",
        {"household": str(cast.r_a.public_id), "member": str(cast.m_b.public_id), "reason": "困难户"},
    )
    assert far_member.status_code == 422 and far_member.json() == {"detail": "Choose a member."}
    both = api_post(
        "community",
        "household-pairings",
        {
            "household": str(cast.r_a.public_id),
            "member": str(cast.m_member.public_id),
            "unit": str(cast.places.unit_a.public_id),
            "reason": "困难户",
        },
    )
    assert both.status_code == 422 and both.json() == {
        "detail": "Pair the household with one member or one unit."
    }
    assert api_post(
        "grid", "household-pairings", {"household": str(cast.r_a.public_id), "reason": "x"}
    ).json() == (WRONG_ROLE)
    assert not HouseholdPairing.objects.exists()


def test_pairings_list_query_count_is_pinned(cast, api_get, django_assert_max_num_queries):
    pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, member=cast.m_member, reason="独居"
    )
    pairing_actions.pair_household(
        acting_user=cast.community, household=cast.r_a, unit=cast.places.unit_a, reason="独居"
    )
    for who in ("community", "unit"):
        api_get(who, "household-pairings")  # the tokens exist before counting
    with django_assert_max_num_queries(4):  # token + user, role grants, count, page
        assert api_get("community", "household-pairings").json()["count"] == 2
    with django_assert_max_num_queries(4):
        assert api_get("unit", "household-pairings").json()["count"] == 1


# --- resources and projects -----------------------------------------------------------------------


@pytest.fixture
def unit_lists(cast):
    today = timezone.localdate()
    resources = {
        "a": Resource.objects.create(
            unit=cast.places.unit_a,
            kind="venue",
            title="职工活动室",
            category=item("culture_events"),
            quantity=Decimal("120"),
            measure="m²",
            available_from=today - timedelta(days=5),
            community=cast.places.a1,
        ),
        "old": Resource.objects.create(
            unit=cast.places.unit_a,
            kind="funds",
            title="助学金",
            quantity=Decimal("5000"),
            measure="元",
            available_from=today - timedelta(days=60),
            available_until=today - timedelta(days=1),
        ),
        "b": Resource.objects.create(
            unit=cast.places.unit_b,
            kind="goods",
            title="米面油",
            quantity=Decimal("50"),
            measure="份",
            available_from=today,
        ),
    }
    project = Project.objects.create(
        community=cast.places.a1,
        community_path=cast.places.a1.path,
        title="居家养老服务中心",
        state="in_progress",
        budget=Decimal("800000"),
        category=item("elderly_care"),
    )
    ProjectUnit.objects.create(project=project, unit=cast.places.unit_a)
    project.milestones.create(title="场地改造", due_on=today)
    project.commitments.create(
        unit=cast.places.unit_a, resource=resources["a"], description="活动室", quantity=1, measure="间"
    )
    Rating.objects.create(project=project, score=4, rated_by=cast.resident)
    project_b = Project.objects.create(
        community=cast.places.b1, community_path=cast.places.b1.path, title="西城项目"
    )
    return resources, project, project_b


def test_resources_scope_and_filters(cast, api_get, unit_lists):
    resources, _, _ = unit_lists
    a, old, b = (str(resources[k].public_id) for k in ("a", "old", "b"))
    assert _ids(api_get("unit", "resources")) == {a, old}
    assert _ids(api_get("inspector", "resources")) == {a, old}
    assert _ids(api_get("community", "resources")) == {a, old}  # unit A sits in A1
    assert _ids(api_get("community2", "resources")) == {b}
    assert _ids(api_get("unit", "resources", available="true")) == {a}
    assert _ids(api_get("unit", "resources", available="false")) == {old}
    assert _ids(api_get("admin", "resources", kind="goods")) == {b}
    assert _ids(api_get("admin", "resources", unit=str(cast.places.unit_b.public_id))) == {b}
    body = api_get("unit", f"resources/{a}").json()
    assert body["quantity"] == "120.00" and body["measure"] == "m²"
    assert body["community"]["name"] == "龙津社区" and body["category"]["name"] == "文体活动"
    assert api_get("unit2", f"resources/{a}").json() == NOT_FOUND
    assert api_get("member", "resources").json() == WRONG_ROLE


def test_projects_scope_and_detail(cast, api_get, unit_lists):
    _, project, project_b = unit_lists
    mine = str(project.public_id)
    for who in ("community", "street", "unit", "inspector", "member", "resident"):
        assert _ids(api_get(who, "projects")) == {mine}, who
    assert _ids(api_get("community2", "projects")) == {str(project_b.public_id)}
    assert api_get("community2", f"projects/{mine}").json() == NOT_FOUND
    assert api_get("grid", "projects").json() == WRONG_ROLE
    body = api_get("unit", f"projects/{mine}").json()
    assert body["state"] == "in_progress" and body["budget"] == "800000.00"
    assert body["units"] == [{"id": str(cast.places.unit_a.public_id), "name": "龙岩市烟草公司"}]
    assert body["rating"] == 4.0 and body["ratings"] == 1
    assert body["milestones"][0]["title"] == "场地改造"
    assert body["commitments"][0]["resource"] == str(unit_lists[0]["a"].public_id)
    assert _ids(api_get("admin", "projects", unit=str(cast.places.unit_a.public_id))) == {mine}
    assert _ids(api_get("admin", "projects", state="proposed")) == {str(project_b.public_id)}


def test_unit_lists_query_counts_are_pinned(cast, api_get, unit_lists, django_assert_max_num_queries):
    api_get("unit", "resources")
    api_get("admin", "projects")
    with django_assert_max_num_queries(4):  # token + user, role grants, count, page
        assert api_get("unit", "resources").json()["count"] == 2
    with django_assert_max_num_queries(5):  # + the projects' units
        assert api_get("admin", "projects").json()["count"] == 2


def test_unit_offers_and_withdraws_a_resource(cast, api_get, api_post):
    offered = api_post(
        "unit",
        "resources",
        {
            "unit": str(cast.places.unit_a.public_id),
            "kind": "people_hours",
            "title": "志愿服务时长",
            "quantity": "200",
            "measure": "小时",
            "community": str(cast.places.a2.public_id),
            "category": str(item("elderly_care").public_id),
        },
    )
    assert offered.status_code == 201, offered.json()
    body = offered.json()
    assert body["quantity"] == "200.00" and body["community"]["name"] == "中山社区"
    assert body["available_from"] == timezone.localdate().isoformat() and body["withdrawn_at"] is None
    path = f"resources/{body['id']}"
    assert body["id"] in _ids(api_get("community", "resources"))  # unit A sits in A1

    far = api_post(
        "unit",
        "resources",
        {
            "unit": str(cast.places.unit_a.public_id),
            "kind": "funds",
            "title": "资金",
            "quantity": "1000",
            "measure": "元",
            "community": str(cast.places.b1.public_id),
        },
    )
    assert far.status_code == 422
    assert far.json() == {
        "detail": "龙岩市烟草公司 offers resources to communities of its street or paired with it, not to 西安社区."
    }
    other_unit = api_post(
        "unit2",
        "resources",
        {
            "unit": str(cast.places.unit_a.public_id),
            "kind": "funds",
            "title": "x",
            "quantity": "1",
            "measure": "元",
        },
    )
    assert other_unit.status_code == 422 and other_unit.json() == {"detail": "Choose a unit."}
    assert api_post("community", "resources", {}).status_code in (403, 422)
    assert (
        api_post(
            "community",
            "resources",
            {
                "unit": str(cast.places.unit_a.public_id),
                "kind": "funds",
                "title": "x",
                "quantity": "1",
                "measure": "元",
            },
        ).json()
        == WRONG_ROLE
    )
    assert Resource.objects.count() == 1

    assert api_post("unit2", f"{path}/withdraw").json() == NOT_FOUND
    withdrawn = api_post("unit", f"{path}/withdraw", {"reason": "人手不足"})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    again = api_post("unit", f"{path}/withdraw")
    assert again.status_code == 422 and again.json() == {
        "detail": "This resource has already been withdrawn."
    }


def test_project_from_proposal_to_rating(cast, api_get, api_post, unit_lists):
    resources, _, _ = unit_lists
    proposed = api_post(
        "community",
        "projects",
        {
            "community": str(cast.places.a1.public_id),
            "title": "老年食堂",
            "budget": "300000",
            "category": str(item("elderly_care").public_id),
        },
    )
    assert proposed.status_code == 201, proposed.json()
    body = proposed.json()
    assert body["state"] == "proposed" and body["units"] == [] and body["budget"] == "300000.00"
    path = f"projects/{body['id']}"

    early = api_post("community", f"{path}/agree")
    assert early.status_code == 422
    assert early.json() == {"detail": "A project is agreed with a unit: add a unit first."}
    # unit A sits in the project's community, so its admin sees the proposal and joins it; unit B cannot
    assert api_post("unit2", f"{path}/units", {"unit": str(cast.places.unit_b.public_id)}).json() == NOT_FOUND
    joined = api_post("unit", f"{path}/units", {"unit": str(cast.places.unit_a.public_id)})
    assert joined.status_code == 200 and [u["name"] for u in joined.json()["units"]] == ["龙岩市烟草公司"]
    assert api_post("unit", f"{path}/agree").json() == WRONG_ROLE
    assert api_post("community", f"{path}/agree").json()["state"] == "agreed"

    too_much = api_post(
        "unit",
        f"{path}/commitments",
        {
            "unit": str(cast.places.unit_a.public_id),
            "resource": str(resources["a"].public_id),
            "quantity": "500",
        },
    )
    assert too_much.status_code == 422
    assert too_much.json() == {"detail": "Only 119 m² of 职工活动室 are left to commit."}
    committed = api_post(
        "unit",
        f"{path}/commitments",
        {
            "unit": str(cast.places.unit_a.public_id),
            "resource": str(resources["a"].public_id),
            "quantity": "60",
        },
    )
    assert committed.status_code == 201, committed.json()
    assert committed.json()["commitments"][0]["description"] == "职工活动室"
    assert committed.json()["commitments"][0]["measure"] == "m²"

    milestone = api_post("community", f"{path}/milestones", {"title": "装修完工"})
    assert milestone.status_code == 201 and milestone.json()["milestones"][0]["title"] == "装修完工"
    assert api_post("community", f"{path}/start").json()["state"] == "in_progress"
    early_rating = api_post("resident", f"{path}/rate", {"score": 5})
    assert early_rating.status_code == 422
    assert early_rating.json() == {"detail": "A project is rated once it is completed."}
    done = api_post("community", f"{path}/complete", {"beneficiaries_served": 120})
    assert done.status_code == 200 and done.json()["beneficiaries_served"] == 120
    evaluated = api_post("community", f"{path}/evaluate", {"evaluation": "老人满意，运营良好"})
    assert evaluated.status_code == 200 and evaluated.json()["state"] == "evaluated"
    rated = api_post("resident", f"{path}/rate", {"score": 5, "comment": "饭菜可口"})
    assert rated.status_code == 200 and rated.json()["rating"] == 5.0 and rated.json()["ratings"] == 1
    twice = api_post("resident", f"{path}/rate", {"score": 1})
    assert twice.status_code == 422 and twice.json() == {"detail": "You have already rated this project."}
    assert [e["action"] for e in api_get("community", path).json()["events"]] == [
        "propose",
        "add_unit",
        "agree",
        "commit",
        "add_milestone",
        "start",
        "complete",
        "evaluate",
    ]


def test_project_refusals_and_scope(cast, api_get, api_post, unit_lists):
    _, project, project_b = unit_lists
    path = f"projects/{project.public_id}"
    assert api_post("community2", f"{path}/drop", {"reason": "x"}).json() == NOT_FOUND
    assert api_post(
        "member", "projects", {"community": str(cast.places.a1.public_id), "title": "x"}
    ).json() == (WRONG_ROLE)
    far = api_post(
        "unit",
        "projects",
        {
            "community": str(cast.places.b1.public_id),
            "title": "跨街道项目",
            "unit": str(cast.places.unit_a.public_id),
        },
    )
    assert far.status_code == 422
    assert far.json() == {
        "detail": "龙岩市烟草公司 can propose projects to communities of its street or paired with it, not to 西安社区."
    }
    twice = api_post("community", f"{path}/start")
    assert twice.status_code == 422 and twice.json() == {
        "detail": "This project is In progress; it cannot be started."
    }
    no_reason = api_post("community", f"{path}/drop", {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json() == {"detail": "Say why the project is dropped."}
    dropped = api_post("community", f"{path}/drop", {"reason": "资金未落实"})
    assert dropped.status_code == 200 and dropped.json()["state"] == "dropped"
    assert Project.objects.count() == 2
    # a unit proposes to a community of its street and takes part at once
    own = api_post(
        "unit",
        "projects",
        {
            "community": str(cast.places.a2.public_id),
            "title": "共建书屋",
            "unit": str(cast.places.unit_a.public_id),
        },
    )
    assert own.status_code == 201, own.json()
    assert [u["name"] for u in own.json()["units"]] == ["龙岩市烟草公司"]


# --- service records ------------------------------------------------------------------------------


def test_member_logs_and_beneficiary_confirms_and_rates(cast, api_get, api_post):
    need = _need(cast)
    actions.take_need(acting_user=cast.member, need=need)
    logged = api_post(
        "member",
        "service-records",
        {
            "category": str(item("elderly_care").public_id),
            "started_at": _ago(3).isoformat(),
            "minutes": 90,
            "description": "陪同孙大妈就医",
            "need": str(need.public_id),
        },
    )
    assert logged.status_code == 201, logged.json()
    body = logged.json()
    record = ServiceRecord.objects.get(public_id=body["id"])
    assert body["state"] == "submitted" and body["flags"] == [] and body["beneficiary"]["name"] == "孙大妈"
    assert body["confirmation_code"] == codes.confirmation_code(record)  # the member shows it
    path = f"service-records/{body['id']}"
    for who in ("community", "resident", "unit"):
        assert api_get(who, path).json()["confirmation_code"] is None, who

    own = api_post("member", f"{path}/confirm", {"code": body["confirmation_code"]})
    assert own.status_code == 403 and own.json() == {"detail": "You cannot confirm your own service record."}
    assert api_post("member", f"{path}/confirm").json() == own.json()

    confirmed = api_post("resident", f"{path}/confirm", {"score": 5, "comment": "很耐心"})
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["confirmed_via"] == "beneficiary"
    assert confirmed.json()["score"] == 5
    assert PointEntry.objects.filter(record=record).count() == 1

    twice = api_post("community", f"{path}/confirm", {"note": "再次确认"})
    assert twice.status_code == 422 and twice.json() == {"detail": "This record is already confirmed."}
    again = api_post("resident", f"{path}/rate", {"score": 3})
    assert again.status_code == 422 and again.json() == {"detail": "This service has already been rated."}
    assert PointEntry.objects.filter(record=record).count() == 1
    assert [e["action"] for e in api_get("community", path).json()["events"]] == ["log", "confirm"]


def test_record_logging_refusals_change_nothing(cast, api_post):
    base = {
        "category": str(item("elderly_care").public_id),
        "minutes": 60,
        "description": "陪同就医",
        "community": str(cast.places.a1.public_id),
    }
    future = api_post(
        "member", "service-records", base | {"started_at": (timezone.now() + timedelta(hours=2)).isoformat()}
    )
    assert future.status_code == 422
    assert future.json() == {"detail": "Service cannot be logged before it has happened."}
    elsewhere = api_post(
        "member",
        "service-records",
        base | {"started_at": _ago(3).isoformat(), "community": str(cast.places.b1.public_id)},
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json() == {"detail": "You serve the community you live in or report to, not 西安社区."}
    unknown_need = api_post(
        "member",
        "service-records",
        base | {"started_at": _ago(3).isoformat(), "need": str(_need_b(cast).public_id)},
    )
    assert unknown_need.status_code == 422 and unknown_need.json() == {"detail": "Unknown need."}
    assert (
        api_post("community", "service-records", base | {"started_at": _ago(3).isoformat()}).json()
        == WRONG_ROLE
    )
    assert not ServiceRecord.objects.exists()


def test_record_against_a_taken_need_marks_it_served(cast, api_get, api_post):
    need = _need(cast)
    actions.take_need(acting_user=cast.member, need=need)
    logged = api_post(
        "member",
        "service-records",
        {
            "category": str(item("home_repair").public_id),
            "started_at": _ago(2).isoformat(),
            "minutes": 45,
            "description": "换了水管接头",
            "need": str(need.public_id),
        },
    )
    assert logged.status_code == 201, logged.json()
    assert logged.json()["need"] == str(need.public_id) and logged.json()["beneficiary_name"] == "孙大妈"
    assert api_get("community", f"needs/{need.public_id}").json()["state"] == "done"


def test_confirmation_by_code_and_wrong_code(cast, api_get, api_post):
    record = _record(cast)
    path = f"service-records/{record.public_id}"
    wrong = api_post(
        "unit", f"{path}/confirm", {"code": "000000" if codes.confirmation_code(record) != "000000" else "1"}
    )
    assert wrong.status_code == 422 and wrong.json() == {"detail": "The code does not match."}
    record.refresh_from_db()
    assert record.state == "submitted"
    assert ServiceRecordEvent.objects.filter(record=record, action="code_failed").count() == 1  # counted
    right = api_post("unit", f"{path}/confirm", {"code": codes.confirmation_code(record), "score": 4})
    assert right.status_code == 200, right.json()
    assert right.json()["confirmed_via"] == "code" and right.json()["score"] == 4
    replay = api_post("unit", f"{path}/confirm", {"code": codes.confirmation_code(record)})
    assert replay.status_code == 422 and replay.json() == {"detail": "This record is already confirmed."}


def test_community_confirms_flagged_record_with_a_note(cast, api_get, api_post):
    first = _record(cast, hours_ago=5, minutes=120)
    overlapping = _record(cast, hours_ago=4, minutes=60, beneficiary_resident=None)
    assert overlapping.state == "flagged"
    path = f"service-records/{overlapping.public_id}"
    body = api_get("community", path).json()
    assert body["state"] == "flagged" and body["flags"] == ["overlap"] and body["confirmation_code"] is None
    by_beneficiary_code = api_post("unit", f"{path}/confirm", {"code": codes.confirmation_code(overlapping)})
    assert by_beneficiary_code.status_code == 422
    assert by_beneficiary_code.json() == {
        "detail": "This record is held for the community's review; the community will confirm it."
    }
    no_note = api_post("community", f"{path}/confirm")
    assert no_note.status_code == 422
    assert no_note.json() == {"detail": "Say what you checked before confirming a flagged record."}
    confirmed = api_post("community", f"{path}/confirm", {"note": "电话核实，两段服务连续"})
    assert confirmed.status_code == 200 and confirmed.json()["confirmed_via"] == "community"
    assert _ids(api_get("community", "service-records", state="submitted")) == {str(first.public_id)}


def test_reject_and_rate_refusals(cast, api_get, api_post):
    record = _record(cast)
    path = f"service-records/{record.public_id}"
    assert api_post("community2", f"{path}/reject", {"reason": "x"}).json() == NOT_FOUND
    assert api_post("unit", f"{path}/reject", {"reason": "x"}).json() == WRONG_ROLE
    early = api_post("resident", f"{path}/rate", {"score": 5})
    assert early.status_code == 422 and early.json() == {"detail": "A service is rated once it is confirmed."}
    rejected = api_post("community", f"{path}/reject", {"reason": "当天未在社区"})
    assert rejected.status_code == 200
    assert rejected.json()["state"] == "rejected" and rejected.json()["reject_reason"] == "当天未在社区"
    late = api_post("resident", f"{path}/confirm")
    assert late.status_code == 422 and late.json() == {
        "detail": "This record was rejected; it cannot be confirmed."
    }
    assert not PointEntry.objects.exists() and not Rating.objects.exists()


def test_outsiders_cannot_touch_records(cast, api_get, api_post):
    record = _record(cast)
    path = f"service-records/{record.public_id}"
    for who in ("community2", "street2", "unit2"):
        assert api_get(who, path).json() == NOT_FOUND, who
        assert (
            api_post(who, f"{path}/confirm", {"code": codes.confirmation_code(record)}).json() == NOT_FOUND
        ), who
        assert str(record.public_id) not in _ids(api_get(who, "service-records")), who
    assert api_get("grid", "service-records").json() == WRONG_ROLE
    record.refresh_from_db()
    assert record.state == "submitted"


def test_record_scope_and_filters(cast, api_get):
    today_record = _record(cast, hours_ago=1, minutes=30, beneficiary_resident=None)
    old_record = _record(cast, hours_ago=24 * 10, minutes=60)
    # 赵六 (unit B) lives in A1 and serves there too
    submit_checkin(acting_user=cast.unit2, member=cast.m_b_home_a)
    cast.m_b_home_a.user = cast.nobody
    cast.m_b_home_a.save(update_fields=["user"])
    from accounts.actions import grant_role
    from accounts.models import Role

    grant_role(acting_user=None, user=cast.nobody, role=Role.MEMBER)
    zhao = record_actions.log_service_record(
        acting_user=cast.nobody,
        category=item("environment"),
        started_at=_ago(2),
        minutes=60,
        description="清理楼道",
        community=cast.places.a1,
    )
    ids = {str(r.public_id) for r in (today_record, old_record, zhao)}
    assert _ids(api_get("community", "service-records")) == ids
    assert _ids(api_get("unit", "service-records")) == ids - {str(zhao.public_id)}
    assert _ids(api_get("unit2", "service-records")) == {str(zhao.public_id)}
    assert _ids(api_get("member", "service-records")) == ids - {str(zhao.public_id)}
    assert _ids(api_get("resident", "service-records")) == {str(old_record.public_id)}
    assert _ids(api_get("community", "service-records", member=str(cast.m_b_home_a.public_id))) == {
        str(zhao.public_id)
    }
    week_ago = (timezone.localdate() - timedelta(days=7)).isoformat()
    assert _ids(api_get("community", "service-records", start=week_ago)) == ids - {str(old_record.public_id)}
    assert _ids(api_get("community", "service-records", end=week_ago)) == {str(old_record.public_id)}
    assert (
        api_get("community", "service-records", community=str(cast.places.a2.public_id)).json()["count"] == 0
    )


def test_records_list_query_count_is_pinned(cast, api_get, django_assert_max_num_queries):
    for n in range(3):
        record = _record(cast, hours_ago=3 + n * 2, minutes=60)
        if n == 0:
            record_actions.confirm_as_beneficiary(acting_user=cast.resident, record=record, score=5)
    api_get("community", "service-records")
    api_get("member", "service-records")
    # token + user, role grants, count, page; beside the page (one query each, when named): the
    # beneficiaries, the ratings, the posts
    with django_assert_max_num_queries(4 + 3):
        body = api_get("community", "service-records").json()
    assert body["count"] == 3 and sorted(r["score"] or 0 for r in body["items"]) == [0, 0, 5]
    with django_assert_max_num_queries(5 + 3):  # + the member's own record
        assert api_get("member", "service-records").json()["count"] == 3
    for n in range(3, 9):  # three times the rows: the same queries
        _record(cast, hours_ago=3 + n * 2, minutes=60)
    with django_assert_max_num_queries(4 + 3):
        body = api_get("community", "service-records").json()
    assert body["count"] == 9 and sorted(r["score"] or 0 for r in body["items"]) == [0] * 8 + [5]


# --- the OpenAPI document -------------------------------------------------------------------------


def test_openapi_lists_every_service_path(client, db):
    paths = client.get(API + "openapi.json").json()["paths"]
    expected = ["/service-categories", "/service-categories/tree", "/service-categories/{category_id}"]
    for collection in ("needs", "wishes"):
        expected += [f"/{collection}", f"/{collection}/{{need_id}}"]
        expected += [
            f"/{collection}/{{need_id}}/{verb}"
            for verb in ("dispatch", "take", "complete", "close", "cancel", "suggestions")
        ]
    expected += ["/assignments", "/assignments/{assignment_id}"]
    expected += [f"/assignments/{{assignment_id}}/{verb}" for verb in ("accept", "decline", "withdraw")]
    expected += ["/service-posts", "/service-posts/{post_id}"]
    expected += [f"/service-posts/{{post_id}}/{verb}" for verb in ("close", "claim", "leave")]
    expected += ["/household-pairings", "/household-pairings/{pairing_id}"]
    expected += [f"/household-pairings/{{pairing_id}}/{verb}" for verb in ("visits", "end")]
    expected += ["/resources", "/resources/{resource_id}", "/resources/{resource_id}/withdraw"]
    expected += ["/projects", "/projects/{project_id}"]
    expected += [
        f"/projects/{{project_id}}/{verb}"
        for verb in (
            "units",
            "commitments",
            "milestones",
            "agree",
            "start",
            "complete",
            "evaluate",
            "drop",
            "rate",
        )
    ]
    expected += ["/service-records", "/service-records/{record_id}"]
    expected += [f"/service-records/{{record_id}}/{verb}" for verb in ("confirm", "reject", "rate")]
    missing = [p for p in expected if f"/api/v1{p}" not in paths]
    assert not missing
    needs = {p["name"] for p in paths["/api/v1/needs"]["get"]["parameters"]}
    assert {"limit", "offset", "state", "category", "community", "urgency", "overdue"} <= needs
    records = {p["name"] for p in paths["/api/v1/service-records"]["get"]["parameters"]}
    assert {"state", "member", "community", "start", "end"} <= records


def test_record_beneficiary_hidden_from_the_members_unit(cast, api_get):
    """The unit follows its member's service without learning whom he served."""
    record = _record(cast)
    seen = {
        who: api_get(who, f"service-records/{record.public_id}").json()
        for who in ("member", "community", "resident", "unit", "inspector")
    }
    for who in ("member", "community", "resident"):
        assert seen[who]["beneficiary_name"] == "孙大妈", who
        assert seen[who]["beneficiary"]["name"] == "孙大妈", who
    for who in ("unit", "inspector"):
        assert seen[who]["member"]["name"] == "张三丰", who
        assert seen[who]["beneficiary_name"] is None and seen[who]["beneficiary"] is None, who


# --- whom a need, a household or a project may go to ----------------------------------------------


def test_dispatch_and_pairing_only_to_units_that_serve_the_community(cast, api_get, api_post):
    """西城商贸 (unit B) sits in street B and is not paired with 龙津社区: the community's API call
    answers as for an unknown unit, and the action refuses it to anyone (an administrator sees every
    unit). Street B's unit admin never gets to read whom the need is for."""
    need = _need(cast)
    unit_b = str(cast.places.unit_b.public_id)
    far = "西城商贸有限公司 works with communities of its street or paired with it, not with 龙津社区."
    dispatch = f"needs/{need.public_id}/dispatch"
    assert api_post("community", dispatch, {"unit": unit_b}).json() == {"detail": "Choose a unit."}
    assert api_post("admin", dispatch, {"unit": unit_b}).json() == {"detail": far}
    pairing = {"household": str(cast.r_a.public_id), "unit": unit_b, "reason": "独居老人"}
    refused = api_post("community", "household-pairings", pairing)
    assert refused.status_code == 422 and refused.json() == {"detail": "Choose a unit."}
    assert api_post("admin", "household-pairings", pairing).json() == {"detail": far}
    assert not Assignment.objects.exists() and not HouseholdPairing.objects.exists()
    assert api_get("unit2", f"needs/{need.public_id}").json() == NOT_FOUND

    # paired with 龙津社区 (结对共建), the unit serves it: the same calls go through
    UnitPairing.objects.create(
        unit=cast.places.unit_b,
        community=cast.places.a1,
        started_on=timezone.localdate() - timedelta(days=30),
    )
    offered = api_post("community", dispatch, {"unit": unit_b})
    assert offered.status_code == 200, offered.json()
    assert offered.json()["assignment"]["assignee"]["name"] == "西城商贸有限公司"
    assert api_get("unit2", f"needs/{need.public_id}").json()["beneficiary_name"] == "孙大妈"
    assert api_post("community", "household-pairings", pairing).status_code == 201


def test_a_member_out_of_reach_answers_like_an_unknown_id(cast, api_post):
    """Naming 王五 (street B) by his id tells the community no more than a made-up id does."""
    need = _need(cast)
    path = f"needs/{need.public_id}/dispatch"
    outsider = api_post("community", path, {"member": str(cast.m_b.public_id)})
    unknown = api_post("community", path, {"member": "00000000-0000-4000-8000-000000000000"})
    assert outsider.status_code == unknown.status_code == 422
    assert outsider.json() == unknown.json() == {"detail": "Choose a member."}
    assert not Assignment.objects.exists()


def test_projects_take_only_units_the_caller_may_see(cast, api_post):
    unit_b = str(cast.places.unit_b.public_id)
    proposed = api_post(
        "community",
        "projects",
        {"community": str(cast.places.a1.public_id), "title": "居家养老中心", "unit": unit_b},
    )
    assert proposed.status_code == 422 and proposed.json() == {"detail": "Choose a unit."}
    assert not Project.objects.exists()
    project = api_post(
        "community", "projects", {"community": str(cast.places.a1.public_id), "title": "居家养老中心"}
    )
    path = f"projects/{project.json()['id']}/units"
    assert api_post("community", path, {"unit": unit_b}).json() == {"detail": "Choose a unit."}
    joined = api_post("community", path, {"unit": str(cast.places.unit_a.public_id)})
    assert [u["name"] for u in joined.json()["units"]] == ["龙岩市烟草公司"]
    assert not ProjectUnit.objects.filter(unit=cast.places.unit_b).exists()


# --- what the need tells those who do not serve the beneficiary -----------------------------------


def test_the_offers_note_is_for_those_who_serve_the_beneficiary(cast, api_get):
    """张三丰 declined; the need, now offered to 钱七, still shows in his list. The note for 钱七 (how to
    reach 孙大妈) is not for him, as her name is not."""
    need = _need(cast)
    offer = actions.dispatch_need(acting_user=cast.community, need=need, member=cast.m_member)
    actions.decline_assignment(acting_user=cast.member, assignment=offer, reason="出差")
    actions.dispatch_need(
        acting_user=cast.community, need=need, member=cast.m_retired, note="先联系她女儿 13900001111"
    )
    path = f"needs/{need.public_id}"
    former = api_get("member", path).json()
    assert former["beneficiary_name"] is None and former["events"] == []
    assert former["assignment"]["assignee"]["name"] == "钱七" and former["assignment"]["note"] is None
    assert "13900001111" not in str(former)
    listed = next(n for n in api_get("member", "needs").json()["items"] if n["id"] == str(need.public_id))
    assert listed["assignment"]["note"] is None
    assert api_get("community", path).json()["assignment"]["note"] == "先联系她女儿 13900001111"


# --- service record photos ------------------------------------------------------------------------


def test_record_photos_are_addresses_of_the_scoped_photo_view(cast, client, api_get, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from service.tests.pictures import body, opened, picture

    settings.MEDIA_ROOT = tmp_path
    png = picture((2000, 1000), "PNG")
    record = _record(
        cast,
        photos=[SimpleUploadedFile(name, png, content_type="image/png") for name in ("a.png", "b.png")],
    )
    detail = api_get("member", f"service-records/{record.public_id}").json()
    photos = detail["photos"]
    assert photos == [f"{API}service-records/{record.public_id}/photos/{n}" for n in (1, 2)]
    assert all("/media/" not in p for p in photos)
    assert detail["photo_sizes"][1] == {
        size: f"{API}service-records/{record.public_id}/photos/2?size={size}"
        for size in ("phone", "thumb", "original")
    }
    # a bearer token is enough (a phone app has no session); the record's scope decides
    fetched = api_get("member", photos[1].removeprefix(API))  # the phone size unless asked
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/jpeg"
    assert opened(body(fetched)).size == (1280, 640)
    thumb = api_get("member", detail["photo_sizes"][1]["thumb"].removeprefix(API))
    assert thumb["Content-Type"] == "image/jpeg" and opened(body(thumb)).size == (320, 160)
    original = api_get("member", detail["photo_sizes"][1]["original"].removeprefix(API))
    assert original["Content-Type"] == "image/png" and opened(body(original)).size == (2000, 1000)
    assert api_get("member", f"service-records/{record.public_id}/photos/1?size=huge").status_code == 422
    assert api_get("community2", photos[1].removeprefix(API)).status_code == 404
    assert api_get("member", f"service-records/{record.public_id}/photos/3").status_code == 404
    assert api_get(
        "member", f"service-records/{record.public_id}/photos/99999999999999999999"
    ).status_code in (
        404,
        422,
    )
    # the page keeps its own scoped view for signed-in browsers
    cast.login(client, "member")
    assert client.get(reverse("service:record_photo", args=[record.public_id, 2])).status_code == 200


# --- times without a zone, days at the calendar's ends, numbers past the column ---------------------


def test_times_without_a_zone_are_local_time(cast, api_get, api_post):
    local = datetime(2031, 1, 1, 10, 0)
    posted = api_post(
        "resident",
        "needs",
        {"title": "灯坏了", "category": str(item("home_repair").public_id), "due_at": local.isoformat()},
    )
    assert posted.status_code == 201, posted.json()
    assert Need.objects.get(public_id=posted.json()["id"]).due_at == timezone.make_aware(local)

    need = _need(cast)
    dispatched = api_post(
        "community",
        f"needs/{need.public_id}/dispatch",
        {"member": str(cast.m_member.public_id), "respond_by": local.isoformat()},
    )
    assert dispatched.status_code == 200, dispatched.json()
    assert Assignment.objects.get(need=need).respond_by == timezone.make_aware(local)

    started = timezone.localtime(_ago(3)).replace(tzinfo=None, microsecond=0)
    logged = api_post(
        "member",
        "service-records",
        {
            "category": str(item("elderly_care").public_id),
            "started_at": started.isoformat(),
            "minutes": 60,
            "description": "陪同就医",
            "community": str(cast.places.a1.public_id),
        },
    )
    assert logged.status_code == 201, logged.json()
    assert ServiceRecord.objects.get(public_id=logged.json()["id"]).started_at == timezone.make_aware(started)


@pytest.mark.parametrize("query", [{"end": "9999-12-31"}, {"start": "0001-01-01"}, {"start": "1999-12-31"}])
def test_record_list_days_outside_2000_to_2099_are_refused(cast, api_get, query):
    response = api_get("community", "service-records", **query)
    assert response.status_code == 422
    assert "Choose a day between 2000-01-01 and 2099-12-31." in str(response.json())


def test_times_outside_2000_to_2099_are_refused(cast, api_post):
    need = _need(cast)
    far = api_post(
        "community",
        f"needs/{need.public_id}/dispatch",
        {"member": str(cast.m_member.public_id), "respond_by": "9999-12-31T23:59:59-10:00"},
    )
    assert far.status_code == 422 and "2099-12-31" in str(far.json())
    assert not Assignment.objects.exists()


def test_completing_a_project_with_a_huge_number_is_refused(cast, api_post):
    from service.projects import actions as unit_actions

    project = unit_actions.propose_project(
        acting_user=cast.community,
        community=cast.places.a1,
        title="居家养老服务中心",
        unit=cast.places.unit_a,
    )
    unit_actions.agree_project(acting_user=cast.community, project=project)
    unit_actions.start_project(acting_user=cast.community, project=project)
    path = f"projects/{project.public_id}/complete"
    assert api_post("community", path, {"beneficiaries_served": 10**20}).status_code == 422
    assert api_post("community", path, {"beneficiaries_served": 10_000_001}).status_code == 422
    project.refresh_from_db()
    assert project.state == "in_progress" and project.beneficiaries_served == 0
    done = api_post("community", path, {"beneficiaries_served": 10_000_000})
    assert done.status_code == 200 and done.json()["beneficiaries_served"] == 10_000_000
