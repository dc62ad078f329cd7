"""Time the member export beside its baselines, in one run, each in its own process with its peak RSS.

On a PostgreSQL database holding a city (bench/seed_and_query.py builds one), as the city's
organisation department (``orgdept``, who sees every member), for the first ``--rows`` members:

- ``copy_to``: COPY (the export's own SELECT: the same columns and joins) TO STDOUT, as CSV, to a file;
- ``writer_xlsx``: the .xlsx writer alone (jobs.export_files.write_xlsx) on the same cells, fetched
  into memory before the clock starts (so its peak RSS holds them all: it is not a memory baseline);
- ``export_xlsx`` / ``export_csv``: our export (jobs.exports.ExportSpec.export), query included;
- the two exports again at a quarter of the rows, for their peak RSS (flat in the row count);
- with ``--legacy``, the export as it was before issue 12 (instances, ``row`` per object, openpyxl).

    createdb -h 127.0.0.1 -U postgres gj_exports_big
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_exports_big \\
        .venv/bin/python bench/seed_and_query.py --members 200000 --force
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_exports_big \\
        .venv/bin/python bench/export_rows.py --rows 200000

``run(database_url, rows)`` gives the rows of the table (each a dict: name, seconds,
baseline_seconds, ratio, target, ok; the memory rows give megabytes in the seconds fields and say
so with ``unit: "MB"``), for a harness (``make bench``) to print beside the others.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "orgdept"
XLSX_TARGET = 2.0  # our .xlsx takes at most twice the writer alone (issue 12: ≥ 50% of its speed)
CSV_TARGET = 3.3  # our .csv takes at most 3.3× COPY TO (≥ 30% of its speed)
RSS_TARGET = 1.25  # peak RSS at 4× the rows: at most a quarter more


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    import django

    django.setup()


def member_export(rows: int):
    """The member spec and its queryset as the city's organisation department exports it."""
    from django.contrib.auth import get_user_model
    from django.http import QueryDict

    from jobs.exports import get_spec

    spec = get_spec("members")
    user = get_user_model().objects.get(username=USERNAME)
    queryset = spec.filtered(user, QueryDict(""))
    return spec, queryset[:rows]


def child(name: str, rows: int) -> dict:
    """One measurement, in this process: its wall seconds and the rows it wrote."""
    setup_django()
    import psycopg
    from django.db import connection

    from jobs.export_files import write_xlsx

    spec, queryset = member_export(rows)
    with tempfile.TemporaryDirectory(prefix="gj-bench-export-") as folder:
        path = os.path.join(folder, "out")
        if name == "copy_to":
            plan = spec.value_plan(queryset)
            sql, params = queryset.values_list("pk", *plan.lookups).query.sql_with_params()
            connection.ensure_connection()
            raw = connection.connection
            statement = psycopg.ClientCursor(raw).mogrify(sql, params)  # COPY takes no parameters
            start, cpu = time.perf_counter(), time.process_time()
            count = 0
            with open(path, "wb") as out, raw.cursor() as cursor:
                with cursor.copy(f"COPY ({statement}) TO STDOUT (FORMAT csv)") as copy:
                    for data in copy:
                        out.write(data)
                        count += 1
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        elif name == "writer_xlsx":
            cells = list(spec.cells(queryset))
            table = spec.table(queryset)
            start, cpu = time.perf_counter(), time.process_time()
            with open(path, "wb") as out:
                count = write_xlsx(out, table, cells)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        elif name in ("export_xlsx", "export_csv"):
            start, cpu = time.perf_counter(), time.process_time()
            with open(path, "wb") as out:
                count = spec.export(out, queryset, fmt=name.removeprefix("export_"))
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        elif name == "legacy_xlsx":  # before issue 12: model instances, a row per object, openpyxl
            from jobs.workbooks import write_table

            start, cpu = time.perf_counter(), time.process_time()
            with open(path, "wb") as out:
                count = write_table(
                    out,
                    title=str(spec.title),
                    headers=[str(c.header) for c in spec.columns],
                    widths=[c.width for c in spec.columns],
                    rows=(spec.row(obj) for obj in queryset.iterator(chunk_size=1000)),
                )
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        else:
            raise SystemExit(f"unknown measurement {name}")
        size = os.path.getsize(path)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"name": name, "seconds": seconds, "cpu": cpu, "rows": count, "bytes": size, "rss_mb": rss_mb}


def measure(name: str, rows: int, database_url: str) -> dict:
    """Run one measurement in a fresh process and read back what it says."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": os.environ.get("DEBUG", "1")}
    done = subprocess.run(  # noqa: S603 (our own script, with our own arguments)
        [sys.executable, __file__, "--child", name, "--rows", str(rows)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def row(name: str, value: float, baseline: float, target: float, unit: str = "s", **extra) -> dict:
    ratio = value / baseline if baseline else float("inf")
    return {
        "name": name,
        "seconds": round(value, 3),
        "baseline_seconds": round(baseline, 3),
        "ratio": round(ratio, 2),
        "target": f"≤ {target}×",
        "ok": ratio <= target,
        "unit": unit,
        **extra,
    }


def run(database_url: str, rows: int) -> list[dict]:
    """The table's rows: every measurement at ``rows`` members (the exports also at a quarter of
    them, for memory)."""
    return run_all(database_url, rows)[0]


def run_all(database_url: str, rows: int) -> tuple[list[dict], dict, dict]:
    """The table's rows, and each measurement as measured (at ``rows``, and at a quarter)."""
    got = {
        name: measure(name, rows, database_url)
        for name in ("copy_to", "writer_xlsx", "export_xlsx", "export_csv")
    }
    quarter = max(rows // 4, 1)
    small = {name: measure(name, quarter, database_url) for name in ("export_xlsx", "export_csv")}
    n = got["export_xlsx"]["rows"]
    return (
        [
            row(
                f"export .xlsx, {n:,} members (baseline: the writer alone)",
                got["export_xlsx"]["seconds"],
                got["writer_xlsx"]["seconds"],
                XLSX_TARGET,
                rss_mb=round(got["export_xlsx"]["rss_mb"]),
                baseline_rss_mb=round(got["writer_xlsx"]["rss_mb"]),
            ),
            row(
                f"export .csv, {n:,} members (baseline: COPY TO)",
                got["export_csv"]["seconds"],
                got["copy_to"]["seconds"],
                CSV_TARGET,
                rss_mb=round(got["export_csv"]["rss_mb"]),
                baseline_rss_mb=round(got["copy_to"]["rss_mb"]),
            ),
            row(
                f"export .xlsx peak RSS, {n:,} vs {small['export_xlsx']['rows']:,} members",
                got["export_xlsx"]["rss_mb"],
                small["export_xlsx"]["rss_mb"],
                RSS_TARGET,
                unit="MB",
            ),
            row(
                f"export .csv peak RSS, {n:,} vs {small['export_csv']['rows']:,} members",
                got["export_csv"]["rss_mb"],
                small["export_csv"]["rss_mb"],
                RSS_TARGET,
                unit="MB",
            ),
        ],
        got,
        small,
    )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=200_000)
    p.add_argument("--legacy", action="store_true", help="also time the export as it was before issue 12")
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.rows)))
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database holding a city (see the docstring).")
    table, got, small = run_all(url, args.rows)
    if args.legacy:
        got["legacy_xlsx"] = measure("legacy_xlsx", args.rows, url)
    for name, m in [*got.items(), *((f"{k} (¼)", v) for k, v in small.items())]:
        print(
            f"{name:18} {m['rows']:>10,} rows {m['seconds']:8.2f} s (this process's CPU {m['cpu']:6.2f} s)  peak RSS {m['rss_mb']:6.0f} MB  {m['bytes']:>12,} B"
        )
    print()
    for r in table:
        unit = r["unit"]
        print(
            f"{r['name']:60} {r['seconds']:9.2f} {unit} vs {r['baseline_seconds']:8.2f} {unit}"
            f"  ratio {r['ratio']:5.2f} (target {r['target']})  {'ok' if r['ok'] else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
