from django.urls import path

from points import rules_views, views

app_name = "points"

urlpatterns = [
    path("points/", views.my_points, name="my_points"),
    path("points/rewards/", views.rewards, name="rewards"),
    path("points/rewards/<uuid:public_id>/redeem/", views.redeem, name="redeem"),
    path("points/redemptions/", views.my_redemptions, name="my_redemptions"),
    path("points/redemptions/<uuid:public_id>/cancel/", views.redemption_cancel, name="redemption_cancel"),
    path("points/shop/", views.shop, name="shop"),
    path("points/shop/rewards/new/", views.reward_add, name="reward_add"),
    path("points/shop/rewards/<uuid:public_id>/restock/", views.reward_restock, name="reward_restock"),
    path("points/shop/rewards/<uuid:public_id>/offered/", views.reward_offered, name="reward_offered"),
    path(
        "points/redemptions/<uuid:public_id>/hand-over/",
        views.redemption_hand_over,
        name="redemption_hand_over",
    ),
    path("points/rankings/", views.rankings, name="rankings"),
    path("points/ledger/", views.ledger, name="ledger"),
    path("points/entries/<uuid:public_id>/reverse/", views.entry_reverse, name="entry_reverse"),
    # the city's point rules (积分规则), kept by its organisation department
    path("points/rules/", rules_views.rules, name="rules"),
    path("points/rules/<str:city_value>/change/", rules_views.rule_change, name="rule_change"),
    path("points/rules/versions/<uuid:public_id>/withdraw/", rules_views.rule_withdraw, name="rule_withdraw"),
    path("points/rules/versions/<uuid:public_id>/end/", rules_views.rule_end, name="rule_end"),
]
