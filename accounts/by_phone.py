"""One person, one account: the account of a person named by phone, created without a password if new.

Registries that name a person to a role (a grid's worker, a unit's party admin) call
``grant_role_by_phone``, after checking that the acting user keeps the object. The person is found by the phone's keyed hash (``User.phone_hash``), so the same phone
never makes a second account; a new account has no usable password (its holder signs in by SMS code).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.actions import create_user, grant_role
from accounts.models import RoleGrant, User
from gongjian.privacy import InvalidNumber, keyed_hash, normalize_phone

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

NAME_MAX = 64


def user_with_phone(phone: str) -> User | None:
    """The account holding this phone number, if any (refuses a number that is not a mobile number)."""
    try:
        number = normalize_phone(phone)
    except InvalidNumber as exc:
        raise ValidationError(str(exc)) from exc
    return User.objects.filter(phone_hash=keyed_hash("phone", number)).first()


@transaction.atomic
def account_for_person(
    *,
    acting_user: User | AnonymousUser | None,
    full_name: str,
    phone: str,
    request: HttpRequest | None = None,
) -> tuple[User, bool]:
    """The account of the person with this phone, made (no password) if there is none; and whether
    it was made now. A new account needs the person's name."""
    found = user_with_phone(phone)
    if found is not None:
        return found, False
    name = (full_name or "").strip()
    if not name:
        raise ValidationError(_("Give the person's name: no account has this phone number yet."))
    user = create_user(
        acting_user=acting_user,
        username=f"u{uuid.uuid4().hex[:12]}",
        password=None,
        full_name=name[:NAME_MAX],
        phone=phone,
        request=request,
    )
    return user, True


@transaction.atomic
def grant_role_by_phone(
    *,
    acting_user: User | None,
    role: str,
    full_name: str,
    phone: str,
    already: str,
    request: HttpRequest | None = None,
    **scope: object,
) -> RoleGrant:
    """Give the person with this phone ``role`` over ``scope`` (``unit=…`` or ``grid=…``): their one
    account, or a new one without a password. ``already`` (a translated text with ``%(name)s``) refuses
    a person who holds that role there already. The caller has checked that ``acting_user`` keeps it."""
    user, _made = account_for_person(
        acting_user=acting_user, full_name=full_name, phone=phone, request=request
    )
    if user.role_grants.filter(role=role, **scope).exists():
        raise ValidationError(already % {"name": user})
    return grant_role(acting_user=acting_user, user=user, role=role, request=request, **scope)
