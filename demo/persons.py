"""The people of the demo city, made in bulk: members, residents, applicants.

Mass seeding bypasses the per-row action (people.actions.save_member: one transaction, one
uniqueness lookup and one audit row per person), because a benchmark city has two million
members. It keeps what matters of the action: every number is sealed with gongjian.privacy.seal,
initials come from gongjian.names.pinyin_initials, gender and birth date agree with the ID
number, and the ID numbers are unique by construction (``IdNumbers``), so the lookup the action
makes to avoid duplicates is not needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any, NamedTuple

from demo import vocab
from demo.layout import CityLayout, CommunityPlace, Dice, Home, Weighted
from gongjian.names import pinyin_initials
from gongjian.privacy import birth_date_from_id, id_check_char, seal
from people.actions import derive_place_paths
from people.models import Applicant, ApplicantStage, Gender, Member, MemberStatus, Resident

# Birth dates count back from a fixed day, so ID numbers do not change with the calendar.
BIRTH_ANCHOR = date(2026, 1, 1)

initials = cache(pinyin_initials)  # names repeat a great deal in a big city


class IdNumbers:
    """Mainland ID numbers (GB 11643), unique by construction.

    The first 17 digits are area (6) + birth date (8) + sequence (3, odd for men). Each
    (area, birth date, gender) key hands out its 500 sequences in a fixed permuted order; a full
    key moves the birth date on by a day. Two numbers therefore never share their first 17 digits.
    """

    def __init__(self) -> None:
        self._issued: dict[tuple[str, int, bool], int] = {}

    def issue(self, area: str, birth: date, male: bool) -> str:
        while True:
            key = (area, birth.toordinal(), male)
            n = self._issued.get(key, 0)
            if n < 500:
                break
            birth += timedelta(days=1)
        self._issued[key] = n + 1
        slot = (birth.toordinal() * 7 + int(area) + n * 37) % 500  # 37 is prime to 500: a permutation
        first17 = f"{area}{birth:%Y%m%d}{slot * 2 + (1 if male else 0):03d}"
        return first17 + id_check_char(first17)


class PhoneNumbers:
    """Mobile numbers, unique by construction: the n-th number's last eight digits are a bijection of n."""

    def __init__(self) -> None:
        self._n = 0

    def issue(self, dice: Dice) -> str:
        self._n += 1
        suffix = (self._n * 7_654_321 + 12_345_677) % 100_000_000  # 7654321 is prime to 10^8
        return f"{dice.pick(vocab.MOBILE_PREFIXES)}{suffix:08d}"


class People:
    """Everything that makes a person: names, numbers, homes. One per city build."""

    def __init__(self, dice: Dice, layout: CityLayout) -> None:
        self.dice = dice
        self.layout = layout
        self.today = layout.today
        self.ids = IdNumbers()
        self.phones = PhoneNumbers()
        self.surnames = Weighted([s for s, _ in vocab.SURNAMES], [w for _, w in vocab.SURNAMES])
        self.birth_areas = Weighted([a for a, _ in vocab.BIRTH_AREAS], [w for _, w in vocab.BIRTH_AREAS])
        # Communities differ in size: a fixed weight each, drawn once.
        self.communities = Weighted(layout.communities, [0.5 + dice.rng.random() for _ in layout.communities])
        self.units = Weighted(layout.units, [u.weight for u in layout.units]) if layout.units else None
        self.near: dict[int, list[CommunityPlace]] = {}
        for community in layout.communities:
            self.near.setdefault(community.street.pk, []).append(community)

    def name(self, male: bool) -> str:
        return "".join(self.name_parts(male))

    def name_parts(self, male: bool) -> tuple[str, str]:
        """(surname, given name)."""
        d = self.dice
        chars = vocab.MALE_CHARS if male else vocab.FEMALE_CHARS
        given = d.pick(chars) if d.chance(0.3) else d.pick(chars) + d.pick(chars)
        return self.surnames.draw(d), given

    def id_number(self, male: bool, age: int) -> str:
        birth = BIRTH_ANCHOR - timedelta(days=age * 365 + self.dice.between(0, 364))
        return self.ids.issue(self.birth_areas.draw(self.dice), birth, male)

    def home(self, community: CommunityPlace, p_home: float = 0.9) -> tuple[Home | None, object]:
        """A compound and building in the community (most people), or none (scattered old streets)."""
        if community.homes and self.dice.chance(p_home):
            home = self.dice.pick(community.homes)
            return home, self.dice.pick(home.buildings)
        return None, None

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.dice.between(low, high))


def _sealed(kind: str, value: str) -> dict[str, str]:
    sealed = seal(kind, value)
    return {f"{kind}_cipher": sealed.cipher, f"{kind}_hash": sealed.hash, f"{kind}_hint": sealed.hint}


def _batched(
    rows: Iterator, model, batch_size: int, total: int, label: str, out: Callable[[str], None]
) -> int:
    """bulk_create in batches, printing progress on big runs."""
    done, batch = 0, []
    report_every = max(batch_size, (total // 20) // batch_size * batch_size)
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            model.objects.bulk_create(batch)
            done += len(batch)
            batch = []
            if total >= 20_000 and done % report_every == 0:
                out(f"  {label}: {done:,}/{total:,}")
    if batch:
        model.objects.bulk_create(batch)
        done += len(batch)
    return done


class Membership(NamedTuple):
    """What the dice say of a member's standing and places (``draw_membership``)."""

    status: str
    joined: date
    place: Any  # the unit's place in the layout (in service), else None
    unit: Any
    org: Any
    community: Any  # None: lives outside the city
    home: Home | None
    building: Any


def draw_membership(people: People, birth: date, age: int, in_service: bool) -> Membership:
    """A member's status and joining date, unit and party organisation, and home: in service, a unit
    drawn by size and a home near it more often than not (3% outside the city); else a community's
    home and, now and then, the compound's own organisation. The demo city and the city tier both
    draw their members with it, in this order of dice."""
    d = people.dice
    if d.chance(0.04 if age < 40 else 0.01):
        status, joined = MemberStatus.PROBATIONARY, people.days_ago(15, 360)
    else:
        earliest = birth + timedelta(days=18 * 365 + 5)
        latest = min(people.today - timedelta(days=400), birth + timedelta(days=50 * 365))
        span = max(0, (latest - earliest).days)
        status, joined = MemberStatus.FULL, earliest + timedelta(days=int(d.rng.random() * span))
    place = unit = org = None
    if in_service:
        place = people.units.draw(d)
        unit, org = place.unit, place.org
        near = people.near.get(place.street_id)
        if d.chance(0.03):
            community = None  # lives outside the city
        elif near and d.chance(0.55):
            community = d.pick(near)
        else:
            community = people.communities.draw(d)
    else:
        community = people.communities.draw(d)
    home, building = people.home(community) if community else (None, None)
    if not in_service:
        org = home.org if home is not None and d.chance(0.25) else community.org
    return Membership(status, joined, place, unit, org, community, home, building)


def member_rows(people: People, count: int) -> Iterator[Member]:
    """``count`` members: about a third in service (with a unit), the rest retired or living-in members."""
    d = people.dice
    skills = vocab.SKILLS
    for _ in range(count):
        in_service = people.units is not None and d.chance(1 / 3)
        male = d.chance(0.7)
        if in_service:
            age = d.between(23, 59)
        elif d.chance(0.6):
            age = d.between(60, 90)  # retired
        else:
            age = d.between(25, 75)
        id_number = people.id_number(male, age)
        birth = birth_date_from_id(id_number)
        drawn = draw_membership(people, birth, age, in_service)
        status, joined, unit, org = drawn.status, drawn.joined, drawn.unit, drawn.org
        community, home, building = drawn.community, drawn.home, drawn.building
        n_skills = d.pick((0, 0, 1, 1, 2))
        name = people.name(male)
        member = Member(
            name=name,
            name_initials=initials(name),
            gender=Gender.MALE if male else Gender.FEMALE,
            birth_date=birth,
            joined_on=joined,
            status=status,
            unit=unit,
            party_org=org,
            residence_area=community.area if community else None,
            residence_compound=home.compound if home else None,
            residence_building=building,
            in_service=in_service,
            skills="、".join(d.sample(skills, n_skills)),
            **_sealed("id_number", id_number),
            **_sealed("phone", people.phones.issue(d)),
        )
        derive_place_paths(member)
        yield member


def resident_rows(people: People, count: int) -> Iterator[Resident]:
    """``count`` residents: most with a phone, half with an ID number, some with a household note."""
    d = people.dice
    for _ in range(count):
        male = d.chance(0.48)
        age = d.between(18, 92)
        id_number = people.id_number(male, age)
        has_id, has_phone = d.chance(0.5), d.chance(0.85) or age < 70
        community = people.communities.draw(d)
        home, building = people.home(community, 0.92)
        note = d.pick(vocab.HOUSEHOLD_NOTES) if d.chance(0.12) else ""
        name = people.name(male)
        numbers = {}
        if has_id:
            numbers.update(_sealed("id_number", id_number))
        if has_phone:
            numbers.update(_sealed("phone", people.phones.issue(d)))
        resident = Resident(
            name=name,
            name_initials=initials(name),
            gender=Gender.MALE if male else Gender.FEMALE,
            residence_area=community.area,
            residence_compound=home.compound if home else None,
            residence_building=building,
            household_note=note,
            **numbers,
        )
        derive_place_paths(resident)
        yield resident


# Stages in order, with the gap in days before each one (from the previous stage).
_STAGE_GAPS = [
    (ApplicantStage.APPLIED, (0, 0)),
    (ApplicantStage.ACTIVIST, (90, 400)),  # 入党积极分子 after at least three months
    (ApplicantStage.DEVELOPMENT, (365, 700)),  # 发展对象 after a year of training
    (ApplicantStage.PROBATIONARY, (90, 300)),  # admitted as a probationary member
    (ApplicantStage.FULL, (365, 385)),  # full member after the year of probation
]
_DATE_FIELD = {
    ApplicantStage.APPLIED: "applied_on",
    ApplicantStage.ACTIVIST: "activist_on",
    ApplicantStage.DEVELOPMENT: "development_on",
    ApplicantStage.PROBATIONARY: "probationary_on",
    ApplicantStage.FULL: "full_on",
}
_STAGES = Weighted([i for i in range(len(_STAGE_GAPS))], [30, 30, 20, 12, 8])


def applicant_rows(people: People, count: int) -> Iterator[Applicant]:
    """``count`` applicants at every stage, their dates in order and none in the future."""
    d = people.dice
    for _ in range(count):
        reached = _STAGES.draw(d)
        dates = {}
        current = people.days_ago(5, 300)
        for index in range(reached, -1, -1):
            stage, _gap = _STAGE_GAPS[index]
            dates[_DATE_FIELD[stage]] = current
            low, high = _STAGE_GAPS[index][1]
            current -= timedelta(days=d.between(low, high))
        male = d.chance(0.55)
        age_at_application = d.between(19, 40)  # 18 at least, whatever the day of the build
        age_now = age_at_application + (people.today - dates["applied_on"]).days // 365
        id_number = people.id_number(male, age_now)
        community = people.communities.draw(d)
        if people.units is not None and d.chance(0.4):
            place = people.units.draw(d)
            area, unit, org = place.unit.address_area, place.unit, place.org
        else:
            area, unit, org = community.area, None, community.org
        name = people.name(male)
        yield Applicant(
            name=name,
            name_initials=initials(name),
            gender=Gender.MALE if male else Gender.FEMALE,
            area=area,
            unit=unit,
            party_org=org,
            stage=_STAGE_GAPS[reached][0],
            **dates,
            **_sealed("id_number", id_number),
            **_sealed("phone", people.phones.issue(d)),
        )


@dataclass
class Seeded:
    members: int
    residents: int
    applicants: int


def seed_people(
    people: People,
    *,
    members: int,
    residents: int,
    applicants: int,
    batch_size: int,
    out: Callable[[str], None],
) -> Seeded:
    """Bulk-create the members, residents and applicants, in batches of ``batch_size``."""
    return Seeded(
        members=_batched(member_rows(people, members), Member, batch_size, members, "members", out),
        residents=_batched(
            resident_rows(people, residents), Resident, batch_size, residents, "residents", out
        ),
        applicants=_batched(
            applicant_rows(people, applicants), Applicant, batch_size, applicants, "applicants", out
        ),
    )
