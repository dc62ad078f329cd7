"""Writing many rows at once, as fast as the database takes them: PostgreSQL's ``COPY … FROM STDIN``,
multi-row ``INSERT``s elsewhere (SQLite).

The rules stay where they are: callers build the rows with the same functions the actions use
(``people.actions.seal_numbers``, ``derive_place_paths``, ``pinyin_initials``…), and this module only
moves them into the table. Two doors:

    insert(Member, members)                       # model instances: primary keys are set on them
    copy_rows(PointEntry, ["member_id", "points", …], rows)   # plain tuples, in the columns' order

``insert`` takes the primary keys from the table's sequence first (one ``nextval`` query for the
whole batch), so the caller can write audit rows and children pointing at them, as ``bulk_create``
allows, without ``RETURNING`` (which ``COPY`` has not). Both run inside the caller's transaction:
an error rolls the whole write back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import islice
from typing import Any, TypeVar

from django.core.management.color import no_style
from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

# SQLite binds at most 32,766 parameters a statement (3.32+); a batch stays well below.
_SQLITE_MAX_PARAMS = 30_000


def uses_copy(model: type[models.Model]) -> bool:
    """Whether rows for ``model`` go in with COPY (PostgreSQL) or with multi-row INSERTs."""
    return connections[router.db_for_write(model)].vendor == "postgresql"


def concrete_fields(model: type[models.Model], *, with_pk: bool = True) -> list[models.Field]:
    """The model's columns, in declaration order (the primary key first unless left out)."""
    fields = [f for f in model._meta.concrete_fields]
    return fields if with_pk else [f for f in fields if not f.primary_key]


def insert(model: type[M], objs: Sequence[M], *, batch_size: int = 5000) -> list[M]:
    """Insert new instances of ``model`` (their primary keys unset) and set the keys on them.

    Like ``bulk_create``: no ``save()``, no signals; ``auto_now``/``auto_now_add`` and defaults are
    applied (``pre_save``), field values are prepared by the fields themselves."""
    if not objs:
        return list(objs)
    alias = router.db_for_write(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return model._default_manager.using(alias).bulk_create(list(objs), batch_size=batch_size)
    pk = model._meta.pk
    assert pk is not None
    for obj, key in zip(objs, _next_ids(model, len(objs)), strict=True):
        setattr(obj, pk.attname, key)
    fields = concrete_fields(model)
    copy_rows(
        model,
        [f.column for f in fields],
        ([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs),
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return list(objs)


def copy_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
) -> int:
    """Write ``rows`` (values in the order of ``columns``, already as the database stores them) into
    ``model``'s table; answers how many were written. PostgreSQL: one COPY; SQLite: INSERTs of many
    rows each. After explicit primary keys on PostgreSQL, call :func:`reset_sequence`."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with connection.wrap_database_errors, raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        per_batch = max(1, min(batch_size, _SQLITE_MAX_PARAMS // max(1, len(columns))))
        placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
        iterator = iter(rows)
        while batch := list(islice(iterator, per_batch)):
            values = ", ".join([placeholder] * len(batch))
            cursor.execute(  # names from the model's meta, quoted; values bound
                f"INSERT INTO {table} ({names}) VALUES {values}",  # noqa: S608
                [v for row in batch for v in row],
            )
            written += len(batch)
    return written


# COPY's text format: backslash, tab, newline and carriage return are escaped; NULL is \\N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_other(value: Any) -> str:
    """Subclasses (a TextChoices member is a str, an IntegerChoices one an int), else JSON."""
    for kind in (str, bool, int, datetime, date, uuid.UUID):
        if isinstance(value, kind):
            return _COPY_FORMATS[kind](value)
    return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)  # a JSON column's value


# By exact type (a dict lookup, not a chain of isinstance: COPY text for millions of rows is made
# in Python, and this is its inner loop). bool before int matters only for isinstance; here each
# type has its own entry; subclasses and JSON values go the long way.
_COPY_FORMATS: dict[type, Any] = {
    type(None): lambda _value: "\\N",
    bool: lambda value: "t" if value else "f",
    str: lambda value: value.translate(_COPY_ESCAPES),
    int: str,
    float: str,
    uuid.UUID: str,
    date: date.isoformat,
    datetime: datetime.isoformat,
}


def copy_value(value: Any) -> str:
    """One value in COPY's text format (what ``write_row`` would send), for rows formatted elsewhere,
    e.g. in worker processes that hand whole blocks of lines to :func:`copy_text`."""
    return _COPY_FORMATS.get(type(value), _copy_other)(value)


def copy_line(values: Iterable[Any]) -> str:
    """A row as one line of COPY text."""
    return "\t".join(map(copy_value, values)) + "\n"


def copy_text(model: type[models.Model], columns: Sequence[str], blocks: Iterable[bytes | str]) -> None:
    """COPY blocks of lines already in COPY's text format (:func:`copy_line`) into ``model``'s table
    (PostgreSQL only): the fast path when the rows are made in other processes."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        raise NotImplementedError("copy_text is PostgreSQL's COPY; use copy_rows elsewhere")
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with connection.wrap_database_errors, raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for block in blocks:
                copy.write(block)


def update_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 5000,
) -> int:
    """Update existing rows of ``model``: each row is the primary key then the values of ``columns``
    (as the database stores them). PostgreSQL: COPY into a temporary table, then one ``UPDATE … FROM``;
    SQLite: one ``UPDATE`` a row (``executemany``). Answers how many rows were given."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    assert pk is not None
    key = quote(pk.column)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(quote(c) for c in [pk.column, *columns])
            # names from the model's meta, quoted
            cursor.execute(
                f"CREATE TEMPORARY TABLE bulk_update_rows ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {names} FROM {table} WITH NO DATA"
            )
            raw = cursor.cursor
            with (
                connection.wrap_database_errors,
                raw.copy(f"COPY bulk_update_rows ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
                    written += 1
            sets = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns)
            cursor.execute(f"UPDATE {table} SET {sets} FROM bulk_update_rows u WHERE {table}.{key} = u.{key}")  # noqa: S608
            cursor.execute("DROP TABLE bulk_update_rows")
            return written
        sets = ", ".join(f"{quote(c)} = %s" for c in columns)
        sql = f"UPDATE {table} SET {sets} WHERE {key} = %s"  # noqa: S608
        iterator = iter(rows)
        while batch := list(islice(iterator, batch_size)):
            cursor.executemany(sql, [[*row[1:], row[0]] for row in batch])
            written += len(batch)
    return written


def reset_sequence(model: type[models.Model]) -> None:
    """Move the primary key's sequence past the highest key (after rows written with explicit keys)."""
    alias = router.db_for_write(model)
    connection = connections[alias]
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys from the table's sequence, in one query (PostgreSQL)."""
    connection = connections[router.db_for_write(model)]
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]
