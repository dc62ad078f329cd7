"""The files an export writes: .xlsx (rustpy-xlsxwriter) or .csv (the standard library), from the
same cells.

The cells come already converted (``jobs.workbooks.excel_value`` on the instance path, the
converters of ``jobs.export_values`` on the value path): text escaped against formula injection by
``escape_cell`` — the one rule for both formats — dates as dates, local datetimes without a zone,
None as an empty cell.

Why rustpy-xlsxwriter for the sheet (Rust's rust_xlsxwriter; on PyPI, released 2026-10): 200,000
rows of the member export's shape, each writer alone, in one run on a busy 2-core machine: 4.4 s
and 21 MB peak RSS, against XlsxWriter (constant_memory) 35 s / 22 MB, openpyxl write-only 68 s /
27 MB; pyexcelerate took 10 s and 98 MB, growing with the rows (it holds the sheet). It keeps
memory flat only when it writes to a path — given a file object it holds the whole file in memory — so
the sheet is written to a temporary file and read back. It takes rows as dicts keyed by header;
every export's headers are distinct (jobs/tests/test_export_values.py).

The .csv is UTF-8 with a byte-order mark (so Excel on a Chinese Windows reads it as UTF-8, not
GBK), RFC 4180 quoting and CRLF line ends (the csv module's "excel" dialect).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import IO, Any

from rustpy_xlsxwriter import Format, write_worksheet

from jobs.export_values import ANY, DATE, DATETIME
from jobs.workbooks import DATE_FORMAT, XLSX_CONTENT_TYPE, escape_cell, sheet_title, write_table

DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Table:
    """What a file needs besides its rows."""

    title: str
    headers: Sequence[str]
    widths: Sequence[int]
    kinds: Sequence[str]  # jobs.export_values TEXT / DATE / DATETIME / ANY (not known), one per column


@dataclass(frozen=True)
class FileFormat:
    name: str
    content_type: str
    write: Callable[[IO[bytes], Table, Iterable[Sequence[Any]]], int]


def counted(rows: Iterable[Sequence[Any]], into: list[int]) -> Iterable[Sequence[Any]]:
    """The rows, counting them into ``into[0]`` as they pass."""
    for row in rows:
        into[0] += 1
        yield row


def write_xlsx(out: IO[bytes], table: Table, rows: Iterable[Sequence[Any]]) -> int:
    """One sheet: bold grey frozen header, the columns' widths, real dates. Returns the row count."""
    headers = [escape_cell(str(h)) for h in table.headers]
    formats = {
        DATE: Format().set_num_format(DATE_FORMAT),
        DATETIME: Format().set_num_format(DATETIME_FORMAT),
    }
    general = Format()
    rows = iter(rows)
    first = next(rows, None)
    if first is None:  # the writer takes its header row from the first record: none, no header
        return write_table(out, title=table.title, headers=headers, widths=table.widths, rows=())
    count = [1]
    records = (dict(zip(headers, row, strict=True)) for row in chain([first], counted(rows, count)))
    with tempfile.TemporaryDirectory(prefix="gj-export-") as folder:
        path = os.path.join(folder, "export.xlsx")
        write_worksheet(
            records,
            path,
            sheet_name=sheet_title(table.title),
            freeze_row=1,
            column_widths=[float(w) for w in table.widths],
            column_formats=[formats.get(kind, general) for kind in table.kinds],
            header_format=Format().set_bold().set_background_color("#F2F2F2"),
            datetime_format=DATETIME_FORMAT,  # a date or datetime in a column not known as one
        )
        with open(path, "rb") as written:
            shutil.copyfileobj(written, out, 1024 * 1024)
    return count[0]


def write_csv(out: IO[bytes], table: Table, rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM, RFC 4180 quoting, CRLF. Returns the row count."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=False)
    try:
        writer = csv.writer(text)
        writer.writerow([escape_cell(str(h)) for h in table.headers])
        # The csv module writes None as empty and a date as ISO 8601 by itself; a datetime it would
        # write with seconds and microseconds, so those cells get the sheet's format.
        timed = [i for i, kind in enumerate(table.kinds) if kind in (DATETIME, ANY)]
        count = 0
        for row in rows:
            cells = list(row)
            for i in timed:
                if isinstance(cells[i], datetime):
                    cells[i] = cells[i].strftime("%Y-%m-%d %H:%M")
            writer.writerow(cells)
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns ``out``
    return count


FORMATS: dict[str, FileFormat] = {
    "xlsx": FileFormat("xlsx", XLSX_CONTENT_TYPE, write_xlsx),
    "csv": FileFormat("csv", CSV_CONTENT_TYPE, write_csv),
}
DEFAULT_FORMAT = "xlsx"


def file_format(name: str | None) -> FileFormat:
    """The named format; an unknown or missing name gives .xlsx."""
    return FORMATS.get(name or DEFAULT_FORMAT, FORMATS[DEFAULT_FORMAT])
