"""Privileged sign-in (issue 11): who needs a second factor, whether a session has given one, and what the
enrolment page shows. Reads only; the writes are in accounts/second_factor_actions.py.

The rule is one tuple, accounts.roles.SECOND_FACTOR_ROLES, read by ``needs_second_factor`` alone. The
second factor is django-otp's: a TOTP authenticator (an app on the phone) and a static device holding the
recovery codes. ``SecondFactorMiddleware`` (accounts/middleware.py) enforces it on every page and on the
session-authenticated API; the token endpoint (accounts/api.py) asks for an ``otp`` code. See
docs/PRIVACY.md "Second factor".
"""

from __future__ import annotations

import math
from base64 import b32encode
from typing import TYPE_CHECKING

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import SECOND_FACTOR_ROLES
from accounts.scope import scope_for

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase
    from django.http import HttpRequest
    from django_otp.models import Device

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


class CodeRefused(ValidationError):
    """A one-time code was wrong, or came too soon after wrong ones (``wait`` seconds are left then)."""

    def __init__(self, message: str, *, wait: int = 0) -> None:
        super().__init__(message)
        self.wait = wait


def needs_second_factor(user) -> bool:
    """Whether the user's roles call for a second factor: platform administrators and any holder of a
    role in SECOND_FACTOR_ROLES. Others are never asked."""
    scope = scope_for(user)
    return scope.everything or bool(scope.roles.intersection(SECOND_FACTOR_ROLES))


def second_factor_required(user) -> bool:
    """Whether this installation asks the user for a second factor now (TWO_FACTOR_REQUIRED is on)."""
    return bool(settings.TWO_FACTOR_REQUIRED) and needs_second_factor(user)


def signed_in_by_trusted_backend(request: HttpRequest) -> bool:
    """The session's sign-in came through a backend whose sign-ins already count as two-factor (a city's
    single sign-on listed in TWO_FACTOR_TRUSTED_BACKENDS)."""
    return request.session.get(BACKEND_SESSION_KEY) in settings.TWO_FACTOR_TRUSTED_BACKENDS


def session_verified(request: HttpRequest) -> bool:
    """The signed-in session has given its second factor (django-otp's OTPMiddleware read the device)."""
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified()) or signed_in_by_trusted_backend(request)


def authenticator(user, *, confirmed: bool = True) -> TOTPDevice | None:
    """The user's authenticator (confirmed, or the one waiting for its first code)."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def is_enrolled(user) -> bool:
    """The user has a confirmed authenticator."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device is not None else 0


def is_recovery_code(code: str) -> bool:
    """A recovery code is 8 letters and digits; an authenticator's code is 6 digits."""
    return not (len(code) == 6 and code.isdigit())


def normalise_code(code: str) -> str:
    """What was typed, without the spaces and dashes people put in (codes are shown in groups)."""
    return "".join(ch for ch in str(code) if ch not in " -\t").lower()


def wait_seconds(device: Device) -> int:
    """How long django-otp's throttling still refuses codes for this device after wrong ones (0: none)."""
    allowed, info = device.verify_is_allowed()
    if allowed:
        return 0
    until = (info or {}).get("locked_until")
    if until is None:
        return 1
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def secret_in_groups(device: TOTPDevice) -> str:
    """The authenticator's secret (base32, as apps take it when typed) in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address of the authenticator as an inline SVG (no XML declaration)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(device.config_url)
    qr.make(fit=True)
    svg = qr.make_image().to_string(encoding="unicode")
    return svg[svg.index("<svg") :]


def current_code(device: TOTPDevice) -> str:
    """The authenticator's code right now (what the phone app shows): test and demo tooling only."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def mark_session_verified(session: SessionBase, device: Device) -> None:
    """Write into ``session`` what django-otp reads as "this device verified the user"."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id


def verify_session(request: HttpRequest) -> None:
    """The signed-in session has just given its second factor: remember it (django-otp's session key).
    The session names the authenticator even after a recovery code, so it does not fall when the
    recovery codes run out or are renewed."""
    device = authenticator(request.user)
    if device is not None:
        mark_session_verified(request.session, device)
