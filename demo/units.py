"""Units of the demo city (驻区单位 and functional departments), each with its party organisation."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from demo import vocab
from demo.layout import CityLayout, CitySize, CommunityPlace, Dice, UnitPlace
from orgs.actions import create_party_org, create_unit
from orgs.models import PartyOrgKind, UnitKind

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority and type (GB 32100): 11 agency, 12 public institution, 51 social org, 91 firm.
REGISTRAR = {
    UnitKind.AGENCY: "11",
    UnitKind.DEPARTMENT: "11",
    UnitKind.PUBLIC_INSTITUTION: "12",
    UnitKind.SOCIAL_ORG: "51",
    UnitKind.STATE_FIRM: "91",
    UnitKind.PRIVATE_FIRM: "91",
}
# How many in-service members a unit of each kind employs, relatively.
SIZE_WEIGHT = {
    UnitKind.AGENCY: 3.0,
    UnitKind.DEPARTMENT: 3.0,
    UnitKind.PUBLIC_INSTITUTION: 4.0,
    UnitKind.STATE_FIRM: 4.0,
    UnitKind.PRIVATE_FIRM: 1.5,
    UnitKind.SOCIAL_ORG: 0.5,
}
ORG_STYLE = {
    UnitKind.AGENCY: ("{}机关党委", PartyOrgKind.COMMITTEE),
    UnitKind.DEPARTMENT: ("{}机关党支部", PartyOrgKind.BRANCH),
    UnitKind.PUBLIC_INSTITUTION: ("{}党总支", PartyOrgKind.GENERAL_BRANCH),
    UnitKind.STATE_FIRM: ("{}党委", PartyOrgKind.COMMITTEE),
    UnitKind.PRIVATE_FIRM: ("{}党支部", PartyOrgKind.BRANCH),
    UnitKind.SOCIAL_ORG: ("{}党支部", PartyOrgKind.BRANCH),
}
SHARES = [  # of the units that are not departments; private firms take the rest
    (UnitKind.AGENCY, 0.15),
    (UnitKind.PUBLIC_INSTITUTION, 0.15),
    (UnitKind.STATE_FIRM, 0.12),
    (UnitKind.SOCIAL_ORG, 0.13),
]
BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "兴业银行", "龙岩农村商业银行"]


def credit_code(dice: Dice, kind: str, area_code: str) -> str:
    """A unified social credit code (GB 32100) with a correct check character."""
    body = REGISTRAR[kind] + area_code[:6] + "".join(dice.pick(CREDIT_CHARS) for _ in range(9))
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return body + CREDIT_CHARS[(31 - total % 31) % 31]


def firm_names(dice: Dice) -> Iterator[str]:
    """Endless plausible firm names; the caller skips those already taken."""
    places = ["龙岩", "福建", "龙岩市", "闽西"]
    for n in itertools.count(1):
        stem, trade = dice.pick(vocab.FIRM_STEMS), dice.pick(vocab.FIRM_TRADES)
        yield f"{dice.pick(places)}{stem}{trade}{dice.pick(vocab.FIRM_FORMS)}"
        if n > 1000:  # thousands of firms: two-word names, then numbered branches
            yield f"龙岩{stem}{dice.pick(vocab.FIRM_STEMS)}{trade}有限公司"
        if n > 20000:
            yield f"龙岩{stem}{trade}有限公司第{n}分公司"


def unit_names(kind: str, layout: CityLayout, dice: Dice) -> Iterator[str]:
    districts = [d.name for d in layout.districts]
    if kind == UnitKind.AGENCY:
        yield from (f"{vocab.CITY_NAME}{b}" for b in vocab.AGENCY_BUREAUS)
        for dn in districts:
            yield from (f"{dn}{b}" for b in vocab.AGENCY_BUREAUS)
    elif kind == UnitKind.PUBLIC_INSTITUTION:
        yield from vocab.PUBLIC_INSTITUTIONS
        for dn in districts:
            yield from (
                f"{dn}{x}" for x in ["人民医院", "实验小学", "第一中学", "中医院", "图书馆", "实验幼儿园"]
            )
        yield from (f"{s.name}社区卫生服务中心" for s in layout.streets)
    elif kind == UnitKind.STATE_FIRM:
        yield from vocab.STATE_FIRMS
        for dn in districts:
            yield from (f"{bank}龙岩{dn[:-1]}支行" for bank in BANKS)
    elif kind == UnitKind.SOCIAL_ORG:
        yield from vocab.SOCIAL_ORGS
        for place in districts + [s.name for s in layout.streets]:
            yield from (t.format(place) for t in vocab.SOCIAL_ORG_TEMPLATES)
    yield from firm_names(dice)


def kind_counts(units: int, departments: int) -> list[tuple[str, int]]:
    rest = units - departments
    counts = [(kind, max(1, round(rest * share))) for kind, share in SHARES]
    counts.append((UnitKind.PRIVATE_FIRM, max(1, rest - sum(n for _, n in counts))))
    return counts


def department_count(size: CitySize) -> int:
    """About six functional departments per district, never more than a fifth of the units."""
    return min(len(vocab.DEPARTMENT_BUREAUS) * size.districts, max(1, size.units // 5))


def build_units(dice: Dice, size: CitySize, layout: CityLayout) -> None:
    """Create the departments, then units of every other kind located in communities."""
    taken: set[str] = set()
    serial = itertools.count(1)
    seat = layout.districts[0]
    for i in range(department_count(size)):
        district = layout.districts[i % len(layout.districts)]
        bureau = vocab.DEPARTMENT_BUREAUS[(i // len(layout.districts)) % len(vocab.DEPARTMENT_BUREAUS)]
        name = department_name(bureau, district)
        streets = [s for s in layout.streets if s.parent_id == district.pk]
        street = streets[(i // len(layout.districts)) % len(streets)]
        place = _create(
            dice,
            layout,
            kind=UnitKind.DEPARTMENT,
            name=name,
            area=street,
            street=street,
            road=f"{street.name[:-2]}路",
            code=next(serial),
        )
        taken.add(name)
        layout.departments.append(place)
    for kind, count in kind_counts(size.units, department_count(size)):
        names = unit_names(kind, layout, dice)
        for n in range(count):
            name = next(x for x in names if x not in taken)
            taken.add(name)
            community = _location(dice, layout, name, seat)
            if kind == UnitKind.STATE_FIRM and n == 0:
                community = layout.communities[0]  # the demo accounts' unit sits in the first community
            place = _create(
                dice,
                layout,
                kind=kind,
                name=name,
                area=community.area,
                street=community.street,
                road=community.road,
                code=next(serial),
            )
            layout.units.append(place)
            if kind == UnitKind.STATE_FIRM and n == 0:
                layout.demo_unit = place
    layout.units.extend(layout.departments)


def department_name(bureau: str, district) -> str:
    return f"龙岩市公安局{district.name[:-1]}分局" if bureau == "公安分局" else f"{district.name}{bureau}"


def bureau_of(unit) -> str:
    """The bureau (vocab.DEPARTMENT_BUREAUS) a department is of, by its name."""
    return next(
        (
            b
            for b in vocab.DEPARTMENT_BUREAUS
            if unit.name.endswith(b) or (b == "公安分局" and "公安局" in unit.name)
        ),
        "",
    )


def _location(dice: Dice, layout: CityLayout, name: str, seat) -> CommunityPlace:
    """District bodies sit in their district, city bodies in the seat district, the rest anywhere."""
    for district in layout.districts:
        if name.startswith(district.name) or name.startswith(f"龙岩{district.name[:-1]}"):
            return dice.pick([c for c in layout.communities if c.street.parent_id == district.pk])
    if name.startswith(vocab.CITY_NAME) and not name.startswith(f"{vocab.CITY_NAME}公安局"):
        return dice.pick([c for c in layout.communities if c.street.parent_id == seat.pk])
    return dice.pick(layout.communities)


def _create(
    dice: Dice, layout: CityLayout, *, kind: str, name: str, area, street, road: str, code: int
) -> UnitPlace:
    district = next(d for d in layout.districts if d.pk == street.parent_id)
    unit = create_unit(
        acting_user=None,
        name=name,
        kind=kind,
        address_area=area,
        address=f"{road}{dice.between(1, 399)}号",
        credit_code=credit_code(dice, kind, district.code),
        contact_name=contact_name(dice),
    )
    org_name, org_kind = ORG_STYLE[kind]
    if kind in (UnitKind.PRIVATE_FIRM, UnitKind.SOCIAL_ORG):
        parent = layout.street_orgs[street.pk]  # 两新组织: under the street where they are (属地管理)
    elif kind == UnitKind.DEPARTMENT or name.startswith(district.name):
        parent = layout.district_orgs[district.pk]
    else:
        parent = layout.city_org
    org = create_party_org(
        acting_user=None,
        name=org_name.format(name),
        kind=org_kind,
        code=f"PU{code:05d}",
        parent=parent,
        unit=unit,
        founded_on=layout.today.replace(year=layout.today.year - dice.between(2, 40), day=1),
    )
    weight = SIZE_WEIGHT[kind] * (0.3 + 1.4 * dice.rng.random())
    return UnitPlace(unit=unit, org=org, street_id=street.pk, weight=weight)


def contact_name(dice: Dice) -> str:
    return dice.pick([s for s, _ in vocab.SURNAMES[:30]]) + dice.pick(
        ["主任", "书记", "经理", "科长", "部长"]
    )
