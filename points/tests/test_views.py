"""The points pages: my points, the supermarket and redemptions, the community's shop, rankings and
the ledger. Roles (403), scope (404), refusals with their message and nothing changed, what was
typed kept on error, and pinned query counts."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from points import actions
from points.models import EntryKind, PointEntry, Redemption, RedemptionState, Reward
from points.tests.test_queries import give_user, serve

pytestmark = pytest.mark.django_db

MY_POINTS = reverse("points:my_points")
REWARDS = reverse("points:rewards")
MY_REDEMPTIONS = reverse("points:my_redemptions")
SHOP = reverse("points:shop")
RANKINGS = reverse("points:rankings")
LEDGER = reverse("points:ledger")


def url(name, obj):
    return reverse(f"points:{name}", args=[obj.public_id])


def text(response) -> str:
    return response.content.decode()


def add_reward(cast, name="毛巾", cost=20, stock=5, area=None, by=None):
    return actions.add_reward(
        acting_user=by or cast.community, area=area or cast.places.a1, name=name, cost=cost, stock=stock
    )


@pytest.fixture
def scene(cast):
    """张三丰 has 25 points (90 + 60 minutes in A1); a towel (20 points, 5 in stock) in A1's shop."""
    serve(cast, cast.member, 90, days_ago=1)
    serve(cast, cast.member, 60, days_ago=2)
    cast.towel = add_reward(cast)
    return cast


# --- roles ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "allowed", "refused"),
    [
        (MY_POINTS, ["member", "admin"], ["community", "street", "resident", "unit", "nobody"]),
        (REWARDS, ["member", "admin"], ["community", "street", "resident", "unit", "nobody"]),
        (MY_REDEMPTIONS, ["member", "admin"], ["community", "resident", "nobody"]),
        (
            SHOP,
            ["community", "street", "community2", "admin"],
            ["member", "resident", "unit", "orgdept", "nobody"],
        ),
        (
            LEDGER,
            ["community", "street", "community2", "admin"],
            ["member", "resident", "unit", "grid", "nobody"],
        ),
        (
            RANKINGS,
            ["member", "community", "street", "orgdept", "unit", "inspector", "community2", "admin"],
            ["resident", "grid", "dept", "nobody"],
        ),
    ],
)
def test_each_page_for_its_roles(client, cast, page, allowed, refused):
    for who in allowed:
        cast.login(client, who)
        assert client.get(page).status_code == 200, who
    for who in refused:
        cast.login(client, who)
        assert client.get(page).status_code == 403, who


def test_signed_out_is_sent_to_sign_in(client, cast):
    response = client.get(MY_POINTS)
    assert response.status_code == 302 and "login" in response["Location"]


# --- my points --------------------------------------------------------------------------------------


def test_my_points_shows_balance_hours_ledger_and_rank(client, scene):
    scene.login(client, "member")
    body = text(client.get(MY_POINTS))
    assert 'data-testid="balance">25<' in body
    assert 'data-testid="hours">2.5<' in body
    assert "Confirmed service" in body and "+15" in body and "+10" in body
    assert "龙津社区" in body and "No. 1" in body


def test_my_points_lists_a_redemption_and_its_reward(client, scene):
    actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "member")
    body = text(client.get(MY_POINTS))
    assert 'data-testid="balance">5<' in body
    assert "−20" in body or "-20" in body
    assert "毛巾" in body
    # redeeming does not lower the ranking
    assert "No. 1" in body and "25 points" in body


def test_a_member_without_a_record_is_told(client, cast):
    from accounts.actions import create_user, grant_role
    from accounts.models import Role

    user = create_user(acting_user=None, username="lonely", password=cast.password)
    grant_role(acting_user=None, user=user, role=Role.MEMBER)
    client.force_login(user)
    assert "No party member record" in text(client.get(MY_POINTS))
    assert "No party member record" in text(client.get(REWARDS))


def test_my_points_queries_do_not_grow_with_entries(client, scene, django_assert_num_queries):
    scene.login(client, "member")
    client.get(MY_POINTS)
    with django_assert_num_queries(MY_POINTS_QUERIES):
        assert client.get(MY_POINTS).status_code == 200
    for day in range(3, 9):
        serve(scene, scene.member, 30, days_ago=day)
    with django_assert_num_queries(MY_POINTS_QUERIES):
        assert client.get(MY_POINTS).status_code == 200


# session, user, grants, member (scope), member_of, served communities (2), balance, minutes, ranks,
# entries (count, page), unread badge
MY_POINTS_QUERIES = 13


# --- the supermarket --------------------------------------------------------------------------------


def test_rewards_show_cost_stock_and_why_a_button_is_off(client, scene):
    add_reward(scene, name="大米", cost=100, stock=3)
    add_reward(scene, name="雨伞", cost=5, stock=0)
    scene.login(client, "member")
    body = text(client.get(REWARDS))
    assert "毛巾" in body and "5 left" in body and "Redeem for 20 points" in body
    assert "大米" in body and "You need 75 more points" in body
    assert "雨伞" in body and "Out of stock" in body
    assert body.count("disabled") == 2


def test_redeem_spends_points_and_the_stock(client, scene):
    scene.login(client, "member")
    response = client.post(url("redeem", scene.towel))
    assert response.status_code == 302 and response["Location"] == MY_REDEMPTIONS
    assert actions.balance_of(scene.m_member) == 5
    redemption = Redemption.objects.get()
    assert redemption.state == RedemptionState.PLACED
    body = text(client.get(MY_REDEMPTIONS))
    assert "You redeemed 毛巾 for 20 points" in body and "Collect it at 龙津社区" in body


def test_redeem_beyond_the_balance_is_refused_and_changes_nothing(client, scene):
    rice = add_reward(scene, name="大米", cost=100, stock=3)
    scene.login(client, "member")
    response = client.post(url("redeem", rice), follow=True)
    assert "大米 costs 100 points; you have 25." in text(response)
    assert actions.balance_of(scene.m_member) == 25
    assert not Redemption.objects.exists()
    assert PointEntry.objects.filter(kind=EntryKind.REDEMPTION).count() == 0


def test_redeem_beyond_the_stock_is_refused_and_changes_nothing(client, scene):
    one = add_reward(scene, name="雨伞", cost=5, stock=1)
    scene.login(client, "member")
    client.post(url("redeem", one))
    assert actions.balance_of(scene.m_member) == 20
    response = client.post(url("redeem", one), follow=True)
    assert "雨伞 is out of stock." in text(response)
    assert actions.balance_of(scene.m_member) == 20
    assert Redemption.objects.filter(reward=one).count() == 1


def test_a_retired_reward_cannot_be_redeemed(client, scene):
    actions.set_reward_offered(acting_user=scene.community, reward=scene.towel, offered=False)
    scene.login(client, "member")
    assert "毛巾" not in text(client.get(REWARDS))
    response = client.post(url("redeem", scene.towel), follow=True)
    assert "This reward is no longer offered." in text(response)
    assert actions.balance_of(scene.m_member) == 25


def test_the_streets_catalogue_is_offered_to_its_communities_members(client, scene):
    gift = add_reward(scene, name="街道礼包", cost=10, stock=2, area=scene.places.street_a, by=scene.street)
    scene.login(client, "member")
    body = text(client.get(REWARDS))
    assert "东城街道" in body and "街道礼包" in body
    client.post(url("redeem", gift))
    assert Redemption.objects.get(reward=gift).member == scene.m_member
    assert actions.balance_of(scene.m_member) == 15
    scene.login(client, "street")
    assert "张三丰" in text(client.get(SHOP, {"area": scene.places.street_a.public_id}))


def test_outsiders_reward_is_missing(client, scene):
    b_reward = add_reward(scene, name="西城毛巾", area=scene.places.b1, by=scene.community2)
    scene.login(client, "member")
    assert "西城毛巾" not in text(client.get(REWARDS))
    assert client.post(url("redeem", b_reward)).status_code == 404
    assert client.get(reverse("points:redeem", args=[b_reward.public_id])).status_code == 405


def test_member_cancels_own_redemption_and_gets_the_points_back(client, scene):
    redemption = actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "member")
    assert "Cancel and get the points back" in text(client.get(MY_REDEMPTIONS))
    response = client.post(url("redemption_cancel", redemption))
    assert response["Location"] == MY_REDEMPTIONS
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.CANCELLED
    assert actions.balance_of(scene.m_member) == 25
    again = client.post(url("redemption_cancel", redemption), follow=True)
    assert "it cannot be cancelled" in text(again)


def test_rewards_queries_do_not_grow_with_rewards(client, scene, django_assert_num_queries):
    scene.login(client, "member")
    client.get(REWARDS)
    with django_assert_num_queries(REWARDS_QUERIES):
        assert client.get(REWARDS).status_code == 200
    for n in range(6):
        add_reward(scene, name=f"奖品{n}", cost=n + 1, stock=n)
    actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    with django_assert_num_queries(REWARDS_QUERIES):
        assert client.get(REWARDS).status_code == 200


# session, user, grants, member (scope), member_of, balance, served (2), area paths, their streets,
# rewards, unread
REWARDS_QUERIES = 11


# --- the shop ---------------------------------------------------------------------------------------


def test_shop_shows_stock_and_redemptions_to_hand_over(client, scene):
    actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "community")
    body = text(client.get(SHOP))
    assert "毛巾" in body and "张三丰" in body
    assert "Supplied" in body and "Redeemed" in body and "Available" in body
    assert reverse("jobs:export_start", args=["points_redemptions"]) in body


def test_shop_adds_restocks_retires_and_hands_over(client, scene):
    scene.login(client, "community")
    a1 = scene.places.a1
    response = client.post(
        reverse("points:reward_add"), {"area": a1.public_id, "name": "洗衣液", "cost": 30, "stock": 4}
    )
    assert response.status_code == 302 and str(a1.public_id) in response["Location"]
    soap = Reward.objects.get(name="洗衣液")
    assert (soap.cost, soap.stock, soap.area) == (30, 4, a1)
    client.post(url("reward_restock", soap), {"added": 6})
    soap.refresh_from_db()
    assert soap.stock == 10
    client.post(url("reward_offered", soap), {"offered": "0"})
    soap.refresh_from_db()
    assert soap.active is False
    redemption = actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    client.post(url("redemption_hand_over", redemption))
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.HANDED_OVER
    again = client.post(url("redemption_hand_over", redemption), follow=True)
    assert "This redemption is Collected." in text(again)


def test_shop_form_keeps_what_was_typed(client, scene):
    scene.login(client, "community")
    response = client.post(
        reverse("points:reward_add"),
        {
            "area": scene.places.a1.public_id,
            "name": "洗衣液",
            "cost": 0,
            "stock": 4,
            "description": "500毫升",
        },
    )
    assert response.status_code == 400
    body = text(response)
    assert 'value="洗衣液"' in body and 'value="500毫升"' in body and 'value="4"' in body
    assert not Reward.objects.filter(name="洗衣液").exists()


def test_restock_error_keeps_the_number(client, scene):
    scene.login(client, "community")
    response = client.post(url("reward_restock", scene.towel), {"added": "-3"})
    assert response.status_code == 400
    body = text(response)
    assert 'value="-3"' in body and "is-invalid" in body
    scene.towel.refresh_from_db()
    assert scene.towel.stock == 5


def test_staff_cancel_needs_a_reason_and_keeps_it(client, scene):
    redemption = actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "community")
    response = client.post(url("redemption_cancel", redemption), {"reason": "  "})
    assert response.status_code == 400 and "Say why the redemption is cancelled." in text(response)
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.PLACED
    response = client.post(url("redemption_cancel", redemption), {"reason": "缺货"})
    assert response.status_code == 302
    redemption.refresh_from_db()
    assert redemption.state == RedemptionState.CANCELLED and redemption.cancel_reason == "缺货"
    assert actions.balance_of(scene.m_member) == 25


def test_outsiders_get_404_on_a1_rewards_and_redemptions(client, scene):
    redemption = actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "community2")
    for name in ("reward_restock", "reward_offered"):
        assert client.post(url(name, scene.towel), {"added": 1, "offered": "0"}).status_code == 404
    for name in ("redemption_hand_over", "redemption_cancel"):
        assert client.post(url(name, redemption), {"reason": "x"}).status_code == 404
    assert client.post(reverse("points:reward_add"), {"area": scene.places.a1.public_id}).status_code == 404
    assert client.get(SHOP, {"area": scene.places.a1.public_id}).status_code == 404
    assert client.get(SHOP, {"area": "not-a-uuid"}).status_code == 404
    redemption.refresh_from_db()
    scene.towel.refresh_from_db()
    assert redemption.state == RedemptionState.PLACED and scene.towel.stock == 5 and scene.towel.active


def test_wrong_role_is_refused_on_shop_posts(client, scene):
    redemption = actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "member")
    assert client.post(url("reward_restock", scene.towel), {"added": 1}).status_code == 403
    assert client.post(url("redemption_hand_over", redemption)).status_code == 403
    scene.login(client, "community")
    assert client.post(url("redeem", scene.towel)).status_code == 403


def test_street_runs_its_own_catalogue_and_its_communities(client, scene):
    scene.login(client, "street")
    body = text(client.get(SHOP))
    assert "东城街道" in body and "中山社区" in body
    response = client.post(
        reverse("points:reward_add"),
        {"area": scene.places.street_a.public_id, "name": "街道礼包", "cost": 50, "stock": 2},
    )
    assert response.status_code == 302
    assert Reward.objects.get(name="街道礼包").area == scene.places.street_a
    body = text(client.get(SHOP, {"area": scene.places.a1.public_id}))
    assert "毛巾" in body


def test_shop_queries_do_not_grow(client, scene, django_assert_num_queries):
    actions.redeem_reward(acting_user=scene.member, reward=scene.towel)
    scene.login(client, "community")
    client.get(SHOP)
    with django_assert_num_queries(SHOP_QUERIES):
        assert client.get(SHOP).status_code == 200
    for n in range(4):
        add_reward(scene, name=f"奖品{n}", cost=1, stock=3)
    for reward in Reward.objects.filter(cost=1)[:3]:
        redemption = actions.redeem_reward(acting_user=scene.member, reward=reward)
    actions.hand_over_redemption(acting_user=scene.community, redemption=redemption)
    with django_assert_num_queries(SHOP_QUERIES):
        assert client.get(SHOP).status_code == 200


# session, user, grants, areas, rewards, placed (count, page), recent, unread
SHOP_QUERIES = 9


# --- rankings ---------------------------------------------------------------------------------------


@pytest.fixture
def ranked(scene):
    scene.u_zhao = give_user(scene, scene.m_b_home_a, "zhao")
    serve(scene, scene.u_zhao, 120, days_ago=1)  # 20 points
    scene.u_li = give_user(scene, scene.m_a2, "li")
    serve(scene, scene.u_li, 30, days_ago=1, community=scene.places.a2)  # 5 points in A2
    return scene


def _rows(body: str) -> list[str]:
    return [name for name in ("张三丰", "赵六", "李四") if name in body]


def test_rankings_per_community_add_up(client, ranked):
    ranked.login(client, "community")
    body = text(client.get(RANKINGS))
    assert _rows(body) == ["张三丰", "赵六"]
    total = PointEntry.objects.filter(community=ranked.places.a1).balance()
    assert total == 45
    assert f'data-testid="total-points">{total}<' in body
    assert 'data-testid="total-members">2<' in body
    assert 'data-testid="total-hours">4.5<' in body
    assert body.index("张三丰") < body.index("赵六")


def test_street_ranks_its_communities_and_chooses_one(client, ranked):
    ranked.login(client, "street")
    body = text(client.get(RANKINGS))
    assert _rows(body) == ["张三丰", "赵六", "李四"]
    assert 'data-testid="total-points">50<' in body
    body = text(client.get(RANKINGS, {"community": ranked.places.a2.public_id}))
    assert _rows(body) == ["李四"]
    # a community outside the street is not a choice
    body = text(client.get(RANKINGS, {"community": ranked.places.b1.public_id}))
    assert "Select a valid choice" in body


def test_unit_admin_ranks_the_units_members(client, ranked):
    ranked.login(client, "unit")
    body = text(client.get(RANKINGS))
    assert _rows(body) == ["张三丰", "李四"]  # unit A's members; 赵六 works for unit B


def test_member_sees_their_communitys_board(client, ranked):
    ranked.login(client, "member")
    body = text(client.get(RANKINGS))
    assert _rows(body) == ["张三丰", "赵六"]
    assert 'aria-current="true"' in body


def test_member_below_the_board_sees_their_own_rank(client, ranked, monkeypatch):
    from points import views

    monkeypatch.setattr(views, "RANKING_LIMIT", 1)
    client.force_login(ranked.u_zhao)
    body = text(client.get(RANKINGS))
    assert "张三丰" in body and "赵六" in body and "…" in body


def test_rankings_period_custom_and_errors(client, ranked):
    ranked.login(client, "community")
    body = text(client.get(RANKINGS, {"period": "custom", "start": "2020-01-01", "end": "2020-12-31"}))
    assert "Nobody earned points in this period yet." in body
    body = text(client.get(RANKINGS, {"period": "custom", "start": "2020-01-01"}))
    assert "Give both dates of a custom period." in body
    for period in ("quarter", "year"):
        assert _rows(text(client.get(RANKINGS, {"period": period}))) == ["张三丰", "赵六"]


def test_rankings_export_matches_the_page(client, ranked):
    ranked.login(client, "street")
    body = text(client.get(RANKINGS))
    assert reverse("jobs:export_start", args=["points_rankings"]) in body
    response = client.get(reverse("jobs:export_start", args=["points_rankings"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Rank", "Member", "Unit", "Points", "Hours"]
    assert [r[:2] + r[3:] for r in rows[1:]] == [
        [1, "张三丰", 25, 2.5],
        [2, "赵六", 20, 2],
        [3, "李四", 5, 0.5],
    ]


def test_rankings_queries_do_not_grow(client, ranked, django_assert_num_queries):
    ranked.login(client, "community")
    client.get(RANKINGS)
    with django_assert_num_queries(RANKINGS_QUERIES):
        assert client.get(RANKINGS).status_code == 200
    for day in range(3, 7):
        serve(ranked, ranked.u_zhao, 30, days_ago=day)
        serve(ranked, ranked.member, 30, days_ago=day)
    with django_assert_num_queries(RANKINGS_QUERIES):
        assert client.get(RANKINGS).status_code == 200


# session, user, grants, community choices (exists, options), unit choices (exists, options), rows,
# totals, the units' chart, unread
RANKINGS_QUERIES = 11


def chart_on(body: str, chart_id: str) -> dict | None:
    """The chart ``chart_id`` as the page passes it to static/js/charts.js, or None."""
    opening = f'<script id="{chart_id}" type="application/json">'
    if opening not in body:
        return None
    assert f'data-gj-chart="{chart_id}"' in body and 'role="img"' in body  # its box, an image with a label
    start = body.index(opening) + len(opening)
    return json.loads(body[start : body.index("</script>", start)])


def test_rankings_chart_the_best_members_and_the_units_their_points_came_from(client, ranked):
    ranked.login(client, "street")
    body = text(client.get(RANKINGS))
    members = chart_on(body, "gj-chart-members")
    assert members["kind"] == "bar" and members["horizontal"]
    assert members["labels"] == ["张三丰", "赵六", "李四"]
    assert members["series"] == [{"name": "Points", "data": [25, 20, 5]}]
    units = chart_on(body, "gj-chart-units")
    assert units["labels"] == ["龙岩市烟草公司", "西城商贸有限公司"]  # 张三丰 25 + 李四 5; 赵六 20
    assert units["series"][0]["data"] == [30, 20]
    # the table stays beside the charts
    assert body.count("<tr") >= 4


def test_rankings_chart_only_what_compares(client, ranked):
    ranked.login(client, "street")
    body = text(client.get(RANKINGS, {"unit": ranked.places.unit_a.public_id}))
    assert chart_on(body, "gj-chart-members")["labels"] == ["张三丰", "李四"]
    assert chart_on(body, "gj-chart-units") is None  # one unit chosen: nothing to compare
    body = text(client.get(RANKINGS, {"community": ranked.places.a2.public_id}))
    assert chart_on(body, "gj-chart-members") is None  # a single member is no chart
    assert chart_on(body, "gj-chart-units") is None


# --- the ledger -------------------------------------------------------------------------------------


def test_ledger_lists_filters_and_exports(client, ranked):
    ranked.login(client, "community")
    body = text(client.get(LEDGER))
    assert "张三丰" in body and "赵六" in body and "李四" not in body  # 李四 served in A2
    body = text(client.get(LEDGER, {"q": "赵"}))
    assert "赵六" in body and "张三丰" not in body
    body = text(client.get(LEDGER, {"q": "zs"}))
    assert "张三丰" in body and "赵六" not in body
    body = text(client.get(LEDGER, {"kind": "redemption"}))
    assert "No entries match." in body
    body = text(client.get(LEDGER, {"period": "custom", "start": "2020-01-01", "end": "2020-01-31"}))
    assert "No entries match." in body
    response = client.get(reverse("jobs:export_start", args=["points_ledger"]), {"q": "赵"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows) == 2 and rows[1][1] == "赵六" and rows[1][3] == 20


def test_ledger_reverses_an_entry_with_a_reason(client, scene):
    entry = PointEntry.objects.filter(member=scene.m_member, kind=EntryKind.SERVICE).first()
    scene.login(client, "community")
    reverse_url = url("entry_reverse", entry) + "?q=zs"
    response = client.post(reverse_url, {"reason": "  "})
    assert response.status_code == 400
    assert "Say why the points are corrected." in text(response)
    assert actions.balance_of(scene.m_member) == 25
    response = client.post(reverse_url, {"reason": "重复登记"})
    assert response.status_code == 302 and response["Location"] == LEDGER + "?q=zs"
    assert actions.balance_of(scene.m_member) == 25 - entry.amount
    body = text(client.get(LEDGER))
    assert "重复登记" in body and "corrected" in body
    again = client.post(url("entry_reverse", entry), {"reason": "再来"})
    assert again.status_code == 400 and "already been corrected" in text(again)
    assert 'value="再来"' in text(again)


def test_ledger_outsider_404_and_wrong_role_403(client, scene):
    entry = PointEntry.objects.filter(member=scene.m_member).first()
    scene.login(client, "community2")
    assert "张三丰" not in text(client.get(LEDGER))
    assert client.post(url("entry_reverse", entry), {"reason": "x"}).status_code == 404
    scene.login(client, "member")
    assert client.post(url("entry_reverse", entry), {"reason": "x"}).status_code == 403
    assert actions.balance_of(scene.m_member) == 25


def test_ledger_queries_do_not_grow(client, ranked, django_assert_num_queries):
    ranked.login(client, "community")
    client.get(LEDGER)
    with django_assert_num_queries(LEDGER_QUERIES):
        assert client.get(LEDGER).status_code == 200
    for day in range(3, 7):
        serve(ranked, ranked.u_zhao, 30, days_ago=day)
    actions.redeem_reward(acting_user=ranked.member, reward=ranked.towel)
    with django_assert_num_queries(LEDGER_QUERIES):
        assert client.get(LEDGER).status_code == 200


# session, user, grants, entries (count, page), community options, unread
LEDGER_QUERIES = 7


@pytest.mark.parametrize("page", [RANKINGS, LEDGER])
@pytest.mark.parametrize(
    ("start", "end"),
    [("2025-01-01", "9999-12-31"), ("0001-01-01", "2025-01-01"), ("1999-12-31", "2025-01-01")],
)
def test_a_custom_period_outside_2000_to_2099_is_refused_with_a_message(client, ranked, page, start, end):
    """The calendar's own ends overflowed the period's bounds (a 500): such a day is a form error."""
    for who in ("community", "street", "admin"):
        ranked.login(client, who)
        response = client.get(page, {"period": "custom", "start": start, "end": end})
        assert response.status_code == 400, who
        body = text(response)
        assert "Choose a day between 2000-01-01 and 2099-12-31." in body, who
        assert "Give both dates of a custom period." not in body, who


@pytest.mark.parametrize("export", ["points_ledger", "points_rankings"])
def test_an_export_with_a_day_outside_2000_to_2099_does_not_fail(client, ranked, export):
    ranked.login(client, "community")
    response = client.get(
        reverse("jobs:export_start", args=[export]),
        {"period": "custom", "start": "2025-01-01", "end": "9999-12-31"},
    )
    assert response.status_code == 200
