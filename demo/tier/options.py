"""The options of ``gongjian demo-tier`` and how a smaller tier scales down from the city's."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# Bump when the generator writes different rows for the same options: make bench rebuilds then.
VERSION = "tier-2"  # 2: cases

CITY_MEMBERS = 2_000_000
CITY_DISTRICTS, CITY_STREETS, CITY_COMMUNITIES = 16, 350, 6000
MEMBERS_PER_UNIT = 100  # about 20,000 units in the city
RESIDENT_SHARE = 0.3  # residents on the register, per member


@dataclass(frozen=True)
class TierOptions:
    members: int = CITY_MEMBERS
    districts: int = CITY_DISTRICTS
    streets: int = CITY_STREETS
    communities: int = CITY_COMMUNITIES
    in_service_share: float = 0.35
    records_per_member: int = 10
    cases_per_member: float = 0.2  # cases reported in the past twelve months (2 per 10 members)
    seed: int = 2026
    jobs: int = 2

    @classmethod
    def scaled(cls, members: int, *, districts=None, streets=None, communities=None, **rest) -> TierOptions:
        """Districts, streets and communities not given shrink with the members (at least 1, 2, 4)."""
        share = members / CITY_MEMBERS
        communities = communities or max(4, round(CITY_COMMUNITIES * share))
        streets = streets or min(communities, max(2, round(CITY_STREETS * share)))
        districts = districts or min(streets, max(1, round(CITY_DISTRICTS * share)))
        return cls(members=members, districts=districts, streets=streets, communities=communities, **rest)

    @property
    def units(self) -> int:
        return max(12, self.members // MEMBERS_PER_UNIT)

    @property
    def residents(self) -> int:
        return round(self.members * RESIDENT_SHARE)

    def key(self) -> dict:
        """What decides the rows written (not --jobs): a TierBuild with the same key is the same tier."""
        values = asdict(self)
        values.pop("jobs")
        return values
