"""A roster file is read in the background job, within limits a hostile file cannot stretch: the
upload request only stores it; a zip bomb, a sheet running on for a million rows or a far-right
cell are refused or ignored quickly, with a reason."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from audit.models import AuditEvent
from jobs import roster_files
from jobs.models import Job, JobStatus
from jobs.tests.conftest import HEADERS, row, upload, xlsx_bytes
from people.models import Member

SST = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _job():
    return Job.objects.latest("created_at")


def bomb_xlsx(unpacked_mb: int) -> bytes:
    """A real one-row roster plus shared strings that unpack to ``unpacked_mb`` MB (a few hundred KB packed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes([row(700)]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb,
    ):
        for item in source.infolist():
            bomb.writestr(item.filename, source.read(item.filename))
        with bomb.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(SST)
            chunk = b"<si><t>" + b"A" * 1024 * 1024 + b"</t></si>"
            for _ in range(unpacked_mb):
                strings.write(chunk)
            strings.write(b"</sst>")
    return out.getvalue()


@pytest.fixture
def no_openpyxl(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl opened the file")

    monkeypatch.setattr(roster_files, "load_workbook", refuse)


def test_the_upload_request_only_stores_the_file_and_queues_its_check(
    cast, client, django_capture_on_commit_callbacks, monkeypatch
):
    cast.login(client, "unit")
    opened = []
    real = roster_files.check_workbook_zip  # the first step of reading a workbook, by either reader
    monkeypatch.setattr(roster_files, "check_workbook_zip", lambda *a, **k: opened.append(1) or real(*a, **k))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(
            reverse("jobs:import_members"), {"file": SimpleUploadedFile("r.xlsx", xlsx_bytes([row(701)]))}
        )
    job = _job()
    assert response.status_code == 302 and len(queued) == 1 and not opened
    assert job.status == JobStatus.QUEUED and job.input_file and job.errors == []
    assert AuditEvent.objects.get(action="import.upload").detail["filename"] == "r.xlsx"
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    progress_url = reverse("jobs:job_progress", args=[job.public_id])
    assert progress_url.encode() in page.content and b'hx-trigger="every 2s"' in page.content
    assert reverse("jobs:job_confirm", args=[job.public_id]).encode() not in page.content
    assert "HX-Refresh" not in client.get(progress_url, headers={"HX-Request": "true"})

    queued[0]()  # the worker runs the check
    job.refresh_from_db()
    assert opened and job.status == JobStatus.PREVIEW and job.summary["rows"] == 1
    assert AuditEvent.objects.get(action="import.check").detail["new"] == 1
    # the polling partial asks for the whole page, which now offers the confirmation
    assert client.get(progress_url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert reverse("jobs:job_confirm", args=[job.public_id]).encode() in page.content


def test_a_zip_bomb_workbook_is_refused_quickly_before_it_is_opened(cast, client, no_openpyxl, settings):
    settings.IMPORT_MAX_ROWS = 20000  # the limit grows with the rows allowed: 40 MB for 20,000
    bomb = bomb_xlsx(100)
    assert len(bomb) < 1024 * 1024  # well under the upload limit: the size on disk says nothing
    cast.login(client, "unit")
    started = time.monotonic()
    assert upload(client, bomb).status_code == 302
    elapsed = time.monotonic() - started
    job = _job()
    assert job.status == JobStatus.FAILED and "unpacks to 101 MB" in job.summary["error"]
    assert "more than the 40 MB" in job.summary["error"] and elapsed < 5
    assert not job.input_file  # refused files are not kept
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert b"unpacks to 101 MB" in page.content
    assert reverse("jobs:job_retry", args=[job.public_id]).encode() not in page.content
    assert AuditEvent.objects.get(action="import.check").outcome == "failure"


def test_a_workbook_of_too_many_parts_is_refused(cast, client, no_openpyxl):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(roster_files.MAX_ZIP_MEMBERS + 1):
            archive.writestr(f"xl/media/{n}.bin", b"")
    cast.login(client, "unit")
    upload(client, out.getvalue())
    job = _job()
    assert job.status == JobStatus.FAILED and "1001 parts" in job.summary["error"]


def test_the_unpacked_limit_follows_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 20000
    assert roster_files.max_unpacked_bytes() == 1024 * 1024 + 20000 * 2048  # about 40 MB
    settings.IMPORT_MAX_ROWS = 100
    roster_files.check_workbook_zip(xlsx_bytes([row(n) for n in range(100)]))  # a real one passes


def test_a_sheet_running_on_past_the_row_limit_is_refused(cast, client, settings):
    settings.IMPORT_MAX_ROWS = 50
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row(702))
    sheet.cell(row=1_000_000, column=1, value="stray")  # a million rows, all but three blank
    out = io.BytesIO()
    workbook.save(out)
    cast.login(client, "unit")
    started = time.monotonic()
    upload(client, out.getvalue())
    job = _job()
    assert job.status == JobStatus.FAILED and time.monotonic() - started < 5
    assert "past row 1052" in job.summary["error"] and "50 member rows" in job.summary["error"]


def test_a_csv_running_on_past_the_row_limit_is_refused(cast, client, settings):
    settings.IMPORT_MAX_ROWS = 10
    content = (",".join(HEADERS) + "\n" + ",".join(row(703)) + "\n" + "\n" * 2000).encode()
    cast.login(client, "unit")
    upload(client, content, "r.csv")
    assert "past row 1012" in _job().summary["error"]


def test_cells_far_to_the_right_are_not_read(cast, client):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(row(704))
    sheet.cell(row=2, column=16384, value="=EVIL()")  # column XFD, the last Excel has
    out = io.BytesIO()
    workbook.save(out)
    cast.login(client, "unit")
    upload(client, out.getvalue())
    job = _job()
    assert job.status == JobStatus.PREVIEW and job.errors == [] and job.summary["rows"] == 1


@pytest.mark.parametrize(
    "name,size,reason",
    [("roster.xlsx", 20 * 1024 * 1024 + 1, "larger than 20 MB"), ("roster.pdf", 10, ".xlsx")],
)
def test_the_wrong_type_or_size_is_refused_in_the_request(
    cast, client, no_openpyxl, settings, name, size, reason
):
    settings.IMPORT_MAX_FILE_MB = 20
    cast.login(client, "unit")
    before = Member.objects.count()
    upload(client, b"x" * size, name)
    job = _job()
    assert job.status == JobStatus.FAILED and reason in job.summary["error"] and not job.input_file
    assert AuditEvent.objects.get(action="import.upload").outcome == "failure"
    assert Member.objects.count() == before
