"""The idle timeout (docs/PRIVACY.md "Idle sessions"): a session ends SESSION_COOKIE_AGE after its last
request, however long it is used; it is saved when it changes or once a minute, not on every request."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.sessions import REFRESH_SECONDS

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _session_writes(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]


@pytest.fixture
def signed_in(client, cast):
    with time_machine.travel(T0, tick=False) as traveller:
        cast.login(client, "street")
        client.get(reverse("portal:home"))  # the first page notes the time of the save
        yield client, traveller


def test_an_unchanged_session_is_not_written_within_a_minute(signed_in):
    client, traveller = signed_in
    before = _expiry(client)
    traveller.shift(REFRESH_SECONDS - 1)
    assert _session_writes(client, reverse("jobs:job_list")) == []
    assert _expiry(client) == before


def test_the_expiry_moves_on_once_a_minute(signed_in):
    client, traveller = signed_in
    traveller.shift(REFRESH_SECONDS)
    writes = _session_writes(client, reverse("jobs:job_list"))
    assert len(writes) == 1 and "django_session" in writes[0]
    now = T0 + timedelta(seconds=REFRESH_SECONDS)
    assert _expiry(client) == now + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_session_in_use_outlives_the_idle_time(signed_in):
    client, traveller = signed_in
    for _ in range(2 * settings.SESSION_COOKIE_AGE // 50):  # a request every 50 seconds for an hour
        traveller.shift(50)
        assert client.get(reverse("jobs:job_list")).status_code == 200


@pytest.mark.parametrize("idle", [settings.SESSION_COOKIE_AGE, settings.SESSION_COOKIE_AGE + 1])
def test_an_idle_session_ends(signed_in, idle):
    """Idle for the whole idle time after any request (here one just short of a refresh): signed out."""
    client, traveller = signed_in
    traveller.shift(REFRESH_SECONDS - 1)
    assert client.get(reverse("jobs:job_list")).status_code == 200
    traveller.shift(idle)
    response = client.get(reverse("jobs:job_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_a_visitor_gets_no_session(client, db):
    client.get(reverse("accounts:login"))
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in client.cookies
