"""The shared cast: one user per role in street A, and the same roles in street B as outsiders.

    city 350800 龙岩市 → district 350802 新罗区 → street A 350802001 东城街道 (communities A1, A2)
                                               → street B 350802002 西城街道 (community B1)
Use: ``def test_x(cast): cast.street`` (a User), ``cast.places.a1`` (an Area), ``cast.login(client, "street")``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from accounts.actions import create_user, grant_role
from accounts.models import Role
from orgs.actions import create_party_org, create_unit
from orgs.models import PartyOrgKind, UnitKind
from people.actions import MemberData, save_member, save_resident
from places.actions import create_area, create_building, create_compound, create_grid
from places.models import AreaLevel

PASSWORD = "cast-password-123"


def _id(n: int) -> str:
    from gongjian.privacy import id_check_char

    first17 = f"3508021980{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n:03d}"
    return first17 + id_check_char(first17)


def build_cast():
    sys_user = None
    p = SimpleNamespace()
    p.city = create_area(acting_user=sys_user, code="350800", name="龙岩市", level=AreaLevel.CITY)
    p.district = create_area(
        acting_user=sys_user, code="350802", name="新罗区", level=AreaLevel.DISTRICT, parent=p.city
    )
    p.street_a = create_area(
        acting_user=sys_user, code="350802001", name="东城街道", level=AreaLevel.STREET, parent=p.district
    )
    p.street_b = create_area(
        acting_user=sys_user, code="350802002", name="西城街道", level=AreaLevel.STREET, parent=p.district
    )
    p.a1 = create_area(
        acting_user=sys_user,
        code="350802001001",
        name="龙津社区",
        level=AreaLevel.COMMUNITY,
        parent=p.street_a,
    )
    p.a2 = create_area(
        acting_user=sys_user,
        code="350802001002",
        name="中山社区",
        level=AreaLevel.COMMUNITY,
        parent=p.street_a,
    )
    p.b1 = create_area(
        acting_user=sys_user,
        code="350802002001",
        name="西安社区",
        level=AreaLevel.COMMUNITY,
        parent=p.street_b,
    )
    p.grid_a = create_grid(acting_user=sys_user, street=p.street_a, code="G350802001-1", name="东城一级网格")
    p.grid_a2 = create_grid(
        acting_user=sys_user,
        street=p.street_a,
        code="G350802001-1-1",
        name="龙津二级网格",
        parent=p.grid_a,
        community=p.a1,
    )
    p.grid_a3 = create_grid(
        acting_user=sys_user,
        street=p.street_a,
        code="G350802001-1-1-1",
        name="阳光三级网格",
        parent=p.grid_a2,
        community=p.a1,
    )
    p.grid_b = create_grid(acting_user=sys_user, street=p.street_b, code="G350802002-1", name="西城一级网格")
    p.compound_a1 = create_compound(acting_user=sys_user, community=p.a1, name="阳光小区")
    p.building_a1 = create_building(
        acting_user=sys_user, compound=p.compound_a1, name="1号楼", grid=p.grid_a3
    )
    p.compound_b1 = create_compound(acting_user=sys_user, community=p.b1, name="西湖小区")
    p.building_b1 = create_building(acting_user=sys_user, compound=p.compound_b1, name="2号楼", grid=p.grid_b)

    p.unit_a = create_unit(
        acting_user=sys_user, name="龙岩市烟草公司", kind=UnitKind.STATE_FIRM, address_area=p.a1
    )
    p.unit_b = create_unit(
        acting_user=sys_user, name="西城商贸有限公司", kind=UnitKind.PRIVATE_FIRM, address_area=p.b1
    )
    p.dept_a = create_unit(
        acting_user=sys_user, name="新罗区城市管理局", kind=UnitKind.DEPARTMENT, address_area=p.street_a
    )
    p.org_city = create_party_org(
        acting_user=sys_user, name="中共龙岩市委组织部", kind=PartyOrgKind.COMMITTEE, code="O1", area=p.city
    )
    p.org_street_a = create_party_org(
        acting_user=sys_user,
        name="东城街道党工委",
        kind=PartyOrgKind.WORKING_COMMITTEE,
        code="O1-1",
        parent=p.org_city,
        area=p.street_a,
    )
    p.org_a1 = create_party_org(
        acting_user=sys_user,
        name="龙津社区党委",
        kind=PartyOrgKind.COMMITTEE,
        code="O1-1-1",
        parent=p.org_street_a,
        area=p.a1,
    )
    p.org_street_b = create_party_org(
        acting_user=sys_user,
        name="西城街道党工委",
        kind=PartyOrgKind.WORKING_COMMITTEE,
        code="O1-2",
        parent=p.org_city,
        area=p.street_b,
    )
    p.org_unit_a = create_party_org(
        acting_user=sys_user, name="烟草公司党支部", kind=PartyOrgKind.BRANCH, code="U1", unit=p.unit_a
    )
    p.org_unit_b = create_party_org(
        acting_user=sys_user, name="西城商贸党支部", kind=PartyOrgKind.BRANCH, code="U2", unit=p.unit_b
    )

    def member(n, name, unit, org, area, building=None, in_service=True):
        return save_member(
            acting_user=sys_user,
            data=MemberData(
                name=name,
                id_number=_id(n),
                phone=f"1380000{n:04d}",
                party_org=org,
                unit=unit,
                residence_area=area,
                residence_compound=building.compound if building else None,
                residence_building=building,
                in_service=in_service,
            ),
        )

    c = SimpleNamespace(places=p, password=PASSWORD)
    c.m_member = member(1, "张三丰", p.unit_a, p.org_unit_a, p.a1, p.building_a1)
    c.m_a2 = member(2, "李四", p.unit_a, p.org_unit_a, p.a2)
    c.m_b = member(3, "王五", p.unit_b, p.org_unit_b, p.b1, p.building_b1)
    c.m_b_home_a = member(4, "赵六", p.unit_b, p.org_unit_b, p.a1, p.building_a1)  # unit B, lives in A1
    c.m_retired = member(5, "钱七", None, p.org_a1, p.a1, in_service=False)
    c.r_a = save_resident(
        acting_user=sys_user,
        name="孙大妈",
        residence_area=p.a1,
        phone="13900001111",
        residence_compound=p.compound_a1,
        residence_building=p.building_a1,
    )
    c.r_b = save_resident(
        acting_user=sys_user,
        name="周大爷",
        residence_area=p.b1,
        phone="13900002222",
        residence_compound=p.compound_b1,
        residence_building=p.building_b1,
    )

    def user(username, role, **scope):
        u = create_user(acting_user=sys_user, username=username, password=PASSWORD, full_name=username)
        grant_role(acting_user=sys_user, user=u, role=role, **scope)
        return u

    c.admin = user("admin", Role.PLATFORM_ADMIN)
    c.orgdept = user("orgdept", Role.ORG_DEPT, area=p.city)
    c.street = user("street", Role.STREET, area=p.street_a)
    c.community = user("community", Role.COMMUNITY, area=p.a1)
    c.unit = user("unit", Role.UNIT_ADMIN, unit=p.unit_a)
    c.dept = user("dept", Role.DEPARTMENT, unit=p.dept_a)
    c.inspector = user("inspector", Role.INSPECTOR, unit=p.unit_a)
    c.grid = user("grid", Role.GRID_WORKER, grid=p.grid_a)
    c.member = user("member", Role.MEMBER)
    c.m_member.user = c.member
    c.m_member.save(update_fields=["user"])
    c.resident = user("resident", Role.RESIDENT)
    c.r_a.user = c.resident
    c.r_a.save(update_fields=["user"])
    # outsiders: the same roles in street B
    c.street2 = user("street2", Role.STREET, area=p.street_b)
    c.community2 = user("community2", Role.COMMUNITY, area=p.b1)
    c.unit2 = user("unit2", Role.UNIT_ADMIN, unit=p.unit_b)
    c.grid2 = user("grid2", Role.GRID_WORKER, grid=p.grid_b)
    c.nobody = create_user(acting_user=sys_user, username="nobody", password=PASSWORD)

    def login(client, who: str):
        client.force_login(getattr(c, who))
        return client

    c.login = login
    return c


@pytest.fixture
def cast(db):
    return build_cast()


@pytest.fixture(autouse=True)
def _english_source_strings(settings):
    """Tests read pages in the source language (English) unless they ask for Chinese, which is what
    a browser without an English preference gets (see portal/tests/test_i18n.py)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _seeded_menu_and_rule(request):
    """The service menu and the default points rule come from data migrations. A transactional test
    (the browser journeys) empties every table when it ends, so the next test on a reused database
    would find neither: put them back (the migrations' forwards are idempotent)."""
    if not any(m.name == "django_db" for m in request.node.iter_markers()) and not (
        {"db", "transactional_db", "live_server", "cast"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("transactional_db" if "live_server" in request.fixturenames else "db")
    from importlib import import_module

    from django.apps import apps

    from service.models import ServiceCategory

    if not ServiceCategory.objects.exists():
        import_module("service.migrations.0002_default_menu").forwards(apps, None)
        import_module("points.migrations.0003_default_rule").forwards(apps, None)
