"""Go-live work on the homes (gongjian.work): while anything is missing, the platform administrator
and the organisation department see one item that opens the readiness page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from golive.readiness import READINESS_ROLES, missing_total
from gongjian.work import Item, to_do


@to_do
def missing_before_go_live(user: Any, scope: Any) -> list[Item]:
    if not scope.has(*READINESS_ROLES):
        return []
    missing = missing_total(user)
    return [Item("golive.readiness", _("Still missing before go-live"), missing, reverse("golive:readiness"))]
