"""An export's rows read as values: the spec's columns turned into ``values_list`` lookups and one
converter per column, built once before the first row.

Reading model instances through five joins and resolving each cell by attribute, with its display
label and ``gettext`` per cell, took most of an export's time (issue 12). Here a column such as
``unit.name`` becomes the lookup ``unit__name``; ``get_status_display`` becomes ``status`` and a
dict from each stored value to its label, translated once; ``masked_phone`` becomes the stored hint
and the one mask function, ``gongjian.privacy.mask_from_hint`` (never the ciphertext). Each converter
gives the same value ``jobs.workbooks.excel_value`` gives for that cell on the instance path, so the
two paths write the same sheet (jobs/tests/test_export_values.py holds them to it).

A column that names something else (a method, a property, a list) cannot be read as a value: the
spec then keeps the instance path, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import call
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongjian.privacy import mask_from_hint
from jobs.workbooks import FORMULA_TRIGGERS, escape_cell, excel_value

CHUNK = 2000  # objects, or a batch of primary keys, read at a time
VALUE_CHUNK = 10_000  # value rows fetched per round trip of the cursor (server-side on PostgreSQL)
MASK_PREFIX = "masked_"  # ``masked_<name>`` shows the mask of ``<name>_hint`` (gongjian.privacy)

Convert = Callable[[Any], Any]

# The kind of a column's cells, which sets its number format in the .xlsx and its text in the .csv.
# ANY: a column not read from a field (a method, a property), whose cells may be of any kind.
TEXT, DATE, DATETIME, ANY = "text", "date", "datetime", "any"


@dataclass(frozen=True)
class ValuePlan:
    """How to read an export's columns as values: the lookups and one converter per column."""

    lookups: tuple[str, ...]
    converters: tuple[Convert, ...]

    def rows(self, values: Iterable[Sequence[Any]]) -> Iterator[list[Any]]:
        """Cells from ``values_list`` rows whose first value is the primary key (dropped)."""
        converters = (skip, *self.converters)  # map(call, …) is a third faster than a comprehension
        for row in values:
            cells = list(map(call, converters, row))
            del cells[0]
            yield cells


def skip(value: Any) -> None:
    return None


def escape_text(value: str | None) -> str:
    """``escape_cell`` for a text column, with None as an empty cell (as ``excel_value`` does)."""
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def or_empty(value: Any) -> Any:
    return "" if value is None else value


class Labels(dict):
    """A choice field's labels by stored value, each translated once; an unknown value shows itself
    (as ``get_FOO_display`` does)."""

    def __missing__(self, value: Any) -> Any:
        label = "" if value is None else escape_cell(str(value))
        self[value] = label
        return label


class Labelled(dict):
    """A column's ``label`` function's words by value, each computed once."""

    def __init__(self, label: Callable[[Any], Any]):
        super().__init__()
        self.label = label

    def __missing__(self, value: Any) -> Any:
        words = excel_value(self.label(value))
        self[value] = words
        return words


def choice_labels(field: models.Field) -> Convert:
    labels = Labels({value: escape_cell(str(label)) for value, label in field.flatchoices})
    return labels.__getitem__


def yes_no() -> Convert:
    return {True: _("Yes"), False: _("No"), None: ""}.__getitem__


def local_naive() -> Convert:
    """Aware datetimes in the current zone without their zone (Excel has none), as ``excel_value``."""
    zone = timezone.get_current_timezone()

    def convert(value: datetime | None) -> Any:
        if value is None:
            return ""
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.replace(tzinfo=None)

    return convert


def masked(kind: str) -> Convert:
    def convert(hint: str | None) -> str:
        return escape_text(mask_from_hint(kind, hint or ""))

    return convert


def converter_for(field: Any) -> Convert:
    """The converter for a model field or an annotation's output field, as stored (not its label)."""
    if isinstance(field, models.BooleanField):
        return yes_no()
    if isinstance(field, models.DateTimeField):
        return local_naive()
    if isinstance(field, models.DateField | models.IntegerField | models.FloatField):
        return or_empty
    if isinstance(field, models.CharField | models.TextField) and not isinstance(
        field, models.GenericIPAddressField
    ):
        return escape_text
    if isinstance(field, models.DecimalField):
        return lambda value: "" if value is None else escape_cell(str(value))
    return excel_value  # anything else (UUIDs, IP addresses, JSON): the general rule, per cell


def kind_of(field: Any) -> str:
    if isinstance(field, models.DateTimeField):
        return DATETIME
    if isinstance(field, models.DateField):
        return DATE
    return TEXT


def column_field(model: type[models.Model], queryset: QuerySet, accessor: str) -> tuple[str, Any] | None:
    """The lookup and the field (or annotation) a column reads, or None where it is not a value.
    A masked number's field is given as the pair ("mask", kind)."""
    *path, last = accessor.split(".")
    for part in path:
        try:
            link = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        related = link.related_model
        if not (link.many_to_one or link.one_to_one) or not isinstance(related, type):
            return None
        model = related
    prefix = "__".join(path)

    def lookup(name: str) -> str:
        return f"{prefix}__{name}" if prefix else name

    if not path and last in queryset.query.annotations:
        return last, queryset.query.annotations[last].output_field
    if last.startswith("get_") and last.endswith("_display"):
        name = last[len("get_") : -len("_display")]
        field = field_named(model, name)
        return (lookup(name), field) if field is not None and field.choices else None
    if last.startswith(MASK_PREFIX):
        kind = last[len(MASK_PREFIX) :]
        hint = field_named(model, f"{kind}_hint")
        return (lookup(hint.name), ("mask", kind)) if hint is not None and hasattr(model, last) else None
    field = field_named(model, last)
    if field is None or field.is_relation:
        return None
    return lookup(last), field


def field_named(model: type[models.Model], name: str) -> Any:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def plan_for(
    queryset: QuerySet, accessors: Sequence[str], labels: Sequence[Callable[[Any], Any] | None] = ()
) -> ValuePlan | None:
    """The value plan for these columns over this queryset; None if any column is not a plain value
    (or the queryset already yields dicts). A column's ``label`` (jobs.exports.Col) is called once
    per distinct value."""
    labels = list(labels) or [None] * len(accessors)
    if queryset.query.values_select or getattr(queryset, "_prefetch_related_lookups", ()):
        return None
    lookups, converters = [], []
    for accessor, label in zip(accessors, labels, strict=True):
        found = column_field(queryset.model, queryset, accessor)
        if found is None:
            return None
        name, field = found
        lookups.append(name)
        if label is not None:
            converters.append(Labelled(label).__getitem__)
        elif isinstance(field, tuple):
            converters.append(masked(field[1]))
        elif accessor.endswith("_display"):
            converters.append(choice_labels(field))
        else:
            converters.append(converter_for(field))
    return ValuePlan(tuple(lookups), tuple(converters))


def column_kinds(queryset: QuerySet, accessors: Sequence[str]) -> list[str]:
    """Each column's kind (text, date, datetime), from its field where it has one, else ANY."""
    kinds = []
    for accessor in accessors:
        found = column_field(queryset.model, queryset, accessor)
        if found is None:
            kinds.append(ANY)
        elif isinstance(found[1], tuple) or accessor.endswith("_display"):
            kinds.append(TEXT)  # a mask or a label
        else:
            kinds.append(kind_of(found[1]))
    return kinds


def streamed(queryset: QuerySet, plan: ValuePlan) -> Iterator[list[Any]]:
    """The plan's cells read ``VALUE_CHUNK`` rows at a time: on PostgreSQL outside a transaction,
    streamed on a connection of their own (``read_apart``); else through one cursor (server-side on
    PostgreSQL, inside a transaction, whose uncommitted rows another connection would not see)."""
    values = queryset.values_list("pk", *plan.lookups)
    connection = connections[queryset.db]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return plan.rows(read_apart(values))
    return plan.rows(values.iterator(chunk_size=VALUE_CHUNK))


def read_apart(values: QuerySet) -> Iterator[tuple]:
    """A values queryset's rows through psycopg's ``stream`` on a connection of its own.

    The stream (libpq's chunked rows mode, ``VALUE_CHUNK`` rows a chunk: no cursor, no FETCH round
    trips) read 200,000 members in 1.0–1.2 s, as fast as a COPY of the same query, against 2.0 s for
    Django's server-side cursor. It keeps its connection busy until it ends, so it is not the run's
    own: that one stays free for the job's progress writes. Values come as psycopg gives them (no
    field in this project converts from the database, ``from_db_value``)."""
    import psycopg

    sql, params = values.query.sql_with_params()
    own = connections.create_connection(values.db)
    try:
        own.ensure_connection()
        size = VALUE_CHUNK if psycopg.pq.version() >= 170000 else 1  # chunks need libpq 17
        with own.connection.cursor() as cursor:
            yield from cursor.stream(sql, params, size=size)
    finally:
        own.close()


def planned_whole(rows: Iterator[Any], alias: str) -> Iterator[Any]:
    """The rows, with PostgreSQL planning the cursor's query for all its rows.

    PostgreSQL plans a cursor's query for its first tenth (``cursor_tuple_fraction`` 0.1): for the
    member list, nested loops over the name index and five memoized joins, with JIT, twice the cost
    of the hash joins and one sort it chooses for the whole result — and outside a transaction
    Django's cursor is WITH HOLD, which computes the whole result at once anyway. On 200,000
    members reading the rows took 3.6–6.6 s against 1.8 s (a COPY of the same query: 1.6 s).
    Inside a transaction (tests; no caller in production) the cursor is not held and nothing is set."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield from rows
        return
    with connection.cursor() as cursor:
        cursor.execute("SET cursor_tuple_fraction = 1.0")
    try:
        yield from rows
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET cursor_tuple_fraction")


def in_batches(queryset: QuerySet, plan: ValuePlan, size: int = CHUNK) -> Iterator[list[Any]]:
    """The plan's cells in the queryset's order, each batch read whole so no cursor stays open
    between batches (SQLite: see jobs.export_actions)."""
    ids = list(dict.fromkeys(queryset.values_list("pk", flat=True)))
    values = queryset.values_list("pk", *plan.lookups)
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        found = {row[0]: row for row in values.filter(pk__in=batch)}
        yield from plan.rows(found[pk] for pk in batch if pk in found)


def objects_in_batches(queryset: QuerySet, size: int = CHUNK) -> Iterator[Any]:
    """The queryset's objects (the instance path) in its order, each batch read whole."""
    ids = list(dict.fromkeys(queryset.values_list("pk", flat=True)))
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        found = queryset.in_bulk(batch)
        yield from (found[pk] for pk in batch if pk in found)
