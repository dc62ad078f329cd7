"""The home community's joint committee (社区联合党委): the units located in the community under agreements,
their heads as part-time members (兼职委员), and the monthly dispatch meeting (社区派单会议) of the 四会 —
one month missed — with the quarterly joint meetings, each with a task for a unit."""

from __future__ import annotations

from datetime import date, timedelta

from alliances import members
from alliances.models import AllianceKind, MeetingKind, PostRole
from alliances.periods import shift_months
from demo.alliances import Seeder, words
from demo.alliances.gatherings import Gathering, plan_meetings
from demo.alliances.street import StreetAlliance
from demo.layout import CommunityPlace
from orgs.models import UnitKind

UNITS = 4  # member units: those located in the community


class CommunityAlliance(StreetAlliance):
    def __init__(self, s: Seeder, place: CommunityPlace) -> None:
        super().__init__(s, place.street, full=True)
        self.place = place
        self.places = [place]
        here = [
            p.unit
            for p in s.layout.units
            if p.unit.address_area_id == place.area.pk and p.unit.kind != UnitKind.DEPARTMENT
        ]
        self.units, self.departments = here[:UNITS], []
        self.fate = {unit.pk: "signed" for unit in self.units}
        self.founded = shift_months(self.q0, -6)  # two quarters behind it

    @property
    def lead(self):
        """The community's party organisation (the ``community`` account at home)."""
        return self.s.cast.staff(self.place)

    @property
    def home(self) -> bool:
        return False  # the demo accounts' posts are in the street's alliance

    @property
    def lead_name(self) -> str:
        return self.place.area.name

    @property
    def lead_org(self):
        return self.place.org

    @property
    def area(self):
        return self.place.area

    def plan(self) -> None:
        s, on = self.s, self.s.on
        if not self.units:
            return
        s.clock.at(on(self.founded, 9, 30), self.found)
        for n, unit in enumerate(self.units):
            s.clock.at(on(self.day(1), 10, n), self.join, unit)
            s.clock.at(on(self.day(5), 11, n), self.draft, unit)
            s.clock.at(on(self.day(7), 14, n), self.sign, unit, "unit")
            s.clock.at(on(self.day(10), 16, n), self.sign, unit, "lead")
        s.clock.at(on(self.day(12), 11), self.appoint, PostRole.SECRETARY, lambda: self.lead, None, ())
        for n, unit in enumerate(self.units):
            s.clock.at(
                on(self.day(12), 11, 1 + n),
                self.appoint,
                PostRole.PART_TIME,
                lambda u=unit: s.speaker(u),
                unit,
                (),
            )
        plan_meetings(self, self.gatherings())

    def found(self) -> None:
        self.alliance = members.create_alliance(
            acting_user=self.lead,
            name=f"{self.place.area.name}联合党委",
            kind=AllianceKind.COMMUNITY,
            area=self.place.area,
            lead_org=self.lead_org,
            charter=words.COMMUNITY_CHARTER,
        )

    def ends_on(self, unit) -> date:
        return self.day(10) + timedelta(days=2 * 365)

    def gatherings(self) -> list[Gathering]:
        on, name, today = self.s.on, self.place.area.name, self.s.today
        out = []
        month = self.founded
        n = 0
        while month < today.replace(day=1):
            if n != 2:  # the third month's dispatch meeting was missed
                out.append(
                    Gathering(
                        MeetingKind.COMMUNITY,
                        words.COMMUNITY_TITLE.format(community=name, month=month.month),
                        words.COMMUNITY_AGENDA,
                        on(month + timedelta(days=7 + int(self.draws[n] * 10)), 15),
                        month,
                        ["closed"] if month < shift_months(today.replace(day=1), -2) else ["open"],
                    )
                )
            month, n = shift_months(month, 1), n + 1
        for k, quarter in enumerate((self.founded, shift_months(self.founded, 3))):
            out.append(
                Gathering(
                    MeetingKind.REGULAR,
                    words.COMMUNITY_REGULAR_TITLE.format(
                        community=name, quarter=(quarter.month - 1) // 3 + 1
                    ),
                    words.REGULAR_AGENDAS[(quarter.month - 1) // 3],
                    on(quarter + timedelta(days=40 + int(self.draws[20 + k] * 20)), 15),
                    quarter,
                    ["closed"],
                )
            )
        return out
