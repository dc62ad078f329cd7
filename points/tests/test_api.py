"""The points API over HTTP: the ledger, balances and the time bank, rankings, corrections, rewards
and redemptions. The right role reads and writes; an outsider (street B) gets 404 like a missing
object; a wrong role is refused; redeeming beyond the balance or the stock is refused with the
action's message and changes nothing; lists answer {items, count} in a pinned number of queries."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.actions import grant_role
from accounts.models import Role
from points import actions
from points.models import PointEntry, Redemption, Reward
from service.models import ServiceCategory
from service.records import actions as record_actions

API = "/api/v1/"
NOT_FOUND = {"detail": "Not found."}
WRONG_ROLE = {"detail": "Your role may not use this endpoint."}


@pytest.fixture(autouse=True)
def _local_noon():
    """These tests book service a few hours back and read it as today's: run them at local noon, or
    they fail in the first hours after midnight in Asia/Shanghai (16:00-19:00 UTC)."""
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    with time_machine.travel(noon, tick=True):
        yield


def _earn(cast, user, minutes: int, hours_ago: float = 3):
    """Service of ``user``'s member in A1, confirmed by the community: 10 points an hour (default rule)."""
    record = record_actions.log_service_record(
        acting_user=user,
        category=ServiceCategory.objects.get(code="environment"),
        started_at=timezone.now() - timedelta(hours=hours_ago),
        minutes=minutes,
        description="清理楼道",
        community=cast.places.a1,
    )
    record_actions.confirm_as_organiser(acting_user=cast.community, record=record)
    return record


@pytest.fixture
def earned(cast):
    """张三丰 earned 20 points (2 h); 赵六 (unit B, lives in A1, signs in as ``nobody``) 30 points."""
    cast.m_b_home_a.user = cast.nobody
    cast.m_b_home_a.save(update_fields=["user"])
    grant_role(acting_user=None, user=cast.nobody, role=Role.MEMBER)
    _earn(cast, cast.member, 120)
    _earn(cast, cast.nobody, 180)
    return cast


def _reward(cast, cost=15, stock=1, area=None, by=None) -> Reward:
    return actions.add_reward(
        acting_user=by or cast.community, area=area or cast.places.a1, name="洗衣液", cost=cost, stock=stock
    )


def _ids(response) -> set[str]:
    return {item["id"] for item in response.json()["items"]}


# --- the ledger -----------------------------------------------------------------------------------


def test_ledger_scope_and_filters(earned, api_get):
    cast = earned
    everyone = api_get("community", "points/entries")
    assert everyone.status_code == 200
    body = everyone.json()
    assert set(body) == {"items", "count", "count_exact", "has_more"} and body["count"] == 2
    entry = next(e for e in body["items"] if e["member"]["name"] == "张三丰")
    assert entry["amount"] == 20 and entry["kind"] == "service" and entry["minutes"] == 120
    assert entry["community"]["name"] == "龙津社区" and entry["unit"]["name"] == "龙岩市烟草公司"
    assert entry["record"] and entry["reversed"] is False and entry["reverses"] is None
    assert entry["served_on"] == timezone.localdate().isoformat()

    assert [e["member"]["name"] for e in api_get("member", "points/entries").json()["items"]] == ["张三丰"]
    assert [e["member"]["name"] for e in api_get("unit", "points/entries").json()["items"]] == ["张三丰"]
    assert [e["member"]["name"] for e in api_get("unit2", "points/entries").json()["items"]] == ["赵六"]
    assert api_get("community2", "points/entries").json() == {
        "items": [],
        "count": 0,
        "count_exact": True,
        "has_more": False,
    }
    assert api_get("resident", "points/entries").json() == WRONG_ROLE
    assert api_get("community", "points/entries", member=str(cast.m_b_home_a.public_id)).json()["count"] == 1
    assert api_get("community", "points/entries", kind="bonus").json()["count"] == 0
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert api_get("community", "points/entries", start=tomorrow).json()["count"] == 0
    assert api_get("community", "points/entries", end=timezone.localdate().isoformat()).json()["count"] == 2


def test_reverse_an_entry(earned, api_get, api_post):
    cast = earned
    entry = PointEntry.objects.get(member=cast.m_member)
    path = f"points/entries/{entry.public_id}/reverse"
    assert api_post("member", path, {"reason": "x"}).json() == WRONG_ROLE
    assert api_post("community2", path, {"reason": "重复登记"}).json() == NOT_FOUND
    no_reason = api_post("community", path, {"reason": " "})
    assert no_reason.status_code == 422 and no_reason.json() == {
        "detail": "Say why the points are corrected."
    }
    reversed_ = api_post("community", path, {"reason": "重复登记"})
    assert reversed_.status_code == 201, reversed_.json()
    body = reversed_.json()
    assert body["amount"] == -20 and body["kind"] == "reversal" and body["minutes"] == -120
    assert body["reverses"] == str(entry.public_id) and body["note"] == "重复登记"
    twice = api_post("community", path, {"reason": "重复登记"})
    assert twice.status_code == 422 and twice.json() == {"detail": "This entry has already been corrected."}
    assert PointEntry.objects.filter(member=cast.m_member).count() == 2
    original = next(
        e for e in api_get("member", "points/entries").json()["items"] if e["id"] == str(entry.public_id)
    )
    assert original["reversed"] is True
    assert actions.balance_of(cast.m_member) == 0


# --- balances and rankings ------------------------------------------------------------------------


def test_balances_with_time_bank(earned, api_get):
    cast = earned
    body = api_get("community", "points/balances").json()
    rows = {row["member"]["name"]: row for row in body["items"]}
    assert rows["赵六"] == {
        "member": {"id": str(cast.m_b_home_a.public_id), "name": "赵六"},
        "unit": {"id": str(cast.places.unit_b.public_id), "name": "西城商贸有限公司"},
        "balance": 30,
        "minutes": 180,
    }
    assert rows["张三丰"]["balance"] == 20 and rows["张三丰"]["minutes"] == 120
    assert rows["李四"]["balance"] == 0 and rows["李四"]["minutes"] == 0  # unit A sits in A1; no points
    names = [row["member"]["name"] for row in body["items"]]
    assert names[:2] == ["赵六", "张三丰"]  # highest balance first
    assert [r["member"]["name"] for r in api_get("member", "points/balances").json()["items"]] == ["张三丰"]
    assert (
        api_get("community", "points/balances", unit=str(cast.places.unit_a.public_id)).json()["count"] == 2
    )
    assert api_get("resident", "points/balances").json() == WRONG_ROLE
    outside = {r["member"]["name"] for r in api_get("community2", "points/balances").json()["items"]}
    assert outside == {"王五", "赵六"}  # B1's resident and unit B's members (unit B sits in B1)


def test_rankings_per_community_unit_and_period(earned, api_get):
    cast = earned
    a1 = str(cast.places.a1.public_id)
    ranked = api_get("member", "points/rankings", community=a1)
    assert ranked.status_code == 200, ranked.json()
    assert [(r["rank"], r["member"]["name"], r["points"], r["minutes"]) for r in ranked.json()["items"]] == [
        (1, "赵六", 30, 180),
        (2, "张三丰", 20, 120),
    ]
    street = api_get("street", "points/rankings", community=str(cast.places.street_a.public_id)).json()
    assert street["count"] == 2
    unit_a = api_get("unit", "points/rankings", unit=str(cast.places.unit_a.public_id)).json()["items"]
    assert [(r["rank"], r["member"]["name"]) for r in unit_a] == [(1, "张三丰")]
    assert unit_a[0]["unit"]["name"] == "龙岩市烟草公司"
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert api_get("community", "points/rankings", community=a1, start=tomorrow).json()["count"] == 0
    # a member's redemption does not lower their rank
    _reward(cast, cost=25)
    actions.redeem_reward(acting_user=cast.nobody, reward=Reward.objects.get())
    again = api_get("community", "points/rankings", community=a1).json()["items"]
    assert again[0]["member"]["name"] == "赵六" and again[0]["points"] == 30
    # another street's community, or a unit the caller cannot see: 404
    assert api_get("community2", "points/rankings", community=a1).json() == NOT_FOUND
    assert api_get("unit2", "points/rankings", unit=str(cast.places.unit_a.public_id)).json() == NOT_FOUND
    # no place named: the entries the caller may see
    assert [r["member"]["name"] for r in api_get("unit2", "points/rankings").json()["items"]] == ["赵六"]


def test_rankings_default_to_this_month_as_the_page_does(earned, api_get):
    """Without ``start`` or ``end`` the ranking is of this month (the page's default), not of all
    time: a ranking of every entry ever booked grows with the ledger."""
    a1 = str(earned.places.a1.public_id)
    assert api_get("community", "points/rankings", community=a1).json()["count"] == 2
    month_ago = timezone.now() - timedelta(days=40)  # the entries are booked after that month ends
    with time_machine.travel(month_ago, tick=False):
        assert api_get("community", "points/rankings", community=a1).json()["count"] == 0
        until = (timezone.localdate() + timedelta(days=60)).isoformat()
        assert api_get("community", "points/rankings", community=a1, end=until).json()["count"] == 2


def test_rankings_without_a_place_keep_to_the_scope_and_do_not_grow(
    earned, api_get, django_assert_max_num_queries
):
    """No community or unit named: the caller's visible entries, filtered on the entries themselves
    (their path, unit, member) in the one grouped query, whatever the number of members ranked."""
    cast = earned
    api_get("street", "points/rankings")
    with django_assert_max_num_queries(4):  # token + user, role grants, count, page
        small = api_get("street", "points/rankings").json()
    assert [r["member"]["name"] for r in small["items"]] == ["赵六", "张三丰"]
    _earn(cast, cast.member, 60, hours_ago=30)
    cast.m_a2.user = cast.dept
    cast.m_a2.save(update_fields=["user"])
    grant_role(acting_user=None, user=cast.dept, role=Role.MEMBER)
    cast.m_a2.residence_area = cast.places.a1
    cast.m_a2.save(update_fields=["residence_area"])
    _earn(cast, cast.dept, 60, hours_ago=50)
    with django_assert_max_num_queries(4):
        bigger = api_get("street", "points/rankings").json()
    assert bigger["count"] == 3
    assert [r["member"]["name"] for r in api_get("community2", "points/rankings").json()["items"]] == []


def test_equal_points_share_a_rank(earned, api_get):
    cast = earned
    cast.m_a2.user = cast.dept
    cast.m_a2.save(update_fields=["user"])
    grant_role(acting_user=None, user=cast.dept, role=Role.MEMBER)
    cast.m_a2.residence_area = cast.places.a1
    cast.m_a2.save(update_fields=["residence_area"])
    _earn(cast, cast.dept, 180)
    rows = api_get("community", "points/rankings", community=str(cast.places.a1.public_id)).json()["items"]
    assert [(r["rank"], r["points"]) for r in rows] == [(1, 30), (1, 30), (3, 20)]


def test_points_query_counts_are_pinned(earned, api_get, django_assert_max_num_queries):
    cast = earned
    for who in ("community", "member"):
        api_get(who, "points/entries")
    # token + user, role grants, count, page
    with django_assert_max_num_queries(4):
        assert api_get("community", "points/entries").json()["count"] == 2
    with django_assert_max_num_queries(4):  # one aggregate query a page
        assert api_get("community", "points/balances").status_code == 200
    with django_assert_max_num_queries(5):  # + the community
        assert (
            api_get("community", "points/rankings", community=str(cast.places.a1.public_id)).json()["count"]
            == 2
        )
    with django_assert_max_num_queries(5):  # + the member's own record
        assert api_get("member", "points/balances").json()["count"] == 1


# --- rewards and redemptions ----------------------------------------------------------------------


def test_reward_catalogue(earned, api_get, api_post):
    cast = earned
    added = api_post(
        "community",
        "rewards",
        {
            "area": str(cast.places.a1.public_id),
            "name": "大米5斤",
            "cost": 25,
            "stock": 2,
            "description": "东北大米",
        },
    )
    assert added.status_code == 201, added.json()
    body = added.json()
    assert body["area"]["name"] == "龙津社区" and body["available"] == 2 and body["active"] is True
    path = f"rewards/{body['id']}"
    street_reward = api_post(
        "street",
        "rewards",
        {"area": str(cast.places.street_a.public_id), "name": "电影票", "cost": 10, "stock": 5},
    )
    assert street_reward.status_code == 201

    # the member sees their community's shelf
    assert body["id"] in _ids(api_get("member", "rewards"))
    assert street_reward.json()["id"] in _ids(api_get("street", "rewards"))
    assert api_get("community2", path).json() == NOT_FOUND
    assert api_post("community2", f"{path}/restock", {"added": 1}).json() == NOT_FOUND
    assert api_get("resident", "rewards").json() == WRONG_ROLE
    assert api_post(
        "member", "rewards", {"area": str(cast.places.a1.public_id), "name": "x", "cost": 1, "stock": 1}
    ).json() == (WRONG_ROLE)
    not_theirs = api_post(
        "community2", "rewards", {"area": str(cast.places.a1.public_id), "name": "x", "cost": 1, "stock": 1}
    )
    assert not_theirs.status_code == 403
    assert not_theirs.json() == {"detail": "Only the community or street can stock its catalogue."}

    restocked = api_post("community", f"{path}/restock", {"added": 3})
    assert restocked.status_code == 200 and restocked.json()["stock"] == 5
    retired = api_post("community", f"{path}/offered", {"offered": False})
    assert retired.status_code == 200 and retired.json()["active"] is False
    assert body["id"] not in _ids(api_get("member", "rewards", offered="true"))
    assert body["id"] in _ids(api_get("member", "rewards", offered="false"))
    refused = api_post("nobody", f"{path}/redeem")
    assert refused.status_code == 422 and refused.json() == {"detail": "This reward is no longer offered."}


def test_redeem_hand_over_and_cancel(earned, api_get, api_post):
    cast = earned
    reward = _reward(cast, cost=15, stock=2)
    path = f"rewards/{reward.public_id}/redeem"
    redeemed = api_post("member", path)
    assert redeemed.status_code == 201, redeemed.json()
    body = redeemed.json()
    assert body["state"] == "placed" and body["cost"] == 15 and body["member"]["name"] == "张三丰"
    assert api_get("member", f"rewards/{reward.public_id}").json()["available"] == 1
    assert actions.balance_of(cast.m_member) == 5
    one = f"redemptions/{body['id']}"
    assert api_get("member", one).status_code == 200
    assert api_get("community2", one).json() == NOT_FOUND
    assert _ids(api_get("community", "redemptions", state="placed")) == {body["id"]}
    assert api_get("nobody", "redemptions").json()["count"] == 0  # another member's: not theirs

    assert api_post("member", f"{one}/hand-over").json() == WRONG_ROLE
    handed = api_post("community", f"{one}/hand-over")
    assert (
        handed.status_code == 200 and handed.json()["state"] == "handed_over" and handed.json()["closed_at"]
    )
    late = api_post("member", f"{one}/cancel")
    assert late.status_code == 422
    assert late.json() == {"detail": "This redemption is Collected; it cannot be cancelled."}

    second = api_post("nobody", path).json()
    no_reason = api_post("community", f"redemptions/{second['id']}/cancel", {})
    assert no_reason.status_code == 422 and no_reason.json() == {
        "detail": "Say why the redemption is cancelled."
    }
    cancelled = api_post("community", f"redemptions/{second['id']}/cancel", {"reason": "缺货"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    assert actions.balance_of(cast.m_b_home_a) == 30  # the points came back


def test_redeeming_beyond_balance_or_stock_changes_nothing(earned, api_get, api_post):
    cast = earned
    dear = _reward(cast, cost=25, stock=5)
    too_dear = api_post("member", f"rewards/{dear.public_id}/redeem")
    assert too_dear.status_code == 422
    assert too_dear.json() == {"detail": "洗衣液 costs 25 points; you have 20."}
    cheap = _reward(cast, cost=5, stock=1)
    assert api_post("nobody", f"rewards/{cheap.public_id}/redeem").status_code == 201
    sold_out = api_post("member", f"rewards/{cheap.public_id}/redeem")
    assert sold_out.status_code == 422 and sold_out.json() == {"detail": "洗衣液 is out of stock."}
    assert Redemption.objects.filter(member=cast.m_member).count() == 0
    assert actions.balance_of(cast.m_member) == 20
    assert api_post("community", f"rewards/{cheap.public_id}/redeem").json() == WRONG_ROLE
    b_reward = _reward(cast, cost=1, stock=1, area=cast.places.b1, by=cast.community2)
    assert api_post("member", f"rewards/{b_reward.public_id}/redeem").json() == NOT_FOUND
    assert Redemption.objects.count() == 1


def test_reward_lists_query_counts_are_pinned(earned, api_get, django_assert_max_num_queries):
    cast = earned
    for n in range(3):
        reward = _reward(cast, cost=1 + n, stock=3)
        actions.redeem_reward(acting_user=cast.member, reward=reward)
    for who in ("community", "member"):
        api_get(who, "rewards")
    with django_assert_max_num_queries(4):  # token + user, role grants, count, page
        assert api_get("community", "rewards").json()["count"] == 3
    with django_assert_max_num_queries(4):
        assert api_get("community", "redemptions").json()["count"] == 3
    # + the member's record, their communities (check-ins, residence) and those areas' paths
    with django_assert_max_num_queries(9):
        assert api_get("member", "rewards").json()["count"] == 3


def test_openapi_lists_every_points_path(client, db):
    paths = client.get(API + "openapi.json").json()["paths"]
    expected = [
        "/points/entries",
        "/points/entries/{entry_id}/reverse",
        "/points/balances",
        "/points/rankings",
        "/rewards",
        "/rewards/{reward_id}",
        "/rewards/{reward_id}/restock",
        "/rewards/{reward_id}/offered",
        "/rewards/{reward_id}/redeem",
        "/redemptions",
        "/redemptions/{redemption_id}",
        "/redemptions/{redemption_id}/hand-over",
        "/redemptions/{redemption_id}/cancel",
    ]
    assert [p for p in expected if f"/api/v1{p}" not in paths] == []
    rankings = {p["name"] for p in paths["/api/v1/points/rankings"]["get"]["parameters"]}
    assert {"community", "unit", "start", "end", "limit", "offset"} <= rankings


# --- bad input: days at the calendar's ends, numbers past the columns -----------------------------


@pytest.mark.parametrize("path", ["points/entries", "points/rankings"])
@pytest.mark.parametrize("query", [{"end": "9999-12-31"}, {"start": "0001-01-01"}, {"end": "2100-01-01"}])
def test_days_outside_2000_to_2099_are_refused(earned, api_get, path, query):
    response = api_get("community", path, **query)
    assert response.status_code == 422
    assert "Choose a day between 2000-01-01 and 2099-12-31." in str(response.json())
    assert api_get("community", path, start="2000-01-01", end="2099-12-31").status_code == 200


def test_rewards_with_numbers_past_the_shelf_are_refused(earned, api_post):
    cast = earned
    area = str(cast.places.a1.public_id)
    for cost, stock in ((10**20, 1), (1, 10**20), (actions.MAX_COST + 1, 1), (1, actions.MAX_ADDED + 1)):
        huge = api_post("community", "rewards", {"area": area, "name": "大米", "cost": cost, "stock": stock})
        assert huge.status_code == 422, (cost, stock)
    assert not Reward.objects.exists()
    reward = _reward(cast, stock=1)
    for added in (10**20, actions.MAX_ADDED + 1):
        assert (
            api_post("community", f"rewards/{reward.public_id}/restock", {"added": added}).status_code == 422
        )
    assert Reward.objects.get(pk=reward.pk).stock == 1


def test_the_action_keeps_a_rewards_stock_within_a_million(earned):
    cast = earned
    reward = _reward(cast, stock=actions.MAX_STOCK - 5)
    with pytest.raises(ValidationError) as refused:
        actions.restock_reward(acting_user=cast.community, reward=reward, added=6)
    assert refused.value.messages == ["A reward's stock is at most 1000000; it has 999995."]
    assert actions.restock_reward(acting_user=cast.community, reward=reward, added=5).stock == 1_000_000
    with pytest.raises(ValidationError):
        _reward(cast, stock=actions.MAX_STOCK + 1)
    with pytest.raises(ValidationError):
        _reward(cast, cost=actions.MAX_COST + 1)
