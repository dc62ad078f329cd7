"""Typed readers for environment variables that fail loudly on bad values (healthchecks' envbool)."""

import os
from collections.abc import Iterable

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str) -> str:
    """A string; unset or empty means the default."""
    return os.environ.get(name) or default


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def envchoice(name: str, default: str, choices: Iterable[str]) -> str:
    """One of ``choices`` (compared without regard to case, returned as spelled in ``choices``)."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    for choice in choices:
        if raw.strip().lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {raw!r}")


FERNET_KEY_HOW = (
    "Generate one with: "
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
SECRET_HOW = "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"


def envfernetkeys(name: str, default: list[str]) -> list[str]:
    """Fernet keys (URL-safe base64 of 32 bytes), comma separated, newest first. A key that does not
    parse fails here, at start-up, naming its position; the key itself is never shown."""
    keys = envlist(name, default)
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: key {position} of {len(keys)} is not a Fernet key (URL-safe base64 of 32 bytes). "
                f"{FERNET_KEY_HOW}"
            ) from None
    return keys


def envsecret(name: str, *, min_length: int, how: str = SECRET_HOW) -> str:
    """A secret that must be set and at least ``min_length`` characters long (the caller asks for it
    only when DEBUG is off); the message says how to make one and never shows the value."""
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off. {how}")
    if len(value) < min_length:
        raise ImproperlyConfigured(
            f"{name} must be at least {min_length} characters long when DEBUG is off. {how}"
        )
    return value
