"""The two engines a backup knows: PostgreSQL (pg_dump/pg_restore) and SQLite (its backup API and a
file copy). Each dumps the database, reads the manifest's figures at the dump's own moment, tells
whether a target is empty, and puts a dump back."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 (pg_dump and pg_restore, with argument lists, never a shell)
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from ops.checksums import TableSum, applied_migrations, table_sums

DUMP_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class DatabaseToolError(Exception):
    """pg_dump or pg_restore is missing or failed; the message carries what it said."""


@dataclass(frozen=True)
class Snapshot:
    """What the manifest says of the database, read at the moment the dump was taken."""

    tables: dict[str, TableSum]
    migrations: list[list[str]]


def vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    return connections[alias].vendor


def postgres_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for the connection's settings: the password in PGPASSWORD, never on a
    command line (where `ps` shows it to every user of the machine)."""
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    options = settings_dict.get("OPTIONS") or {}
    for variable, key in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert")):
        if options.get(key):
            env[variable] = str(options[key])
    return env


def run_tool(name: str, arguments: list[str], env: dict[str, str]) -> None:
    program = shutil.which(name)
    if program is None:
        raise DatabaseToolError(
            f"{name} was not found on PATH: install the PostgreSQL client (postgresql-client)"
        )
    result = subprocess.run(  # noqa: S603
        [program, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        said = (result.stderr or result.stdout).strip()[-2000:]
        raise DatabaseToolError(f"{name} failed (exit {result.returncode}): {said}")


# --- taking a dump --------------------------------------------------------------------------------


def dump_postgresql(target: Path) -> Snapshot:
    """pg_dump in custom format, in the snapshot of a read-only repeatable-read transaction whose
    figures the manifest records: writes that land meanwhile are in neither."""
    reader = connections.create_connection(DEFAULT_DB_ALIAS)  # its own connection, outside any transaction
    try:
        with reader.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            run_tool(
                "pg_dump",
                [
                    "--format=custom",
                    "--no-password",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    "--",
                    str(reader.settings_dict["NAME"]),
                ],
                postgres_env(reader.settings_dict),
            )
            snapshot = Snapshot(table_sums(cursor, "postgresql"), applied_migrations(cursor))
            cursor.execute("COMMIT")
        return snapshot
    finally:
        reader.close()


def dump_sqlite(target: Path) -> Snapshot:
    """SQLite's online backup API into a new file; the figures are read from that copy, so they are
    of exactly what it holds."""
    source_name = str(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if source_name == ":memory:" or source_name.startswith("file::memory:"):
        raise DatabaseToolError("an in-memory SQLite database cannot be backed up")
    with (
        closing(sqlite3.connect(source_name, timeout=20)) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
    return read_sqlite_file(target)


def read_sqlite_file(path: Path) -> Snapshot:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        cursor = db.cursor()
        return Snapshot(table_sums(cursor, "sqlite"), applied_migrations(cursor))


def dump(target_dir: Path) -> tuple[Path, Snapshot]:
    engine = vendor()
    target = target_dir / DUMP_FILES[engine] if engine in DUMP_FILES else None
    if target is None:
        raise DatabaseToolError(f"backups know PostgreSQL and SQLite, not {engine}")
    return target, (dump_postgresql(target) if engine == "postgresql" else dump_sqlite(target))


# --- the target of a restore ----------------------------------------------------------------------


def tables_in_target() -> int:
    """How many tables the target database holds (a database just made by createdb holds none)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite" and not Path(str(connection.settings_dict["NAME"])).exists():
        return 0
    return len(connection.introspection.table_names())


def clear_target() -> None:
    """--force: everything in the target database goes (PostgreSQL: the public schema, dropped and
    made again; SQLite: the file)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()
    if connection.vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"]))
        for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm"), Path(f"{name}-journal")):
            path.unlink(missing_ok=True)


def load(dump_file: Path) -> None:
    """Put a dump into the (empty) target database."""
    connection = connections[DEFAULT_DB_ALIAS]
    connection.close()
    if connection.vendor == "postgresql":
        run_tool(
            "pg_restore",
            [
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump_file),
            ],
            postgres_env(connection.settings_dict),
        )
        return
    name = Path(str(connection.settings_dict["NAME"]))
    name.parent.mkdir(parents=True, exist_ok=True)
    partial = name.with_name(f".{name.name}.restoring")
    shutil.copyfile(dump_file, partial)
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    for leftover in (Path(f"{name}-wal"), Path(f"{name}-shm")):  # the replaced file's, never the copy's
        leftover.unlink(missing_ok=True)
    os.replace(partial, name)


@contextmanager
def reading(connection: BaseDatabaseWrapper) -> Iterator[Any]:
    """A cursor in one transaction on ``connection``, closed with it."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            yield cursor
            cursor.execute("COMMIT")
    finally:
        connection.close()


def read_target() -> Snapshot:
    """The target's figures, recomputed after the restore on a connection of their own (SQLite: a
    plain read-only one, as the backup read its copy: Django's converts the stored values)."""
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    if connection.vendor == "sqlite":
        return read_sqlite_file(Path(str(connection.settings_dict["NAME"])))
    with reading(connection) as cursor:
        return Snapshot(table_sums(cursor, connection.vendor), applied_migrations(cursor))
