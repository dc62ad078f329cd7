"""Helpers for the set-up tests: set-up files built in memory, uploaded and confirmed through the pages."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from golive.catalogue import SHEETS
from jobs.models import Job, JobKind


def headers(key: str) -> list[str]:
    return [c.header for c in SHEETS[key].columns]


def xlsx_of(key: str, rows: list[dict]) -> bytes:
    """A set-up file for sheet ``key``: its headers, then one row per dict (header -> value)."""
    workbook = Workbook()
    sheet = workbook.active
    names = headers(key)
    sheet.append(names)
    for values in rows:
        sheet.append([values.get(h, "") for h in names])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_of(key: str, rows: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    names = headers(key)
    writer.writerow(names)
    for values in rows:
        writer.writerow([values.get(h, "") for h in names])
    return out.getvalue().encode("utf-8-sig")


def latest_job() -> Job:
    return Job.objects.filter(kind=JobKind.IMPORT_SETUP).latest("created_at")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    """``send(key, rows)`` uploads a set-up file (its check runs as the request commits) and answers
    the checked job; ``send(key, rows, confirm=True)`` confirms it too and answers the finished job."""

    def run(key: str, rows: list[dict], *, confirm: bool = False, csv_file: bool = False, expect: int = 302):
        content = csv_of(key, rows) if csv_file else xlsx_of(key, rows)
        name = f"{key}.csv" if csv_file else f"{key}.xlsx"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("golive:sheet", args=[key]), {"file": SimpleUploadedFile(name, content)}
            )
        assert response.status_code == expect, response
        if expect != 302:
            return response
        job = latest_job()
        if confirm:
            with django_capture_on_commit_callbacks(execute=True):
                client.post(reverse("golive:job_confirm", args=[job.public_id]))
            job.refresh_from_db()
        return job

    return run


def errors_of(job: Job) -> set[tuple[int | None, str]]:
    return {(e["row"], e["column"]) for e in job.errors}
