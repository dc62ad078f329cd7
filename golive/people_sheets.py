"""Set-up sheets for members (the roster, for every unit at once) and residents.

The member sheet is the unit roster (``jobs.roster``: the same columns, the same checks, row by row)
with one more column, the unit: its rows are checked unit by unit with ``check_roster`` and written
in bulk with ``people.actions.save_members_bulk``. The residents' sheet serves the platform
administrator for the whole city and a community for its own residents (scoped by who runs it).
"""

from __future__ import annotations

from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role
from accounts.scope import scope_for
from golive.lookups import areas_by_code, chunks, units_by_ref
from golive.sheets import Plan, Progress, cells, duplicates
from gongjian.privacy import InvalidNumber, keyed_hash, normalize_id_number, normalize_phone
from jobs.roster import COLUMNS, GENDER_WORDS, Column, RosterRow, check_roster, text_of
from jobs.roster_lookups import existing_members, look_up
from people.actions import ResidentData, save_members_bulk, save_residents_bulk
from people.models import Resident
from places.models import AreaLevel, Building, Compound

PROGRESS_EVERY = 2000  # rows between two progress reports

MEMBER_COLUMNS = (
    Column(
        "unit",
        "所在单位",
        gettext_lazy("Required. The member's unit: its name or credit code."),
        required=True,
        width=24,
    ),
    *COLUMNS,
)


def check_members(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in MEMBER_COLUMNS}, rows=len(rows))
    refs = {row.number: text_of(row.values.get("unit")) for row in rows}
    units = units_by_ref(refs.values())
    groups: dict[int, list[RosterRow]] = {}
    ids: list[tuple[int, str]] = []
    for row in rows:
        ref = refs[row.number]
        if not ref:
            plan.add(row.number, "unit", _("Required."))
        elif ref not in units:
            plan.missing_parent(row.number, "unit", _("Unit"), ref, _("units"))
        else:
            groups.setdefault(units[ref].pk, []).append(row)
        try:
            ids.append(
                (row.number, normalize_id_number(text_of(row.values.get("id_number"), number_ok=False)))
            )
        except (InvalidNumber, ValueError):
            pass  # reported by the roster check
    # the roster check finds repeats within a unit's rows; these are across units
    unit_of = {row.number: refs[row.number] for row in rows}
    seen: dict[str, int] = {}
    for number, id_number in ids:
        first = seen.setdefault(id_number, number)
        if first != number and unit_of[first] != unit_of[number]:
            plan.add(
                number, "id_number", _("The same ID number appears again in row %(rows)s.") % {"rows": first}
            )
    by_pk = {u.pk: u for u in units.values()}
    # what every row names, looked up once for the whole file (not once per unit's rows)
    known = look_up(
        units=list(by_pk.values()),
        org_codes={text_of(row.values.get("party_org_code")) for row in rows},
        area_codes={text_of(row.values.get("community_code")) for row in rows},
        id_hashes={keyed_hash("id_number", id_number) for _n, id_number in ids},
    )
    done = 0
    for unit_pk, group in groups.items():
        check = check_roster(unit=by_pk[unit_pk], rows=group, known=known)
        for error in check.errors:
            plan.errors.append(error)
            plan.failed_rows.add(error["row"])
        plan.items.extend(check.members)
        plan.new += check.new
        plan.updates += check.updates
        if progress and (done + len(group)) // PROGRESS_EVERY > done // PROGRESS_EVERY:
            progress(done + len(group))  # a committed write each: not after every unit's rows
        done += len(group)
    if plan.errors:
        plan.items = [(n, data) for n, data in plan.items if n not in plan.failed_rows]
    return plan


def write_members(*, plan: Plan, user: Any) -> dict[str, int]:
    buildings = {data.residence_building for _n, data in plan.items if data.residence_building is not None}
    prefetch_related_objects(list(buildings), "grid")  # each building's grid path, read once
    hashes = [keyed_hash("id_number", data.id_number) for _n, data in plan.items]
    existing = existing_members(hashes)
    created, updated = save_members_bulk(
        acting_user=user, rows=[data for _n, data in plan.items], existing=existing, via="import"
    )
    return {"new": len(created), "updates": len(updated)}


RESIDENT_COLUMNS = (
    Column("name", "姓名", gettext_lazy("Required. Full name."), required=True, width=12),
    Column(
        "id_number",
        "身份证号",
        gettext_lazy(
            "Required. 18-character resident ID number, as text; a re-import with it updates the resident."
        ),
        required=True,
        width=22,
    ),
    Column("phone", "手机号", gettext_lazy("Optional. 11-digit mobile number."), width=15),
    Column("gender", "性别", gettext_lazy("男 or 女; may be left blank."), width=8),
    Column(
        "community_code",
        "居住社区代码",
        gettext_lazy("Required. 12-digit code of the community."),
        required=True,
        width=20,
    ),
    Column(
        "compound",
        "居住小区",
        gettext_lazy("Optional. Compound name, as registered in that community."),
        width=14,
    ),
    Column("building", "居住楼栋", gettext_lazy("Optional. Building name in that compound."), width=12),
    Column(
        "household_note", "备注", gettext_lazy("Optional. Household note, up to 200 characters."), width=24
    ),
)
RESIDENT_CHOICES = {"gender": '"男,女"'}


def _may_import_into(user: Any, area: Any) -> bool:
    scope = scope_for(user)
    return scope.everything or scope.holds_area(Role.COMMUNITY, area)


def check_residents(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in RESIDENT_COLUMNS}, rows=len(rows))
    parsed = [(row.number, cells(row, RESIDENT_COLUMNS, plan)) for row in rows]
    areas = areas_by_code(t["community_code"] for _n, t in parsed)
    ids = [a.pk for a in areas.values() if a.level == AreaLevel.COMMUNITY]
    compounds = {
        (c.community_id, c.name): c
        for chunk in chunks(ids)
        for c in Compound.objects.filter(community_id__in=chunk)
    }
    buildings = {
        (b.compound_id, b.name): b
        for chunk in chunks([c.pk for c in compounds.values()])
        for b in Building.objects.filter(compound_id__in=chunk).select_related("grid")
    }
    numbers: dict[int, str] = {}
    for number, t in parsed:
        if t["id_number"]:
            try:
                numbers[number] = normalize_id_number(t["id_number"])
            except InvalidNumber as exc:
                plan.add(number, "id_number", str(exc))
        if t["phone"]:
            try:
                t["phone"] = normalize_phone(t["phone"])
            except InvalidNumber as exc:
                plan.add(number, "phone", str(exc))
    duplicates(plan, [(n, numbers.get(n)) for n, _t in parsed], "id_number")
    hashes = {n: keyed_hash("id_number", v) for n, v in numbers.items()}
    existing = {
        r.id_number_hash: r
        for chunk in chunks(sorted(set(hashes.values())))
        for r in Resident.objects.filter(id_number_hash__in=chunk).select_related("residence_area")
    }
    for number, t in parsed:
        area = areas.get(t["community_code"])
        if t["community_code"] and (area is None or area.level != AreaLevel.COMMUNITY):
            plan.missing_parent(number, "community_code", _("Community"), t["community_code"], _("divisions"))
            area = None
        elif area is not None and not _may_import_into(user, area):
            plan.add(number, "community_code", _("This community is not yours to import into."))
            area = None
        compound = building = None
        if area is not None and t["compound"]:
            compound = compounds.get((area.pk, t["compound"]))
            if compound is None:
                plan.missing_parent(number, "compound", _("Compound"), t["compound"], _("compounds"))
        if t["building"] and not t["compound"]:
            plan.add(number, "compound", _("Give the compound when giving a building."))
        if compound is not None and t["building"]:
            building = buildings.get((compound.pk, t["building"]))
            if building is None:
                plan.missing_parent(number, "building", _("Building"), t["building"], _("buildings"))
        gender = ""
        if t["gender"]:
            gender = GENDER_WORDS.get(t["gender"].lower(), "")
            if not gender:
                plan.add(number, "gender", _("Write 男 or 女."))
        person = existing.get(hashes[number]) if number in hashes else None
        if person is not None and not _may_import_into(user, person.residence_area):
            plan.add(number, "id_number", _("This person is registered as a resident of another community."))
        if len(t["name"]) > 32:
            plan.add(number, "name", _("At most 32 characters."))
        if number in plan.failed_rows or area is None:
            continue
        plan.count(person is not None)
        data = ResidentData(
            name=t["name"],
            id_number=numbers[number],
            residence_area=area,
            phone=t["phone"],
            gender=gender,
            residence_compound=compound,
            residence_building=building,
            household_note=t["household_note"][:200],
        )
        plan.items.append((number, data))
    if progress:
        progress(len(rows))
    return plan


def write_residents(*, plan: Plan, user: Any) -> dict[str, int]:
    hashes = [keyed_hash("id_number", data.id_number) for _n, data in plan.items]
    existing = {
        r.id_number_hash: r
        for chunk in chunks(hashes)
        for r in Resident.objects.filter(id_number_hash__in=chunk)
    }
    created, updated = save_residents_bulk(
        acting_user=user, rows=[data for _n, data in plan.items], existing=existing, via="import"
    )
    return {"new": len(created), "updates": len(updated)}
