"""Sensitive personal numbers (ID card, phone): validation, encryption at rest, keyed hashes, masks.

Each sensitive value is stored as three columns:
- ``<name>_cipher``: Fernet ciphertext (AES-128-CBC + HMAC), keys from FIELD_ENCRYPTION_KEYS;
- ``<name>_hash``: HMAC-SHA256 under FIELD_HASH_KEY, for exact lookups and uniqueness;
- ``<name>_hint``: the few characters the mask shows anyway (last four digits), for search.
The plain value never touches the database. See docs/PRIVACY.md.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class InvalidNumber(ValueError):
    """A sensitive number that fails validation; the message says why, in the user's language."""


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def normalize_id_number(raw: str) -> str:
    """Validate a mainland resident ID number (GB 11643-1999) and return it upper-cased."""
    value = (raw or "").strip().upper().replace(" ", "")
    if not _ID_RE.match(value):
        raise InvalidNumber(_("ID number must be 17 digits followed by a digit or X"))
    if id_check_char(value[:17]) != value[17]:
        raise InvalidNumber(_("ID number check digit is wrong"))
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidNumber(_("ID number contains an impossible birth date")) from exc
    return value


def birth_date_from_id(value: str) -> date:
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"


def normalize_phone(raw: str) -> str:
    """Validate a mainland mobile number (11 digits starting 13–19), accepting +86 and spaces."""
    value = re.sub(r"[\s-]", "", str(raw or ""))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if not _PHONE_RE.match(value):
        raise InvalidNumber(_("Phone must be an 11-digit mainland mobile number"))
    return value


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEYS or damaged value") from exc


def keyed_hash(kind: str, value: str) -> str:
    """A stable HMAC of a normalized value, namespaced by kind so equal phones and IDs differ."""
    key = settings.FIELD_HASH_KEY.encode()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """350802********1234: region code and last four shown."""
    return f"{value[:6]}{'*' * 8}{value[-4:]}" if len(value) == 18 else "*" * len(value)


def mask_phone(value: str) -> str:
    """138****5678."""
    return f"{value[:3]}****{value[-4:]}" if len(value) == 11 else "*" * len(value)


def mask_from_hint(kind: str, hint: str) -> str:
    """The mask, built from the stored hint alone, so lists never decrypt."""
    if not hint:
        return ""
    return f"{hint[:6]}{'*' * 8}{hint[6:]}" if kind == "id_number" else f"{hint[:3]}****{hint[3:]}"


@dataclass(frozen=True)
class SealedNumber:
    cipher: str
    hash: str
    hint: str


def seal(kind: str, value: str) -> SealedNumber:
    """Everything the database keeps of a normalized sensitive value."""
    hint = value[:6] + value[-4:] if kind == "id_number" else value[:3] + value[-4:]
    return SealedNumber(cipher=encrypt(value), hash=keyed_hash(kind, value), hint=hint)


# Numbers inside free text (log lines, error reports, task errors): every run of digits shaped like an
# ID number or a mainland mobile number, whatever surrounds it, is replaced by its mask. Shapes, not
# check digits: a wrong check digit is still somebody's number mistyped.
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_PHONE_IN_TEXT = re.compile(r"(?<![\d+])(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")


def mask_numbers_in_text(text: str) -> str:
    """The text with every ID-card-shaped and phone-shaped number masked (mask_id_number, mask_phone)."""
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group().upper()), text)
    return _PHONE_IN_TEXT.sub(lambda m: mask_phone(re.sub(r"[\s+-]", "", m.group())[-11:]), text)
