"""Changning's other registries in the demo city: commercial buildings (with their party branches),
trade unions and youth league organisations.

people.actions has no writer for these registries yet, so the rows are bulk-created here; the
commercial buildings' party branches go through orgs.actions like every organisation.
"""

from __future__ import annotations

import itertools

from demo import vocab
from demo.layout import CityLayout, Dice
from demo.persons import People
from orgs.actions import create_party_org
from orgs.models import PartyOrgKind, UnitKind
from people.models import CommercialBuilding, TradeUnion, YouthLeagueOrg


def build_registries(dice: Dice, layout: CityLayout, people: People) -> None:
    _commercial_buildings(dice, layout, people)
    unions = [
        TradeUnion(
            name=f"{street.name}总工会",
            area=street,
            chair_name=people.name(dice.chance(0.5)),
            member_count=dice.between(800, 5000),
        )
        for street in layout.streets
    ]
    leagues = [
        YouthLeagueOrg(
            name=f"共青团{street.name}工作委员会",
            area=street,
            secretary_name=people.name(dice.chance(0.5)),
            member_count=dice.between(150, 900),
        )
        for street in layout.streets
    ]
    for place in layout.units:
        unit = place.unit
        if unit.kind != UnitKind.DEPARTMENT and dice.chance(0.4):
            unions.append(
                TradeUnion(
                    name=f"{unit.name}工会委员会",
                    area=unit.address_area,
                    unit=unit,
                    chair_name=people.name(dice.chance(0.5)),
                    member_count=dice.between(15, 900),
                )
            )
        if unit.kind in (UnitKind.PUBLIC_INSTITUTION, UnitKind.STATE_FIRM) and dice.chance(0.5):
            leagues.append(
                YouthLeagueOrg(
                    name=f"共青团{unit.name}委员会",
                    area=unit.address_area,
                    unit=unit,
                    secretary_name=people.name(dice.chance(0.5)),
                    member_count=dice.between(20, 400),
                )
            )
    TradeUnion.objects.bulk_create(unions)
    YouthLeagueOrg.objects.bulk_create(leagues)


def _commercial_buildings(dice: Dice, layout: CityLayout, people: People) -> None:
    """One office building per street, with its building party branch (楼宇党支部)."""
    names = itertools.chain(vocab.COMMERCIAL_BUILDINGS, (f"{s.name[:-2]}商务中心" for s in layout.streets))
    rows = []
    for n, street in enumerate(layout.streets, start=1):
        name = next(names)
        community = dice.pick(layout.communities_of(street.pk))
        org = create_party_org(
            acting_user=None,
            name=f"{name}党支部",
            kind=PartyOrgKind.BRANCH,
            code=f"PB{n:04d}",
            parent=layout.street_orgs[street.pk],
            area=community.area,
        )
        firms = [
            u.unit for u in layout.units if u.street_id == street.pk and u.unit.kind == UnitKind.PRIVATE_FIRM
        ]
        rows.append(
            CommercialBuilding(
                name=name,
                area=community.area,
                unit=dice.pick(firms) if firms else None,
                party_org=org,
                floors=dice.between(12, 42),
                tenant_count=dice.between(20, 160),
                member_count=dice.between(10, 90),
            )
        )
    CommercialBuilding.objects.bulk_create(rows)
