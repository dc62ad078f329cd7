"""Reading and keeping the roll-ups (docs/ROLLUPS.md): ``mark_changed`` in every write that changes a
counted row, ``totals`` in the pages, ``rebuild`` in the command and the nightly task.

Why it stays exact: a write bumps its keys' ``Mark.version`` in its own transaction; a read first looks
for keys in its subtree whose mark moved past the version their tallies were counted at, recounts just
those (one grouped query per group, bounded by the keys, not by the city), then sums the tallies over
the subtree's path range. The versions are read before the recount, so a write that lands in between
leaves its key stale and the next read counts it again; it is never lost. Everything runs on the
primary database: tallies written by one request are read by the next.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from functools import reduce
from operator import and_, or_

from django.db import connections, router, transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Substr

from places.paths import any_subtree_q
from rollups.models import Fill, Mark, Tally
from rollups.registry import Group, Span, group, groups

FULL = "*"  # a Fill key: the group was counted in full once for the period
RECOUNT_ALL_OVER = 500  # more stale keys than this: one recount of everything is cheaper
_CHUNK = 500


def period_key(span: Span | None) -> str:
    """How a span of days is filed: ``20261201-20261231`` (``""`` for groups without periods)."""
    return "" if span is None else f"{span[0]:%Y%m%d}-{span[1]:%Y%m%d}"


def _db() -> str:
    return router.db_for_write(Mark)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def mark_changed(keys: Iterable[str | None]) -> None:
    """The rows counted under these place keys (area paths; ``""`` or ``None``: no place) changed.
    Call it in the transaction of the write, after or with it: one statement per 500 keys."""
    wanted = sorted({key or "" for key in keys})  # sorted: concurrent writers lock marks in one order
    if not wanted:
        return
    connection = connections[_db()]
    table = connection.ops.quote_name(Mark._meta.db_table)
    key, version = connection.ops.quote_name("key"), connection.ops.quote_name("version")
    with connection.cursor() as cursor:
        for chunk in _chunks(wanted):
            values = ", ".join(["(%s, 1)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({key}, {version}) VALUES {values} "  # noqa: S608 (names, not input)
                f"ON CONFLICT ({key}) DO UPDATE SET {version} = {table}.{version} + 1",
                list(chunk),
            )


def forget(names: Iterable[str]) -> None:
    """Drop the tallies of these groups: a rule that changes every count (a city's renewal policy,
    say) calls this in its transaction, and the next read counts the group afresh."""
    names = list(names)
    db = _db()
    # the marks move too, so a read that began counting before this commits files its tallies as stale
    Mark.objects.using(db).update(version=F("version") + 1)
    Tally.objects.using(db).filter(group__in=names).delete()
    Fill.objects.using(db).filter(group__in=names).delete()


def _outermost(paths: Iterable[str]) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def _recount(g: Group, span: Span | None, versions: dict[str, int] | None, db: str) -> None:
    """Count the group again for the keys of ``versions`` (``None``: every key) and file the tallies."""
    period = period_key(span)
    with transaction.atomic(using=db):
        if versions is None:
            versions = dict(Mark.objects.using(db).values_list("key", "version"))  # before the counting
            keys: list[str] | None = None
        else:
            keys = sorted(versions)
        rows = [row for row in g.recount(span, keys) if row[3]]
        tallies = Tally.objects.using(db).filter(group=g.name, period=period)
        fills = Fill.objects.using(db).filter(group=g.name, period=period)
        if keys is None:
            tallies.delete()
            fills.delete()
        else:
            for chunk in _chunks(keys):
                tallies.filter(key__in=chunk).delete()
                fills.filter(key__in=chunk).delete()
        Tally.objects.using(db).bulk_create(
            [
                Tally(group=g.name, measure=measure, period=period, key=key, path=path, value=value)
                for key, path, measure, value in rows
            ],
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["group", "period", "key", "path", "measure"],
            update_fields=["value"],
        )
        # counted in full: the FULL mark's version is filed with the rest, so ``forget`` (which moves
        # every mark) makes the next read count the group in full again
        filled = [Fill(group=g.name, period=period, key=key, version=v) for key, v in versions.items()]
        Fill.objects.using(db).bulk_create(
            filled,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["group", "period", "key"],
            update_fields=["version"],
        )


Sheet = tuple[Group, "Span | None"]  # a group, for a period (None: a group without periods)


def _filed(sheets: list[Sheet]) -> Q:
    """The rows of these sheets: each group for its period (``""`` for the groups without periods)."""
    return reduce(or_, (Q(group=g.name, period=period_key(span)) for g, span in sheets))


def _refresh(sheets: list[Sheet], prefixes: list[str], db: str) -> None:
    """Recount, sheet by sheet, the keys under ``prefixes`` (and the groups' floating keys) whose marks
    moved on since their tallies were counted, or the whole sheet where it was never counted in full
    (its ``FULL`` fill missing or older than the ``FULL`` mark): one query when nothing changed."""
    fresh = {
        f"fresh{n}": Exists(
            Fill.objects.using(db).filter(
                group=g.name, period=period_key(span), key=OuterRef("key"), version=OuterRef("version")
            )
        )
        for n, (g, span) in enumerate(sheets)
    }
    floating = {key for g, _span in sheets for key in g.floating}
    marks = list(
        Mark.objects.using(db)
        .filter(any_subtree_q("key", prefixes) | Q(key__in=[*floating, FULL]))
        .annotate(**fresh)
        # the FULL mark always comes back: its flags say which sheets were counted in full
        .exclude(Q(reduce(and_, (Q(**{name: True}) for name in fresh))) & ~Q(key=FULL))
        .values("key", "version", *fresh)
    )
    full = next((mark for mark in marks if mark["key"] == FULL), None)
    if full is None:  # a new database: the mark that says "counted in full" is made once
        mark_changed([FULL])
    stale: dict[int, dict[str, int]] = defaultdict(dict)
    for mark in marks:
        if mark["key"] == FULL:
            continue
        for n, (g, _span) in enumerate(sheets):
            if not mark[f"fresh{n}"] and (mark["key"] in g.floating or mark["key"] not in floating):
                stale[n][mark["key"]] = mark["version"]
    for n, (g, span) in enumerate(sheets):
        versions = stale.get(n)
        if full is None or not full[f"fresh{n}"] or (versions and len(versions) > RECOUNT_ALL_OVER):
            _recount(g, span, None, db)
        elif versions:
            _recount(g, span, versions, db)


def _read(sheets: list[Sheet], paths: list[str]) -> dict[tuple[str, str], dict[str, dict[str, int]]]:
    """Each sheet's measures for each path, summed over its subtree, by (group, period key)."""
    found = {
        (g.name, period_key(span)): {path: dict.fromkeys(g.measures, 0) for path in paths}
        for g, span in sheets
    }
    if not paths or not sheets:
        return found
    db = _db()
    _refresh(sheets, _outermost(paths), db)
    per_depth = [
        Tally.objects.using(db)
        .filter(_filed(sheets))
        .filter(any_subtree_q("path", _outermost(same)))
        .annotate(prefix=Substr("path", 1, length))
        .filter(prefix__in=same)
        .values("group", "period", "prefix", "measure")
        .annotate(total=Sum("value"))
        .order_by()
        for length in sorted({len(path) for path in paths})
        for same in [[path for path in paths if len(path) == length]]
    ]
    grouped = per_depth[0].union(*per_depth[1:], all=True) if len(per_depth) > 1 else per_depth[0]
    for row in grouped:  # one query: a grouped sum per depth of the paths, in a UNION ALL
        found[(row["group"], row["period"])][row["prefix"]][row["measure"]] = row["total"]
    return found


def read(
    names: Sequence[str], paths: Iterable[str], *, span: Span | None = None
) -> dict[str, dict[str, dict[str, int]]]:
    """The groups' measures for each path, each summed over the path's subtree: ``{group: {path:
    {measure: n}}}``; ``span`` is the period of the groups counted per period. The stale keys under the
    paths are recounted first; then one grouped sum per depth of the paths, all in one query. Nothing
    changed: two queries."""
    gs = [group(name) for name in names]
    if span is None and any(g.per_period for g in gs):
        raise ValueError("roll-ups counted per period need a span")
    sheets = [(g, span if g.per_period else None) for g in gs]
    found = _read(sheets, list(dict.fromkeys(paths)))
    return {g.name: found[(g.name, period_key(s))] for g, s in sheets}


def read_periods(name: str, paths: Iterable[str], spans: Sequence[Span]) -> list[dict[str, dict[str, int]]]:
    """A per-period group's measures for each path and each span (a chart of months, say), in the
    order of ``spans``: two queries when nothing changed, however many spans."""
    g = group(name)
    if not g.per_period:
        raise ValueError(f"roll-up group {name!r} is not counted per period")
    found = _read([(g, span) for span in dict.fromkeys(spans)], list(dict.fromkeys(paths)))
    return [found[(g.name, period_key(span))] for span in spans]


def totals(name: str, paths: Iterable[str], *, span: Span | None = None) -> dict[str, dict[str, int]]:
    """One group's measures for each path, summed over its subtree (``read`` for one group)."""
    return read([name], paths, span=span)[name]


def counted_afresh(name: str, paths: Iterable[str], *, span: Span | None = None) -> dict[str, dict[str, int]]:
    """The same sums as ``totals``, counted from the source rows now and stored nowhere (for checks)."""
    g = group(name)
    paths = list(dict.fromkeys(paths))
    found: dict[str, dict[str, int]] = {path: dict.fromkeys(g.measures, 0) for path in paths}
    for _key, where, measure, value in g.recount(span, None):
        for path in paths:
            if where.startswith(path):
                found[path][measure] += value
    return found


def rebuild(today: date) -> dict[str, int]:
    """Count every group afresh, per-period groups for the periods they name for ``today`` (this month,
    say); tallies of other periods are dropped (a read counts them again when asked). Answers the
    tallies written per group."""
    db = _db()
    written: dict[str, int] = defaultdict(int)
    for g in groups():
        spans: list[Span | None] = [*g.spans(today)] if g.per_period else [None]
        kept = [period_key(span) for span in spans]
        Tally.objects.using(db).filter(group=g.name).exclude(period__in=kept).delete()
        Fill.objects.using(db).filter(group=g.name).exclude(period__in=kept).delete()
        for span in spans:  # each in one transaction: readers meanwhile see the old tallies or the new
            _recount(g, span, None, db)
        written[g.name] = Tally.objects.using(db).filter(group=g.name).count()
    return dict(written)
