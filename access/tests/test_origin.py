"""Origin: who a request comes from, compared without keeping the session key or the address in clear."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from access import Origin, origin_of

pytestmark = pytest.mark.django_db


def _request(address: str | None = "10.1.2.3", session_key: str | None = None, user=None):
    request = RequestFactory().get("/", REMOTE_ADDR=address or "")
    request.session = SessionStore(session_key=session_key)
    request.user = user or AnonymousUser()
    return request


def test_an_origin_keeps_hashes_not_the_values(cast):
    origin = origin_of(_request(session_key="abc123session"), cast.resident)
    assert origin.user_id == cast.resident.pk
    assert len(origin.session) == len(origin.address) == 64
    assert "10.1.2.3" not in origin.address and "abc123session" not in origin.session
    same_text = origin_of(_request(address="10.1.2.3", session_key="10.1.2.3"))
    assert same_text.session and same_text.session != same_text.address  # a session never matches an address


def test_the_same_session_address_or_account_matches_and_nothing_else():
    first = origin_of(_request(session_key="firstsessionkey1"))
    assert first.same_session(origin_of(_request(address="10.9.9.9", session_key="firstsessionkey1")).session)
    assert not first.same_session(origin_of(_request(session_key="secondsessionkey2")).session)
    assert first.same_address(origin_of(_request(session_key="secondsessionkey2")).address)
    assert not first.same_address(origin_of(_request(address="10.9.9.9")).address)
    assert not Origin().same_session("") and not Origin().same_address("") and not Origin().same_account(None)
    assert not origin_of(_request(address=None)).same_address("")


def test_without_a_request_only_the_account_is_known(cast):
    origin = origin_of(None, cast.member)
    assert origin == Origin(user_id=cast.member.pk)
    assert origin.same_account(cast.member.pk) and not origin.same_account(cast.resident.pk)
    assert origin_of(_request(user=cast.member)).user_id == cast.member.pk  # the request's own user


def test_a_loopback_address_is_not_the_clients_and_is_not_compared():
    """A development server, or a proxy that does not pass the client's address on: every browser has it."""
    for loopback in ("127.0.0.1", "127.0.0.2", "::1"):
        assert origin_of(_request(address=loopback)).address == ""
    assert origin_of(_request(address="192.168.1.20")).address
