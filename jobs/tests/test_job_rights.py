"""Regressions from the review: rights are checked again when a job is retried or its file fetched,
and damaged roster files fail as a job with a reason, never as a server error."""

import io
import zipfile

from django.test import Client
from django.urls import reverse

from accounts.actions import revoke_role
from accounts.models import Role, RoleGrant
from jobs.models import Job, JobKind, JobStatus
from jobs.tests.conftest import csv_bytes, row, upload, xlsx_bytes


def test_retry_is_refused_once_the_unit_role_is_gone(client, cast, run_on_commit):
    from conftest import _id
    from people.actions import MemberData, save_member

    cast.login(client, "unit")
    upload(client, xlsx_bytes([row(180, "周一"), row(181, "吴二")]))
    job = Job.objects.latest("created_at")
    # another unit registers one of the people before the import runs: the run fails
    save_member(
        acting_user=None,
        data=MemberData(
            name="吴二",
            id_number=_id(181),
            phone="13912340181",
            party_org=cast.places.org_unit_b,
            unit=cast.places.unit_b,
        ),
    )
    run_on_commit(client.post, reverse("jobs:job_confirm", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    revoke_role(acting_user=cast.admin, grant=RoleGrant.objects.get(user=cast.unit, role=Role.UNIT_ADMIN))
    response = run_on_commit(client.post, reverse("jobs:job_retry", args=[job.public_id]))
    job.refresh_from_db()
    assert response.status_code == 403 and job.status == JobStatus.FAILED


def test_an_export_is_not_downloadable_once_the_role_is_gone(client, cast, settings, run_on_commit):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    cast.login(client, "street")
    run_on_commit(client.get, reverse("jobs:export_start", args=["members"]))
    job = Job.objects.get(kind=JobKind.EXPORT)
    assert job.status == JobStatus.SUCCEEDED
    assert client.get(reverse("jobs:job_download", args=[job.public_id])).status_code == 200
    revoke_role(acting_user=cast.admin, grant=RoleGrant.objects.get(user=cast.street))
    assert client.get(reverse("jobs:job_download", args=[job.public_id])).status_code == 404


def test_a_csv_with_an_oversized_cell_fails_cleanly(cast):
    client = Client(raise_request_exception=False)
    cast.login(client, "unit")
    cells = row(300, "甲")
    cells[-1] = "x" * 200_000
    response = upload(client, csv_bytes([cells], "utf-8"), name="roster.csv")
    assert response.status_code == 302
    assert Job.objects.latest("created_at").status == JobStatus.FAILED


def test_a_truncated_workbook_fails_cleanly(cast):
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([row(301, "乙")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as damaged:
        for item in source.infolist():
            data = source.read(item.filename)
            damaged.writestr(
                item, data[: len(data) // 2] if item.filename == "xl/worksheets/sheet1.xml" else data
            )
    client = Client(raise_request_exception=False)
    cast.login(client, "unit")
    assert upload(client, out.getvalue()).status_code == 302
    assert Job.objects.latest("created_at").status == JobStatus.FAILED
