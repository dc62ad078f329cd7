"""Where a request comes from, as far as the server can tell: the account, the browser session and the
network address. Built once per request by ``origin_of``; actions compare two origins without keeping
either in clear (sessions and addresses are stored as keyed hashes). A loopback address is not the
client's (every browser on a development machine, or behind a proxy that does not pass the address on,
shares it), so it is left out rather than compared."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.crypto import constant_time_compare, salted_hmac

from audit.actions import client_ip

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from accounts.models import User


def _digest(kind: str, value: str | None) -> str:
    """A keyed hash of ``value`` (SECRET_KEY), '' for nothing; the kind keeps a session from matching an
    address."""
    if not value:
        return ""
    return salted_hmac(f"gongjian.access.origin.{kind}", value, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Origin:
    """The account (None when anonymous) and hashes of the session key and the client address ('' when
    the request has none)."""

    user_id: int | None = None
    session: str = ""
    address: str = ""

    def same_account(self, user_id: int | None) -> bool:
        return self.user_id is not None and self.user_id == user_id

    def same_session(self, session: str) -> bool:
        return bool(self.session and session) and constant_time_compare(self.session, session)

    def same_address(self, address: str) -> bool:
        return bool(self.address and address) and constant_time_compare(self.address, address)


def _client_address(request: HttpRequest) -> str | None:
    """The client's address, or None where it says nothing about the client: a loopback address is the
    server's own machine (a development server, or a proxy that does not pass the client's address on,
    docs/PRIVACY.md), shared by every browser that reaches it."""
    address = client_ip(request)
    try:
        return None if address is None or ipaddress.ip_address(address).is_loopback else address
    except ValueError:
        return address


def origin_of(request: HttpRequest | None, user: User | AnonymousUser | None = None) -> Origin:
    """The origin of ``request``: ``user`` (else the request's signed-in user, an API token's included),
    its session key and its client address. No request (a command, a test): the account alone."""
    if user is None and request is not None:
        user = getattr(request, "auth", None) or getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    if request is None:
        return Origin(user_id=user_id)
    session = getattr(request, "session", None)
    return Origin(
        user_id=user_id,
        session=_digest("session", session.session_key if session is not None else None),
        address=_digest("address", _client_address(request)),
    )
