"""The 12345 hotline's ticket file: good rows become hotline cases, bad rows are listed with their row
numbers and write nothing, tickets already imported (or repeated) are skipped, the caller's phone is
sealed; the page, its template, and files that are not ticket files."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from cases.hotline import COLUMNS, MAX_ROWS, HotlineFileError, import_hotline
from cases.models import Case

pytestmark = pytest.mark.django_db

HEADER = [c.header for c in COLUMNS]


def csv_of(rows) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_of(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good(ticket="T-001", community="350802001001", category="piles", phone="13912345678"):
    return [
        ticket,
        "2026-11-30 09:30",
        category,
        "楼道堆物",
        "三楼楼道堆满杂物",
        community,
        "龙津路1号",
        "陈先生",
        phone,
    ]


def test_good_and_bad_rows(cast):
    rows = [
        good("T-001"),
        good("T-002", community="龙津社区", category="乱堆乱放"),  # by name
        good("T-003", category="no-such-category"),
        good("T-004", community="350802002001"),  # street B's community: not the uploader's
        good("T-005", phone="12345"),
        ["", "", "piles", "无编号", "", "350802001001", "", "", ""],
        good("T-007")[:3] + [""] + good()[4:],  # no title
        ["T-008", "tomorrow-ish", "piles", "时间不对", "", "350802001001", "", "", ""],
    ]
    result = import_hotline(acting_user=cast.street, content=csv_of(rows), filename="tickets.csv")
    assert result.rows == 8
    assert [(c["row"], c["ticket"]) for c in result.created] == [(2, "T-001"), (3, "T-002")]
    assert [(e["row"], e["ticket"]) for e in result.errors] == [
        (4, "T-003"),
        (5, "T-004"),
        (6, "T-005"),
        (7, ""),
        (8, "T-007"),
        (9, "T-008"),
    ]
    reasons = {e["row"]: e["reason"] for e in result.errors}
    assert reasons[4].startswith("问题分类") and reasons[5].startswith("所属社区")
    assert "11-digit" in reasons[6] and reasons[7].startswith("工单编号") and reasons[8].startswith("标题")
    assert reasons[9].startswith("来电时间")
    assert Case.objects.count() == 2  # nothing of the bad rows
    case = Case.objects.get(external_id="T-001")
    assert case.source == "hotline" and case.community == cast.places.a1 and case.reporter_name == "陈先生"
    assert case.address == "龙津路1号" and case.description == "三楼楼道堆满杂物"
    assert case.reported_at.year == 2026 and case.reported_at.month == 11
    # the phone is sealed: neither the cipher nor anything else holds it in clear
    assert "13912345678" not in str(Case.objects.filter(pk=case.pk).values().get())
    assert case.reporter_phone_hint and case.reporter_phone_masked == "139****5678"
    event = AuditEvent.objects.get(action="case.hotline_import")
    assert event.detail["created"] == 2 and event.detail["errors"] == 6


def test_tickets_already_imported_or_repeated_are_skipped(cast):
    import_hotline(acting_user=cast.street, content=csv_of([good("T-1")]), filename="a.csv")
    result = import_hotline(
        acting_user=cast.street, content=csv_of([good("T-1"), good("T-2"), good("T-2")]), filename="b.csv"
    )
    assert [c["ticket"] for c in result.created] == ["T-2"]
    assert [(s["row"], s["ticket"], s["reason"]) for s in result.skipped] == [
        (2, "T-1", "Already imported."),
        (4, "T-2", "Repeats row 3."),
    ]
    assert Case.objects.filter(external_id="T-1").count() == 1


def test_a_workbook_with_real_dates_and_numbers(cast):
    import datetime as dt

    row = good("T-9")
    row[1] = dt.datetime(2026, 11, 30, 9, 30)
    row[8] = 13912345678  # typed as a number
    result = import_hotline(acting_user=cast.orgdept, content=xlsx_of([row]), filename="tickets.xlsx")
    assert len(result.created) == 1, result.errors
    assert result.created[0]["case"].reporter_phone_masked == "139****5678"


@pytest.mark.parametrize(
    ("content", "filename", "words"),
    [
        (b"hello", "tickets.txt", ".xlsx"),
        (b"not a zip", "tickets.xlsx", "readable"),
        ("名字,电话\n张三,1\n".encode(), "tickets.csv", "headers"),
        (csv_of([]), "tickets.csv", "no"),
    ],
)
def test_files_that_are_not_ticket_files(cast, content, filename, words):
    with pytest.raises(HotlineFileError) as info:
        import_hotline(acting_user=cast.street, content=content, filename=filename)
    assert words in str(info.value)
    assert not Case.objects.exists()


def test_too_many_rows(cast):
    rows = [good(f"T-{n}") for n in range(MAX_ROWS + 1)]
    with pytest.raises(HotlineFileError) as info:
        import_hotline(acting_user=cast.street, content=csv_of(rows), filename="big.csv")
    assert str(MAX_ROWS) in str(info.value)
    assert not Case.objects.exists()


def test_only_the_street_or_the_organisation_department(cast):
    for who in ("community", "grid", "dept", "resident"):
        with pytest.raises(PermissionDenied):
            import_hotline(acting_user=getattr(cast, who), content=csv_of([good()]), filename="a.csv")
    # street B's committee cannot file in street A's communities
    result = import_hotline(acting_user=cast.street2, content=csv_of([good()]), filename="a.csv")
    assert not result.created and result.errors[0]["reason"].startswith("所属社区")


def test_the_page(cast):
    client = cast.login(Client(), "street")
    page = client.get(reverse("cases:hotline_import"))
    assert page.status_code == 200 and "工单编号" in page.content.decode()
    upload = SimpleUploadedFile("tickets.csv", csv_of([good("T-1"), good("T-2", category="nope")]))
    response = client.post(reverse("cases:hotline_import"), {"file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 tickets read: 1 imported, 0 skipped, 1 with errors." in html
    assert Case.objects.get(external_id="T-1").number in html and "No category nope." in html
    bad = client.post(reverse("cases:hotline_import"), {"file": SimpleUploadedFile("x.txt", b"x")})
    assert bad.status_code == 400 and ".xlsx" in bad.content.decode()
    assert client.post(reverse("cases:hotline_import"), {}).status_code == 400
    assert cast.login(Client(), "community").get(reverse("cases:hotline_import")).status_code == 403


def test_the_template(cast):
    response = cast.login(Client(), "street").get(reverse("cases:hotline_template"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == HEADER
    # the template, filled in, imports
    sheet.append(good("T-from-template"))
    out = io.BytesIO()
    sheet.parent.save(out)
    result = import_hotline(acting_user=cast.street, content=out.getvalue(), filename="filled.xlsx")
    assert [c["ticket"] for c in result.created] == ["T-from-template"]


@pytest.mark.django_db(transaction=True)
def test_the_import_page_on_a_phone_and_a_desktop(live_server, browser, tmp_path):
    """The street uploads a file with a good, a repeated and a bad row and reads the result, at 360 px
    and on a desktop (screenshots in /tmp/shots/api/)."""
    from pathlib import Path

    from conftest import build_cast
    from gongjian.browser_testing import DESK, PHONE, fits_the_phone, signed_in

    shots = Path("/tmp/shots/api")
    shots.mkdir(parents=True, exist_ok=True)
    cast = build_cast()
    for name, viewport in (("360", PHONE), ("1280", DESK)):
        upload = tmp_path / f"tickets-{name}.csv"
        upload.write_bytes(
            csv_of([good(f"W-{name}"), good(f"W-{name}"), good(f"X-{name}", category="没有这个分类")])
        )
        page = signed_in(browser, live_server, "street", cast.password, viewport)
        page.goto(live_server.url + reverse("cases:hotline_import"))
        page.set_input_files("input[name=file]", str(upload))
        page.click("main form button[type=submit]")
        page.wait_for_selector("#hotline-result")
        assert "没有这个分类" in page.locator("#hotline-result").inner_text()
        if viewport is PHONE:
            assert fits_the_phone(page)
        page.screenshot(path=str(shots / f"hotline-{name}.png"), full_page=True)
        page.context.close()
