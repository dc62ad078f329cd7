"""The set-up sheets: one template per registry, in the order their parents need, and what they share
(a row's cells as text, the verdict on a file).

Each sheet is read like a roster (``jobs.roster_files.read_roster`` with the sheet's columns: the same
limits, the same notes row, formula-looking cells refused), checked in full without writing (every
error of every row at once, each with its row number and reason), then written in one transaction in
bulk. A row may only name parents that exist already or, for trees (party organisations, grids),
that stand in an earlier row of the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jobs.roster import CellError, Column, RosterRow, looks_like_formula, text_of

Progress = Callable[[int], None] | None


@dataclass
class Plan:
    """The verdict on one file: row-numbered errors, counts, and what a clean file will write."""

    headers: dict[str, str]
    rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    new: int = 0
    updates: int = 0
    items: list[Any] = field(default_factory=list)
    failed_rows: set[int] = field(default_factory=set)

    def add(self, row: int | None, key: str, message: str) -> None:
        self.errors.append({"row": row, "column": self.headers.get(key, ""), "message": str(message)})
        if row is not None:
            self.failed_rows.add(row)

    def missing_parent(self, row: int, key: str, what: str, value: str, sheet: str) -> None:
        """A row names a parent that does not exist: say which, and which file brings it."""
        self.add(
            row,
            key,
            _("%(what)s %(value)s does not exist: import it first (%(sheet)s).")
            % {"what": what, "value": value, "sheet": sheet},
        )

    def count(self, exists: bool) -> None:
        if exists:
            self.updates += 1
        else:
            self.new += 1

    @property
    def summary(self) -> dict[str, int]:
        self.errors.sort(key=lambda e: e["row"] or 0)
        return {"rows": self.rows, "new": self.new, "updates": self.updates, "errors": len(self.errors)}


def cells(row: RosterRow, columns: tuple[Column, ...], plan: Plan) -> dict[str, str]:
    """A row's cells as trimmed text; required, formula-looking and number-stored cells are reported."""
    texts: dict[str, str] = {}
    for column in columns:
        try:
            text = text_of(row.values.get(column.key), number_ok=column.key != "id_number")
        except CellError as exc:
            plan.add(row.number, column.key, str(exc))
            texts[column.key] = ""
            continue
        if text and looks_like_formula(text) and not (column.key == "phone" and text.startswith("+86")):
            plan.add(
                row.number,
                column.key,
                _("Looks like a spreadsheet formula (starts with = + - @); type plain text."),
            )
            text = ""
        elif column.required and not text:
            plan.add(row.number, column.key, _("Required."))
        texts[column.key] = text
    return texts


def duplicates(plan: Plan, keyed: list[tuple[int, Any]], key: str) -> None:
    """Report rows of the file that repeat the same natural key."""
    seen: dict[Any, list[int]] = {}
    for number, value in keyed:
        if value:
            seen.setdefault(value, []).append(number)
    for numbers in seen.values():
        for number in numbers[1:]:
            plan.add(number, key, _("Repeats row %(row)d.") % {"row": numbers[0]})


@dataclass(frozen=True)
class Sheet:
    """One set-up template: its columns, its parents (sheets to import first), its check and its write."""

    key: str
    title: Any  # lazy
    columns: tuple[Column, ...]
    parents: tuple[str, ...]
    check: Callable[..., Plan]  # (rows=, user=, progress=) -> Plan
    write: Callable[..., dict[str, int]]  # (plan=, user=) -> counts
    choices: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()  # besides the platform administrator

    @property
    def filename(self) -> str:
        return f"{self.key}.xlsx"
