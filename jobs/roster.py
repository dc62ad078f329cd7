"""Member rosters: the template's columns, cell values, and checking every row.

Reading a file is ``jobs.roster_files``. Reading and checking are pure (no writes): the preview
check and the import, both in the background job, call ``check_roster`` and get the same answer
for the same file and the same database.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.datetime import from_excel

from gongjian.privacy import (
    InvalidNumber,
    birth_date_from_id,
    gender_from_id,
    keyed_hash,
    normalize_id_number,
    normalize_phone,
)
from jobs.roster_lookups import Known, look_up
from orgs.models import Unit
from people.actions import MemberData
from people.models import Gender, MemberStatus
from places.models import AreaLevel

NOTES_MARKER = "说明"  # the template's notes row starts with this; the importer skips it
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header is the file format: it does not change with the UI language
    note: Any  # lazy, shown in the template's notes row
    required: bool = False
    width: int = 14
    text: bool = True  # format the template column as text (long numbers stay exact)


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", gettext_lazy("Required. Full name."), required=True, width=12),
    Column(
        "id_number",
        "身份证号",
        gettext_lazy("Required. 18-character resident ID number, as text."),
        required=True,
        width=22,
    ),
    Column("phone", "手机号", gettext_lazy("Required. 11-digit mobile number."), required=True, width=15),
    Column(
        "gender", "性别", gettext_lazy("男 or 女; may be left blank (taken from the ID number)."), width=8
    ),
    Column(
        "birth_date",
        "出生日期",
        gettext_lazy("Optional, e.g. 1980-01-31; must agree with the ID number."),
        width=12,
    ),
    Column("joined_on", "入党日期", gettext_lazy("Optional, e.g. 2005-07-01 or 2005年7月1日."), width=12),
    Column("status", "党员状态", gettext_lazy("Required. 正式党员 or 预备党员."), required=True, width=12),
    Column(
        "party_org_code",
        "所在党组织编码",
        gettext_lazy("Required. Code of your unit's party organisation."),
        required=True,
        width=16,
    ),
    Column("in_service", "是否在职", gettext_lazy("是 or 否; blank means 是."), width=10),
    Column(
        "community_code",
        "居住社区代码",
        gettext_lazy(
            "Optional. 12-digit code of the community of residence; find it on the platform's "
            "Community codes page."
        ),
        width=20,
    ),
    Column(
        "compound",
        "居住小区",
        gettext_lazy("Optional. Compound name, as registered in that community."),
        width=14,
    ),
    Column("building", "居住楼栋", gettext_lazy("Optional. Building name in that compound."), width=12),
    Column("skills", "技能特长", gettext_lazy("Optional. Skills, up to 200 characters."), width=24),
)
HEADER_TO_KEY = {c.header: c.key for c in COLUMNS} | {c.key: c.key for c in COLUMNS}
HEADER_OF = {c.key: c.header for c in COLUMNS}

GENDER_WORDS = {
    "男": Gender.MALE,
    "女": Gender.FEMALE,
    "male": Gender.MALE,
    "female": Gender.FEMALE,
    "m": Gender.MALE,
    "f": Gender.FEMALE,
}
STATUS_WORDS = {
    "正式党员": MemberStatus.FULL,
    "预备党员": MemberStatus.PROBATIONARY,
    "正式": MemberStatus.FULL,
    "预备": MemberStatus.PROBATIONARY,
    "full": MemberStatus.FULL,
    "probationary": MemberStatus.PROBATIONARY,
}
YES_NO = {
    "是": True,
    "否": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "在职": True,
    "不在职": False,
}
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass
class RosterRow:
    number: int  # the row number Excel shows
    values: dict[str, Any]


@dataclass
class RosterCheck:
    """The verdict on a roster: row-numbered errors, counts, and the clean rows ready to save."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0
    new: int = 0
    updates: int = 0
    members: list[tuple[int, MemberData]] = field(default_factory=list)
    existing: dict[int, int] = field(default_factory=dict)  # row number -> the member it updates

    @property
    def summary(self) -> dict[str, int]:
        return {"rows": self.rows, "new": self.new, "updates": self.updates, "errors": len(self.errors)}

    def add(self, row: int | None, key: str, message: str) -> None:
        self.errors.append({"row": row, "column": HEADER_OF.get(key, ""), "message": str(message)})


# Cell values ---------------------------------------------------------------------------------


class CellError(ValueError):
    pass


def text_of(value: Any, *, number_ok: bool = True) -> str:
    """A cell as trimmed text; whole numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float) and not number_ok:
        raise CellError(
            _("The number was stored as a number and may have lost digits; format the column as text.")
        )
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\u3000", " ").strip()


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def is_empty(value: Any) -> bool:
    """A cell with nothing in it (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def date_of(value: Any) -> date | None:
    """A date from an Excel date, an Excel serial number, or text like 2020-01-31, 2020/1/31, 2020年1月31日."""
    if is_empty(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial range
            result = from_excel(value)
            return result.date() if isinstance(result, datetime) else result
        raise CellError(_("Not a date."))
    text = str(value).strip().split(" ")[0].split("T")[0]
    if text.isdigit() and len(text) == 8:
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE_RE.match(text)
    if not match:
        raise CellError(_("Not a date; write it like 2020-01-31."))
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise CellError(_("Not a date; write it like 2020-01-31.")) from exc


# Checking ------------------------------------------------------------------------------------


@dataclass
class _Parsed:
    number: int
    name: str
    id_number: str
    phone: str
    gender: str
    birth_date: date | None
    joined_on: date | None
    status: str
    party_org_code: str
    in_service: bool
    community_code: str
    compound: str
    building: str
    skills: str
    failed: bool = False  # a cell of this row is wrong: its other cells are still checked


def check_roster(
    *,
    unit: Unit,
    rows: list[RosterRow],
    progress: Callable[[int], None] | None = None,
    known: Known | None = None,
) -> RosterCheck:
    """Check every row against the format and the database; nothing is written. ``known``: what the
    rows name, looked up once for a file that holds many units' rosters (``look_up``)."""
    check = RosterCheck(rows=len(rows))
    parsed: list[_Parsed] = []
    for index, row in enumerate(rows, start=1):
        parsed.append(_parse_row(row, check))
        if progress and index % 500 == 0:
            progress(index)
    _check_duplicates_in_file(parsed, check)
    _resolve(unit, parsed, check, known)
    check.errors.sort(key=lambda e: e["row"] or 0)
    if progress:
        progress(len(rows))
    return check


def _parse_row(row: RosterRow, check: RosterCheck) -> _Parsed:
    n, v = row.number, row.values
    failed = False

    def err(key: str, message: str) -> None:
        nonlocal failed
        failed = True
        check.add(n, key, message)

    texts: dict[str, str] = {}
    for col in COLUMNS:
        if col.key in ("birth_date", "joined_on"):
            continue
        try:
            text = text_of(v.get(col.key), number_ok=col.key != "id_number")
        except CellError as exc:
            err(col.key, str(exc))
            texts[col.key] = ""
            continue
        if text and _suspicious(col.key, text):
            err(col.key, _("Looks like a spreadsheet formula (starts with = + - @); type plain text."))
            text = ""
        elif col.required and not text:
            err(col.key, _("Required."))
        texts[col.key] = text

    id_number = ""
    if texts["id_number"]:
        try:
            id_number = normalize_id_number(texts["id_number"])
        except InvalidNumber as exc:
            err("id_number", str(exc))
    phone = ""
    if texts["phone"]:
        try:
            phone = normalize_phone(texts["phone"])
        except InvalidNumber as exc:
            err("phone", str(exc))
    if len(texts["name"]) > 32:
        err("name", _("At most 32 characters."))
    if len(texts["skills"]) > 200:
        err("skills", _("At most 200 characters."))

    gender = ""
    if texts["gender"]:
        gender = GENDER_WORDS.get(texts["gender"].lower(), "")
        if not gender:
            err("gender", _("Write 男 or 女."))
        elif id_number and gender != gender_from_id(id_number):
            err("gender", _("Does not agree with the ID number."))
    dates: dict[str, date | None] = {}
    for key in ("birth_date", "joined_on"):
        try:
            dates[key] = date_of(v.get(key))
        except CellError as exc:
            err(key, str(exc))
            dates[key] = None
    if dates["birth_date"] and id_number and dates["birth_date"] != birth_date_from_id(id_number):
        err("birth_date", _("Does not agree with the ID number."))
    today = timezone.localdate()
    if dates["joined_on"] and dates["joined_on"] > today:
        err("joined_on", _("Lies in the future."))
    elif dates["joined_on"] and id_number and dates["joined_on"] <= birth_date_from_id(id_number):
        err("joined_on", _("Lies before the birth date."))

    status = ""
    if texts["status"]:
        status = STATUS_WORDS.get(texts["status"].lower(), "")
        if not status:
            err("status", _("Write 正式党员 or 预备党员."))
    in_service = True
    if texts["in_service"]:
        if texts["in_service"].lower() not in YES_NO:
            err("in_service", _("Write 是 or 否."))
        in_service = YES_NO.get(texts["in_service"].lower(), True)
    community_code = texts["community_code"]
    if community_code and not (community_code.isdigit() and len(community_code) == 12):
        err("community_code", _("A community code has 12 digits."))
    if (texts["compound"] or texts["building"]) and not community_code:
        err("community_code", _("Give the community when giving a compound or building."))
    if texts["building"] and not texts["compound"]:
        err("compound", _("Give the compound when giving a building."))
    if community_code and not (community_code.isdigit() and len(community_code) == 12):
        community_code = ""  # reported above; not looked up as well
    # every row is returned, so the codes that read well are still looked up and a row's problems are
    # all reported at once; a failed row is never imported
    return _Parsed(
        number=n,
        name=texts["name"],
        id_number=id_number,
        phone=phone,
        gender=gender,
        birth_date=dates["birth_date"],
        joined_on=dates["joined_on"],
        status=status,
        party_org_code=texts["party_org_code"],
        in_service=in_service,
        community_code=community_code,
        compound=texts["compound"],
        building=texts["building"],
        skills=texts["skills"],
        failed=failed,
    )


def _suspicious(key: str, text: str) -> bool:
    if key == "phone" and text.startswith("+86"):
        return False
    return looks_like_formula(text)


def _check_duplicates_in_file(parsed: list[_Parsed], check: RosterCheck) -> None:
    seen: dict[str, list[int]] = {}
    for item in parsed:
        if item.id_number:
            seen.setdefault(item.id_number, []).append(item.number)
    for numbers in seen.values():
        if len(numbers) > 1:
            for number in numbers:
                others = ", ".join(str(x) for x in numbers if x != number)
                check.add(
                    number,
                    "id_number",
                    _("The same ID number appears again in row %(rows)s.") % {"rows": others},
                )


def _resolve(unit: Unit, parsed: list[_Parsed], check: RosterCheck, known: Known | None = None) -> None:
    """Look codes, names and ID numbers up in bulk; report what is unknown or belongs elsewhere.

    Every row is looked up, also one with wrong cells, so that all of its problems are reported together.
    """
    if not parsed:
        return
    hashes = {p.id_number: keyed_hash("id_number", p.id_number) for p in parsed if p.id_number}
    if known is None:
        known = look_up(
            units=[unit],
            org_codes={p.party_org_code for p in parsed},
            area_codes={p.community_code for p in parsed},
            id_hashes=set(hashes.values()),
        )
    orgs, areas, compounds, buildings = known.orgs, known.areas, known.compounds, known.buildings
    existing = known.members
    unit_paths = known.unit_org_paths.get(unit.pk, ())
    bad_rows = {e["row"] for e in check.errors}

    for p in parsed:
        ok = not p.failed and p.number not in bad_rows
        org = orgs.get(p.party_org_code)  # an empty code was reported as required
        if org is None and p.party_org_code:
            check.add(p.number, "party_org_code", _("Unknown party organisation code."))
            ok = False
        elif org is not None and not (org.unit_id == unit.pk or org.path.startswith(unit_paths)):
            check.add(
                p.number,
                "party_org_code",
                _("This party organisation does not belong to %(unit)s.") % {"unit": unit.name},
            )
            ok = False
        area = compound = building = None
        if p.community_code:
            area = areas.get(p.community_code)
            if area is None:
                check.add(p.number, "community_code", _("Unknown community code."))
                ok = False
            elif area.level != AreaLevel.COMMUNITY:
                check.add(p.number, "community_code", _("This code is not a community's."))
                ok = False
            else:
                if p.compound:
                    compound = compounds.get((area.pk, p.compound))
                    if compound is None:
                        check.add(
                            p.number,
                            "compound",
                            _("No compound of this name in %(area)s.") % {"area": area.name},
                        )
                        ok = False
                if compound and p.building:
                    building = buildings.get((compound.pk, p.building))
                    if building is None:
                        check.add(
                            p.number,
                            "building",
                            _("No building of this name in %(compound)s.") % {"compound": compound.name},
                        )
                        ok = False
        member = existing.get(hashes[p.id_number]) if p.id_number else None
        if member is not None and member.unit_id != unit.pk:
            check.add(
                p.number,
                "id_number",
                _("This ID number belongs to a member registered by another unit or organisation."),
            )
            ok = False
        if not ok or org is None:
            continue
        if member is None:
            check.new += 1
        else:
            check.updates += 1
            check.existing[p.number] = member.pk
        check.members.append(
            (
                p.number,
                MemberData(
                    name=p.name,
                    id_number=p.id_number,
                    phone=p.phone,
                    party_org=org,
                    gender=p.gender,
                    birth_date=p.birth_date,
                    joined_on=p.joined_on,
                    status=p.status,
                    unit=unit,
                    residence_area=area,
                    residence_compound=compound,
                    residence_building=building,
                    in_service=p.in_service,
                    skills=p.skills,
                ),
            )
        )
