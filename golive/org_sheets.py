"""Set-up sheets for units, party organisations and the units' admins (accounts)."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Role, RoleGrant, User
from audit.actions import record_events
from golive.lookups import areas_by_code, chunks, grids_by_code, orgs_by_code, units_by_ref
from golive.sheets import Plan, Progress, cells, duplicates
from gongjian.privacy import InvalidNumber, keyed_hash, normalize_phone, seal
from jobs.roster import Column, RosterRow, date_of
from orgs.models import PartyOrg, PartyOrgKind, Unit, UnitKind
from people.actions import refresh_place_paths
from people.models import Member
from places.models import AreaLevel, Compound
from places.paths import child_path

UNIT_KIND_WORDS = {
    "机关": UnitKind.AGENCY,
    "事业单位": UnitKind.PUBLIC_INSTITUTION,
    "国有企业": UnitKind.STATE_FIRM,
    "国企": UnitKind.STATE_FIRM,
    "非公企业": UnitKind.PRIVATE_FIRM,
    "民营企业": UnitKind.PRIVATE_FIRM,
    "社会组织": UnitKind.SOCIAL_ORG,
    "职能部门": UnitKind.DEPARTMENT,
}
ORG_KIND_WORDS = {
    "党委": PartyOrgKind.COMMITTEE,
    "党工委": PartyOrgKind.WORKING_COMMITTEE,
    "党总支": PartyOrgKind.GENERAL_BRANCH,
    "党支部": PartyOrgKind.BRANCH,
    "党小组": PartyOrgKind.GROUP,
    "兼合式党组织": PartyOrgKind.COMPOUND,
    "网格党支部": PartyOrgKind.GRID_BRANCH,
}
CREDIT_CODE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")

UNIT_COLUMNS = (
    Column(
        "name",
        "单位名称",
        gettext_lazy("Required. Full name; a re-import with the same name or credit code updates the unit."),
        required=True,
        width=26,
    ),
    Column("credit_code", "统一社会信用代码", gettext_lazy("Optional. 18 characters."), width=22),
    Column(
        "kind",
        "单位类型",
        gettext_lazy("Required. 机关, 事业单位, 国有企业, 非公企业, 社会组织 or 职能部门."),
        required=True,
    ),
    Column(
        "area_code",
        "所在区划代码",
        gettext_lazy(
            "Required. Code of the community (12 digits), street (9) or district (6) where the unit is."
        ),
        required=True,
    ),
    Column("address", "地址", gettext_lazy("Optional."), width=26),
    Column("contact_name", "联系人", gettext_lazy("Optional."), width=10),
)
UNIT_CHOICES = {"kind": '"机关,事业单位,国有企业,非公企业,社会组织,职能部门"'}


def check_units(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in UNIT_COLUMNS}, rows=len(rows))
    parsed = [(row.number, cells(row, UNIT_COLUMNS, plan)) for row in rows]
    duplicates(plan, [(n, t["name"]) for n, t in parsed], "name")
    duplicates(plan, [(n, t["credit_code"]) for n, t in parsed], "credit_code")
    areas = areas_by_code(t["area_code"] for _n, t in parsed)
    known = units_by_ref([t["name"] for _n, t in parsed] + [t["credit_code"] for _n, t in parsed])
    for number, t in parsed:
        kind = UNIT_KIND_WORDS.get(t["kind"], "")
        if t["kind"] and not kind:
            plan.add(
                number, "kind", _("Write one of 机关, 事业单位, 国有企业, 非公企业, 社会组织, 职能部门.")
            )
        credit = t["credit_code"].upper()
        if credit and not CREDIT_CODE.match(credit):
            plan.add(number, "credit_code", _("A unified social credit code has 18 letters and digits."))
        area = areas.get(t["area_code"])
        if t["area_code"] and area is None:
            plan.missing_parent(number, "area_code", _("Area"), t["area_code"], _("divisions"))
        existing = known.get(credit) if credit else None
        by_name = known.get(t["name"])
        if existing is None:
            existing = by_name
        elif by_name is not None and by_name.pk != existing.pk:
            plan.add(number, "name", _("Another unit has this name."))
        if len(t["name"]) > 128:
            plan.add(number, "name", _("At most 128 characters."))
        if number in plan.failed_rows:
            continue
        plan.count(existing is not None)
        fields = {
            "name": t["name"],
            "kind": kind,
            "credit_code": credit,
            "address_area": area,
            "address": t["address"][:200],
            "contact_name": t["contact_name"][:32],
        }
        plan.items.append((number, existing, fields))
    if progress:
        progress(len(rows))
    return plan


def write_units(*, plan: Plan, user: Any) -> dict[str, int]:
    created, updated, moved = [], [], []
    for _number, existing, fields in plan.items:
        unit = existing or Unit()
        if existing is not None and existing.address_area_id != fields["address_area"].pk:
            moved.append(existing.pk)
        for name, value in fields.items():
            setattr(unit, name, value)
        (updated if existing else created).append(unit)
    Unit.objects.bulk_create(created, batch_size=1000)
    Unit.objects.bulk_update(
        updated, ["name", "kind", "credit_code", "address_area", "address", "contact_name"], batch_size=1000
    )
    record_events(actor=user, action="unit.create", targets=list(created), detail={"via": "import"})
    record_events(actor=user, action="unit.update", targets=list(updated), detail={"via": "import"})
    for chunk in chunks(moved):
        refresh_place_paths(members=Member.objects.filter(unit_id__in=chunk))
    return {"new": len(created), "updates": len(updated)}


ORG_COLUMNS = (
    Column(
        "code",
        "组织编码",
        gettext_lazy("Required. The organisation's code; a re-import with it updates the organisation."),
        required=True,
    ),
    Column("name", "组织名称", gettext_lazy("Required."), required=True, width=26),
    Column(
        "kind",
        "组织类型",
        gettext_lazy("Required. 党委, 党工委, 党总支, 党支部, 党小组, 兼合式党组织 or 网格党支部."),
        required=True,
    ),
    Column(
        "parent_code",
        "上级组织编码",
        gettext_lazy(
            "Optional. Code of the parent organisation: one already imported, or in an earlier row."
        ),
    ),
    Column(
        "area_code",
        "所在区划代码",
        gettext_lazy("Area code, for organisations of an area (street, community); or give the unit."),
    ),
    Column("unit", "所属单位", gettext_lazy("Unit name or credit code, for a unit's organisation.")),
    Column(
        "compound",
        "所在小区",
        gettext_lazy("For 兼合式党组织: the compound's name in the community given as the area."),
    ),
    Column("grid_code", "所在网格编码", gettext_lazy("For 网格党支部: the grid's code.")),
    Column("founded_on", "成立日期", gettext_lazy("Optional, e.g. 2018-07-01.")),
)
ORG_CHOICES = {"kind": '"党委,党工委,党总支,党支部,党小组,兼合式党组织,网格党支部"'}


def check_party_orgs(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in ORG_COLUMNS}, rows=len(rows))
    parsed = [(row, cells(row, ORG_COLUMNS, plan)) for row in rows]
    duplicates(plan, [(r.number, t["code"]) for r, t in parsed], "code")
    orgs = orgs_by_code([t["code"] for _r, t in parsed] + [t["parent_code"] for _r, t in parsed])
    areas = areas_by_code(t["area_code"] for _r, t in parsed)
    units = units_by_ref(t["unit"] for _r, t in parsed)
    grids = grids_by_code(t["grid_code"] for _r, t in parsed)
    community_ids = [a.pk for a in areas.values() if a.level == AreaLevel.COMMUNITY]
    compounds = {(c.community_id, c.name): c for c in Compound.objects.filter(community_id__in=community_ids)}
    earlier: set[str] = set()
    for row, t in parsed:
        number = row.number
        kind = ORG_KIND_WORDS.get(t["kind"], "")
        if t["kind"] and not kind:
            plan.add(
                number,
                "kind",
                _("Write one of 党委, 党工委, 党总支, 党支部, 党小组, 兼合式党组织, 网格党支部."),
            )
        parent_code = t["parent_code"]
        if parent_code and parent_code not in orgs and parent_code not in earlier:
            plan.missing_parent(
                number, "parent_code", _("Party organisation"), parent_code, _("an earlier row")
            )
        area = areas.get(t["area_code"]) if t["area_code"] else None
        if t["area_code"] and area is None:
            plan.missing_parent(number, "area_code", _("Area"), t["area_code"], _("divisions"))
        unit = units.get(t["unit"]) if t["unit"] else None
        if t["unit"] and unit is None:
            plan.missing_parent(number, "unit", _("Unit"), t["unit"], _("units"))
        if not t["area_code"] and not t["unit"]:
            plan.add(number, "area_code", _("Give the area or the unit the organisation belongs to."))
        grid = grids.get(t["grid_code"]) if t["grid_code"] else None
        if t["grid_code"] and grid is None:
            plan.missing_parent(number, "grid_code", _("Grid"), t["grid_code"], _("grids"))
        if kind == PartyOrgKind.GRID_BRANCH and not t["grid_code"]:
            plan.add(number, "grid_code", _("A grid branch needs its grid."))
        compound = None
        if t["compound"]:
            if area is None or area.level != AreaLevel.COMMUNITY:
                plan.add(number, "compound", _("Give the compound's community as the area."))
            else:
                compound = compounds.get((area.pk, t["compound"]))
                if compound is None:
                    plan.missing_parent(number, "compound", _("Compound"), t["compound"], _("compounds"))
        elif kind == PartyOrgKind.COMPOUND:
            plan.add(number, "compound", _("A compound organisation needs its compound."))
        try:
            founded_on = date_of(row.values.get("founded_on"))
        except ValueError as exc:
            plan.add(number, "founded_on", str(exc))
            founded_on = None
        existing = orgs.get(t["code"])
        if existing is not None:
            current_parent = existing.path[: -len(existing.code) - 1].rstrip(".").split(".")[-1]
            if (parent_code or "") != (current_parent or ""):
                plan.add(
                    number,
                    "parent_code",
                    _("The parent of an existing organisation is changed on its page, not by import."),
                )
        if t["code"]:
            earlier.add(t["code"])
        if number in plan.failed_rows:
            continue
        plan.count(existing is not None)
        fields = {
            "name": t["name"][:128],
            "kind": kind,
            "area": area,
            "unit": unit,
            "grid": grid,
            "compound": compound,
            "founded_on": founded_on,
        }
        plan.items.append((number, existing, t["code"], parent_code, fields))
    if progress:
        progress(len(rows))
    return plan


def write_party_orgs(*, plan: Plan, user: Any) -> dict[str, int]:
    """New organisations in waves (those whose parent is new in this file after their parent), so every
    parent has its key and path before its children are inserted."""
    codes = {code for _n, existing, code, _p, _f in plan.items if existing is None}
    known = orgs_by_code(p for _n, _e, _c, p, _f in plan.items if p and p not in codes)
    created: list[PartyOrg] = []
    updated: list[PartyOrg] = []
    waves: dict[int, list[PartyOrg]] = {}
    depth: dict[str, int] = {}
    for _number, existing, code, parent_code, fields in plan.items:
        org = existing or PartyOrg(code=code)
        for name, value in fields.items():
            setattr(org, name, value)
        if existing is not None:
            updated.append(org)
            continue
        parent = known.get(parent_code) if parent_code else None
        org.parent = parent
        org.path = child_path(parent.path if parent else None, code)
        depth[code] = depth.get(parent_code, -1) + 1 if parent_code in codes else 0
        waves.setdefault(depth[code], []).append(org)
        known[code] = org
        created.append(org)
    for level in sorted(waves):
        PartyOrg.objects.bulk_create(waves[level], batch_size=1000)
    PartyOrg.objects.bulk_update(
        updated, ["name", "kind", "area", "unit", "grid", "compound", "founded_on"], batch_size=1000
    )
    record_events(actor=user, action="party_org.create", targets=list(created), detail={"via": "import"})
    record_events(actor=user, action="party_org.update", targets=list(updated), detail={"via": "import"})
    return {"new": len(created), "updates": len(updated)}


ADMIN_COLUMNS = (
    Column("name", "姓名", gettext_lazy("Required. The unit admin's full name."), required=True, width=12),
    Column(
        "phone",
        "手机号",
        gettext_lazy(
            "Required. 11-digit mobile number: the admin signs in with it by SMS code; one person, one account."
        ),
        required=True,
        width=15,
    ),
    Column("unit", "所属单位", gettext_lazy("Required. Unit name or credit code."), required=True, width=26),
)


def check_unit_admins(*, rows: list[RosterRow], user: Any, progress: Progress = None) -> Plan:
    plan = Plan(headers={c.key: c.header for c in ADMIN_COLUMNS}, rows=len(rows))
    parsed = [(row.number, cells(row, ADMIN_COLUMNS, plan)) for row in rows]
    units = units_by_ref(t["unit"] for _n, t in parsed)
    phones: dict[int, str] = {}
    for number, t in parsed:
        if t["phone"]:
            try:
                phones[number] = normalize_phone(t["phone"])
            except InvalidNumber as exc:
                plan.add(number, "phone", str(exc))
    pairs = [(n, (phones[n], units[t["unit"]].pk)) for n, t in parsed if n in phones and t["unit"] in units]
    duplicates(plan, pairs, "phone")
    hashes = {n: keyed_hash("phone", p) for n, p in phones.items()}
    users = {
        u.phone_hash: u
        for chunk in chunks(sorted(set(hashes.values())))
        for u in User.objects.filter(phone_hash__in=chunk)
    }
    grants = set(
        RoleGrant.objects.filter(role=Role.UNIT_ADMIN, user__in=list(users.values())).values_list(
            "user_id", "unit_id"
        )
    )
    for number, t in parsed:
        unit = units.get(t["unit"])
        if t["unit"] and unit is None:
            plan.missing_parent(number, "unit", _("Unit"), t["unit"], _("units"))
        if len(t["name"]) > 64:
            plan.add(number, "name", _("At most 64 characters."))
        if number in plan.failed_rows or unit is None:
            continue
        account = users.get(hashes[number])
        plan.count(account is not None and (account.pk, unit.pk) in grants)
        plan.items.append((number, t["name"], phones[number], hashes[number], account, unit))
    if progress:
        progress(len(rows))
    return plan


def write_unit_admins(*, plan: Plan, user: Any) -> dict[str, int]:
    """One user per phone (an existing account is reused, whatever roles it has), then the unit_admin
    grants it lacks. No password: the admin gets in by SMS code."""
    accounts: dict[str, User] = {}
    new_users: list[User] = []
    for _n, name, phone, digest, account, _unit in plan.items:
        if account is not None:
            accounts[digest] = account
        elif digest not in accounts:
            sealed = seal("phone", phone)
            fresh = User(username=f"u{uuid.uuid4().hex[:15]}", full_name=name)
            fresh.phone_cipher, fresh.phone_hash, fresh.phone_hint = sealed.cipher, sealed.hash, sealed.hint
            fresh.set_unusable_password()
            accounts[digest] = fresh
            new_users.append(fresh)
    User.objects.bulk_create(new_users, batch_size=1000)
    held = set(
        RoleGrant.objects.filter(
            role=Role.UNIT_ADMIN, user__in=[a.pk for a in accounts.values()]
        ).values_list("user_id", "unit_id")
    )
    grants = []
    for _n, _name, _phone, digest, _account, unit in plan.items:
        account = accounts[digest]
        if (account.pk, unit.pk) not in held:
            held.add((account.pk, unit.pk))
            grants.append(RoleGrant(user=account, role=Role.UNIT_ADMIN, unit=unit, granted_by=user))
    RoleGrant.objects.bulk_create(grants, batch_size=1000)
    record_events(actor=user, action="user.create", targets=list(new_users), detail={"via": "import"})
    record_events(
        actor=user,
        action="role.grant",
        targets=[g.user for g in grants],
        detail={"role": Role.UNIT_ADMIN, "via": "import"},
    )
    return {"new": len(grants), "updates": len(plan.items) - len(grants), "users": len(new_users)}
