"""The 12345 hotline's tickets (12345 工单), imported from a file: the street or the organisation department
uploads an .xlsx or .csv laid out like the template (``COLUMNS``: the Chinese headers are the file format),
and each good row becomes a case through ``cases.actions.report_case(source="hotline",
external_id=<ticket>)``, in its own transaction.

- A ticket already imported (a hotline case with that number) is skipped, and so is a ticket repeated in
  the file; the result says which.
- A bad row is reported with its row number (as Excel shows it) and the reason, and writes nothing; the
  good rows are imported all the same. The whole file's result is shown.
- The caller's phone is sealed by the action like every phone (gongjian/privacy.py); only its last digits
  are kept readable, for the mask.
- Synchronous, so bounded: at most ``MAX_ROWS`` tickets and ``MAX_FILE_MB`` per file (a day's tickets of
  a street are a few hundred); the file is read with jobs/roster_files.py (python-calamine for a workbook)
  under those bounds.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from accounts.models import Role
from accounts.scope import scope_for
from audit.actions import record_event
from cases import actions
from cases.models import Case, CaseCategory, CaseSource
from jobs.roster import Column, is_empty
from jobs.roster_files import RosterFileError, read_roster
from jobs.workbooks import write_template
from places.models import Area, AreaLevel

MAX_ROWS = 1000  # about 25 ms a ticket: half a minute at most, inside a request
MAX_FILE_MB = 5
MAX_UNPACKED_MB = 40  # a workbook of MAX_ROWS tickets unpacks to a few MB; more is not a ticket file
IMPORT_ROLES = (Role.STREET, Role.ORG_DEPT)

COLUMNS: tuple[Column, ...] = (
    Column(
        "ticket",
        "工单编号",
        gettext_lazy("Required. The ticket's number in the hotline system."),
        required=True,
        width=18,
    ),
    Column(
        "reported_at",
        "来电时间",
        gettext_lazy("When the call came, e.g. 2026-12-01 09:30; blank: now."),
        width=18,
    ),
    Column(
        "category",
        "问题分类",
        gettext_lazy("Required. A category's code (as in Open311) or its name."),
        required=True,
        width=14,
    ),
    Column(
        "title",
        "标题",
        gettext_lazy("Required. The problem in a few words (80 characters at most)."),
        required=True,
        width=24,
    ),
    Column("description", "问题描述", gettext_lazy("What the caller said."), width=40),
    Column(
        "community",
        "所属社区",
        gettext_lazy("Required. The community's 12-digit code, or its name."),
        required=True,
        width=16,
    ),
    Column("address", "地址", gettext_lazy("Where, as the caller said it."), width=24),
    Column("caller_name", "来电人", gettext_lazy("The caller's name, if given."), width=10),
    Column(
        "caller_phone", "联系电话", gettext_lazy("11-digit mobile number, if given; stored sealed."), width=15
    ),
)


HEADERS = {column.key: column.header for column in COLUMNS}


def _cell(key: str, message: str) -> str:
    """A row's problem, named by its column's header (the file's own words)."""
    return f"{HEADERS[key]}: {message}"


class HotlineFileError(ValueError):
    """The file as a whole cannot be read as a ticket file; nothing was imported."""


@dataclass
class HotlineResult:
    rows: int = 0
    created: list[dict[str, Any]] = field(default_factory=list)  # {row, ticket, case}
    skipped: list[dict[str, Any]] = field(default_factory=list)  # {row, ticket, reason}
    errors: list[dict[str, Any]] = field(default_factory=list)  # {row, ticket, reason}

    @property
    def lines(self) -> list[dict[str, Any]]:
        """Every row of the file in order, with what became of it (created, skipped, error)."""
        tagged = [{**c, "outcome": "created"} for c in self.created]
        tagged += [{**s, "outcome": "skipped"} for s in self.skipped]
        tagged += [{**e, "outcome": "error"} for e in self.errors]
        return sorted(tagged, key=lambda line: line["row"])


def write_hotline_template(out: IO[bytes]) -> None:
    write_template(out, title=_("Hotline tickets"), columns=COLUMNS, choices={})


def _check_size(content: bytes, filename: str) -> None:
    if len(content) > MAX_FILE_MB * 1024 * 1024:
        raise HotlineFileError(
            _("The file is larger than %(mb)d MB; split it into files of at most %(rows)d tickets.")
            % {"mb": MAX_FILE_MB, "rows": MAX_ROWS}
        )
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise HotlineFileError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
    if filename.lower().endswith(".xlsx"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise HotlineFileError(_("The file is not a readable Excel workbook (.xlsx).")) from exc
        if unpacked > MAX_UNPACKED_MB * 1024 * 1024:
            raise HotlineFileError(
                _(
                    "The workbook unpacks to more than %(mb)d MB: remove other sheets and pictures, or save it as CSV."
                )
                % {"mb": MAX_UNPACKED_MB}
            )


def _text(value: Any) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a general cell: 13912345678.0
    return str(value).strip()


def _moment(value: Any) -> datetime | None:
    """When the call came: an Excel date, an Excel serial number, or text; local time."""
    if is_empty(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
        value = from_excel(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if not isinstance(value, datetime):
        text = str(value).strip().replace("/", "-").replace("T", " ")
        for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                value = datetime.strptime(text, pattern)  # noqa: DTZ007 — local time, made aware below
                break
            except ValueError:
                continue
        else:
            raise ValidationError(_cell("reported_at", _("Not a time; write it like 2026-12-01 09:30.")))
    if not 2000 <= value.year <= 2099:
        raise ValidationError(_cell("reported_at", _("Not a time; write it like 2026-12-01 09:30.")))
    moment = timezone.make_aware(value) if timezone.is_naive(value) else value
    if moment > timezone.now():
        raise ValidationError(_cell("reported_at", _("The call cannot come from the future.")))
    return moment


class _Lookups:
    """Categories and communities, read once for the whole file."""

    def __init__(self, user):
        self.categories: dict[str, CaseCategory] = {}
        names: dict[str, list[CaseCategory]] = {}
        for category in CaseCategory.objects.active().leaves():
            self.categories[category.code.lower()] = category
            names.setdefault(category.name, []).append(category)
        self.category_names = names
        scope = scope_for(user)
        communities = Area.objects.filter(level=AreaLevel.COMMUNITY).select_related("parent")
        if not scope.everything:
            # the communities of the streets the uploader files hotline cases for
            communities = communities.filter(scope.area_q("path"))
        self.communities: dict[str, Area] = {}
        self.community_names: dict[str, list[Area]] = {}
        for community in communities:
            self.communities[community.code] = community
            self.community_names.setdefault(community.name, []).append(community)

    def category(self, value: str) -> CaseCategory:
        found = self.categories.get(value.lower())
        if found is None:
            same = self.category_names.get(value, [])
            if len(same) > 1:
                raise ValidationError(
                    _cell(
                        "category", _("%(value)s names several categories; give its code.") % {"value": value}
                    )
                )
            found = same[0] if same else None
        if found is None:
            raise ValidationError(_cell("category", _("No category %(value)s.") % {"value": value}))
        return found

    def community(self, value: str) -> Area:
        found = self.communities.get(value)
        if found is None:
            same = self.community_names.get(value, [])
            if len(same) > 1:
                raise ValidationError(
                    _cell(
                        "community",
                        _("%(value)s names several communities; give its 12-digit code.") % {"value": value},
                    )
                )
            found = same[0] if same else None
        if found is None:
            raise ValidationError(
                _cell("community", _("No community %(value)s in your area.") % {"value": value})
            )
        return found


def import_hotline(*, acting_user, content: bytes, filename: str, request=None) -> HotlineResult:
    """Read the file and import its good rows, each in its own transaction; HotlineFileError when the file
    as a whole cannot be read (then nothing is imported)."""
    if not scope_for(acting_user).has(*IMPORT_ROLES):
        raise PermissionDenied(_("Hotline cases are filed by the street or the organisation department."))
    _check_size(content, filename)
    try:
        rows = read_roster(content, filename, COLUMNS)
    except RosterFileError as exc:
        raise HotlineFileError(str(exc)) from exc
    if len(rows) > MAX_ROWS:
        raise HotlineFileError(
            _("The file has %(n)d tickets; import at most %(max)d at a time.")
            % {"n": len(rows), "max": MAX_ROWS}
        )
    result = HotlineResult(rows=len(rows))
    tickets = [_text(row.values.get("ticket"))[:64] for row in rows]
    imported = set(
        Case.objects.filter(source=CaseSource.HOTLINE, external_id__in=[t for t in tickets if t]).values_list(
            "external_id", flat=True
        )
    )
    lookups = _Lookups(acting_user)
    seen: dict[str, int] = {}
    for row, ticket in zip(rows, tickets, strict=True):
        if not ticket:
            result.errors.append({"row": row.number, "ticket": "", "reason": _cell("ticket", _("Required."))})
            continue
        if ticket in imported:
            result.skipped.append({"row": row.number, "ticket": ticket, "reason": _("Already imported.")})
            continue
        if ticket in seen:
            result.skipped.append(
                {"row": row.number, "ticket": ticket, "reason": _("Repeats row %(n)d.") % {"n": seen[ticket]}}
            )
            continue
        seen[ticket] = row.number
        values = row.values
        try:
            title = _text(values.get("title"))
            if not title:
                raise ValidationError(_cell("title", _("Required.")))
            with transaction.atomic():
                case = actions.report_case(
                    acting_user=acting_user,
                    title=title[:80],
                    category=lookups.category(_text(values.get("category"))),
                    description=_text(values.get("description")),
                    community=lookups.community(_text(values.get("community"))),
                    address=_text(values.get("address")),
                    reporter_name=_text(values.get("caller_name")),
                    reporter_phone=_text(values.get("caller_phone")),
                    source=CaseSource.HOTLINE,
                    external_id=ticket,
                    reported_at=_moment(values.get("reported_at")),
                    request=request,
                )
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            result.errors.append({"row": row.number, "ticket": ticket, "reason": reason})
            continue
        result.created.append({"row": row.number, "ticket": ticket, "case": case})
    record_event(
        actor=acting_user,
        action="case.hotline_import",
        request=request,
        detail={
            "filename": filename[:200],
            "rows": result.rows,
            "created": len(result.created),
            "skipped": len(result.skipped),
            "errors": len(result.errors),
        },
    )
    return result
