"""Row counts and checksums of every table the installed models keep: what a backup's manifest
records and what a restore recomputes to prove it got the same rows back.

A checksum is deterministic for one engine (the same rows give the same checksum), not across
engines. PostgreSQL hashes rows server side, ``md5`` of each row's text form in primary-key order,
a batch at a time (one aggregate over a whole table would build one string as large as the table);
SQLite streams the rows in primary-key order and hashes them in Python. Either way no table is
ever held in memory.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from django.apps import apps

BATCH = 5000
METHODS = {  # recorded in the manifest: a restore compares checksums made the same way only
    "postgresql": f"postgresql-md5(row::text)-batches-of-{BATCH}",
    "sqlite": "sqlite-sha256(repr(row))",
}
TEXT_KEYS = {"CharField", "TextField", "SlugField", "EmailField"}


class Cursor(Protocol):
    def execute(self, sql: str, params: Any = ...) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchmany(self, size: int = ...) -> Any: ...
    def fetchall(self) -> Any: ...


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    text_pk: bool  # ordered byte by byte, so a target with another collation sums the same


@dataclass(frozen=True)
class TableSum:
    rows: int
    checksum: str

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "checksum": self.checksum}


def model_tables() -> list[Table]:
    """Every table of every installed model, the auto-created many-to-many tables included (a proxy
    shares its concrete model's table), by name."""
    tables: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy:
            continue
        pk = meta.pk
        assert pk is not None
        tables.setdefault(meta.db_table, Table(meta.db_table, pk.column, pk.get_internal_type() in TEXT_KEYS))
    return [tables[name] for name in sorted(tables)]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def postgresql_sum(cursor: Cursor, table: Table) -> TableSum:
    """Batches of BATCH rows in key order; each batch's md5 of its rows' md5s, hashed together."""
    key = quote(table.pk) + (' COLLATE "C"' if table.text_pk else "")
    digest = hashlib.sha256()
    rows, last = 0, None
    while True:
        where = "" if last is None else f"WHERE t.{key} > %s"
        sql = (
            "SELECT count(*), (array_agg(s.k ORDER BY s.k DESC))[1], md5(string_agg(s.h, '' ORDER BY s.k)) "  # noqa: S608
            f"FROM (SELECT t.{key} AS k, md5(t::text) AS h FROM {quote(table.name)} t {where} "
            f"ORDER BY t.{key} LIMIT {BATCH}) s"
        )  # names from the models' own metadata, quoted; the one value is a parameter
        cursor.execute(sql, [] if last is None else [last])
        count, last, batch = cursor.fetchone()
        if not count:
            break
        rows += count
        digest.update(batch.encode())
        if count < BATCH:
            break
    return TableSum(rows, digest.hexdigest())


def sqlite_sum(cursor: Cursor, table: Table) -> TableSum:
    digest = hashlib.sha256()
    rows = 0
    cursor.execute(f"SELECT * FROM {quote(table.name)} ORDER BY {quote(table.pk)}")  # noqa: S608
    while batch := cursor.fetchmany(BATCH):
        for row in batch:
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")
        rows += len(batch)
    return TableSum(rows, digest.hexdigest())


def pin_text_forms(cursor: Cursor) -> None:
    """PostgreSQL: the session settings that shape a row's text form, fixed for this transaction."""
    for statement in (
        "SET LOCAL TimeZone = 'UTC'",
        "SET LOCAL DateStyle = 'ISO, MDY'",
        "SET LOCAL IntervalStyle = 'postgres'",
        "SET LOCAL extra_float_digits = 1",
        "SET LOCAL bytea_output = 'hex'",
    ):
        cursor.execute(statement)


def table_sums(cursor: Cursor, vendor: str) -> dict[str, TableSum]:
    """Rows and checksum of every model table, read through ``cursor`` (inside one transaction, so
    that the figures are of one moment; on PostgreSQL a transaction the caller opened)."""
    if vendor == "postgresql":
        pin_text_forms(cursor)
        return {table.name: postgresql_sum(cursor, table) for table in model_tables()}
    if vendor == "sqlite":
        return {table.name: sqlite_sum(cursor, table) for table in model_tables()}
    raise ValueError(f"no checksums for the {vendor} engine")


def applied_migrations(cursor: Cursor) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]
