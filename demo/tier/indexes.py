"""Loading the tier's big tables without their indexes and foreign keys, then putting them back.

Every row COPYed into a table maintains each of its indexes (the member table has 25) and queues a
check of each foreign key. Building an index once over the loaded table, with a large
``maintenance_work_mem``, is several times cheaper; re-adding a foreign key checks every row in one
join. So, inside the build's transaction, ``set_aside`` drops the secondary indexes, the unique
constraints and the foreign keys of the big tables (their definitions read back from the catalogue
first: whatever migrations made them, they are re-created as they were), and ``put_back`` re-creates
them: unique ones and foreign keys are checked there, so a duplicate hash or a dangling key fails the
whole build. Primary keys stay. PostgreSQL only; the lock this takes is the tier database's alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection, models


@dataclass
class SetAside:
    indexes: list[str]  # CREATE [UNIQUE] INDEX … statements
    constraints: list[str]  # ALTER TABLE … ADD CONSTRAINT … (unique first, foreign keys after)


def set_aside(tables: list[type[models.Model]]) -> SetAside:
    names = [m._meta.db_table for m in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('u', 'f')"
            " ORDER BY contype = 'f', conrelid::regclass::text, conname",
            [names],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            " ORDER BY 1",
            [names],
        )
        indexes = cursor.fetchall()
        connection.check_constraints()  # no deferred checks may be pending on a table being altered
        for table, name, _kind, _definition in reversed(constraints):  # foreign keys first
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return SetAside(
        indexes=[definition for _name, definition in indexes],
        constraints=[
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}'
            for table, name, _kind, definition in constraints
        ],
    )


def put_back(aside: SetAside, *, out=print, slow: float = 10.0) -> dict[str, float]:
    """Re-create what ``set_aside`` dropped; answers the seconds spent on indexes, unique constraints
    and foreign keys, and prints any statement slower than ``slow`` seconds."""
    spent = {"indexes": 0.0, "unique": 0.0, "foreign_keys": 0.0}
    with connection.cursor() as cursor:
        connection.check_constraints()
        for statement in aside.indexes + aside.constraints:
            started = time.perf_counter()
            cursor.execute(statement)
            took = time.perf_counter() - started
            kind = (
                "foreign_keys"
                if "FOREIGN KEY" in statement
                else "unique"
                if "UNIQUE (" in statement
                else "indexes"
            )
            spent[kind] += took
            if took > slow:
                out(f"    {took:.0f} s: {statement[:120]}")
    return {k: round(v, 1) for k, v in spent.items()}
