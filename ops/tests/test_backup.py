"""Backup and restore (docs/BACKUP.md): the drill on the demo city, the manifest covers every model's
table, and every refusal leaves the target as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.utils import ConnectionHandler
from django.utils import translation

from audit.models import AuditEvent, Outcome
from demo.tests.test_demo_city import TINY
from ops.checksums import applied_migrations, model_tables, table_sums
from ops.databases import Snapshot, read_sqlite_file, read_target, reading
from ops.manifest import fingerprint

DEMO_OPTIONS = TINY  # the smallest demo city, committed once for this module
pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is PostgreSQL's tool")
AUDIT = "audit_auditevent"


@pytest.fixture
def city(demo_city):
    return demo_city


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    default_storage.save("jobs/results/roster.xlsx", ContentFile(b"uploaded bytes \x00\xff"))
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def archive(city, media, tmp_path) -> Path:
    call_command("backup", to=tmp_path / "backups", stdout=open(os.devnull, "w"))  # noqa: SIM115
    (found,) = (tmp_path / "backups").iterdir()
    return found


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def figures(snapshot: Snapshot) -> dict:
    return {name: figures.as_dict() for name, figures in snapshot.tables.items()}


# --- the drill -----------------------------------------------------------------------------------


class Target:
    """An empty second database (PostgreSQL: ``<test db>_restore`` on the same server; SQLite: a new
    file) and an empty MEDIA_ROOT, for a `gongjian restore` run as an operator runs it."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.media = tmp_path / "restored-media"
        source = connection.settings_dict
        if connection.vendor == "postgresql":
            self.name = f"{source['NAME']}_restore"
            self.settings = {**source, "NAME": self.name}
            auth = quote(source["USER"] or "") + (
                ":" + quote(source["PASSWORD"]) if source["PASSWORD"] else ""
            )
            self.url = (
                f"postgres://{auth}@{source['HOST'] or 'localhost'}:{source['PORT'] or 5432}/{self.name}"
            )
            self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.name = str(tmp_path / "restored.sqlite3")
            self.settings = {**source, "NAME": self.name}
            self.url = f"sqlite:///{self.name}"

    def admin(self, sql: str) -> None:
        other = ConnectionHandler({DEFAULT_DB_ALIAS: {**connection.settings_dict, "NAME": "postgres"}})
        maintenance = other[DEFAULT_DB_ALIAS]
        try:
            with maintenance.cursor() as cursor:
                cursor.execute(sql)
        finally:
            maintenance.close()

    def restore(self, archive: Path, *extra: str, **env: str) -> subprocess.CompletedProcess:
        environment = {
            **os.environ,
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
            "GONGJIAN_VAR_DIR": str(self.tmp / "var"),
            "DEBUG": "1",
            "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
            **env,
        }
        return subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "restore", str(archive), *extra],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )

    def snapshot(self) -> Snapshot:
        if connection.vendor == "sqlite":
            return read_sqlite_file(Path(self.name))
        handler = ConnectionHandler({DEFAULT_DB_ALIAS: self.settings})
        with reading(handler[DEFAULT_DB_ALIAS]) as cursor:
            return Snapshot(table_sums(cursor, connection.vendor), applied_migrations(cursor))

    def tables(self) -> int:
        if connection.vendor == "sqlite":
            return len(read_sqlite_file(Path(self.name)).tables) if Path(self.name).exists() else 0
        handler = ConnectionHandler({DEFAULT_DB_ALIAS: self.settings})
        wrapper = handler[DEFAULT_DB_ALIAS]
        try:
            return len(wrapper.introspection.table_names())
        finally:
            wrapper.close()

    def drop(self) -> None:
        if connection.vendor == "postgresql":
            self.admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def target(tmp_path):
    made = Target(tmp_path)
    yield made
    made.drop()


def test_the_drill_backs_up_the_demo_city_and_restores_it_table_for_table(city, media, tmp_path, target):
    before = read_target()  # what is committed: the demo city
    call_command("backup", to=tmp_path / "backups", stdout=open(os.devnull, "w"))  # noqa: SIM115
    (archive,) = (tmp_path / "backups").iterdir()
    manifest = manifest_of(archive)
    assert manifest["tables"] == figures(before)  # the manifest is the database as it was
    assert manifest["migrations"] == before.migrations
    assert sum(t["rows"] for t in manifest["tables"].values()) > 500  # the demo city, not an empty shell
    assert manifest["keys"] == {
        "encryption": [fingerprint(key) for key in settings.FIELD_ENCRYPTION_KEYS],
        "hash": fingerprint(settings.FIELD_HASH_KEY),
    }
    raw = archive.read_bytes()
    for key in [*settings.FIELD_ENCRYPTION_KEYS, settings.FIELD_HASH_KEY]:
        assert key.encode() not in raw
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    event = AuditEvent.objects.get(action="ops.backup")
    assert (event.actor, event.actor_label, event.outcome) == (None, "system", Outcome.SUCCESS)
    assert event.detail["file"] == archive.name

    # Wrong keys against the empty target: refused, and the target is still empty.
    refused = target.restore(archive, FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode())
    assert refused.returncode != 0 and "FIELD_ENCRYPTION_KEYS" in refused.stderr
    assert target.tables() == 0 and not target.media.exists()

    done = target.restore(archive)
    assert done.returncode == 0, done.stderr + done.stdout
    restored = target.snapshot()
    assert restored.migrations == before.migrations
    expected = figures(before)
    got = figures(restored)
    assert got.keys() == expected.keys()
    for table in expected:
        if table == AUDIT:  # the restore audits itself into the restored database, after its check
            assert got[table]["rows"] == expected[table]["rows"] + 1
        else:
            assert got[table] == expected[table], table
    assert (target.media / "jobs/results/roster.xlsx").read_bytes() == b"uploaded bytes \x00\xff"

    # Into a database that is no longer empty (refused without it: the test below): --force wipes it first.
    forced = target.restore(archive, "--force")
    assert forced.returncode == 0, forced.stderr
    assert figures(target.snapshot())[AUDIT]["rows"] == expected[AUDIT]["rows"] + 1


def test_the_manifest_names_every_table_of_every_model_and_nothing_is_left_out(archive):
    """The meta-test: a model added without its table in the backup's figures fails here."""
    from django.apps import apps

    manifest = manifest_of(archive)
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    assert tables - manifest["tables"].keys() == set()
    assert {t.name for t in model_tables()} == tables
    # And every table in the database is a model's (or Django's record of the migrations).
    in_database = set(connection.introspection.table_names()) - {"django_migrations"}
    assert in_database - manifest["tables"].keys() == set()


# --- refusals: nothing is touched ----------------------------------------------------------------


def restore_refused(archive: Path, match: str) -> None:
    before = read_target()
    with pytest.raises(CommandError, match=match):
        call_command("restore", str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert figures(read_target()) == figures(before)


@pytest.mark.parametrize("which", ["encryption", "hash"])
def test_a_restore_with_other_keys_is_refused_and_touches_nothing(archive, settings, media, which):
    if which == "encryption":
        settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    else:
        settings.FIELD_HASH_KEY = "another-hash-key-entirely"
    files = sorted(p.relative_to(media) for p in media.rglob("*"))
    restore_refused(
        archive, "FIELD_ENCRYPTION_KEYS lacks" if which == "encryption" else "FIELD_HASH_KEY differs"
    )
    assert sorted(p.relative_to(media) for p in media.rglob("*")) == files


def test_keys_added_after_the_backup_are_fine_but_a_dropped_one_is_not(archive, settings):
    newest = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [newest, *settings.FIELD_ENCRYPTION_KEYS]  # rotated since
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(archive), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert "FIELD_ENCRYPTION_KEYS" not in str(refused.value)  # only: the target is not empty
    assert "not empty" in str(refused.value)


def test_a_restore_into_a_database_that_is_not_empty_is_refused(archive):
    restore_refused(archive, "The target database is not empty")


@pytest.mark.parametrize("damage", ["truncated", "flipped byte", "not a tar"])
def test_a_damaged_archive_is_refused(archive, damage):
    data = bytearray(archive.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "flipped byte":
        data[4096] ^= 0xFF  # inside the database dump, the first member
    else:
        data = bytearray(b"not an archive at all" * 100)
    archive.write_bytes(bytes(data))
    restore_refused(archive, "damaged or incomplete|does not match its manifest|no manifest")


@on_postgres
def test_a_failing_pg_dump_leaves_nothing_behind_and_is_audited(city, media, tmp_path, monkeypatch):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "pg_dump").write_text(
        '#!/bin/sh\nfor a; do case "$a" in --file=*) echo partial > "${a#--file=}";; esac; done\n'
        "echo 'pg_dump: error: disk full' >&2\nexit 1\n"
    )
    (fake / "pg_dump").chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake}:{os.environ['PATH']}")
    backups = tmp_path / "backups"
    with pytest.raises(CommandError, match="pg_dump failed .*disk full"):
        call_command("backup", to=backups)
    assert list(backups.iterdir()) == []
    event = AuditEvent.objects.get(action="ops.backup")
    assert event.outcome == Outcome.FAILURE and "disk full" in event.detail["error"]


def test_a_backup_folder_inside_media_root_is_refused(city, media):
    with pytest.raises(CommandError, match="inside MEDIA_ROOT"):
        call_command("backup", to=media / "backups")
    assert not (media / "backups").exists()


def test_a_restore_that_does_not_match_its_manifest_fails_loudly(db, tmp_path, monkeypatch):
    """The check after loading: one table's checksum or count off, or other migrations, and the
    command prints the table, audits a failure and exits non-zero."""
    from ops.checksums import TableSum
    from ops.management.commands import restore as command
    from ops.restore import compare

    manifest = {
        "created_at": "2026-12-03T02:30:00+00:00",
        "migrations": [["places", "0001_initial"]],
        "tables": {"places_area": {"rows": 3, "checksum": "a"}, "places_grid": {"rows": 1, "checksum": "b"}},
    }
    same = compare(
        manifest,
        Snapshot({"places_area": TableSum(3, "a"), "places_grid": TableSum(1, "b")}, manifest["migrations"]),
    )
    assert same.ok and not same.differences
    changed = compare(
        manifest,
        Snapshot({"places_area": TableSum(3, "a"), "places_grid": TableSum(1, "c")}, manifest["migrations"]),
    )
    assert [c.table for c in changed.differences] == ["places_grid"]
    missing = compare(manifest, Snapshot({"places_area": TableSum(3, "a")}, manifest["migrations"]))
    assert [c.table for c in missing.differences] == ["places_grid"]
    migrated = compare(
        manifest, Snapshot({"places_area": TableSum(3, "a"), "places_grid": TableSum(1, "b")}, [])
    )
    assert not migrated.ok and not migrated.differences

    monkeypatch.setattr(command, "restore_backup", lambda **kwargs: changed)
    archive = tmp_path / "x.tar"
    archive.write_bytes(b"")
    out = StringIO()
    with pytest.raises(CommandError, match="does NOT match the backup \\(1 table\\(s\\) differ\\)"):
        call_command("restore", str(archive), stdout=out)
    assert "places_grid" in out.getvalue() and "DIFFERENT" in out.getvalue()
    event = AuditEvent.objects.get(action="ops.restore")
    assert event.outcome == Outcome.FAILURE and event.detail["differences"] == ["places_grid"]
