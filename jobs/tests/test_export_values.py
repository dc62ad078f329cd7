"""Exports read as values write what the instance path wrote (issue 12), in .xlsx and .csv, and
stream: the queryset is read in chunks and the writers' memory does not grow with the rows."""

import csv
import io
import tracemalloc
from datetime import date, datetime

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.http import QueryDict
from openpyxl import load_workbook

from conftest import _id
from jobs.export_files import Table, write_csv, write_xlsx
from jobs.export_values import DATE, DATETIME, TEXT, VALUE_CHUNK, read_apart
from jobs.exports import all_specs
from jobs.workbooks import write_table
from people.actions import MemberData, save_member
from people.models import MemberStatus

EVIL = '=HYPERLINK("http://evil.example/","点我")'
# The lists the value path must read (plain columns): the long lists above all.
VALUE_SPECS = {
    "members",
    "residents",
    "units",
    "applicants",
    "areas",
    "buildings",
    "points_ledger",
    "audit_events",
}


@pytest.fixture
def every_kind(cast):
    """Rows with every kind of cell: masked numbers, choices, dates, empty values, Chinese text and
    text that Excel would run as a formula."""
    p = cast.places
    save_member(
        acting_user=None,
        data=MemberData(
            name=EVIL[:32],
            id_number=_id(301),
            phone="13812345678",
            party_org=p.org_unit_a,
            unit=p.unit_a,
            residence_area=p.a1,
            joined_on=date(2001, 7, 1),
            status=MemberStatus.PROBATIONARY,
            in_service=True,
            skills="+维修；-水电",
        ),
    )
    save_member(
        acting_user=None,
        data=MemberData(name="空白", id_number=_id(302), phone="13912345678", party_org=p.org_unit_a),
    )
    return cast


def legacy_sheet(spec, queryset) -> list[list]:
    """What the exporter wrote before issue 12: model instances, ``row`` per object, openpyxl."""
    out = io.BytesIO()
    write_table(
        out,
        title=str(spec.title),
        headers=[str(c.header) for c in spec.columns],
        widths=[c.width for c in spec.columns],
        rows=(spec.row(obj) for obj in spec.prepare(queryset.iterator(chunk_size=100))),
    )
    return cells_of(out)


def cells_of(out: io.BytesIO) -> list[list]:
    out.seek(0)
    return [[blank(c.value) for c in row] for row in load_workbook(out).active.iter_rows()]


def blank(value):
    """An empty string and no value are both an empty cell; a time is compared to the second (the
    sheets show minutes; openpyxl kept microseconds, the new writer keeps whole seconds)."""
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    return "" if value is None else value


@pytest.mark.parametrize("name", sorted(all_specs()))
def test_the_new_path_writes_the_cells_the_old_path_wrote(every_kind, name):
    spec = all_specs()[name]
    queryset = spec.filtered(every_kind.admin, QueryDict(""))
    expected = legacy_sheet(spec, queryset)
    out = io.BytesIO()
    assert spec.export(out, queryset) == len(expected) - 1
    got = cells_of(out)
    for new, old in zip(got, expected, strict=True):
        assert new == old
    batched = io.BytesIO()
    spec.export(batched, queryset, batched=True)
    assert cells_of(batched) == expected


@pytest.mark.parametrize("name", sorted(VALUE_SPECS))
def test_the_long_lists_are_read_as_values(every_kind, name):
    spec = all_specs()[name]
    assert spec.value_plan(spec.queryset_for(every_kind.admin)) is not None


def test_the_member_sheet_shows_masks_labels_dates_and_escapes(every_kind):
    spec = all_specs()["members"]
    out = io.BytesIO()
    spec.export(out, spec.queryset_for(every_kind.admin))
    out.seek(0)
    sheet = load_workbook(out).active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    evil = rows["'" + EVIL[:32]]
    values = [c.value for c in evil]
    assert evil[0].data_type == "s" and "138****5678" in values and "13812345678" not in values
    assert "350802********" + _id(301)[-4:] in values
    assert "预备党员" in values or "Probationary member" in values
    assert "'+维修；-水电" in values
    joined = next(c for c in evil if c.is_date)
    assert joined.value == datetime(2001, 7, 1) and joined.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2" and sheet[1][0].font.b


def test_every_export_has_distinct_headers():
    """The .xlsx writer takes each row as a dict keyed by header."""
    for spec in all_specs().values():
        headers = [str(c.header) for c in spec.columns]
        assert len(set(headers)) == len(headers), spec.name


def test_csv_is_utf8_with_bom_quoted_escaped_and_holds_the_sheets_values(every_kind):
    spec = all_specs()["members"]
    queryset = spec.queryset_for(every_kind.admin)
    out = io.BytesIO()
    rows = spec.export(out, queryset, fmt="csv")
    raw = out.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(table) == rows + 1 and table[0] == [str(c.header) for c in spec.columns]
    sheet = legacy_sheet(spec, queryset)
    as_text = [
        [v.strftime("%Y-%m-%d") if isinstance(v, datetime) else str(v) for v in row] for row in sheet[1:]
    ]
    assert table[1:] == as_text
    evil = next(r for r in table if r[0].startswith("'="))
    assert evil[0] == "'" + EVIL[:32]  # the quotes inside survive RFC 4180 quoting
    assert b'"\'=HYPERLINK(""http://evil.example/' in raw


def test_the_value_path_reads_through_one_chunked_cursor(every_kind, monkeypatch):
    seen = []
    real = QuerySet.iterator

    def spy(self, chunk_size=None):
        seen.append(chunk_size)
        return real(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    spec = all_specs()["members"]
    spec.export(io.BytesIO(), spec.queryset_for(every_kind.admin), fmt="csv")
    assert seen == [VALUE_CHUNK]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's stream")
def test_read_apart_gives_the_rows_the_cursor_gives(cast):
    """Outside a transaction, a PostgreSQL export streams on its own connection; the committed
    cast is what both connections see."""
    spec = all_specs()["members"]
    queryset = spec.queryset_for(cast.admin)
    plan = spec.value_plan(queryset)
    values = queryset.values_list("pk", *plan.lookups)
    assert [tuple(row) for row in read_apart(values)] == list(values)


def synthetic(n: int):
    for i in range(n):
        yield [f"张三{i}", "138****1234", date(2000, 1, 1 + i % 28), datetime(2020, 1, 1, 8, i % 60), i, ""]


TABLE = Table(
    "t", ["姓名", "手机", "日期", "时间", "数", "空"], [12] * 6, [TEXT, TEXT, DATE, DATETIME, TEXT, TEXT]
)


@pytest.mark.parametrize("write", [write_csv, write_xlsx])
def test_writers_memory_does_not_grow_with_the_rows(write, tmp_path):
    """Peak Python memory for 4× the rows stays about the same (the rows stream to the file)."""
    peaks = []
    for n in (2_000, 8_000):
        with open(tmp_path / f"{n}", "wb") as out:
            tracemalloc.start()
            assert write(out, TABLE, synthetic(n)) == n
            peaks.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()
    assert peaks[1] < peaks[0] * 1.5 + 256 * 1024, peaks


def test_csv_button_inline_and_as_a_job_says_its_format(cast, client, settings, run_on_commit):
    from django.urls import reverse

    from audit.models import AuditEvent
    from jobs.models import Job, JobKind, JobStatus

    cast.login(client, "street")
    page = client.get(reverse("people:member_list")).content.decode()
    assert f'href="{reverse("jobs:export_start_as", args=["members", "csv"])}"' in page
    inline = client.get(reverse("jobs:export_start_as", args=["members", "csv"]))
    assert inline["Content-Type"] == "text/csv; charset=utf-8" and ".csv" in inline["Content-Disposition"]
    assert inline.content.startswith(b"\xef\xbb\xbf")
    assert AuditEvent.objects.get(action="export.members").detail["format"] == "csv"
    assert client.get(reverse("jobs:export_start_as", args=["members", "pdf"])).status_code == 404

    settings.EXPORT_INLINE_MAX_ROWS = 1
    run_on_commit(client.get, reverse("jobs:export_start_as", args=["members", "csv"]))
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.SUCCEEDED and job.params["format"] == "csv"
    assert job.result_file.name.endswith(".csv") and job.params["filename"].endswith(".csv")
    detail = client.get(reverse("jobs:job_detail", args=[job.public_id])).content.decode()
    assert "Download .csv" in detail
    download = client.get(reverse("jobs:job_download", args=[job.public_id]))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert ".csv" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) - 1 == job.done
    start = AuditEvent.objects.get(action="export.start")
    assert start.detail["format"] == "csv"
