import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from audit.models import AuditEvent
from conftest import _id
from gongjian.privacy import keyed_hash
from jobs.models import Job, JobStatus
from jobs.roster import NOTES_MARKER, CellError, date_of
from jobs.tests.conftest import HEADERS, csv_bytes, row, upload, xlsx_bytes
from people.models import Member


def _job():
    return Job.objects.latest("created_at")


def _errors(job):
    return {(e["row"], e["column"]) for e in job.errors}


def confirm(client, run_on_commit, job):
    return run_on_commit(client.post, reverse("jobs:job_confirm", args=[job.public_id]))


def test_template_download_has_headers_and_notes_row(cast, client):
    cast.login(client, "unit")
    response = client.get(reverse("jobs:roster_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == HEADERS
    notes = sheet[2]
    assert notes[0].value.startswith(NOTES_MARKER)
    assert notes[0].font.i and all(c.value for c in notes)
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 2  # no example row to import by accident
    assert sheet.column_dimensions["B"].width >= 20


def test_bad_roster_reports_row_numbered_errors_and_imports_nothing(cast, client, run_on_commit):
    before = Member.objects.count()
    bad_check = _id(101)[:-1] + ("0" if _id(101)[-1] != "0" else "1")
    rows = [
        row(100),  # 2: clean
        row(101, 身份证号=bad_check),  # 3: check digit
        row(102, 手机号="12345"),  # 4: phone
        row(103, 所在党组织编码="NOPE"),  # 5: unknown org
        row(104, 所在党组织编码="U2"),  # 6: another unit's org
        row(105, 居住社区代码="350802009999"),  # 7: unknown area
        row(106),
        row(106, "重复"),  # 8, 9: same ID twice
        row(107, '=HYPERLINK("http://evil.example","点我")'),  # 10: formula
        row(3, "王五"),  # 11: member of unit B
        row(109, 性别="女"),  # 12: ID says male (odd digit)
        row(110, 居住小区="不存在小区"),  # 13: unknown compound
        row(111, 入党日期="2020-13-45"),  # 14: impossible date
        row(112, 党员状态="群众"),  # 15: bad status
        row(113, 居住社区代码="350802001"),  # 16: a street's code, 9 digits
        row(114, 技能特长="@SUM(1+1)"),  # 17: formula in free text
        row(115, 姓名=""),  # 18: required
    ]
    cast.login(client, "unit")
    response = upload(client, xlsx_bytes(rows))
    job = _job()
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.public_id])
    assert job.status == JobStatus.PREVIEW and not job.input_file  # not kept: it cannot be confirmed
    assert _errors(job) == {
        (3, "身份证号"),
        (4, "手机号"),
        (5, "所在党组织编码"),
        (6, "所在党组织编码"),
        (7, "居住社区代码"),
        (8, "身份证号"),
        (9, "身份证号"),
        (10, "姓名"),
        (11, "身份证号"),
        (12, "性别"),
        (13, "居住小区"),
        (14, "入党日期"),
        (15, "党员状态"),
        (16, "居住社区代码"),
        (17, "技能特长"),
        (18, "姓名"),
    }
    messages = {e["row"]: e["message"] for e in job.errors}
    assert "check digit" in messages[3] or "校验" in messages[3]
    assert "formula" in messages[10] or "公式" in messages[10]
    assert job.summary == {"rows": 17, "new": 1, "updates": 0, "errors": len(job.errors)}
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert page.status_code == 200 and b"HYPERLINK" not in page.content  # reasons, never the values
    assert reverse("jobs:job_confirm", args=[job.public_id]).encode() not in page.content
    confirm(client, run_on_commit, job)
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEW
    assert Member.objects.count() == before


def test_clean_roster_imports_and_seals_numbers(cast, client, run_on_commit):
    p = cast.places
    rows = [
        row(120, "陈一", 出生日期=datetime(1980, 1, 9), 入党日期="2005/7/1", 性别="女"),
        row(121, "林二", 入党日期="2006年7月1日", 居住小区="阳光小区", 居住楼栋="1号楼", 技能特长="法律咨询"),
        row(122, "黄三", 党员状态="预备党员", 是否在职="否", 居住社区代码="", 入党日期=date(2023, 3, 1)),
        row(2, "李四", 手机号="+86 139 0000 0002"),  # already in unit A: an update
    ]
    cast.login(client, "unit")
    upload(client, xlsx_bytes(rows))
    job = _job()
    assert job.errors == []
    assert job.summary == {"rows": 4, "new": 3, "updates": 1, "errors": 0}
    before = Member.objects.count()
    response = confirm(client, run_on_commit, job)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert job.summary["new"] == 3 and job.summary["updates"] == 1 and job.percent == 100
    assert Member.objects.count() == before + 3
    visible = Member.objects.visible_to(cast.unit)
    lin = visible.get(name="林二")
    assert lin.unit == p.unit_a and lin.party_org == p.org_unit_a and lin.residence_area == p.a1
    assert lin.residence_compound == p.compound_a1 and lin.residence_building == p.building_a1
    assert lin.joined_on == date(2006, 7, 1) and lin.skills == "法律咨询" and lin.in_service
    chen = visible.get(name="陈一")
    assert chen.birth_date == date(1980, 1, 9) and chen.joined_on == date(2005, 7, 1)
    huang = visible.get(name="黄三")
    assert huang.status == "probationary" and not huang.in_service and huang.residence_area is None
    assert "12340121" not in lin.phone_cipher and lin.phone_hash == keyed_hash("phone", "13912340121")
    assert lin.masked_phone == "139****0121"
    cast.m_a2.refresh_from_db()
    assert cast.m_a2.phone_hash == keyed_hash("phone", "13900000002")
    event = AuditEvent.objects.get(action="import.members")
    assert event.detail["new"] == 3 and event.detail["updates"] == 1 and event.actor == cast.unit
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert page.status_code == 200


def test_reimport_with_changed_phone_updates_without_duplicates(cast, client, run_on_commit):
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(130, "郑十")]))
    confirm(client, run_on_commit, _job())
    count = Member.objects.count()
    upload(client, xlsx_bytes([row(130, "郑十", 手机号="13711112222")]))
    job = _job()
    assert job.summary == {"rows": 1, "new": 0, "updates": 1, "errors": 0}
    confirm(client, run_on_commit, job)
    assert Member.objects.count() == count
    assert Member.objects.get(name="郑十").phone_hash == keyed_hash("phone", "13711112222")


def test_member_of_another_unit_or_organisation_is_refused(cast, client):
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(3, "王五"), row(5, "钱七")]))
    job = _job()
    assert _errors(job) == {(2, "身份证号"), (3, "身份证号")}
    cast.m_b.refresh_from_db()
    assert cast.m_b.unit == cast.places.unit_b


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_rosters_in_utf8_bom_and_gbk(cast, client, run_on_commit, encoding):
    cast.login(client, "unit")
    upload(
        client, csv_bytes([row(140, "欧阳锋", 入党日期="2001/7/1"), row(141, "慕容复")], encoding), "名单.csv"
    )
    job = _job()
    assert job.errors == [] and job.summary["new"] == 2
    confirm(client, run_on_commit, job)
    assert Member.objects.filter(name__in=["欧阳锋", "慕容复"], unit=cast.places.unit_a).count() == 2


def test_notes_row_of_the_template_is_skipped(cast, client):
    cast.login(client, "unit")
    template = load_workbook(io.BytesIO(client.get(reverse("jobs:roster_template")).content))
    sheet = template.active
    for col, value in enumerate(row(150), start=1):
        sheet.cell(row=3, column=col, value=value)
    out = io.BytesIO()
    template.save(out)
    upload(client, out.getvalue())
    job = _job()
    assert job.errors == [] and job.summary["rows"] == 1


@pytest.mark.parametrize(
    "name,content",
    [
        ("roster.txt", b"hello"),
        ("roster.xlsx", b"not a zip file at all"),
        ("roster.csv", "姓名,电话\n张三,1\n".encode()),  # headers missing
        ("roster.csv", ("\ufeff" + ",".join(HEADERS) + "\n").encode()),  # no rows
    ],
)
def test_unreadable_files_fail_the_job_with_a_reason(cast, client, name, content):
    before = Member.objects.count()
    cast.login(client, "unit")
    upload(client, content, name)
    job = _job()
    assert job.status == JobStatus.FAILED and job.summary["error"] and job.errors[0]["message"]
    assert Member.objects.count() == before
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert escape(job.summary["error"]).encode() in page.content
    assert reverse("jobs:job_retry", args=[job.public_id]).encode() not in page.content


def test_too_many_rows_is_refused(cast, client, settings):
    settings.IMPORT_MAX_ROWS = 2
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(160), row(161), row(162)]))
    job = _job()
    assert job.status == JobStatus.FAILED and "2" in job.summary["error"]


def test_numeric_id_cell_is_refused_with_a_hint(cast, client):
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(170, 身份证号=350802198001011234, 手机号=13912340170)]))
    job = _job()
    assert _errors(job) == {(2, "身份证号")}  # a numeric phone is fine; a numeric ID has lost digits


def test_conflict_after_preview_fails_the_job_then_retry_succeeds(cast, client, run_on_commit):
    from people.actions import MemberData, save_member

    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(180, "周一"), row(181, "吴二")]))
    job = _job()
    assert job.errors == []
    # between preview and confirmation, unit B registers the second person
    taken = save_member(
        acting_user=None,
        data=MemberData(
            name="吴二",
            id_number=_id(181),
            phone="13912340181",
            party_org=cast.places.org_unit_b,
            unit=cast.places.unit_b,
        ),
    )
    before = Member.objects.count()
    confirm(client, run_on_commit, job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert _errors(job) == {(3, "身份证号")}
    assert Member.objects.count() == before  # row 2 was not written either
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert reverse("jobs:job_retry", args=[job.public_id]).encode() in page.content
    taken.unit = cast.places.unit_a  # sorted out between the units
    taken.save()
    run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2
    assert job.summary["new"] == 1 and job.summary["updates"] == 1
    assert Member.objects.count() == before + 1


def test_failure_while_writing_leaves_nothing_half_written(cast, client, run_on_commit, monkeypatch):
    from jobs import actions

    real = actions.write_checked

    def fails_after_writing(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(actions, "write_checked", fails_after_writing)
    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(190, "甲"), row(191, "乙"), row(192, "丙")]))
    before = Member.objects.count()
    confirm(client, run_on_commit, _job())
    job = _job()
    assert job.status == JobStatus.FAILED and "disk on fire" in job.summary["error"]
    assert Member.objects.count() == before
    assert not AuditEvent.objects.filter(action="member.create", target_label__in=["甲", "乙", "丙"]).exists()
    assert AuditEvent.objects.filter(action="import.members", outcome="failure").exists()


def test_platform_admin_chooses_the_unit_and_unit_admin_cannot(cast, client):
    p = cast.places
    cast.login(client, "admin")
    upload(client, xlsx_bytes([row(200, 所在党组织编码="U2")]), unit=str(p.unit_b.public_id))
    job = _job()
    assert job.params["unit"] == str(p.unit_b.public_id) and job.errors == []
    cast.login(client, "unit")
    count = Job.objects.count()
    response = upload(client, xlsx_bytes([row(201, 所在党组织编码="U2")]), unit=str(p.unit_b.public_id))
    assert response.status_code == 200 and Job.objects.count() == count


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2020-01-31", date(2020, 1, 31)),
        ("2020/1/31", date(2020, 1, 31)),
        ("2020年1月31日", date(2020, 1, 31)),
        ("2020.01.31", date(2020, 1, 31)),
        ("20200131", date(2020, 1, 31)),
        (43861, date(2020, 1, 31)),
        (datetime(2020, 1, 31, 0, 0), date(2020, 1, 31)),
        ("2020-01-31 00:00:00", date(2020, 1, 31)),
        ("", None),
    ],
)
def test_dates_in_the_forms_people_write(raw, expected):
    assert date_of(raw) == expected


@pytest.mark.parametrize("raw", ["31/01/2020", "2020-02-30", "昨天", -5])
def test_impossible_dates_are_refused(raw):
    with pytest.raises(CellError):
        date_of(raw)


def test_stored_roster_is_encrypted_and_deleted_after_import(cast, client, run_on_commit, media):
    cast.login(client, "unit")
    upload(client, csv_bytes([row(210, "保密")], "utf-8-sig"), "r.csv")
    job = _job()
    stored = job.input_file.path
    with open(stored, "rb") as handle:
        raw = handle.read()
    assert _id(210).encode() not in raw and "保密".encode() not in raw and b"1391234" not in raw
    confirm(client, run_on_commit, job)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and not job.input_file
    import os

    assert not os.path.exists(stored)


def test_stale_previews_are_purged_and_cancelled(cast, client, run_on_commit):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.actions import sweep_jobs

    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(220)]))
    job = _job()
    assert sweep_jobs() == 0
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=2))
    assert sweep_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and not job.input_file
    confirm(client, run_on_commit, job)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED


def test_jobs_whose_worker_died_are_failed_and_can_be_retried(cast, client, run_on_commit):
    from datetime import timedelta

    from django.utils import timezone

    from jobs.actions import sweep_jobs

    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(230, "卡住")]))
    job = _job()
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=3),
        params={**job.params, "confirmed": True},
    )
    sweep_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.input_file
    run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and Member.objects.filter(name="卡住").exists()
