"""The roster import writes what it wrote before it was made fast (issue 12), for a file with every
kind of row: new members, an update of an existing one, errors of each kind, blank lines, Chinese
text, dates as dates, serial numbers and text, numbers stored as numbers, leading zeros; as .xlsx and
as .csv.

``jobs/tests/golden_roster.json`` was written by the row-by-row-checked, twice-parsed path (commit
2b4802a) with ``GOLDEN_WRITE=1``. Ciphertext is random, so the decrypted values are compared, with
the hashes and hints; keys are compared by what they name (codes, names), never by number."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from conftest import _id
from gongjian.privacy import birth_date_from_id, decrypt
from jobs.models import Job
from jobs.tests.conftest import csv_bytes, row, upload, xlsx_bytes
from people.models import Member
from rollups.counting import counted_afresh, read

GOLDEN = Path(__file__).with_name("golden_roster.json")
SKIPPED = {"id", "public_id", "created_at", "updated_at", "id_number_cipher", "phone_cipher", "user"}


def _clean_rows(csv: bool) -> list[list]:
    """Every kind of clean row; ``csv``: the cells a CSV can hold (text only)."""
    when = (lambda d: d.isoformat()) if csv else (lambda d: d)
    born = datetime.combine(birth_date_from_id(_id(300)), datetime.min.time())
    return [
        row(300, "陈一", 出生日期=born if not csv else born.strftime("%Y/%m/%d")),
        row(301, "林二", 入党日期="2006年7月1日", 居住小区="阳光小区", 居住楼栋="1号楼", 技能特长="法律咨询"),
        ["", "", "", "", "", "", "", "", "", "", "", "", ""],  # a blank line between members
        row(
            302, "黄三", 党员状态="预备党员", 是否在职="否", 居住社区代码="", 入党日期=when(date(2023, 3, 1))
        ),
        row(2, "李四", 手机号="+86 139 0000 0002", 技能特长="007 号"),  # already in unit A: an update
        row(303, "欧阳 锋", 入党日期="2001/7/1", 手机号=13912340303 if not csv else "13912340303"),
        row(304, "慕容复", 入党日期=43861 if not csv else "20200131", 是否在职="否", 技能特长="0123"),
        row(305, "Zhang San", 党员状态="预备", 性别="男", 入党日期="2015.07.01", 居住社区代码="350802001002"),
    ]


def _bad_rows() -> list[list]:
    bad_check = _id(401)[:-1] + ("0" if _id(401)[-1] != "0" else "1")
    return [
        row(400),  # clean
        row(401, 身份证号=bad_check),  # check digit
        row(402, 手机号="12345"),  # phone
        row(403, 所在党组织编码="NOPE"),  # unknown org
        row(404, 所在党组织编码="U2"),  # another unit's org
        row(405, 居住社区代码="350802009999"),  # unknown area
        row(406),
        row(406, "重复"),  # same ID twice
        row(407, '=HYPERLINK("http://evil.example","点我")'),  # formula
        row(3, "王五"),  # member of unit B
        row(409, 性别="女"),  # ID says otherwise
        row(410, 居住小区="不存在小区"),  # unknown compound
        row(411, 入党日期="2020-13-45"),  # impossible date
        row(412, 党员状态="群众"),  # bad status
        row(413, 居住社区代码="350802001"),  # a street's code
        row(414, 技能特长="@SUM(1+1)"),  # formula in free text
        row(415, 姓名=""),  # required
        ["", "", "", "", "", "", "", "", "", "", "", "", ""],
        row(416, 居住小区="阳光小区", 居住楼栋="9号楼"),  # unknown building
        row(417, 居住社区代码="", 居住小区="阳光小区"),  # compound without community
        row(418, 入党日期="2999-01-01"),  # future
        row(419, 是否在职="也许"),  # yes/no
        row(420, 出生日期="1990-01-01"),  # birth date disagrees
        row(421, 姓名="名" * 33, 手机号="", 党员状态=""),  # too long, two required cells
        row(400, "又一个"),  # a repeat of the first row's ID number, after many rows
    ]


def _member_rows() -> list[dict]:
    out = []
    for m in Member.objects.select_related(
        "unit", "party_org", "residence_area", "residence_compound", "residence_building"
    ).order_by("name"):
        values = {}
        for field in Member._meta.concrete_fields:
            if field.name in SKIPPED:
                continue
            value = getattr(m, field.name)
            if field.name == "unit":
                value = value.name if value else None
            elif field.name == "party_org":
                value = value.code
            elif field.name == "residence_area":
                value = value.code if value else None
            elif field.name in ("residence_compound", "residence_building"):
                value = value.name if value else None
            elif isinstance(value, date):
                value = value.isoformat()
            values[field.name] = value
        values["id_number"] = decrypt(m.id_number_cipher)
        values["phone"] = decrypt(m.phone_cipher) if m.phone_cipher else ""
        out.append(values)
    return out


def _audit() -> list:
    events = AuditEvent.objects.filter(action__in=["member.create", "member.update"]).order_by(
        "action", "target_label"
    )
    return [[e.action, e.target_label, e.detail] for e in events]


def _run(client, run_on_commit, content: bytes, name: str) -> dict:
    upload(client, content, name)
    job = Job.objects.latest("created_at")
    result: dict = {"status": job.status, "summary": job.summary, "errors": job.errors}
    if not job.errors:
        run_on_commit(client.post, reverse("jobs:job_confirm", args=[job.public_id]))
        job.refresh_from_db()
        job_event = AuditEvent.objects.get(action="import.members")
        result |= {
            "final_status": job.status,
            "final_summary": job.summary,
            "members": _member_rows(),
            "audit": _audit(),
            "job_audit": {k: v for k, v in job_event.detail.items() if k != "job"},
        }
    return result


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_roster_import_writes_and_reports_what_the_old_path_did(cast, client, run_on_commit, kind):
    cast.login(client, "unit")
    if kind == "xlsx":
        bad, clean = xlsx_bytes(_bad_rows()), xlsx_bytes(_clean_rows(csv=False))
    else:
        bad, clean = csv_bytes(_bad_rows(), "utf-8-sig"), csv_bytes(_clean_rows(csv=True), "gb18030")
    got = {
        "bad": _run(client, run_on_commit, bad, f"名单.{kind}"),
        "clean": _run(client, run_on_commit, clean, f"名单.{kind}"),
    }
    got = json.loads(json.dumps(got, ensure_ascii=False, default=str))
    golden = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    if os.environ.get("GOLDEN_WRITE"):
        golden[kind] = got
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert got == golden[kind]


def test_calamine_reads_a_workbook_as_openpyxl_does(settings):
    from jobs import roster_files

    content = xlsx_bytes(_clean_rows(csv=False))
    assert roster_files.calamine_reads_as_openpyxl(content)

    def trimmed(rows):  # openpyxl pads every row to MAX_COLUMNS; the header decides what is read
        return [(n, cells[:13]) for n, cells in rows]

    assert trimmed(roster_files.calamine_rows(content)) == trimmed(roster_files.openpyxl_rows(content))
    assert not roster_files.calamine_reads_as_openpyxl(xlsx_bytes(_bad_rows()))  # a formula: openpyxl
    settings.IMPORT_MAX_ROWS = 3
    assert not roster_files.calamine_reads_as_openpyxl(xlsx_bytes([row(300)] * 1100))


@pytest.mark.parametrize("size", [3, 60])
def test_the_import_writes_what_the_check_built_without_reading_the_file_again(
    cast, client, run_on_commit, monkeypatch, django_assert_num_queries, size
):
    from jobs import actions

    cast.login(client, "unit")
    rows = [row(500 + n, f"成员{n}") for n in range(size)] + [row(2, "李四")]  # one update
    upload(client, csv_bytes(rows, "utf-8-sig"), "名单.csv")
    job = Job.objects.latest("created_at")
    assert job.errors == [] and job.params["checked"]

    def no_second_read(job):
        raise AssertionError("the file was read again")

    monkeypatch.setattr(actions, "read_input", no_second_read)
    job.status = "queued"
    job.params = {**job.params, "confirmed": True}
    job.save()
    places = [cast.places.city.path, cast.places.a1.path, cast.places.b1.path]
    read(["people.members"], places)  # the roll-ups counted before the import
    # the same queries for 4 rows or 61: claim, lease, heartbeat, lock, snapshot, the updated members'
    # old homes, COPYs, the roll-ups' marks, audit, finish
    with django_assert_num_queries(24 if connection.vendor == "sqlite" else 23):
        actions.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.summary["new"] == size and job.summary["updates"] == 1
    assert AuditEvent.objects.filter(action="member.create", detail__via="import").count() == size
    assert not actions.read_header(job.params["checked"])  # the stored check is gone with the file
    # the import marked where its members live and lived: the roll-ups count them
    assert read(["people.members"], places)["people.members"] == counted_afresh("people.members", places)


def test_a_place_renamed_after_the_preview_is_reported_by_row_and_nothing_written(
    cast, client, run_on_commit
):
    cast.login(client, "unit")
    rows = [row(600, "甲一"), row(601, "乙二", 居住小区="阳光小区", 居住楼栋="1号楼")]
    upload(client, csv_bytes(rows, "utf-8-sig"), "名单.csv")
    job = Job.objects.latest("created_at")
    assert job.errors == [] and job.params["checked"]
    compound = cast.places.compound_a1
    compound.name = "阳光花园"  # renamed between the preview and the confirmation
    compound.save()
    before = Member.objects.count()
    run_on_commit(client.post, reverse("jobs:job_confirm", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == "failed" and {(e["row"], e["column"]) for e in job.errors} == {(3, "居住小区")}
    assert Member.objects.count() == before  # row 2 was not written either
