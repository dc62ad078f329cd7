"""Database connections: request threads do not keep PostgreSQL connections; the settings that
decide it; the SQLite file's locking mode (its concurrency tests are in jobs/tests/test_sqlite_locking.py)."""

from __future__ import annotations

import http.client
import runpy
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from accounts.actions import create_user

SETTINGS = Path(__file__).resolve().parent.parent / "settings.py"
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="counts server connections in pg_stat_activity; SQLite is a file, with no connections to leak",
)


def _settings(monkeypatch, argv: list[str], **env: str) -> dict:
    """gongjian/settings.py evaluated afresh under this command line and environment."""
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.setenv("DATABASE_URL", "postgres://gj@127.0.0.1:5432/gj")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS))


def test_connections_are_not_kept_unless_asked(monkeypatch):
    monkeypatch.delenv("DB_CONN_MAX_AGE", raising=False)
    default = _settings(monkeypatch, ["gunicorn"])["DATABASES"]["default"]
    assert default["CONN_MAX_AGE"] == 0
    kept = _settings(monkeypatch, ["gunicorn"], DB_CONN_MAX_AGE="60")["DATABASES"]["default"]
    assert kept["CONN_MAX_AGE"] == 60 and kept["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("argv", [["manage.py", "runserver", "0:8000"], ["gongjian", "serve"]])
def test_the_development_server_never_keeps_connections(monkeypatch, argv):
    default = _settings(monkeypatch, argv, DB_CONN_MAX_AGE="60")["DATABASES"]["default"]
    assert default["CONN_MAX_AGE"] == 0


def test_sqlite_waits_for_the_lock_and_takes_it_when_a_write_transaction_begins(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["manage.py"])
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/gj-settings-test.sqlite3")
    default = runpy.run_path(str(SETTINGS))["DATABASES"]["default"]
    assert default["CONN_MAX_AGE"] == 0
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and default["OPTIONS"]["timeout"] >= 20
    assert "journal_mode=WAL" in default["OPTIONS"]["init_command"]


def _connections_to_this_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _burst(url: str, cookie: str, n: int) -> list[http.client.HTTPConnection]:
    """n requests at once, each on its own keep-alive connection, left open as a browser leaves them."""
    parts = urlsplit(url)
    sockets = [http.client.HTTPConnection(parts.hostname, parts.port, timeout=30) for _ in range(n)]
    statuses: list[int] = []
    start = threading.Barrier(n)

    def get(sock: http.client.HTTPConnection) -> None:
        start.wait()
        sock.request("GET", "/jobs/", headers={"Cookie": cookie, "Connection": "keep-alive"})
        response = sock.getresponse()
        response.read()
        statuses.append(response.status)

    threads = [threading.Thread(target=get, args=(sock,)) for sock in sockets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * n
    return sockets


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_request_threads_do_not_keep_database_connections(live_server):
    user = create_user(acting_user=None, username="pool", password="pool-password-123")
    client = Client()
    client.force_login(user)
    cookie = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    before = _connections_to_this_database()
    open_sockets = []
    try:
        for _ in range(2):
            open_sockets += _burst(live_server.url, cookie, 30)
        deadline = time.monotonic() + 5
        while (grown := _connections_to_this_database() - before) > 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        # With connections kept for 60 s, each of the 60 server threads would still hold one here.
        assert grown <= 3, f"{grown} more connections to the database after 2 x 30 requests"
    finally:
        for sock in open_sockets:
            sock.close()
