"""Make the points ledger append-only in the database itself: UPDATE and DELETE are refused (PostgreSQL).

As with the audit log, SQLite keeps only the model-level guard (its test runner empties tables with
DELETE); PostgreSQL empties them with TRUNCATE, which the row trigger does not see.
"""

from django.db import migrations

PG_UP = [
    """CREATE OR REPLACE FUNCTION points_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the points ledger is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER points_entry_append_only BEFORE UPDATE OR DELETE ON points_pointentry
       FOR EACH ROW EXECUTE FUNCTION points_entry_append_only();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS points_entry_append_only ON points_pointentry;",
    "DROP FUNCTION IF EXISTS points_entry_append_only();",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_UP:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
