"""Points work on the homes (gongjian.work): rewards redeemed in the community's shop, to hand over."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from gongjian.work import Item, to_do
from points.models import Redemption, RedemptionState


@to_do
def rewards_to_hand_over(user: Any, scope: Any) -> list[Item]:
    if scope.everything or not scope.has(*R.REWARD_STAFF_ROLES):
        return []
    found = (
        Redemption.objects.visible_to(user)
        .filter(state=RedemptionState.PLACED)
        .exclude(member_id__in=scope.member_ids)
        .aggregate(n=Count("id"), since=Min("placed_at"))
    )
    return [
        Item(
            "points.hand_over",
            _("Rewards to hand over"),
            found["n"],
            f"{reverse('points:shop')}#handover",
            since=found["since"],
        )
    ]
