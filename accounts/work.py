"""Work on the homes (gongjian.work): self-registered residents waiting for their community to verify
them; members of a unit who have no account yet (the unit prints slips for those without a phone)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.activation import members_without_account
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


@to_do
def members_to_activate(user: Any, scope: Any) -> list[Item]:
    """The unit's party admin: members on the roster without an account (they activate by SMS; the unit
    prints activation slips for those without a usable phone)."""
    if not scope.units_for(Role.UNIT_ADMIN):
        return []
    count = members_without_account(user).count()
    return [
        Item(
            "accounts.activate_members",
            _("Members without an account"),
            count,
            reverse("accounts:activation_codes"),
            note=_("They activate by SMS; print slips for those without a phone."),
        )
    ]
