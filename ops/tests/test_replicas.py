"""The replica router, unit by unit: which reads may go to the replica and which stay on the primary.
The real streaming replica is in test_replica_streaming.py."""

from __future__ import annotations

import runpy
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from ops.replicas import PIN_COOKIE, PRIMARY, REPLICA, ReplicaReadsMiddleware, ReplicaRouter, read_alias
from places.models import Area

SETTINGS = Path(__file__).resolve().parents[2] / "gongjian" / "settings.py"


@pytest.fixture
def replica_reads(settings):
    settings.REPLICA_READS = True
    settings.REPLICA_PIN_SECONDS = 10
    return settings


def serve(request: HttpRequest) -> tuple[str, HttpResponse]:
    """Run the middleware around a view that notes where its reads would go."""
    seen = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["alias"] = read_alias()
        return HttpResponse("ok")

    response = ReplicaReadsMiddleware(view)(request)
    return seen["alias"], response


def with_cookies(request: HttpRequest, response: HttpResponse) -> HttpRequest:
    request.COOKIES.update({name: morsel.value for name, morsel in response.cookies.items()})
    return request


def test_safe_method_requests_read_from_the_replica(replica_reads):
    rf = RequestFactory()
    assert serve(rf.get("/people/members/"))[0] == REPLICA
    assert serve(rf.head("/people/members/"))[0] == REPLICA
    assert read_alias() == PRIMARY  # and the request's choice ends with it


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_request_reads_from_the_primary_and_pins_the_user_there(replica_reads, method):
    rf = RequestFactory()
    alias, response = serve(getattr(rf, method)("/places/grids/new/"))
    assert alias == PRIMARY
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 10 and cookie["httponly"] and cookie["samesite"] == "Lax"
    # The next GET of the same browser reads from the primary; another browser's from the replica.
    assert serve(with_cookies(rf.get("/places/grids/"), response))[0] == PRIMARY
    assert serve(rf.get("/places/grids/"))[0] == REPLICA


def test_the_pin_lasts_replica_pin_seconds(replica_reads):
    rf = RequestFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        _, response = serve(rf.post("/places/grids/new/"))
        clock.shift(timedelta(seconds=9))
        assert serve(with_cookies(rf.get("/places/grids/"), response))[0] == PRIMARY
        clock.shift(timedelta(seconds=2))
        assert serve(with_cookies(rf.get("/places/grids/"), response))[0] == REPLICA


def test_a_forged_pin_cookie_is_ignored_and_options_neither_reads_the_replica_nor_pins(replica_reads):
    rf = RequestFactory()
    forged = rf.get("/places/grids/")
    forged.COOKIES[PIN_COOKIE] = "1"
    assert serve(forged)[0] == REPLICA
    alias, response = serve(rf.options("/places/grids/"))
    assert alias == PRIMARY and PIN_COOKIE not in response.cookies


def test_with_replica_reads_off_everything_is_on_the_primary_and_nothing_is_pinned(settings):
    settings.REPLICA_READS = False
    rf = RequestFactory()
    assert serve(rf.get("/places/grids/"))[0] == PRIMARY
    assert PIN_COOKIE not in serve(rf.post("/places/grids/new/"))[1].cookies


def test_outside_a_web_request_reads_stay_on_the_primary(replica_reads):
    """Background tasks and management commands run no middleware."""
    assert read_alias() == PRIMARY


@pytest.mark.django_db
def test_reads_inside_a_transaction_stay_on_the_primary(replica_reads):
    """A db test runs inside a transaction, as an action does: even a GET's reads stay on the primary
    (which is also why the suite never reads from a replica)."""
    assert connections[PRIMARY].in_atomic_block
    assert serve(RequestFactory().get("/places/grids/"))[0] == PRIMARY


def test_the_router_writes_and_migrates_on_the_primary_only(replica_reads):
    router = ReplicaRouter()

    def view(request: HttpRequest) -> HttpResponse:
        assert router.db_for_read(Area) == REPLICA
        assert router.db_for_write(Area) == PRIMARY
        return HttpResponse()

    ReplicaReadsMiddleware(view)(RequestFactory().get("/"))
    assert router.allow_migrate(PRIMARY, "places") is True
    assert router.allow_migrate(REPLICA, "places") is False

    on_primary, on_replica, elsewhere = Area(), Area(), Area()
    on_primary._state.db, on_replica._state.db, elsewhere._state.db = PRIMARY, REPLICA, "archive"
    assert router.allow_relation(on_primary, on_replica) is True
    assert router.allow_relation(on_primary, elsewhere) is None


def _settings(monkeypatch, **env: str) -> dict:
    monkeypatch.setattr(sys, "argv", ["gunicorn"])
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_database_replica_url_adds_the_replica_alias(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    plain = _settings(monkeypatch, DATABASE_URL="postgres://gj@127.0.0.1:5432/gj")
    assert "replica" not in plain["DATABASES"] and plain["REPLICA_READS"] is False
    assert plain["DATABASE_ROUTERS"] == ["ops.replicas.ReplicaRouter"]
    assert plain["MIDDLEWARE"][0] == "ops.replicas.ReplicaReadsMiddleware"
    with_replica = _settings(
        monkeypatch,
        DATABASE_URL="postgres://gj@127.0.0.1:5432/gj",
        DATABASE_REPLICA_URL="postgres://gj@10.0.0.2:5432/gj",
        REPLICA_PIN_SECONDS="30",
    )
    replica = with_replica["DATABASES"]["replica"]
    assert (replica["HOST"], replica["NAME"], replica["TEST"]) == ("10.0.0.2", "gj", {"MIRROR": "default"})
    assert replica["OPTIONS"] == with_replica["DATABASES"]["default"]["OPTIONS"]
    assert with_replica["REPLICA_PIN_SECONDS"] == 30
    assert with_replica["REPLICA_READS"] is False  # never under the test suite (TESTING)


def test_a_replica_of_sqlite_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="PostgreSQL standby"):
        _settings(
            monkeypatch, DATABASE_URL="sqlite:////tmp/x.sqlite3", DATABASE_REPLICA_URL="postgres://gj@h/gj"
        )
