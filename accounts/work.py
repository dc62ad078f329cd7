"""Work on the homes (gongjian.work): self-registered residents waiting for their community to verify them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from accounts.registration import verifiable_residents
from gongjian.work import Item, to_do


@to_do
def residents_to_verify(user: Any, scope: Any) -> list[Item]:
    """The community (or street): residents who registered themselves and wait to be verified."""
    if Role.COMMUNITY not in scope.roles and Role.STREET not in scope.roles:
        return []
    found = (
        verifiable_residents(user).awaiting_verification().aggregate(n=Count("id"), since=Min("created_at"))
    )
    return [
        Item(
            "accounts.verify_residents",
            _("Residents to verify"),
            found["n"],
            reverse("accounts:residents_to_verify"),
            since=found["since"],
        )
    ]
