"""Writing .xlsx files with openpyxl: the roster template and the export sheets.

Every value written passes ``escape_cell``: a text starting with = + - @ (or a tab or carriage
return) would be run as a formula by Excel, so it gets a leading single quote (OWASP's
guidance on CSV/formula injection).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
NOTES_FONT = Font(italic=True, color="808080")
DATE_FORMAT = "yyyy-mm-dd"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")


def escape_cell(value: Any) -> Any:
    """The value to write: text that Excel would read as a formula is prefixed with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def excel_value(value: Any) -> Any:
    """Escape text; make datetimes local and naive (Excel has no time zones); keep dates as dates."""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, str | date | int | float):
        return escape_cell(value)
    return escape_cell(str(value))


def sheet_title(title: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\."""
    return _BAD_TITLE_CHARS.sub(" ", title)[:31] or "Sheet1"


def write_table(
    out: IO[bytes],
    *,
    title: str,
    headers: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Stream rows into a write-only workbook: bold frozen header, real dates, set widths. Returns the row count."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(title))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=escape_cell(str(header)))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header_cells.append(cell)
    sheet.append(header_cells)
    count = 0
    for row in rows:
        cells = []
        for value in row:
            value = excel_value(value)
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT if not isinstance(value, datetime) else "yyyy-mm-dd hh:mm"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
        count += 1
    workbook.save(out)
    return count


def write_roster_template(out: IO[bytes]) -> None:
    """The member roster template: Chinese headers, a grey notes row the importer skips, no example row."""
    from jobs.roster import COLUMNS

    choices = {"gender": '"男,女"', "status": '"正式党员,预备党员"', "in_service": '"是,否"'}
    write_template(out, title=_("Member roster"), columns=COLUMNS, choices=choices)


def write_template(out: IO[bytes], *, title: str, columns: Sequence[Any], choices: dict[str, str]) -> None:
    """An import template: Chinese headers, a grey notes row the importer skips, text columns kept
    as text, drop-down lists for the ``choices`` columns (key -> Excel list formula)."""
    from jobs.roster import NOTES_MARKER

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=column.header)
        header.font, header.fill = HEADER_FONT, HEADER_FILL
        note = str(column.note)
        if index == 1:
            note = f"{NOTES_MARKER}：{note}"
        notes = sheet.cell(row=2, column=index, value=note)
        notes.font = NOTES_FONT
        notes.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = max(column.width, 12)
        if column.text:
            # Text format for the data rows, so an 18-digit ID or an 11-digit phone stays exact.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.row_dimensions[2].height = 48
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        if column.key in choices:
            validation = DataValidation(type="list", formula1=choices[column.key], allow_blank=True)
            letter = get_column_letter(index)
            validation.add(f"{letter}3:{letter}20002")
            sheet.add_data_validation(validation)
    workbook.save(out)
