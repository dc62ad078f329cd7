"""One-time codes: issued, sent by SMS (or printed), checked, spent. Only keyed hashes are kept.

- An SMS code is six digits, lives ``OTP_TTL_MINUTES`` and allows ``OTP_MAX_ATTEMPTS`` wrong tries;
  a new code for the same phone and purpose replaces the old one. It is bound to its purpose: a code
  sent to sign in does not activate a member or register a resident (and says so).
- A printed activation code (a unit admin prints slips for members without a usable phone) is ten
  characters from an alphabet without look-alikes, lives ``ACTIVATION_CODE_DAYS`` and allows the same
  number of wrong ID digits.
- Sending is rate limited within ``OTP_RATE_WINDOW_MINUTES``: ``OTP_PER_PHONE`` codes per phone,
  ``OTP_PER_ACCOUNT`` per account and ``OTP_PER_ADDRESS`` per client address, and one per phone every
  ``OTP_RESEND_SECONDS``; a refusal says at what time to try again.

A wrong try must stay counted although the refusal rolls back the action that checked it, so the
checks here write their counter in their own small transaction and the actions that call them
(accounts/activation.py, accounts/registration.py) are not one transaction around it (as
``people.actions.reveal_number``). docs/PRIVACY.md says what is kept.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from accounts.models import CodeChannel, CodePurpose, OneTimeCode
from accounts.sms import CODE_TEMPLATE, SmsError, send_sms
from audit.actions import client_ip, record_event
from audit.models import Outcome
from gongjian.privacy import keyed_hash, mask_phone

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from people.models import Member

PRINTED_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
PRINTED_LENGTH = 10


class CodeRefused(ValidationError):
    """A code that does not pass (wrong, expired, used up, for another purpose)."""


class RateLimited(ValidationError):
    """Too many codes asked for; the message says when to try again (the API answers 429)."""


def client_hash(request: HttpRequest | None) -> str:
    address = client_ip(request)
    return keyed_hash("client", address) if address else ""


def code_digest(purpose: str, phone_hash: str, code: str) -> str:
    """The keyed hash kept of an SMS code, bound to its phone and purpose."""
    return keyed_hash("otp", f"{purpose}:{phone_hash}:{code.strip()}")


def printed_digest(code: str) -> str:
    return keyed_hash("activation", normalize_printed(code))


def normalize_printed(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def _try_again_at(moment: datetime) -> str:
    return time_format(timezone.localtime(moment), "H:i")


# --- rate limits ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    label: str
    query: Q
    most: int


def check_rate(*, phone_hash: str, user: User | None, client: str, now: datetime) -> None:
    """Refuse (RateLimited) a new SMS code past any limit, saying when the next one may be asked for."""
    recent = OneTimeCode.objects.filter(channel=CodeChannel.SMS)
    last = recent.filter(phone_hash=phone_hash).order_by("-created_at").only("created_at").first()
    gap = timedelta(seconds=settings.OTP_RESEND_SECONDS)
    if last is not None and last.created_at > now - gap:
        raise RateLimited(
            _("A code was sent to this phone a moment ago. Ask for another after %(time)s.")
            % {"time": _try_again_at(last.created_at + gap)}
        )
    window = _minutes(settings.OTP_RATE_WINDOW_MINUTES)
    since = now - window
    limits = [Limit("phone", Q(phone_hash=phone_hash), settings.OTP_PER_PHONE)]
    if user is not None:
        limits.append(Limit("account", Q(user=user), settings.OTP_PER_ACCOUNT))
    if client:
        limits.append(Limit("address", Q(client_hash=client), settings.OTP_PER_ADDRESS))
    for limit in limits:
        rows = recent.filter(limit.query, created_at__gt=since).order_by("-created_at")
        times = list(rows.values_list("created_at", flat=True)[: limit.most])
        if len(times) >= limit.most:
            free_at = times[-1] + window
            raise RateLimited(
                {
                    "phone": _(
                        "Too many codes were asked for this phone in a short time. Try again after %(time)s."
                    ),
                    "account": _(
                        "Too many codes were asked for this account in a short time. Try again after %(time)s."
                    ),
                    "address": _(
                        "Too many codes were asked from this network in a short time. Try again after %(time)s."
                    ),
                }[limit.label]
                % {"time": _try_again_at(free_at)}
            )


# --- SMS codes ------------------------------------------------------------------------------------


def new_sms_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def send_code(
    *,
    purpose: str,
    phone: str,
    user: User | None = None,
    request: HttpRequest | None = None,
    deliver: bool = True,
) -> OneTimeCode:
    """Issue a code for ``purpose`` to the normalised ``phone`` and send it by SMS.

    The code row (its hash) is written and committed first, then the message is sent outside any
    transaction; a failed send spends the code at once and is refused with a message (and counted).
    ``deliver=False`` writes the row and sends nothing: asking to sign in with a phone no account has
    costs the same and counts towards the same limits, so the answer tells nothing."""
    phone_hash = keyed_hash("phone", phone)
    code = new_sms_code()
    with transaction.atomic():
        now = timezone.now()
        client = client_hash(request)
        check_rate(phone_hash=phone_hash, user=user, client=client, now=now)
        # the new code replaces any live one for the same phone and purpose
        OneTimeCode.objects.live().filter(
            channel=CodeChannel.SMS, purpose=purpose, phone_hash=phone_hash
        ).update(used_at=now)
        row = OneTimeCode.objects.create(
            purpose=purpose,
            channel=CodeChannel.SMS,
            digest=code_digest(purpose, phone_hash, code),
            phone_hash=phone_hash,
            user=user,
            client_hash=client,
            created_at=now,
            expires_at=now + _minutes(settings.OTP_TTL_MINUTES),
        )
        record_event(
            actor=getattr(request, "user", None),
            actor_label=mask_phone(phone),
            action="code.send",
            request=request,
            detail={"purpose": purpose},
        )
    if not deliver:
        return row
    try:
        send_sms(phone=phone, template=CODE_TEMPLATE, params={"code": code}, kind=purpose)
    except SmsError as exc:
        OneTimeCode.objects.filter(pk=row.pk).update(used_at=timezone.now())
        raise ValidationError(_("The text message could not be sent. Try again in a few minutes.")) from exc
    return row


def refuse(
    *, phone: str, purpose: str, reason: str, message: str, request: HttpRequest | None = None
) -> CodeRefused:
    """Audit a refused code (committed with whatever surrounds it: callers are not atomic) and build
    the refusal to raise."""
    record_event(
        actor=getattr(request, "user", None),
        actor_label=mask_phone(phone) if phone else "",
        action="code.refused",
        request=request,
        outcome=Outcome.FAILURE,
        detail={"purpose": purpose, "reason": reason},
    )
    return CodeRefused(message)


def count_wrong_try(row: OneTimeCode) -> None:
    """One more wrong try on ``row`` (committed on its own)."""
    with transaction.atomic():
        OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
    row.attempts += 1


def check_code(*, purpose: str, phone: str, code: str, request: HttpRequest | None = None) -> OneTimeCode:
    """The live SMS code of ``purpose`` for ``phone`` if ``code`` is it; else refused, saying why:
    wrong (the try is counted), expired, too many wrong tries, or sent for another purpose. The code is
    not spent here: the action spends it (``spend``) when everything else has passed."""
    phone_hash = keyed_hash("phone", phone)
    code = (code or "").strip()
    now = timezone.now()
    latest = (
        OneTimeCode.objects.filter(channel=CodeChannel.SMS, purpose=purpose, phone_hash=phone_hash)
        .order_by("-created_at", "-id")
        .first()
    )
    matches = latest is not None and hmac.compare_digest(
        latest.digest, code_digest(purpose, phone_hash, code)
    )

    def refused(reason: str, message: str) -> CodeRefused:
        return refuse(phone=phone, purpose=purpose, reason=reason, message=message, request=request)

    if latest is None or latest.used_at is not None:
        other = _other_purpose(phone_hash, purpose, code)
        if other is not None:
            raise refused(
                "purpose",
                _("This code was sent for another purpose (%(purpose)s). Ask for a code here.")
                % {"purpose": CodePurpose(other).label},
            )
        raise refused("none", _("No code is waiting for this phone. Ask for a new code."))
    if latest.attempts >= settings.OTP_MAX_ATTEMPTS:
        raise refused("attempts", _("Too many wrong tries. Ask for a new code."))
    if latest.expires_at <= now:
        raise refused("expired", _("The code has expired. Ask for a new code."))
    if not matches:
        other = _other_purpose(phone_hash, purpose, code)
        if other is not None:
            raise refused(
                "purpose",
                _("This code was sent for another purpose (%(purpose)s). Ask for a code here.")
                % {"purpose": CodePurpose(other).label},
            )
        count_wrong_try(latest)
        left = settings.OTP_MAX_ATTEMPTS - latest.attempts
        if left <= 0:
            raise refused("attempts", _("Too many wrong tries. Ask for a new code."))
        raise refused(
            "wrong", _("The code is wrong. %(left)d more tries, then ask for a new code.") % {"left": left}
        )
    return latest


def _other_purpose(phone_hash: str, purpose: str, code: str) -> str | None:
    """The purpose of another live code of this phone that ``code`` is, if any."""
    for other in CodePurpose.values:
        if other == purpose:
            continue
        digest = code_digest(other, phone_hash, code)
        if (
            OneTimeCode.objects.live()
            .filter(channel=CodeChannel.SMS, purpose=other, phone_hash=phone_hash, digest=digest)
            .exists()
        ):
            return other
    return None


def spend(row: OneTimeCode) -> None:
    """Mark a code used (inside the action's transaction: it is spent only if the action is done)."""
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])


# --- printed activation codes ---------------------------------------------------------------------


def new_printed_code() -> str:
    return "".join(secrets.choice(PRINTED_ALPHABET) for _ in range(PRINTED_LENGTH))


def issue_printed_code(*, member: Member, issued_by: User | None) -> str:
    """A new printed activation code for ``member`` (replacing a live one); the caller's transaction
    writes it. Returns the code in clear, the only time it exists."""
    now = timezone.now()
    OneTimeCode.objects.live().filter(channel=CodeChannel.PRINTED, member=member).update(used_at=now)
    code = new_printed_code()
    OneTimeCode.objects.create(
        purpose=CodePurpose.ACTIVATE,
        channel=CodeChannel.PRINTED,
        digest=printed_digest(code),
        member=member,
        issued_by=issued_by,
        created_at=now,
        expires_at=now + timedelta(days=settings.ACTIVATION_CODE_DAYS),
    )
    return code


def format_printed(code: str) -> str:
    """ABCDE-FGHJK: easier to copy from paper."""
    return f"{code[:5]}-{code[5:]}"


def find_printed(*, code: str, request: HttpRequest | None = None) -> OneTimeCode:
    """The printed activation code typed, if it is live; refused otherwise."""
    row = (
        OneTimeCode.objects.filter(channel=CodeChannel.PRINTED, digest=printed_digest(code))
        .select_related("member")
        .first()
    )

    def refused(reason: str, message: str) -> CodeRefused:
        return refuse(phone="", purpose=CodePurpose.ACTIVATE, reason=reason, message=message, request=request)

    if row is None:
        raise refused("wrong", _("This activation code is wrong. Check it against your slip."))
    if row.used_at is not None:
        raise refused("used", _("This activation code has been used or replaced."))
    if row.attempts >= settings.OTP_MAX_ATTEMPTS:
        raise refused("attempts", _("Too many wrong tries. Ask your unit for a new slip."))
    if row.expires_at <= timezone.now():
        raise refused("expired", _("This activation code has expired. Ask your unit for a new slip."))
    return row
