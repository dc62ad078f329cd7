"""The certificate's verification code: ``BD-2026-7K3F9Q2M-XXXXXXXXXX``.

The serial (random, unique) is followed by a keyed signature (HMAC-SHA256 under SECRET_KEY, base32,
ten characters) over the serial and the check-in it belongs to. The QR code on the certificate
carries the same code inside the community's confirmation URL, and the code can be typed. A forged
or altered code fails the signature; a genuine one can confirm its check-in once.
"""

from __future__ import annotations

import base64
import re
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

SALT = "gongjian.checkin.certificate"
_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I
_CODE_RE = re.compile(r"^(BD-\d{4}-[2-9A-HJ-NP-Z]{8})-([A-Z2-7]{10})$")


class InvalidCode(ValueError):
    """A code that is malformed, forged, withdrawn or already used; the message says which."""


def new_serial(year: int) -> str:
    return f"BD-{year}-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def signature(serial: str, checkin_public_id) -> str:
    digest = salted_hmac(SALT, f"{serial}:{checkin_public_id}", algorithm="sha256").digest()
    return base64.b32encode(digest).decode()[:10]


def certificate_code(certificate) -> str:
    return f"{certificate.serial}-{signature(certificate.serial, certificate.checkin.public_id)}"


def normalize(code: str) -> str:
    """Accept what people type: spaces, lower case, a pasted confirmation URL."""
    text = (code or "").strip()
    if "code=" in text:
        text = text.split("code=", 1)[1].split("&", 1)[0]
    return re.sub(r"\s+", "", text).upper()


def verify(code: str):
    """The valid Certificate behind a code, or InvalidCode with the reason."""
    from checkin.models import Certificate

    match = _CODE_RE.match(normalize(code))
    if not match:
        raise InvalidCode(_("This is not a check-in certificate code."))
    serial, sig = match.groups()
    certificate = Certificate.objects.select_related("checkin").filter(serial=serial).first()
    if certificate is None or not constant_time_compare(
        sig, signature(serial, certificate.checkin.public_id)
    ):
        raise InvalidCode(_("This code is not genuine: it does not match any certificate we issued."))
    if certificate.revoked_at is not None:
        raise InvalidCode(_("This certificate was withdrawn; the member's unit must issue a new one."))
    return certificate
