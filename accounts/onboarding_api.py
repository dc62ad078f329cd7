"""The API of getting in: SMS codes, member activation (by SMS or a printed code), signing in by code,
resident registration, setting a password; and of those who let people in: verifying a resident, ending
a membership, the SMS counters. The same actions as the pages (accounts/activation.py,
accounts/registration.py, people/leaving.py); a refused step answers 422 with the action's words, a rate
limit 429 saying when to try again."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal
from uuid import UUID

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from accounts import activation, registration
from accounts.actions import issue_api_token
from accounts.api import OTP_FIELD, TokenOut, check_second_factor, require_roles
from accounts.codes import RateLimited, format_printed
from accounts.models import ApiToken, Role, SmsCount
from gongjian.api_shapes import ANY_SIGNED_IN_USER, ErrorOut
from people.leaving import END_MEMBERSHIP_ROLES, end_membership
from people.models import Member, Resident
from places.models import Area, AreaLevel, Building, Compound

router = Router(tags=["accounts"])

PUBLIC_ANSWERS = {422: ErrorOut, 429: ErrorOut}
# a sign-in that hands out a token: an account whose roles need a second factor sends ``otp`` (accounts.api)
SIGN_IN_ANSWERS = {401: ErrorOut, 403: ErrorOut, **PUBLIC_ANSWERS}
PHONE = Field(min_length=1, max_length=20, description="Mainland mobile number (+86 and spaces allowed).")
CODE = Field(min_length=1, max_length=10, description="The 6-digit code from the text message.")
ID_DIGITS = Field(min_length=4, max_length=4, description="The last 4 characters of the ID number.")


def _run(action, **arguments):
    """Call an action; a rate limit answers 429, any other refusal 422 (gongjian.api's handler)."""
    try:
        return action(**arguments)
    except RateLimited as exc:
        raise HttpError(429, " ".join(exc.messages)) from exc


def _token_for(request: HttpRequest, user, otp: str | None = None) -> dict:
    """Sign ``user`` in for the API: the second factor if their roles need one (accounts.api), the
    sign-in signal (audit, last_login) and a bearer token."""
    check_second_factor(request, user, otp)
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token = issue_api_token(acting_user=user, request=request)
    expires_at = ApiToken.objects.values_list("expires_at", flat=True).get(digest=ApiToken.digest_of(token))
    return {"token": token, "expires_at": expires_at}


class CodeRequestIn(Schema):
    purpose: Literal["activate", "register", "sign_in"]
    phone: str = PHONE


class CodeSentOut(Schema):
    sent: bool
    expires_in_minutes: int


@router.post("/auth/codes", auth=None, response={202: CodeSentOut, **PUBLIC_ANSWERS})
def send_code(request: HttpRequest, payload: CodeRequestIn):
    """Send a one-time code by SMS: ``activate`` (a phone on a roster), ``register`` (a resident),
    ``sign_in`` (any account with this phone; the answer is the same when none has it). Public."""
    starters = {
        "activate": lambda: activation.start_activation(
            acting_user=None, phone=payload.phone, request=request
        ),
        "register": lambda: registration.start_registration(
            acting_user=None, phone=payload.phone, request=request
        ),
        "sign_in": lambda: activation.start_sign_in(phone=payload.phone, request=request),
    }
    _run(starters[payload.purpose])
    return Status(202, {"sent": True, "expires_in_minutes": settings.OTP_TTL_MINUTES})


class ActivateIn(Schema):
    phone: str = PHONE
    code: str = CODE
    id_last4: str = ID_DIGITS


@router.post("/auth/activate", auth=None, response={200: TokenOut, **SIGN_IN_ANSWERS})
def activate(request: HttpRequest, payload: ActivateIn):
    """Activate a member account: the SMS code and the ID's last 4 characters. Answers a bearer token."""
    user = _run(activation.activate_member, acting_user=None, request=request, **payload.dict())
    return _token_for(request, user)


class PrintedIn(Schema):
    code: str = Field(min_length=1, max_length=20, description="The code on the printed slip.")
    id_last4: str = ID_DIGITS
    phone: str = Field("", max_length=20, description="Optional: a phone for the account.")


@router.post("/auth/activate/printed", auth=None, response={200: TokenOut, **SIGN_IN_ANSWERS})
def activate_printed(request: HttpRequest, payload: PrintedIn):
    """Activate a member account with a printed activation code and the ID's last 4 characters."""
    user = _run(activation.activate_with_printed_code, acting_user=None, request=request, **payload.dict())
    return _token_for(request, user)


class CodeSignInIn(Schema):
    phone: str = PHONE
    code: str = CODE
    otp: str | None = OTP_FIELD


@router.post("/auth/token/code", auth=None, response={200: TokenOut, **SIGN_IN_ANSWERS})
def token_by_code(request: HttpRequest, payload: CodeSignInIn):
    """Exchange a phone and its sign-in code for a bearer token (any account with the phone on file).
    An account whose roles sign in with a second factor also sends ``otp``, as at ``/auth/token``."""
    user = _run(activation.sign_in_with_code, request=request, phone=payload.phone, code=payload.code)
    return _token_for(request, user, payload.otp)


class RegisterIn(Schema):
    phone: str = PHONE
    code: str = CODE
    name: str = Field(min_length=1, max_length=32)
    community: UUID
    compound: UUID | None = None
    building: UUID | None = None


@router.post("/auth/register", auth=None, response={200: TokenOut, 404: ErrorOut, **PUBLIC_ANSWERS})
def register(request: HttpRequest, payload: RegisterIn):
    """Register as a resident (unverified until the community verifies). Places by public id: a
    community, and optionally a compound in it and a building in that compound (404 when not found)."""
    community = get_object_or_404(Area, public_id=payload.community, level=AreaLevel.COMMUNITY)
    compound = get_object_or_404(Compound, public_id=payload.compound) if payload.compound else None
    building = get_object_or_404(Building, public_id=payload.building) if payload.building else None
    user = _run(
        registration.register_resident,
        acting_user=None,
        request=request,
        phone=payload.phone,
        code=payload.code,
        name=payload.name,
        community=community,
        compound=compound,
        building=building,
    )
    return _token_for(request, user)


class PasswordIn(Schema):
    password: str = Field(min_length=1, max_length=4096)


class DoneOut(Schema):
    done: bool


@router.post("/auth/password", response={200: DoneOut, 422: ErrorOut}, openapi_extra=ANY_SIGNED_IN_USER)
def set_password(request: HttpRequest, payload: PasswordIn):
    """Set the caller's password (the password validators apply). Its API tokens end with the old one."""
    activation.set_own_password(acting_user=request.auth, password=payload.password, request=request)
    return {"done": True}


class VerifiedOut(Schema):
    id: UUID = Field(alias="public_id")
    verified_at: datetime


@router.post("/residents/{resident_id}/verify", response={200: VerifiedOut, 403: ErrorOut, 422: ErrorOut})
def verify_resident(request: HttpRequest, resident_id: UUID):
    """Verify a self-registered resident. Roles: community, street (of the resident's community), else
    403; outside the caller's scope, 404; verified already, 422."""
    require_roles(request, registration.VERIFY_ROLES)
    resident = get_object_or_404(
        Resident.objects.visible_to(request.auth).select_related("residence_area"), public_id=resident_id
    )
    return registration.verify_resident(acting_user=request.auth, resident=resident, request=request)


class EndIn(Schema):
    reason: Literal["left_roster", "transferred", "died"]
    on: date | None = None


class EndedOut(Schema):
    id: UUID = Field(alias="public_id")
    left_on: date
    left_reason: str


@router.post("/members/{member_id}/end-membership", response={200: EndedOut, 403: ErrorOut, 422: ErrorOut})
def end_member(request: HttpRequest, member_id: UUID, payload: EndIn):
    """End a membership (left the roster, transferred out, died): the member role of their account ends.
    Roles: the member's unit admin, or an area role over their party organisation's area, else 403;
    outside the caller's scope, 404; ended already, 422."""
    require_roles(request, END_MEMBERSHIP_ROLES)
    member = get_object_or_404(
        Member.objects.visible_to(request.auth).select_related("party_org__area"), public_id=member_id
    )
    return end_membership(
        acting_user=request.auth, member=member, reason=payload.reason, on=payload.on, request=request
    )


class SlipsIn(Schema):
    members: list[UUID] = Field(min_length=1, max_length=500, description="Public ids of the unit's members.")


class SlipOut(Schema):
    member: UUID
    name: str
    code: str


@router.post("/activation-codes", response={200: list[SlipOut], 403: ErrorOut, 422: ErrorOut})
def activation_codes(request: HttpRequest, payload: SlipsIn):
    """New activation codes for members of the caller's unit without an account (to print or send by
    other means; each replaces the member's older code and is audited). Shown once. Roles: unit admin,
    else 403; members outside the caller's units are left out (none left: 422)."""
    require_roles(request, (Role.UNIT_ADMIN,))
    members = activation.members_without_account(request.auth).filter(public_id__in=payload.members)
    slips = activation.print_activation_codes(acting_user=request.auth, members=members, request=request)
    return [{"member": m.public_id, "name": m.name, "code": format_printed(code)} for m, code in slips]


class SmsCountOut(Schema):
    day: date
    kind: str
    outcome: str
    count: int


@router.get("/sms/counts", response=list[SmsCountOut])
def sms_counts(request: HttpRequest, days: int = 14):
    """Text messages sent and failed per day and kind, the last ``days`` days (1–366). Roles: platform
    administrator, else 403."""
    require_roles(request, (Role.PLATFORM_ADMIN,))
    days = max(1, min(days, 366))
    since = timezone.localdate() - timedelta(days=days - 1)
    return list(SmsCount.objects.filter(day__gte=since).order_by("-day", "kind", "outcome"))
