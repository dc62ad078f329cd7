"""Reading a roster file (.xlsx or .csv) into rows, within limits a hostile file cannot stretch.

Every limit is checked before the expensive step it protects, and a file over one fails with a
sentence the uploader can act on (RosterFileError), never with a server error:

- the upload's size, before anything is stored (``check_upload``);
- for a workbook, the sizes its zip directory declares, before openpyxl opens it: a 0.35 MB
  .xlsx can hold shared strings that unpack to 144 MB, and openpyxl reads those whole. Python's
  zipfile never yields more than a member's declared size (a member that lies fails its CRC), so
  the declared sizes bound the work;
- the rows read, blank ones included (a single cell at row 1,000,000 makes a million blank rows),
  and the columns read per row, so the cells read are at most rows x ``MAX_COLUMNS``;
- member rows, ``IMPORT_MAX_ROWS``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from python_calamine import CalamineError, CalamineWorkbook

from jobs.roster import COLUMNS, NOTES_MARKER, Column, RosterRow, is_empty

MB = 1024 * 1024
# Unpacked, a real roster takes about 1 KB a row (20,000 rows with long skills: 20.5 MB); allow 2 KB.
UNPACKED_BYTES_PER_ROW = 2048
UNPACKED_BYTES_BASE = 1 * MB  # styles, theme, the header and notes rows
MAX_ZIP_MEMBERS = 1000  # a workbook from Excel or WPS has about a dozen
MAX_COLUMNS = 50  # the template has 13; columns further right are not read
BLANK_ROWS_ALLOWED = 1000  # blank rows read on top of the member rows before the file is refused


class RosterFileError(ValueError):
    """The file as a whole cannot be read as a roster (wrong type, unreadable, headers, size)."""


def check_upload(filename: str, size: int) -> None:
    """Refuse at once what no roster can be: the wrong type, or too large to store."""
    if size > settings.IMPORT_MAX_FILE_MB * MB:
        raise RosterFileError(_("The file is larger than %(mb)d MB.") % {"mb": settings.IMPORT_MAX_FILE_MB})
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise RosterFileError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))


def max_unpacked_bytes() -> int:
    return UNPACKED_BYTES_BASE + settings.IMPORT_MAX_ROWS * UNPACKED_BYTES_PER_ROW


def read_roster(content: bytes, filename: str, columns: tuple[Column, ...] = COLUMNS) -> list[RosterRow]:
    """Read the data rows of an .xlsx or .csv roster (or of another template with ``columns``, such as
    golive's set-up sheets); raise RosterFileError if it is not one."""
    check_upload(filename, len(content))
    if filename.lower().endswith(".xlsx"):
        raw = _xlsx_rows(content)
    else:
        raw = _csv_rows(content)
    return _rows_from(raw, columns)


def check_workbook_zip(content: bytes) -> None:
    """Refuse a workbook whose zip directory promises more than a roster can need."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise RosterFileError(
            _("The workbook holds %(n)d parts; a roster needs far fewer. Save it again as a plain .xlsx.")
            % {"n": len(members)}
        )
    unpacked, limit = sum(m.file_size for m in members), max_unpacked_bytes()
    if unpacked > limit:
        raise RosterFileError(
            _(
                "The workbook unpacks to %(size)d MB, more than the %(limit)d MB a roster of "
                "%(rows)d rows can need. Remove other sheets, pictures and formatting, or save it as CSV."
            )
            % {"size": -(-unpacked // MB), "limit": limit // MB, "rows": settings.IMPORT_MAX_ROWS}
        )


def _max_lines() -> int:
    return settings.IMPORT_MAX_ROWS + BLANK_ROWS_ALLOWED + 2  # + the header and the notes row


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    check_workbook_zip(content)
    if calamine_reads_as_openpyxl(content):
        return calamine_rows(content)
    return openpyxl_rows(content)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
# a cell right of MAX_COLUMNS (AX): three letters, or two beyond AX
_FAR_COLUMN = re.compile(rb'\br="(?:[A-Z]{3,}|[B-Z][A-Z]|A[YZ])\d+"')


def calamine_reads_as_openpyxl(content: bytes) -> bool:
    """Whether calamine gives this workbook's rows as openpyxl would, within the same bounds: no
    formula cell (calamine reads its cached result, openpyxl its ``=...`` text, which the check
    refuses), no row past the line limit and no cell right of ``MAX_COLUMNS`` (calamine allocates
    the sheet's whole rectangle; openpyxl stops at the bounds). Else openpyxl reads it, as before.

    The worksheets' XML is scanned as a stream (at zlib's speed, bounded by check_workbook_zip)."""
    max_lines = _max_lines() + 1
    far_row = re.compile(rb'<row\b[^>]*?\br="(\d{%d,})"' % len(str(max_lines)))
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                tail = b""
                with archive.open(info) as stream:
                    while chunk := stream.read(1 << 20):
                        text = tail + chunk
                        if _FORMULA_TAG.search(text) or _FAR_COLUMN.search(text):
                            return False
                        if any(int(m[1]) > max_lines for m in far_row.finditer(text)):
                            return False
                        tail = chunk[-64:]
    except Exception:  # noqa: BLE001 — zip, zlib, CRC: openpyxl reports the damage in its words
        return False
    return True


def calamine_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    """The first sheet's rows read by calamine (Rust; about 8x openpyxl's speed), with the values
    openpyxl gives: empty cells as None, a date as a datetime at midnight."""
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise RosterFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    max_lines = _max_lines() + 1
    try:
        for number, row in enumerate(sheet.iter_rows(), start=1):
            if number > max_lines:
                break
            yield number, [_openpyxl_value(v) for v in row[:MAX_COLUMNS]]
    except RosterFileError:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged sheet fails in many ways (XML, zip, values)
        raise RosterFileError(_("The Excel file is damaged and cannot be read to the end.")) from exc
    finally:
        workbook.close()


def _openpyxl_value(value: Any) -> Any:
    if value == "":
        return None
    if type(value) is date:
        return datetime.combine(value, time())
    return value


def openpyxl_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        # data_only=False on purpose: a formula cell reads as its "=..." text and is refused.
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise RosterFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        # Explicit bounds: the sheet's own dimension record is written by whoever made the file.
        rows = sheet.iter_rows(min_row=1, max_row=_max_lines() + 1, max_col=MAX_COLUMNS, values_only=True)
        for number, row in enumerate(rows, start=1):
            yield number, list(row)
    except RosterFileError:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged sheet fails in many ways (XML, zip, values)
        raise RosterFileError(_("The Excel file is damaged and cannot be read to the end.")) from exc
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise RosterFileError(_("The CSV file is neither UTF-8 nor GBK text."))
    if "\x00" in text:
        raise RosterFileError(_("The CSV file is not text."))
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, cells[:MAX_COLUMNS]
    except csv.Error as exc:
        raise RosterFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc


def _rows_from(raw: Iterator[tuple[int, list[Any]]], columns: tuple[Column, ...]) -> list[RosterRow]:
    header: list[str | None] | None = None
    rows: list[RosterRow] = []
    limit, max_lines = settings.IMPORT_MAX_ROWS, _max_lines()
    for number, cells in raw:
        if number > max_lines:
            raise RosterFileError(
                _(
                    "The sheet goes on past row %(n)d, blank rows included; a roster has at most "
                    "%(rows)d member rows. Delete the empty rows below the data, or split the file."
                )
                % {"n": max_lines, "rows": limit}
            )
        if header is None:
            if _blank(cells):
                continue
            header = _header(cells, columns)
            continue
        if _blank(cells):
            continue
        first = next((c for c in cells if not is_empty(c)), "")
        if not rows and isinstance(first, str) and first.strip().startswith(NOTES_MARKER):
            continue
        values = {key: cells[i] for i, key in enumerate(header) if key and i < len(cells)}
        rows.append(RosterRow(number, values))
        if len(rows) > limit:
            raise RosterFileError(
                _("The file has more than %(n)d member rows; split it into smaller files.") % {"n": limit}
            )
    if header is None or not rows:
        raise RosterFileError(_("The file contains no member rows."))
    return rows


def _header(cells: list[Any], columns: tuple[Column, ...]) -> list[str | None]:
    to_key = {c.header: c.key for c in columns} | {c.key: c.key for c in columns}
    keys = [to_key.get(str(c or "").strip().strip("*＊").strip()) for c in cells]
    missing = [c.header for c in columns if c.required and c.key not in keys]
    if missing:
        raise RosterFileError(
            _("The first row must hold the template's headers; missing: %(cols)s.")
            % {"cols": "、".join(missing)}
        )
    return keys


def _blank(cells: list[Any]) -> bool:
    return all(is_empty(c) for c in cells)
