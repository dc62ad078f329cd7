"""Roster import beside the floor (issue 12): N members through the unit roster import (upload → check
→ confirm → write, as the background job runs it), beside a COPY of the very rows it wrote into an
identically indexed copy of ``people_member`` (``CREATE TABLE … (LIKE people_member INCLUDING ALL)``),
timed in the same run; the same for an .xlsx file, whose floor is its parse plus that COPY.

PostgreSQL only, on a SCRATCH database holding a city (``bench/seed_and_query.py --members 20000``, or
the tier): the name must contain "bench" or "scratch". Rows it imported before are deleted first.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/gj_bench .venv/bin/python bench/import_rows.py --rows 1000000

``run(database_url, rows)`` answers the figures for the bench harness (bench/run.py).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "350899"  # the region code of the generated ID numbers: rows of an earlier run are found by it
HEADERS = [
    "姓名",
    "身份证号",
    "手机号",
    "性别",
    "出生日期",
    "入党日期",
    "党员状态",
    "所在党组织编码",
    "是否在职",
    "居住社区代码",
    "居住小区",
    "居住楼栋",
    "技能特长",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅"


def setup_django(database_url: str) -> None:
    name = database_url.rsplit("/", 1)[-1].split("?")[0]
    if not database_url.startswith("postgres") or ("bench" not in name and "scratch" not in name):
        sys.exit("DATABASE_URL must name a scratch PostgreSQL database (*bench* or *scratch*)")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    os.environ.setdefault("DEBUG", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # the job runs in this process, as the worker would run it
    settings.IMPORT_MAX_ROWS = max(settings.IMPORT_MAX_ROWS, 1_000_000)
    settings.IMPORT_MAX_FILE_MB = max(settings.IMPORT_MAX_FILE_MB, 400)
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="gj_import_rows_")


def id_number(n: int) -> str:
    from gongjian.privacy import id_check_char

    born = date(1950, 1, 1) + timedelta(days=n // 900 % 18000)
    first17 = f"{REGION}{born:%Y%m%d}{n % 900 + 100:03d}"
    return first17 + id_check_char(first17)


def roster_rows(start: int, count: int, org_code: str, homes: list[tuple[str, str, str]]) -> list[list]:
    rows = []
    for n in range(start, start + count):
        code, compound, building = homes[n % len(homes)] if n % 2 else ("", "", "")
        rows.append(
            [
                SURNAMES[n % len(SURNAMES)] + GIVEN[n // 7 % len(GIVEN)] + GIVEN[n // 13 % len(GIVEN)],
                id_number(n),
                f"139{n:08d}",
                "",
                "",
                f"{2000 + n % 20}-07-01",
                "正式党员" if n % 10 else "预备党员",
                org_code,
                "是" if n % 4 else "否",
                code,
                compound,
                building,
                "法律咨询" if n % 5 == 0 else "",
            ]
        )
    return rows


def csv_file(rows: list[list]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_file(rows: list[list]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value != "":
                sheet.write_string(r, c, value)
    workbook.close()
    return out.getvalue()


def pick_unit():
    """A unit with a party branch of its own, and homes (community, compound, building) in the city."""
    from orgs.models import PartyOrg
    from places.models import Building

    org = PartyOrg.objects.filter(unit__isnull=False).select_related("unit").order_by("pk").first()
    if org is None:
        sys.exit("no unit with a party organisation: seed a city first (bench/seed_and_query.py)")
    homes = [
        (b.compound.community.code, b.compound.name, b.name)
        for b in Building.objects.select_related("compound__community").order_by("pk")[:500]
    ]
    return org.unit, org.code, homes


def admin_user():
    from accounts.actions import create_user, grant_role
    from accounts.models import Role, User

    user = User.objects.filter(username="bench_importer").first()
    if user is None:
        user = create_user(acting_user=None, username="bench_importer", password="bench-importer-1")
        grant_role(acting_user=None, user=user, role=Role.PLATFORM_ADMIN)
    return user


def forget_earlier_rows() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_member WHERE id_number_hint LIKE %s", [REGION + "%"])
        cursor.execute("DROP TABLE IF EXISTS bench_member_copy")
        cursor.execute("CREATE TABLE bench_member_copy (LIKE people_member INCLUDING ALL)")


def import_file(user, unit, name: str, content: bytes) -> tuple[float, float, dict]:
    """Upload (the check job runs) then confirm (the import job runs): (check s, write s, summary with
    "cpu": this process's CPU seconds in each, beside the wall time on a shared machine)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jobs.actions import confirm_import, upload_roster
    from jobs.models import Job, JobStatus

    started, cpu = time.perf_counter(), time.process_time()
    job = upload_roster(acting_user=user, unit=unit, upload=SimpleUploadedFile(name, content))
    job = Job.objects.get(pk=job.pk)
    checked, checked_cpu = time.perf_counter(), time.process_time()
    if job.status != JobStatus.PREVIEW or job.errors:
        sys.exit(f"{name}: {job.status} {job.summary} {job.errors[:5]}")
    confirm_import(acting_user=user, job=job)
    job.refresh_from_db()
    if job.status != JobStatus.SUCCEEDED:
        sys.exit(f"{name}: {job.status} {job.summary} {job.errors[:5]}")
    summary = {**job.summary, "cpu": (checked_cpu - cpu, time.process_time() - checked_cpu)}
    return checked - started, time.perf_counter() - checked, summary


def copy_written(first_id: int) -> float:
    """COPY the members written after ``first_id`` into the identically indexed copy: seconds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_member_copy")
        buffer = io.BytesIO()
        raw = cursor.cursor
        query = f"COPY (SELECT * FROM people_member WHERE id > {int(first_id)}) TO STDOUT"  # noqa: S608
        with raw.copy(query) as copy:
            for data in copy:
                buffer.write(data)
        data = buffer.getvalue()
        started = time.perf_counter()
        with raw.copy("COPY bench_member_copy FROM STDIN") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        return time.perf_counter() - started


def last_member_id() -> int:
    from people.models import Member

    return Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def result(name: str, seconds: float, baseline: float, target: float) -> dict:
    ratio = seconds / baseline if baseline else float("inf")
    return {
        "name": name,
        "seconds": round(seconds, 2),
        "baseline_seconds": round(baseline, 2),
        "ratio": round(ratio, 2),
        "target": f"<= {target:g}x",
        "ok": ratio <= target,
    }


def run(database_url: str, rows: int, *, openpyxl_too: bool | None = None) -> list[dict]:
    setup_django(database_url)
    from django.db import connection

    from jobs.roster_files import openpyxl_rows, read_roster

    forget_earlier_rows()
    unit, org_code, homes = pick_unit()
    user = admin_user()
    out: list[dict] = []

    csv_content = csv_file(roster_rows(0, rows, org_code, homes))
    first = last_member_id()
    check_s, write_s, summary = import_file(user, unit, "roster.csv", csv_content)
    assert summary["new"] == rows, summary
    copy_s = copy_written(first)
    out.append(
        result(
            f"roster import, {rows:,} rows CSV (check {check_s:.1f} s + write {write_s:.1f} s; "
            f"CPU {summary['cpu'][0]:.1f} + {summary['cpu'][1]:.1f} s)",
            check_s + write_s,
            copy_s,
            2,
        )
    )
    del csv_content

    xlsx_content = xlsx_file(roster_rows(rows, rows, org_code, homes))
    started = time.perf_counter()
    parsed = read_roster(xlsx_content, "roster.xlsx")
    parse_s = time.perf_counter() - started
    print(f"  .xlsx: {len(xlsx_content) / 2**20:.1f} MB; read by calamine in {parse_s:.1f} s", flush=True)
    del parsed
    if openpyxl_too if openpyxl_too is not None else rows <= 200_000:
        started = time.perf_counter()
        for _row in openpyxl_rows(xlsx_content):
            pass
        out.append(
            result(
                f".xlsx parse, {rows:,} rows: calamine vs openpyxl", parse_s, time.perf_counter() - started, 1
            )
        )
    first = last_member_id()
    check_s, write_s, summary = import_file(user, unit, "roster.xlsx", xlsx_content)
    assert summary["new"] == rows, summary
    copy_s = copy_written(first)
    out.append(
        result(
            f"roster import, {rows:,} rows .xlsx (check {check_s:.1f} s + write {write_s:.1f} s; "
            f"CPU {summary['cpu'][0]:.1f} + {summary['cpu'][1]:.1f} s)",
            check_s + write_s,
            parse_s + copy_s,
            2,
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_member_copy")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    args = p.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    figures = run(url, args.rows)
    print(f"{'bench':<96} {'seconds':>9} {'baseline':>9} {'ratio':>6}  target   ok")
    for f in figures:
        print(
            f"{f['name']:<96} {f['seconds']:>9} {f['baseline_seconds']:>9} {f['ratio']:>6}  "
            f"{f['target']:<7}  {'yes' if f['ok'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
