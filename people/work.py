"""People's work on the homes (gongjian.work): members' transfers waiting for the receiving party
organisation (转入): whoever speaks for it (people.keepers.orgs_spoken_for_q) accepts or declines."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts import roles as R
from gongjian.work import Item, to_do
from people.keepers import orgs_spoken_for_q
from people.models import MemberTransfer


@to_do
def transfers_to_answer(user: Any, scope: Any) -> list[Item]:
    """The receiving side of a member's transfer: accept or decline it (one query)."""
    if not scope.has(*R.TRANSFER_ACT_ROLES):
        return []
    waiting = MemberTransfer.objects.open().filter(orgs_spoken_for_q(user, "to_org__"))
    found = waiting.aggregate(n=Count("pk"), oldest=Min("started_at"))
    url = reverse("people:transfer_list") + "?" + urlencode({"side": "incoming", "state": "open"})
    return [
        Item(
            "people.transfer_in",
            _("Members transferred to you: accept or decline"),
            found["n"],
            url,
            since=found["oldest"],
        )
    ]
