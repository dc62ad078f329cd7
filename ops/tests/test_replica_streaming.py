"""Read replicas against a real PostgreSQL streaming standby (.ci/replica starts one on port 5433 and
prints GONGJIAN_TEST_REPLICA_URL): a list page is read from the standby, a user who just wrote reads
from the primary and sees their row, another user reads from the standby and sees it once it has
replayed the primary's WAL.

The suite itself never routes to a replica (its test data is uncommitted, invisible to a standby);
this transactional test commits, adds the standby as the "replica" alias on the primary's test
database (CREATE DATABASE streams to the standby too) and turns replica reads on for itself."""

from __future__ import annotations

import os
import time

import dj_database_url
import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.second_factor_actions import sign_in_verified
from conftest import build_cast
from ops.replicas import PIN_COOKIE, REPLICA

REPLICA_URL = os.environ.get("GONGJIAN_TEST_REPLICA_URL", "")
REPLAY_WAIT_SECONDS = 60  # a bound, not a timing: the standby normally replays in milliseconds

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def standby(settings):
    if connection.vendor != "postgresql":
        pytest.skip("a streaming replica is PostgreSQL's; SQLite has none")
    if not REPLICA_URL:
        if os.environ.get("CI") == "true":
            pytest.fail(
                "CI on PostgreSQL tests a real replica: run .ci/replica and export GONGJIAN_TEST_REPLICA_URL"
            )
        pytest.skip("no standby: run .ci/replica and export GONGJIAN_TEST_REPLICA_URL")
    url = dj_database_url.parse(REPLICA_URL)
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    # A connection of this thread only, not in connections.settings: Django's test case then lets it
    # connect, and neither creates, flushes nor mirrors a test database for it.
    standby_settings = {
        **primary,
        "HOST": url["HOST"],
        "PORT": url["PORT"],
        "USER": url["USER"] or primary["USER"],
        "PASSWORD": url["PASSWORD"] or primary["PASSWORD"],
        "NAME": primary["NAME"],  # the primary's test database, as streamed to the standby
    }
    connections[REPLICA] = load_backend(primary["ENGINE"]).DatabaseWrapper(standby_settings, REPLICA)
    settings.REPLICA_READS = True
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]


def one(wrapper, sql: str, params=()):
    with wrapper.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def replayed(standby) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    target = one(connection, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + REPLAY_WAIT_SECONDS
    while not one(standby, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
        if time.monotonic() > deadline:
            pytest.fail(
                f"the standby did not replay the primary's WAL up to {target} in {REPLAY_WAIT_SECONDS} s"
            )
        time.sleep(0.02)


def reads_of(captured: CaptureQueriesContext, table: str) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and f'"{table}"' in q["sql"]
    ]


def get(client: Client, url: str, standby):
    with CaptureQueriesContext(standby) as on_standby, CaptureQueriesContext(connection) as on_primary:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), reads_of(on_standby, "places_grid"), reads_of(on_primary, "places_grid")


def test_lists_read_from_the_standby_and_a_writer_reads_its_own_write_from_the_primary(standby):
    cast = build_cast()
    writer, other = Client(), Client()
    sign_in_verified(writer, cast.street)  # both roles need the second factor (accounts.second_factor)
    sign_in_verified(other, cast.orgdept)
    replayed(standby)  # the cast and both sessions are on the standby
    assert one(standby, "SELECT pg_is_in_recovery()") is True  # a real standby, not the primary again
    assert one(connection, "SELECT pg_is_in_recovery()") is False
    grids = reverse("places:grid_list")

    page, from_standby, from_primary = get(writer, grids, standby)
    assert from_standby and not from_primary  # the list is read from the standby
    assert "复制网格" not in page

    response = writer.post(
        reverse("places:grid_new"),
        {"street": cast.places.street_a.public_id, "code": "G350802001-9", "name": "复制网格"},
    )
    assert response.status_code == 302 and PIN_COOKIE in response.cookies

    # The writer, pinned: the next list is read from the primary and shows the new grid at once.
    page, from_standby, from_primary = get(writer, grids, standby)
    assert from_primary and not from_standby
    assert "复制网格" in page

    # Anyone else reads from the standby, and sees the grid once the standby has replayed it.
    replayed(standby)
    page, from_standby, from_primary = get(other, grids, standby)
    assert from_standby and not from_primary
    assert "复制网格" in page
