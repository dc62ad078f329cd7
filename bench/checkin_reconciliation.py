"""Time reconciliation (信息比对) on the demo city: a unit's roster, the city's summary, the rates.

Builds the demo city (5,000 members, about 1,700 in service) in a scratch database with the
check-ins the demo seeds (demo/checkins.py). Were the demo to seed none, about 70% of the in-service
members get a check-in here (bulk rows, states mixed as a city in mid-campaign would have them:
confirmed, certified days ago, submitted, returned; a few checked out and checked in again). Then
each reconciliation read is timed once cold and ``--repeat`` times warm, with its query count:

    DEBUG=1 .venv/bin/python bench/checkin_reconciliation.py                    # SQLite, temporary directory
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench \\
      .venv/bin/python bench/checkin_reconciliation.py                          # PostgreSQL: a scratch database

``--members`` builds a bigger city (the in-service third of it is reconciled); ``--reuse`` keeps a
city and its check-ins already there. docs/PERFORMANCE.md ("Check-in reconciliation") has the figures.
"""

from __future__ import annotations

import argparse
import gc
import io
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_and_query import analyze, setup_django  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=5000)
    p.add_argument("--share", type=float, default=0.7, help="share of in-service members with a check-in")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--var-dir", help="SQLite: keep the database in this directory")
    p.add_argument("--reuse", action="store_true", help="keep the city and check-ins already there")
    p.add_argument("--sql", action="store_true", help="print each query of the cold runs with its time")
    p.add_argument(
        "--force", action="store_true", help="allow a PostgreSQL database not named *bench*/*scratch*"
    )
    return p.parse_args(argv)


def build(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from checkin.models import CheckIn
    from demo.city import city_exists

    call_command("migrate", verbosity=0)
    if args.reuse and city_exists() and CheckIn.objects.exists():
        print("Reusing the city and check-ins already in the database.")
        return
    started = time.perf_counter()
    call_command("demo_city", members=args.members, reset=True, stdout=io.StringIO())
    print(f"City built in {time.perf_counter() - started:.1f} s")
    if CheckIn.objects.exists():  # the demo city seeds its own check-ins (demo/checkins.py)
        print(f"{CheckIn.objects.count():,} check-ins from the demo city")
        return
    started = time.perf_counter()
    made = seed_checkins(args)
    print(f"{made:,} check-ins seeded in {time.perf_counter() - started:.1f} s")


def seed_checkins(args: argparse.Namespace) -> int:
    """Bulk check-in rows: the rule's community for each member, states drawn at random."""
    from django.db import transaction
    from django.utils import timezone

    from checkin.models import CheckIn, CheckInRule, CheckInState, UnitPairing
    from people.models import Member
    from places.models import Area, AreaLevel

    rng = random.Random(args.seed)
    now = timezone.now()
    communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY).only("id", "path"))
    by_id = {c.pk: c for c in communities}
    members = list(Member.objects.in_service().only("id", "unit_id", "residence_area_id"))
    # the rule's pairing for each unit (the earliest in force wins); unhomed members' units get one
    paired = dict(
        UnitPairing.objects.active_on(now.date())
        .order_by("-started_on", "-id")
        .values_list("unit_id", "community_id")
    )
    for unit_id in {m.unit_id for m in members if m.residence_area_id not in by_id} - set(paired):
        pairing = UnitPairing.objects.create(
            unit_id=unit_id, community=rng.choice(communities), started_on=now.date() - timedelta(days=400)
        )
        paired[unit_id] = pairing.community_id
    rows = []
    for member in members:
        if rng.random() > args.share:
            continue
        community = by_id.get(member.residence_area_id) or by_id[paired[member.unit_id]]
        submitted = now - timedelta(days=rng.randint(1, 200), hours=rng.randint(0, 23))
        state = rng.choices(
            [CheckInState.CONFIRMED, CheckInState.CERTIFIED, CheckInState.SUBMITTED, CheckInState.RETURNED],
            weights=[70, 12, 15, 3],
        )[0]
        certified = (
            submitted + timedelta(days=rng.randint(0, 10)) if state in ("certified", "confirmed") else None
        )
        confirmed = (
            certified + timedelta(days=rng.randint(0, 14)) if state == "confirmed" and certified else None
        )
        common = dict(
            member_id=member.pk, unit_id=member.unit_id, community=community, community_path=community.path
        )
        if rng.random() < 0.05:  # moved once: an older check-in, confirmed then checked out
            rows.append(
                CheckIn(
                    **common,
                    rule=CheckInRule.RESIDENCE,
                    state=CheckInState.CHECKED_OUT,
                    submitted_at=submitted - timedelta(days=300),
                    certified_at=submitted - timedelta(days=295),
                    confirmed_at=submitted - timedelta(days=290),
                    closed_at=submitted - timedelta(days=1),
                )
            )
        rows.append(
            CheckIn(
                **common,
                rule=CheckInRule.RESIDENCE if member.residence_area_id in by_id else CheckInRule.PAIRING,
                state=state,
                submitted_at=submitted,
                certified_at=min(certified, now) if certified else None,
                confirmed_at=min(confirmed, now) if confirmed else None,
            )
        )
    with transaction.atomic():
        CheckIn.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def timed(label: str, run, repeat: int) -> dict:
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
        "sql": captured.captured_queries,
        "queries": len(captured.captured_queries),
        "cold_ms": cold * 1000,
        "median_ms": statistics.median(times) * 1000,
    }


def run(args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count, Q

    from accounts.scope import scope_for
    from checkin import reconciliation as rec
    from checkin.models import CheckIn
    from orgs.models import Unit
    from people.models import Member
    from places.models import Area, AreaLevel

    build(args)
    analyze()
    gc.collect()  # the build leaves a heap whose first collection would land in a cold timing
    settings.DEBUG = False
    admin = get_user_model().objects.get(username="admin")
    scope_for(admin)
    city = Area.objects.get(level=AreaLevel.CITY)
    biggest = (
        Unit.objects.annotate(n=Count("members", filter=Q(members__in_service=True))).order_by("-n").first()
    )
    period = rec.Period.of("year")
    in_service = Member.objects.in_service().count()
    print(
        f"\nEngine: {connection.vendor} · {Member.objects.count():,} members, {in_service:,} in service, "
        f"{CheckIn.objects.count():,} check-ins · biggest unit: {biggest.name} ({biggest.n} in service)\n"
    )
    checks = [
        (f"unit_roster(biggest unit, {biggest.n} members)", lambda: len(rec.unit_roster(biggest))),
        ("unit_summary(biggest unit)", lambda: rec.unit_summary(biggest)["members"]),
        (
            "rates(units=[biggest unit], this year)",
            lambda: rec.rates(units=[biggest], start=period.start, end=period.end).members,
        ),
        (
            "rates(area=city, this year)",
            lambda: rec.rates(area=city, start=period.start, end=period.end).members,
        ),
        (
            "rates(units=all units, this year)",
            lambda: rec.rates(units=Unit.objects.all(), start=period.start, end=period.end).members,
        ),
        (
            "area_summary(city, admin, this year)",
            lambda: len(rec.area_summary(city, admin, period=period).children),
        ),
    ]
    results = [timed(label, fn, args.repeat) for label, fn in checks]
    print("| read | result | queries | cold ms | median ms |\n|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['label']} | {r['result']:,} | {r['queries']} | {r['cold_ms']:.1f} | {r['median_ms']:.1f} |"
        )
    if args.sql:
        for r in results:
            print(f"\n== {r['label']}")
            for q in r["sql"]:
                print(f"-- {float(q['time']) * 1000:.1f} ms\n{q['sql']}")
    city_rate = rec.rates(area=city, start=period.start, end=period.end)
    print(f"\nCity rate this year: {city_rate.reported:,} / {city_rate.members:,} = {city_rate.percent}%")


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
