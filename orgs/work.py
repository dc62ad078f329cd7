"""Work on the homes (gongjian.work): units the user keeps that have no party admin yet, so nobody can
import their roster or answer for them (the organisation department and the street, orgs/access.py)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongjian.work import Item, to_do
from orgs.access import UNIT_KEEPER_ROLES, kept_units


@to_do
def units_without_an_admin(user: Any, scope: Any) -> list[Item]:
    if not scope.has(*UNIT_KEEPER_ROLES):
        return []
    count = kept_units(user).without_admin().count()
    url = reverse("orgs:unit_list") + "?admin=false"
    return [Item("orgs.unit_admin", _("Units without a party admin: name one"), count, url)]
