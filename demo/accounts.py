"""The demo accounts: one per role, all with the password ``gongjian-demo``, placed so that each
role has something to see (and ``street2`` is the outsider who must not see ``street``'s people).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Prefetch

from accounts.actions import create_user, grant_role
from accounts.models import Role, RoleGrant
from demo.layout import CityLayout
from demo.persons import People
from people.actions import MemberData, save_member, save_resident
from people.models import Member, Resident

DEMO_PASSWORD = "gongjian-demo"
DEMO_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    zh: str
    en: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", Role.PLATFORM_ADMIN, "平台管理员", "platform administrator"),
    DemoAccount("orgdept", Role.ORG_DEPT, "市委组织部", "organisation department"),
    DemoAccount("street", Role.STREET, "街道党工委", "street working committee"),
    DemoAccount("street2", Role.STREET, "另一街道党工委", "another street (outsider)"),
    DemoAccount("community", Role.COMMUNITY, "社区党组织", "community party organisation"),
    DemoAccount("unit", Role.UNIT_ADMIN, "单位党组织管理员", "unit party admin"),
    DemoAccount("member", Role.MEMBER, "在职党员", "in-service party member"),
    DemoAccount("grid", Role.GRID_WORKER, "网格员", "grid worker"),
    DemoAccount("resident", Role.RESIDENT, "居民", "resident"),
    DemoAccount("dept", Role.DEPARTMENT, "职能部门", "functional department"),
    DemoAccount("inspector", Role.INSPECTOR, "督查员", "inspector"),
]
DEMO_USERNAMES = [a.username for a in DEMO_ACCOUNTS]
# The accounts the people of the demo city act with in its service loop (demo/service/cast.py): no
# password, never shown in the table; a reset deletes them with the demo accounts.
CAST_PREFIX = "demo-"


def create_demo_accounts(*, layout: CityLayout, people: People) -> dict[str, object]:
    """Create the demo users with their roles, and the member and resident records behind two of them.

    The password is hashed once and the hash reused: eleven PBKDF2 rounds would cost seconds.
    """
    d = people.dice
    street, street2 = layout.streets[0], layout.streets[1]
    community = layout.communities[0]
    unit = layout.demo_unit
    home = community.homes[0] if community.homes else None
    building = home.buildings[0] if home else None
    member_phone, resident_phone = people.phones.issue(d), people.phones.issue(d)
    member = save_member(
        acting_user=None,
        via="demo",
        data=MemberData(
            name=people.name(True),
            id_number=people.id_number(True, 38),
            phone=member_phone,
            party_org=unit.org,
            unit=unit.unit,
            residence_area=community.area,
            residence_compound=home.compound if home else None,
            residence_building=building,
            in_service=True,
            joined_on=people.days_ago(3000, 6000),
            skills="政策宣讲、电脑网络",
        ),
    )
    resident = save_resident(
        acting_user=None,
        name=people.name(False),
        residence_area=community.area,
        phone=resident_phone,
        gender="female",
        residence_compound=home.compound if home else None,
        residence_building=building,
        household_note="空巢老人",
    )
    scopes: dict[str, dict] = {
        "orgdept": {"area": layout.city},
        "street": {"area": street},
        "street2": {"area": street2},
        "community": {"area": community.area},
        "unit": {"unit": unit.unit},
        "grid": {"grid": layout.top_grids[street.pk]},
        "dept": {"unit": layout.departments[0].unit},
        "inspector": {"unit": unit.unit},
    }
    full_names = {"admin": "平台管理员", "member": member.name, "resident": resident.name}
    phones = {"member": member_phone, "resident": resident_phone}
    hashed = make_password(DEMO_PASSWORD)
    users = {}
    for account in DEMO_ACCOUNTS:
        name = account.username
        user = create_user(
            acting_user=None,
            username=name,
            password=None,
            full_name=full_names.get(name) or people.name(d.chance(0.6)),
            phone=phones.get(name) or people.phones.issue(d),
        )
        user.password = hashed
        user.save(update_fields=["password"])
        grant_role(acting_user=None, user=user, role=account.role, **scopes.get(name, {}))
        users[name] = user
    # No action links a person record to an account yet; this is what the sign-up flow will do.
    Member.objects.filter(pk=member.pk).update(user=users["member"])
    Resident.objects.filter(pk=resident.pk).update(user=users["resident"])
    return users


def _scope_text(account: DemoAccount, user, grant: RoleGrant | None) -> str:
    if account.role == Role.PLATFORM_ADMIN:
        return "全部 / everything"
    if account.role in (Role.MEMBER, Role.RESIDENT):
        person = (
            getattr(user, "member", None) if account.role == Role.MEMBER else getattr(user, "resident", None)
        )
        where = f" · {person.residence_area}" if person is not None and person.residence_area_id else ""
        return f"本人 / self: {user.full_name}{where}"
    if grant is None:
        return "-"
    if grant.area_id:
        parent = f"（{grant.area.parent}）" if grant.area.parent_id else ""
        return f"{grant.area}{parent}"
    return str(grant.unit or grant.grid)


def describe_accounts() -> list[tuple[str, str, str]]:
    """(username, role, scope) for each demo account that exists, in the table's order."""
    User = get_user_model()
    grants = RoleGrant.objects.select_related("area__parent", "unit", "grid")
    users = {
        u.username: u
        for u in User.objects.filter(username__in=DEMO_USERNAMES)
        .select_related("member__residence_area", "resident__residence_area")
        .prefetch_related(Prefetch("role_grants", queryset=grants))
    }
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        grant = next((g for g in user.role_grants.all() if g.role == account.role), None)
        rows.append((account.username, f"{account.zh} / {account.en}", _scope_text(account, user, grant)))
    return rows


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
