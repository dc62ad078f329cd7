"""Seed a benchmark-sized city in a scratch database and time the hot queries, with their plans.

SQLite (default): a fresh database in a temporary GONGJIAN_VAR_DIR, never the project's own:

    DEBUG=1 .venv/bin/python bench/seed_and_query.py --members 200000

PostgreSQL: point DATABASE_URL at a SCRATCH database (it is migrated and its demo city replaced;
the name must contain "bench" or "scratch", or pass --force):

    createdb -h 127.0.0.1 -U postgres gj_bench
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench .venv/bin/python bench/seed_and_query.py --members 200000

--reuse keeps a city of the same size that is already there (to re-run the queries only); --var-dir
keeps the SQLite file. Results and EXPLAIN plans go to stdout; docs/PERFORMANCE.md records them.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=200_000)
    p.add_argument("--units", type=int, help="default: one per 200 members, 200 to 5,000")
    p.add_argument("--residents", type=int, help="default: 30%% of members")
    p.add_argument("--applicants", type=int, help="default: 3%% of members")
    p.add_argument("--districts", type=int, default=4)
    p.add_argument("--streets-per-district", type=int, default=8)
    p.add_argument("--communities-per-street", type=int, default=12)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=7, help="timed runs per query (after one cold run)")
    p.add_argument("--var-dir", help="SQLite: keep the database in this directory instead of a temporary one")
    p.add_argument("--reuse", action="store_true", help="keep an existing city of the same member count")
    p.add_argument(
        "--force", action="store_true", help="allow a PostgreSQL database not named *bench*/*scratch*"
    )
    args = p.parse_args(argv)
    args.units = args.units or min(5000, max(200, args.members // 200))
    args.residents = args.residents if args.residents is not None else args.members * 3 // 10
    args.applicants = args.applicants if args.applicants is not None else args.members * 3 // 100
    return args


def setup_django(args: argparse.Namespace) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url:
        name = url.rsplit("/", 1)[-1].split("?")[0]
        if not args.force and "bench" not in name and "scratch" not in name:
            sys.exit(
                f"Refusing to seed {name!r}: use a scratch database (name containing bench/scratch) or --force."
            )
    else:
        args.scratch_dir = None if args.var_dir else tempfile.mkdtemp(prefix="gongjian-bench-")
        os.environ["GONGJIAN_VAR_DIR"] = args.var_dir or args.scratch_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(args: argparse.Namespace) -> float | None:
    """Migrate and build the city; returns the build time (None when an existing city is reused)."""
    from django.core.management import call_command

    from demo.city import city_exists
    from people.models import Member

    call_command("migrate", verbosity=0)
    if args.reuse and city_exists() and Member.objects.count() == args.members + 1:
        print("Reusing the city already in the database.")
        return None
    started, cpu = time.perf_counter(), time.process_time()
    call_command(
        "demo_city",
        members=args.members,
        units=args.units,
        residents=args.residents,
        applicants=args.applicants,
        districts=args.districts,
        streets_per_district=args.streets_per_district,
        communities_per_street=args.communities_per_street,
        seed=args.seed,
        reset=True,
    )
    elapsed = time.perf_counter() - started
    print(f"Build: {elapsed:.1f} s wall, {time.process_time() - cpu:.1f} s CPU in this process")
    return elapsed


def analyze() -> None:
    """Fresh planner statistics, as autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) would give."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        depth, lines = {0: -1}, []
        for node, parent, _, detail in cursor.fetchall():
            depth[node] = depth.get(parent, -1) + 1
            lines.append("  " * depth[node] + detail)
        return "\n".join(lines)


def time_query(label: str, run, repeat: int) -> dict:
    """One cold run (whose SQL is kept for EXPLAIN), then ``repeat`` timed runs."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the log is a bounded deque: a full one would hide the captured queries
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = run()
        cold = time.perf_counter() - started
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return {
        "label": label,
        "result": result,
        "cold_ms": cold * 1000,
        "median_ms": statistics.median(times) * 1000,
        "min_ms": min(times) * 1000,
        "sql": [q["sql"] for q in captured.captured_queries],
    }


def hot_queries():
    """The queries every scoped page and dashboard runs, on the demo accounts' scopes."""
    from django.contrib.auth import get_user_model

    from accounts.scope import scope_for
    from people.models import Member
    from places.models import Area, AreaLevel
    from places.paths import subtree_q

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["street", "community", "unit", "orgdept"])
    }
    for u in users.values():
        scope_for(u)  # computed once per request in the app; kept out of the timings
    street = users["street"].role_grants.get().area
    district = street.parent
    city = Area.objects.get(level=AreaLevel.CITY)

    def subtree_count(area):
        return lambda: Member.objects.filter(subtree_q("residence_area__path", area.path)).count()

    def visible_count(who):
        return lambda: Member.objects.visible_to(users[who]).count()

    def first_page(who):
        # people.views._members: the member list, ordered as the model says (name_initials, id), 25 a page
        return lambda: [
            (m.name, m.unit and m.unit.name, m.residence_area and m.residence_area.name)
            for m in Member.objects.visible_to(users[who]).select_related(
                "unit", "party_org", "residence_area"
            )[:25]
        ]

    def search_page(who, text):
        return lambda: list(
            Member.objects.visible_to(users[who])
            .search(text)
            .select_related("unit", "party_org", "residence_area")[:25]
        )

    return [
        (f"members living in a street ({street.name}), subtree count", subtree_count(street)),
        (f"members living in a district ({district.name}), subtree count", subtree_count(district)),
        ("members living in the city, subtree count", subtree_count(city)),
        ("Member.visible_to(street).count()", visible_count("street")),
        ("Member.visible_to(street) first page (25, list order)", first_page("street")),
        ("Member.visible_to(community).count()", visible_count("community")),
        ("Member.visible_to(community) first page", first_page("community")),
        ("Member.visible_to(unit).count()", visible_count("unit")),
        ("Member.visible_to(orgdept).count() (whole city)", visible_count("orgdept")),
        ("Member.visible_to(street) search 'zh' first page", search_page("street", "zh")),
        ("Member.visible_to(street) search by name '张' first page", search_page("street", "张")),
        ("Member.visible_to(street) search by phone tail '1234' first page", search_page("street", "1234")),
    ]


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    args.scratch_dir = None
    setup_django(args)
    try:
        run(args)
    finally:
        if args.scratch_dir:  # the temporary SQLite database goes away with the run
            from django.db import connections

            connections.close_all()
            shutil.rmtree(args.scratch_dir, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection

    from people.models import Member, Resident

    print(
        f"Engine: {connection.vendor} · members {args.members:,}, units {args.units:,}, residents {args.residents:,}, "
        f"{args.districts}×{args.streets_per_district}×{args.communities_per_street} communities"
    )
    build_seconds = seed(args)
    started = time.perf_counter()
    analyze()
    analyze_seconds = time.perf_counter() - started
    settings.DEBUG = False  # no query log during the timings (CaptureQueriesContext still sees the SQL)
    print(
        f"\nCity: {'reused' if build_seconds is None else f'built in {build_seconds:.1f} s'} · ANALYZE {analyze_seconds:.1f} s · "
        f"{Member.objects.count():,} members, {Resident.objects.count():,} residents"
    )
    results = [time_query(label, run, args.repeat) for label, run in hot_queries()]
    print("\n| query | rows | cold ms | median ms | min ms |\n|---|---:|---:|---:|---:|")
    for r in results:
        rows = r["result"] if isinstance(r["result"], int) else len(r["result"])
        print(f"| {r['label']} | {rows:,} | {r['cold_ms']:.1f} | {r['median_ms']:.1f} | {r['min_ms']:.1f} |")
    print("\nQuery plans")
    for r in results:
        for sql in r["sql"]:
            shown = re.sub(
                r'^SELECT (?:[\w"]+\.[\w"]+, )+[\w"]+\.[\w"]+ FROM ', "SELECT … FROM ", sql
            )  # long column lists say nothing
            print(f"\n== {r['label']}\n{shown}\n-- plan:\n{explain(sql)}")


if __name__ == "__main__":
    main()
