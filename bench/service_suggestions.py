"""Time the dispatch suggestions (service.needs.suggestions.suggest) for the needs of the demo city.

Builds the demo city in a scratch database (SQLite in a temporary directory, or a PostgreSQL database
whose name contains bench/scratch) with the service loop the demo seeds (demo/service/): per
community, needs in every state, posts, records, ratings, resources of the units tied to it. Then, for
up to ``--needs`` needs spread over the communities (the open and dispatched ones first: the board's
columns), it times ``suggest(need)`` once cold and ``--repeat`` times warm, and counts its queries:

    DEBUG=1 .venv/bin/python bench/service_suggestions.py                              # SQLite
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_suggest_bench \\
      .venv/bin/python bench/service_suggestions.py                                    # PostgreSQL

``--members`` (and ``--districts``, ``--streets-per-district``, ``--communities-per-street``) build a
bigger city: more members per community means more candidates per need. ``--reuse`` keeps a city
already there; ``--sql`` prints the queries of the slowest need with their plans. docs/PERFORMANCE.md
("Dispatch suggestions") has the figures.
"""

from __future__ import annotations

import argparse
import gc
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_and_query import analyze, explain, setup_django  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=5000)
    p.add_argument("--units", type=int, help="default: the demo's 200, or one per 200 members")
    p.add_argument("--residents", type=int, help="default: 30%% of members")
    p.add_argument("--districts", type=int, default=2)
    p.add_argument("--streets-per-district", type=int, default=3)
    p.add_argument("--communities-per-street", type=int, default=5)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--needs", type=int, default=60, help="needs to time")
    p.add_argument("--repeat", type=int, default=5, help="warm runs per need")
    p.add_argument("--var-dir", help="SQLite: keep the database in this directory")
    p.add_argument("--reuse", action="store_true", help="keep the city already there")
    p.add_argument("--sql", action="store_true", help="print the slowest need's queries and their plans")
    p.add_argument(
        "--force", action="store_true", help="allow a PostgreSQL database not named *bench*/*scratch*"
    )
    args = p.parse_args(argv)
    args.units = args.units or max(200, min(5000, args.members // 200))
    args.residents = args.residents if args.residents is not None else args.members * 3 // 10
    return args


def build(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from demo.city import city_exists
    from service.models import Need

    call_command("migrate", verbosity=0)
    if args.reuse and city_exists() and Need.objects.exists():
        print("Reusing the city already in the database.")
        return
    started = time.perf_counter()
    call_command(
        "demo_city",
        members=args.members,
        units=args.units,
        residents=args.residents,
        applicants=max(10, args.members // 100),
        districts=args.districts,
        streets_per_district=args.streets_per_district,
        communities_per_street=args.communities_per_street,
        seed=args.seed,
        reset=True,
        stdout=io.StringIO(),
    )
    print(f"City built in {time.perf_counter() - started:.1f} s")


def pick_needs(limit: int) -> list:
    """Open and dispatched needs first, round-robin over the communities, then the rest."""
    from service.models import Need

    by_community: dict[int, list] = {}
    for need in Need.objects.order_by("community_id", "state", "pk").only("pk", "community_id", "state"):
        by_community.setdefault(need.community_id, []).append(need)
    for needs in by_community.values():
        needs.sort(key=lambda n: (n.state not in ("open", "offered"), n.pk))
    picked, round_ = [], 0
    while len(picked) < limit and any(len(v) > round_ for v in by_community.values()):
        picked += [v[round_] for v in by_community.values() if len(v) > round_]
        round_ += 1
    return picked[:limit]


def candidates_of(needs: list) -> dict[int, int]:
    """Members who serve each need's community (live there, or report there): the rows scored."""
    from django.db.models import Q

    from checkin.models import CheckIn, CheckInState
    from people.models import Member

    out = {}
    for community_id in {n.community_id for n in needs}:
        serving = CheckIn.objects.filter(
            community_id=community_id,
            state__in=(CheckInState.SUBMITTED, CheckInState.CERTIFIED, CheckInState.CONFIRMED),
        )
        out[community_id] = Member.objects.filter(
            Q(residence_area_id=community_id) | Q(pk__in=serving.values("member_id"))
        ).count()
    return out


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from people.models import Member
    from service.models import Need, Resource
    from service.needs.suggestions import suggest

    build(args)
    analyze()
    gc.collect()  # the build leaves a heap whose first collection would land in a cold timing
    settings.DEBUG = False
    needs = pick_needs(args.needs)
    sizes = candidates_of(needs)
    cold, warm, per_need, queries, listed = [], [], [], set(), []
    slowest = (0.0, None, [])
    for need in needs:
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = suggest(need)
            cold.append((time.perf_counter() - started) * 1000)
        queries.add(len(captured.captured_queries))
        listed.append(len(result))
        runs = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            suggest(need)
            runs.append((time.perf_counter() - started) * 1000)
        warm += runs
        per_need.append(statistics.median(runs))
        if per_need[-1] > slowest[0]:
            slowest = (per_need[-1], need, captured.captured_queries)
    communities = sorted(sizes.values())
    print(
        f"\nEngine: {connection.vendor} · {Member.objects.count():,} members, {Need.objects.count():,} needs, "
        f"{Resource.objects.count():,} resources · {len(needs)} needs timed in {len(sizes)} communities, "
        f"{statistics.median(communities):,.0f} candidate members per community (median; max {communities[-1]:,})\n"
    )
    print("| suggest(need) | queries | cold median ms | warm median ms | warm p95 ms | slowest need ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| {len(needs)} needs × {args.repeat} warm runs | {', '.join(map(str, sorted(queries)))} "
        f"| {statistics.median(cold):.1f} | {statistics.median(warm):.1f} | {percentile(warm, 95):.1f} "
        f"| {slowest[0]:.1f} ({sizes[slowest[1].community_id]:,} candidates) |"
    )
    print(f"\nSuggestions listed per need: median {statistics.median(listed):.0f}, min {min(listed)}")
    if args.sql:
        print(f"\n== slowest need: {slowest[1].title} (community {slowest[1].community_id})")
        for q in slowest[2]:
            print(f"-- {float(q['time']) * 1000:.1f} ms\n{q['sql']}\n{explain(q['sql'])}\n")


def main(argv: list[str] | None = None) -> None:
    import shutil

    args = parse_args(argv)
    args.scratch_dir = None
    setup_django(args)
    try:
        run(args)
    finally:
        if args.scratch_dir:
            from django.db import connections

            connections.close_all()
            shutil.rmtree(args.scratch_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
