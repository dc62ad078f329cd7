"""``make bench``: build (or reuse) the city tier on PostgreSQL and run every benchmark of issue 12's
targets table, each beside its baseline measured in the same run; print one table and write it as
markdown to var/bench/<date>.md.

    .venv/bin/python bench/run.py                       # 2,000,000 members (the city tier)
    .venv/bin/python bench/run.py --members 30000       # a small tier, for development
    .venv/bin/python bench/run.py --only pages --only search
    .venv/bin/python bench/run.py --rebuild             # build the tier again even if cached

DATABASE_URL (default postgres://postgres@127.0.0.1:5432/gj_bench_tier) must name a database
containing "bench"; it is created when missing. The benches: tier, pages, search, throughput,
cases, import, reconciliation, export (bench/README.md says what each measures and its baseline).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from measure import Row, git_commit, load_average, markdown_table, text_table  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gj_bench_tier"
BENCHES = ["tier", "pages", "search", "throughput", "cases", "import", "reconciliation", "export"]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=2_000_000, help="tier size; the rest scales with it")
    p.add_argument("--only", action="append", choices=BENCHES, help="run only these benches (repeatable)")
    p.add_argument("--rebuild", action="store_true", help="build the tier even if the cached one matches")
    p.add_argument("--requests", type=int, default=20, help="timed requests per page (after 3 warm-ups)")
    p.add_argument("--wrk-seconds", type=int, default=10, help="wrk duration per URL")
    p.add_argument("--import-rows", type=int, default=1_000_000)
    p.add_argument("--export-rows", type=int, default=2_000_000)
    p.add_argument("--cases-page", default="/cases/figures/", help="the page read while cases are written")
    p.add_argument("--cases-rate", type=float, default=5.0, help="cases reported and dispatched a second")
    p.add_argument("--cases-seconds", type=float, default=30, help="each phase of the cases bench")
    p.add_argument("--out", default=str(ROOT / "var" / "bench"), help="directory of the markdown report")
    return p.parse_args(argv)


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?")[0]


def ensure_database(url: str) -> None:
    """PostgreSQL only, a database named *bench*; created when missing (as createdb would)."""
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(f"make bench runs on PostgreSQL only; DATABASE_URL is {url!r}.")
    name = database_name(url)
    if "bench" not in name:
        sys.exit(
            f"Refusing database {name!r}: the benchmark replaces its city; use a name containing 'bench'."
        )
    import psycopg
    from psycopg import sql

    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    # DEBUG=1 only for the development keys the tier's numbers were encrypted with; run() turns DEBUG
    # off before any timing (no query log), and the second factor stays required as in production.
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("TWO_FACTOR_REQUIRED", "1")
    import django

    django.setup()


def guarded(name: str, bench: Callable[[], list[Row]]) -> list[Row]:
    """One bench's rows; its failure becomes a row with the error, and the others still run."""
    started = time.perf_counter()
    try:
        rows = bench()
    except Exception as exc:  # noqa: BLE001 — one bench's failure must not stop the others
        traceback.print_exc()
        rows = [Row(name, note=f"error: {type(exc).__name__}: {exc}".splitlines()[0][:200])]
    print(f"  · {name}: {time.perf_counter() - started:.0f} s", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    ensure_database(url)
    setup_django(url)
    import tier
    from django.conf import settings

    wanted = args.only or BENCHES
    shape = tier.tier_options(args.members)
    started_at = datetime.now(UTC)
    header = [
        f"make bench · {started_at:%Y-%m-%d %H:%M} UTC · commit {git_commit()} · load average {load_average()}",
        f"database {database_name(url)} · tier {shape.members:,} members ({shape.in_service_share:.0%} in "
        f"service), {shape.districts} districts, {shape.streets} streets, {shape.communities:,} communities, "
        f"{shape.units:,} units, {shape.residents:,} residents, {shape.records_per_member} service records "
        "a member",
    ]
    print("\n".join(header), flush=True)
    rows: list[Row] = []
    built = tier.build_tier(shape, rebuild=args.rebuild)
    when = f"{built.built_at:%Y-%m-%d %H:%M} UTC"
    header.append(
        f"tier: {'reused, built' if built.reused else 'built'} in {built.seconds / 60:.1f} min on {when} "
        f"({built.generator})"
    )
    print(header[-1], flush=True)
    if "tier" in wanted:
        rows.append(tier_row(built, shape))
    settings.DEBUG = False  # no query log during timings; CaptureQueriesContext still counts
    users = tier.level_accounts()
    if "pages" in wanted:
        import pages

        rows += guarded("pages", lambda: pages.run(users, requests=args.requests))
    if "search" in wanted:
        import search

        rows += guarded("search", lambda: search.run(users["city"], requests=args.requests))
    if "reconciliation" in wanted:
        import reconcile

        rows += guarded("reconciliation", lambda: reconcile.run(users["city"], requests=args.requests))
    if "throughput" in wanted:
        import throughput

        rows += guarded("throughput", lambda: throughput.run(url, users["street"], seconds=args.wrk_seconds))
    if "cases" in wanted:
        import case_intake

        rows += guarded(
            "cases",
            lambda: case_intake.run(
                url, users["street"], page=args.cases_page, rate=args.cases_rate, seconds=args.cases_seconds
            ),
        )
    if "import" in wanted:
        import external

        rows += guarded("import", lambda: external.run("import_rows", "roster import", url, args.import_rows))
    if "export" in wanted:
        import external

        exported = min(args.export_rows, shape.members)  # a smaller tier exports what it holds
        rows += guarded("export", lambda: external.run("export_rows", "export", url, exported))
    header.append(f"finished {datetime.now(UTC):%H:%M} UTC · load average {load_average()}")
    print("\n" + "\n".join(header[-1:]) + "\n")
    print(text_table(rows))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = out / f"{started_at:%Y-%m-%d-%H%M}.md"
    report.write_text("\n".join(f"- {line}" for line in header) + "\n\n" + markdown_table(rows) + "\n")
    print(f"\nWritten to {report}")
    return 0 if all(row.ok is not False for row in rows) else 1


def tier_row(built, shape) -> Row:
    from measure import TIER_MINUTES

    minutes = built.seconds / 60
    return Row(
        "tier build",
        measured=f"{minutes:.1f} min{' (cached)' if built.reused else ''}",
        baseline="—",
        target=f"≤ {TIER_MINUTES} min",
        ok=minutes <= TIER_MINUTES if shape.members >= 2_000_000 else None,
        note="" if shape.members >= 2_000_000 else "target applies to 2,000,000 members",
    )


if __name__ == "__main__":
    sys.exit(main())
