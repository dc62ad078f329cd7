"""Helpers for the jobs tests: roster files built in memory, uploads, running queued jobs."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from conftest import _id
from jobs.roster import COLUMNS

HEADERS = [c.header for c in COLUMNS]


def row(n: int, name: str = "", **over) -> list:
    """A clean roster row for unit A (party org U1), ID built like the cast's."""
    values = {
        "姓名": name or f"党员{n}",
        "身份证号": _id(n),
        "手机号": f"1391234{n:04d}",
        "性别": "",
        "出生日期": "",
        "入党日期": "2010-07-01",
        "党员状态": "正式党员",
        "所在党组织编码": "U1",
        "是否在职": "是",
        "居住社区代码": "350802001001",
        "居住小区": "",
        "居住楼栋": "",
        "技能特长": "",
    }
    values.update(over)
    return [values[h] for h in HEADERS]


def xlsx_bytes(rows: list[list], headers: list | None = None, notes: list | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers or HEADERS)
    if notes:
        sheet.append(notes)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, content: bytes, name: str = "roster.xlsx", **extra):
    """Upload a roster; its check job runs as the request commits (huey is immediate in tests)."""
    data = {"file": SimpleUploadedFile(name, content)}
    data.update(extra)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("jobs:import_members"), data)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the job queueing) as if the request's transaction had committed."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run
