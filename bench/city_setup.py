"""A new city set up from files on an empty database, timed, beside a COPY of the same rows.

The city: streets of 龙岩市 from the national division list until it has ``--communities``
communities (the picker's path), then generated set-up files imported through the set-up path
(golive: upload → check → confirm → write in bulk, one transaction per file), in the order the page
shows: compounds, buildings, units, party organisations, unit admins' accounts and member rosters
(CSV files of at most IMPORT_MAX_ROWS rows each, as a city would split them). Then, on PostgreSQL,
the rows those imports wrote are copied (COPY … TO STDOUT) and written again with COPY … FROM STDIN
into empty copies of the same tables with the same indexes (CREATE TABLE … LIKE … INCLUDING ALL),
timed in the same run: the floor of what a bulk write can cost.

    createdb -h 127.0.0.1 -U postgres gj_bench_city
    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench_city \\
      .venv/bin/python bench/city_setup.py                          # 100 communities, 2,000 units, 100,000 members
    DEBUG=1 .venv/bin/python bench/city_setup.py --members 5000 --units 200   # SQLite, no COPY line

The database is flushed first (it must be a scratch database: its name contains bench or scratch).
docs/PERFORMANCE.md ("City set-up from files") records the figures.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_and_query import setup_django  # noqa: E402

COPIED_TABLES = (
    "places_compound",
    "places_building",
    "orgs_unit",
    "orgs_partyorg",
    "accounts_user",
    "accounts_rolegrant",
    "people_member",
    "audit_auditevent",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--communities", type=int, default=100)
    p.add_argument("--units", type=int, default=2000)
    p.add_argument("--members", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--var-dir", help="SQLite: keep the database in this directory")
    p.add_argument(
        "--force", action="store_true", help="allow a PostgreSQL database not named *bench*/*scratch*"
    )
    return p.parse_args(argv)


def id_number(n: int) -> str:
    from gongjian.privacy import id_check_char

    day, seq = n % 336, n // 336  # distinct (birth date, sequence) for every n below 336,000 × 30
    first17 = f"350802{1950 + seq // 1000:04d}{day // 28 + 1:02d}{day % 28 + 1:02d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def csv_file(sheet, rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([c.header for c in sheet.columns])
    for values in rows:
        writer.writerow([values.get(c.header, "") for c in sheet.columns])
    return out.getvalue().encode("utf-8-sig")


def generate(args: argparse.Namespace, communities: list) -> list[tuple[str, str, bytes, int]]:
    """(sheet key, file name, content, rows) of every set-up file, in import order."""
    from django.conf import settings

    from golive.catalogue import SHEETS

    rng = random.Random(args.seed)
    files = []

    def add(key: str, rows: list[dict], part: int = 0) -> None:
        files.append((key, f"{key}-{part}.csv", csv_file(SHEETS[key], rows), len(rows)))

    compounds = [(c.code, f"{c.name[:6]}{i}号小区") for c in communities for i in (1, 2)]
    add("compounds", [{"所在社区代码": code, "小区名称": name} for code, name in compounds])
    buildings = [(code, name, f"{b}栋") for code, name in compounds for b in range(1, 6)]
    add("buildings", [{"所在社区代码": c, "小区名称": n, "楼栋名称": b} for c, n, b in buildings])
    units = [f"龙岩第{i:04d}号单位" for i in range(args.units)]
    kinds = ["机关", "事业单位", "国有企业", "非公企业", "社会组织"]
    add(
        "units",
        [
            {
                "单位名称": name,
                "单位类型": kinds[i % 5],
                "所在区划代码": communities[i % len(communities)].code,
            }
            for i, name in enumerate(units)
        ],
    )
    orgs = [
        {"组织编码": f"C{c.code}", "组织名称": f"{c.name}党委", "组织类型": "党委", "所在区划代码": c.code}
        for c in communities
    ]
    orgs += [
        {"组织编码": f"U{i:04d}", "组织名称": f"{name}党支部", "组织类型": "党支部", "所属单位": name}
        for i, name in enumerate(units)
    ]
    add("party_orgs", orgs)
    add(
        "unit_admins",
        [{"姓名": f"管理员{i}", "手机号": f"137{i:08d}", "所属单位": name} for i, name in enumerate(units)],
    )
    limit = settings.IMPORT_MAX_ROWS
    rows = []
    for n in range(args.members):
        unit = n * args.units // args.members  # a unit's members together, as its roster gives them
        code, compound, building = buildings[rng.randrange(len(buildings))]
        rows.append(
            {
                "所在单位": units[unit],
                "姓名": f"党员{n}",
                "身份证号": id_number(n),
                "手机号": f"139{n:08d}",
                "党员状态": "正式党员" if n % 10 else "预备党员",
                "所在党组织编码": f"U{unit:04d}",
                "是否在职": "是" if n % 4 else "否",
                "居住社区代码": code,
                "居住小区": compound,
                "居住楼栋": building,
            }
        )
    for part, start in enumerate(range(0, len(rows), limit)):
        add("members", rows[start : start + limit], part)
    return files


def set_up_divisions(admin, wanted: int) -> list:
    from golive.actions import set_up_divisions as run
    from golive.divisions import city_tree
    from places.models import Area, AreaLevel

    streets, total = [], 0
    for district in city_tree("350800").districts:
        for street in district.streets:
            if total >= wanted:
                break
            streets.append(street.code)
            total += street.communities
    run(acting_user=admin, city_code="350800", street_codes=streets)
    return list(Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("code"))


def import_file(admin, key: str, name: str, content: bytes) -> tuple[float, float]:
    """Upload (check) and confirm (write) one file; (check seconds, write seconds)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from golive.actions import confirm_sheet, upload_sheet
    from golive.catalogue import SHEETS
    from jobs.models import Job, JobStatus

    started = time.perf_counter()
    job = upload_sheet(acting_user=admin, sheet=SHEETS[key], upload=SimpleUploadedFile(name, content))
    job = Job.objects.get(pk=job.pk)
    checked = time.perf_counter()
    if job.status != JobStatus.PREVIEW or job.errors:
        sys.exit(f"{name}: {job.status} {job.summary} {job.errors[:5]}")
    confirm_sheet(acting_user=admin, job=job)
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        sys.exit(f"{name}: {job.status} {job.summary} {job.errors[:5]}")
    return checked - started, time.perf_counter() - checked


def copy_same_rows() -> tuple[int, float]:
    """COPY every row the set-up wrote into empty, identically indexed copies of its tables."""
    from django.db import connection

    rows, seconds = 0, 0.0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        for table in COPIED_TABLES:
            buffer = io.BytesIO()
            with raw.copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    buffer.write(block)
            cursor.execute(f"DROP TABLE IF EXISTS bench_copy_{table}")
            cursor.execute(f"CREATE TABLE bench_copy_{table} (LIKE {table} INCLUDING ALL)")
            data = buffer.getvalue()
            started = time.perf_counter()
            with raw.copy(f"COPY bench_copy_{table} FROM STDIN") as copy:
                copy.write(data)
            seconds += time.perf_counter() - started
            cursor.execute(f"SELECT count(*) FROM bench_copy_{table}")  # noqa: S608 — table names from COPIED_TABLES
            rows += cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE bench_copy_{table}")
    return rows, seconds


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.environ["HUEY_IMMEDIATE"] = "1"  # the jobs run in this process, as their requests commit
    setup_django(args)
    from django.core.management import call_command
    from django.db import connection

    from accounts.actions import create_user, grant_role
    from accounts.models import Role
    from audit.models import AuditEvent

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    admin = create_user(acting_user=None, username="bench-admin", password=None)
    grant_role(acting_user=None, user=admin, role=Role.PLATFORM_ADMIN)
    started, cpu = time.perf_counter(), time.process_time()
    communities = set_up_divisions(admin, args.communities)
    divisions = time.perf_counter() - started
    print(f"Divisions: {len(communities)} communities in {divisions:.1f} s")
    files = generate(args, communities)
    total_rows = sum(n for *_rest, n in files)
    checking = writing = 0.0
    for key, name, content, n in files:
        check, write = import_file(admin, key, name, content)
        checking, writing = checking + check, writing + write
        print(
            f"{name:<20} {n:>7,} rows  check {check:6.1f} s  write {write:6.1f} s  ({n / (check + write):,.0f} rows/s)"
        )
    elapsed = time.perf_counter() - started
    print(
        f"Set-up: {total_rows:,} rows from {len(files)} files in {elapsed:.1f} s "
        f"({total_rows / elapsed:,.0f} rows/s; checking {checking:.1f} s, writing {writing:.1f} s); "
        f"{AuditEvent.objects.count():,} audit rows; {time.process_time() - cpu:.1f} s CPU in this process, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    if connection.vendor != "postgresql":
        print("COPY: PostgreSQL only.")
        return
    copied, seconds = copy_same_rows()
    print(
        f"COPY of the same rows: {copied:,} rows into {len(COPIED_TABLES)} indexed tables in {seconds:.1f} s "
        f"({copied / seconds:,.0f} rows/s); the set-up took {elapsed / seconds:,.1f}× as long"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
