"""Accounts for members on a roster, and signing in by SMS code.

A member activates an account by phone: a code by SMS to the phone on the roster (matched through its
keyed hash, ``Member.phone_hash``), then the code and a second fact, the last four characters of the ID
number (compared with the record, never shown). A member without a usable phone uses a printed
activation code from their unit instead of the SMS code. Either way the person ends with one account:
the account already holding that phone (a unit admin, a grid worker, a resident) or the one signed in
is linked to the member record and given the member role; a new account is made only when the person
has none. Any account with a phone on file may sign in by SMS code.

The actions that check a code are not one transaction around the check (accounts/codes.py): a wrong
try stays counted. What they change is written by ``link_member`` in one transaction, with its audit.
"""

from __future__ import annotations

import hmac
import secrets
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import codes
from accounts.actions import create_user, grant_role
from accounts.models import CodePurpose, OneTimeCode, Role, RoleGrant
from accounts.scope import scope_for
from audit.actions import record_event
from gongjian.privacy import InvalidNumber, keyed_hash, normalize_phone, seal
from people.models import Member

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.http import HttpRequest

    from accounts.models import User


def clean_phone(phone: str) -> str:
    try:
        return normalize_phone(phone)
    except InvalidNumber as exc:
        raise ValidationError(str(exc)) from exc


def is_activated(member: Member) -> bool:
    """The member's record is linked to an account holding the member role."""
    return (
        bool(member.user_id) and RoleGrant.objects.filter(user_id=member.user_id, role=Role.MEMBER).exists()
    )


def _signed_in(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


def account_for_person(*, acting_user: User | None, phone_hash: str) -> User | None:
    """The one account of the person with this phone: the account signed in (if it is theirs), else the
    account holding the phone. Refused when these are two different accounts (one person, one account)."""
    holder = get_user_model().objects.filter(phone_hash=phone_hash).first() if phone_hash else None
    me = _signed_in(acting_user)
    if me is None:
        return holder
    if holder is not None and holder.pk != me.pk:
        raise ValidationError(
            _("This phone belongs to another account: sign out, then sign in with that phone (by SMS code).")
        )
    if phone_hash and me.phone_hash and me.phone_hash != phone_hash:
        raise ValidationError(
            _("You are signed in with another phone number: one person keeps one account. Sign out first.")
        )
    return me


def _new_username() -> str:
    User = get_user_model()
    while True:
        name = f"u{secrets.token_hex(5)}"
        if not User.objects.filter(username=name).exists():
            return name


def person_account(
    *, acting_user: User | None, phone: str, full_name: str, request: HttpRequest | None
) -> User:
    """The person's one account: found (``account_for_person``), or made (phone, no password: they sign
    in by SMS code until they set one). Runs inside the caller's transaction."""
    phone_hash = keyed_hash("phone", phone) if phone else ""
    user = account_for_person(acting_user=acting_user, phone_hash=phone_hash)
    if user is None:
        return create_user(
            acting_user=_signed_in(acting_user),
            username=_new_username(),
            password=None,
            full_name=full_name,
            phone=phone,
            request=request,
        )
    if phone and not user.phone_hash:
        sealed = seal("phone", phone)
        user.phone_cipher, user.phone_hash, user.phone_hint = sealed.cipher, sealed.hash, sealed.hint
        user.save(update_fields=["phone_cipher", "phone_hash", "phone_hint"])
    if full_name and not user.full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
    return user


@transaction.atomic
def link_member(
    *,
    acting_user: User | None,
    member: Member,
    phone: str,
    spent: OneTimeCode,
    via: str,
    request: HttpRequest | None = None,
) -> User:
    """Spend the code, find or make the person's account, link the member record and grant the role."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if is_activated(member):
        raise ValidationError(_("This member's account is already activated. Sign in instead."))
    user = person_account(acting_user=acting_user, phone=phone, full_name=member.name, request=request)
    if Member.objects.filter(user=user).exclude(pk=member.pk).exists():
        raise ValidationError(
            _(
                "This account already belongs to another member record. One person keeps one account: ask your unit."
            )
        )
    codes.spend(spent)
    member.user = user
    member.save(update_fields=["user"])
    grant_role(acting_user=user, user=user, role=Role.MEMBER, request=request)
    record_event(actor=user, action="member.activate", target=member, request=request, detail={"via": via})
    return user


def _id_digits_match(member: Member, id_last4: str) -> bool:
    typed = (id_last4 or "").strip().upper()
    return len(typed) == 4 and hmac.compare_digest(
        member.id_number_hint[-4:].upper().encode(), typed.encode()
    )


def roster_members(phone: str):
    """Members still on a roster whose phone is ``phone``."""
    return Member.objects.current().filter(phone_hash=keyed_hash("phone", phone))


def start_activation(
    *, acting_user: User | None, phone: str, request: HttpRequest | None = None
) -> OneTimeCode:
    """Send an activation code to a phone on a roster (refused for a phone on no roster, and for a
    member already activated)."""
    phone = clean_phone(phone)
    members = list(roster_members(phone))
    if not members:
        raise ValidationError(
            _("This phone is on no roster. Ask your unit's party admin to check the phone on your record.")
        )
    if all(is_activated(m) for m in members):
        raise ValidationError(_("This member's account is already activated. Sign in instead."))
    account_for_person(acting_user=acting_user, phone_hash=keyed_hash("phone", phone))
    holder = get_user_model().objects.filter(phone_hash=keyed_hash("phone", phone)).first()
    return codes.send_code(purpose=CodePurpose.ACTIVATE, phone=phone, user=holder, request=request)


def activate_member(
    *, acting_user: User | None, phone: str, code: str, id_last4: str, request: HttpRequest | None = None
) -> User:
    """Check the SMS code and the ID's last four characters; link the member to the person's account."""
    phone = clean_phone(phone)
    row = codes.check_code(purpose=CodePurpose.ACTIVATE, phone=phone, code=code, request=request)
    candidates = [m for m in roster_members(phone) if _id_digits_match(m, id_last4)]
    if not candidates:
        codes.count_wrong_try(row)
        raise codes.refuse(
            phone=phone,
            purpose=CodePurpose.ACTIVATE,
            reason="id_digits",
            message=_("The last four characters of the ID number do not match the roster."),
            request=request,
        )
    member = next((m for m in candidates if not is_activated(m)), candidates[0])
    return link_member(
        acting_user=acting_user, member=member, phone=phone, spent=row, via="sms", request=request
    )


def activate_with_printed_code(
    *,
    acting_user: User | None,
    code: str,
    id_last4: str,
    phone: str = "",
    request: HttpRequest | None = None,
) -> User:
    """A printed slip's code and the ID's last four characters; an optional phone goes on the account."""
    phone = clean_phone(phone) if phone else ""
    row = codes.find_printed(code=code, request=request)
    member = row.member
    if member is None or member.left_on is not None:
        raise ValidationError(_("This member is no longer on a roster."))
    if not _id_digits_match(member, id_last4):
        codes.count_wrong_try(row)
        raise codes.refuse(
            phone="",
            purpose=CodePurpose.ACTIVATE,
            reason="id_digits",
            message=_("The last four characters of the ID number do not match the roster."),
            request=request,
        )
    if not phone and member.phone_cipher and not _signed_in(acting_user):
        # the roster's phone is the person's: link to its account if it has one
        holder = get_user_model().objects.filter(phone_hash=member.phone_hash).first()
        if holder is not None:
            raise ValidationError(
                _(
                    "An account already uses the phone on your record: sign in with it (by SMS code) and activate there."
                )
            )
    return link_member(
        acting_user=acting_user, member=member, phone=phone, spent=row, via="printed", request=request
    )


# --- signing in by SMS code -----------------------------------------------------------------------


def start_sign_in(*, phone: str, acting_user: User | None = None, request: HttpRequest | None = None) -> None:
    """Send a sign-in code if an active account has this phone. The answer is the same either way, so
    the page does not tell who has an account; the rate limits count the phone all the same."""
    phone = clean_phone(phone)
    user = get_user_model().objects.filter(phone_hash=keyed_hash("phone", phone), is_active=True).first()
    codes.send_code(
        purpose=CodePurpose.SIGN_IN, phone=phone, user=user, request=request, deliver=user is not None
    )


@transaction.atomic
def _spend_for_sign_in(row: OneTimeCode) -> None:
    codes.spend(row)


def sign_in_with_code(
    *, phone: str, code: str, acting_user: User | None = None, request: HttpRequest | None = None
) -> User:
    """The account whose phone received ``code`` (the caller signs it in, which audits ``auth.login``)."""
    phone = clean_phone(phone)
    row = codes.check_code(purpose=CodePurpose.SIGN_IN, phone=phone, code=code, request=request)
    user = get_user_model().objects.filter(phone_hash=keyed_hash("phone", phone), is_active=True).first()
    if user is None:
        raise ValidationError(_("No active account has this phone."))
    _spend_for_sign_in(row)
    return user


@transaction.atomic
def set_own_password(*, acting_user: User, password: str, request: HttpRequest | None = None) -> User:
    """The signed-in person sets (or changes) their password; Django's validators apply."""
    try:
        password_validation.validate_password(password, acting_user)
    except ValidationError as exc:
        raise ValidationError(exc.messages) from exc
    acting_user.set_password(password)
    acting_user.save(update_fields=["password"])
    record_event(actor=acting_user, action="user.password", target=acting_user, request=request)
    return acting_user


# --- printed activation codes ---------------------------------------------------------------------


def may_print_codes(user: User, member: Member) -> bool:
    """A unit's party admin prints codes for the unit's members (a platform administrator for anyone)."""
    scope = scope_for(user)
    return scope.everything or (
        member.unit_id is not None and member.unit_id in scope.units_for(Role.UNIT_ADMIN)
    )


def members_without_account(user: User):
    """Members of the units the user administers, still on the roster, with no member account yet."""
    units = scope_for(user).units_for(Role.UNIT_ADMIN)
    activated = RoleGrant.objects.filter(role=Role.MEMBER).values("user_id")
    return Member.objects.visible_to(user).current().filter(unit_id__in=units).exclude(user_id__in=activated)


@transaction.atomic
def print_activation_codes(
    *, acting_user: User, members: Iterable[Member], request: HttpRequest | None = None
) -> list[tuple[Member, str]]:
    """New printed activation codes for members not yet activated (one each, replacing older ones)."""
    members = list(members)
    if not members:
        raise ValidationError(_("Choose the members to print slips for."))
    slips = []
    for member in members:
        if not may_print_codes(acting_user, member):
            raise PermissionDenied(_("Only the member's unit may print their activation code."))
        if member.left_on is not None or is_activated(member):
            continue
        slips.append((member, codes.issue_printed_code(member=member, issued_by=acting_user)))
    if not slips:
        raise ValidationError(_("Every member chosen already has an account or has left."))
    for member, _code in slips:
        record_event(actor=acting_user, action="member.activation_code", target=member, request=request)
    return slips
