"""The tier's people, made in worker processes as COPY text: members (with the check-ins of those in
service: their events and certificates) and residents.

The parent process hands out the work a chunk of people at a time, with what must be unique across
the whole city decided there: the ID numbers (``demo.persons.IdNumbers``, unique by construction) and
the primary keys (consecutive from 1, on an emptied table). A worker draws everything else from its
own dice, seeded by the tier's seed and the chunk's number, so the same seed builds the same people
whatever ``--jobs`` is; it seals each number with ``gongjian.privacy.seal`` (every person gets their
own ciphertext and keyed hash), takes the initials from ``pinyin_initials`` and the paths from
``people.actions.derive_place_paths`` (called once per home and per unit, not per row: the paths
depend on nothing else), and replays each check-in's steps through ``demo.checkin_plans.replay``, the
actions' transition table.

The workers are forked from the building process after the structure exists (``start``), so they
share its layout without pickling it; they never touch the database.
"""

from __future__ import annotations

import copy
import multiprocessing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext

from checkin.models import Certificate, CheckIn, CheckInEvent, CheckInRule
from checkin.rules import propose_community
from demo import vocab
from demo.checkin_plans import (
    AFTER_MOVE,
    AWAY_REASONS,
    KINDS,
    MOVED_REASON,
    OUTSIDE_REASON,
    OVERRIDE_REASONS,
    REJECT_REASONS,
    RETURN_REASONS_COMMUNITY,
    RETURN_REASONS_UNIT,
    SHARE_REPORTED,
    STORIES,
    Step,
    replay,
)
from demo.layout import CityLayout, CommunityPlace, Dice
from demo.persons import BIRTH_ANCHOR, People, PhoneNumbers, draw_membership, initials
from demo.tier.options import TierOptions
from demo.tier.structure import public_id
from gongjian import bulk
from gongjian.privacy import birth_date_from_id, seal
from people.actions import derive_place_paths
from people.models import Gender, Member, Resident

CHUNK = 10_000
# Serial numbers of certificates: checkin.codes.new_serial's shape (BD-year-8 characters of its
# alphabet), but a bijection of the certificate's key instead of random, so half a million of them
# cannot collide.
SERIAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
SERIAL_SPACE = len(SERIAL_ALPHABET) ** 8
SERIAL_STEP = 1_099_511_627_791  # odd, hence prime to 32**8: a permutation of the keys
# Keys of the rows a member's check-ins make, from the member's key (at most two check-ins a member,
# five events and two certificates a check-in): unique without asking the database.
EVENTS_PER_CHECKIN, CERTIFICATES_PER_CHECKIN = 6, 2


class RowFormat:
    """A model's columns and how a row of them reads in COPY text: fields the generator does not set
    take their default, formatted once."""

    def __init__(self, model, given: set[str]) -> None:
        connection = connections["default"]
        fields = bulk.concrete_fields(model)
        self.model = model
        self.columns = [f.column for f in fields]
        self.parts: list[tuple[str, str | None]] = []
        for f in fields:
            if f.attname in given:
                self.parts.append((f.attname, None))
            else:
                fixed = f.get_db_prep_save(f.get_default(), connection)
                self.parts.append((f.attname, bulk.copy_value(fixed)))

    def line(self, values: dict) -> str:
        value = bulk.copy_value
        return (
            "\t".join([value(values[name]) if fixed is None else fixed for name, fixed in self.parts]) + "\n"
        )


MEMBER_FIELDS = {
    "id", "public_id", "name", "name_initials", "gender", "birth_date", "joined_on", "status", "unit_id",
    "party_org_id", "residence_area_id", "residence_compound_id", "residence_building_id", "in_service",
    "skills", "residence_path", "unit_path", "grid_path", "created_at", "updated_at",
    "id_number_cipher", "id_number_hash", "id_number_hint", "phone_cipher", "phone_hash", "phone_hint",
}  # fmt: skip
RESIDENT_FIELDS = {
    "id", "public_id", "name", "name_initials", "gender", "residence_area_id", "residence_compound_id",
    "residence_building_id", "household_note", "verified_at", "residence_path", "grid_path", "created_at",
    "id_number_cipher", "id_number_hash", "id_number_hint", "phone_cipher", "phone_hash", "phone_hint",
}  # fmt: skip
CHECKIN_FIELDS = {
    "id", "public_id", "member_id", "unit_id", "community_id", "community_path", "compound_id",
    "building_id", "rule", "rule_note", "override_reason", "vanguard_kinds", "skills", "state",
    "submitted_at", "certified_at", "confirmed_at", "closed_at", "grid_branch_id",
}  # fmt: skip
EVENT_FIELDS = {"id", "checkin_id", "from_state", "to_state", "actor_id", "at", "reason", "via"}
CERTIFICATE_FIELDS = {
    "id",
    "public_id",
    "checkin_id",
    "serial",
    "party_org_id",
    "issued_by_id",
    "issued_at",
    "revoked_at",
}


@dataclass
class Context:
    """What the workers share with the parent (inherited when they are forked)."""

    options: TierOptions
    layout: CityLayout
    people: People
    now: datetime
    proposals: dict[int, tuple[str, str]]  # community pk → (rule, note) of checkin.rules.propose_community
    unit_places: dict[int, CommunityPlace]  # unit pk → the community it sits in
    formats: dict[str, RowFormat]


_context: Context | None = None
_kept: list = []


def make_context(options: TierOptions, layout: CityLayout, people: People) -> Context:
    with translation.override("zh-hans"):  # notes as the actions store them
        proposals = {}
        for place in layout.communities:
            proposal = propose_community(Member(residence_area=place.area), today=layout.today)
            proposals[place.area.pk] = (proposal.rule, proposal.note[:200])
    places = {c.area.pk: c for c in layout.communities}
    first_of_street = {}
    for c in layout.communities:
        first_of_street.setdefault(c.street.pk, c)
    unit_places = {
        u.unit.pk: places.get(u.unit.address_area_id) or first_of_street[u.street_id] for u in layout.units
    }
    return Context(
        options=options,
        layout=layout,
        people=people,
        now=timezone.now(),
        proposals=proposals,
        unit_places=unit_places,
        formats={
            "member": RowFormat(Member, MEMBER_FIELDS),
            "resident": RowFormat(Resident, RESIDENT_FIELDS),
            "checkin": RowFormat(CheckIn, CHECKIN_FIELDS),
            "event": RowFormat(CheckInEvent, EVENT_FIELDS),
            "certificate": RowFormat(Certificate, CERTIFICATE_FIELDS),
        },
    )


def _forget_database() -> None:
    """In a worker: never use (or close) the parent's connection, which the fork copied."""
    for connection in connections.all(initialized_only=True):
        _kept.append(connection.connection)  # no finaliser may close the parent's socket
        connection.connection = None


# --- the parent's share: numbers unique across the city ------------------------------------------


def member_tasks(dice: Dice, ctx: Context) -> Iterator[tuple]:
    """Chunks of members to make: (kind, chunk, first key, [(in service, male, ID number)])."""
    people, share = ctx.people, ctx.options.in_service_share
    batch, first = [], 1
    for n in range(ctx.options.members):
        in_service = dice.chance(share)
        male = dice.chance(0.7)
        if in_service:
            age = dice.between(23, 59)
        elif dice.chance(0.6):
            age = dice.between(60, 90)  # retired
        else:
            age = dice.between(25, 75)
        batch.append((in_service, male, people.id_number(male, age)))
        if len(batch) == CHUNK or n == ctx.options.members - 1:
            yield ("member", first // CHUNK, first, batch)
            first += len(batch)
            batch = []


def resident_tasks(dice: Dice, ctx: Context) -> Iterator[tuple]:
    people, total = ctx.people, ctx.options.residents
    batch, first = [], 1
    for n in range(total):
        male = dice.chance(0.48)
        age = dice.between(18, 92)
        batch.append((age, male, people.id_number(male, age)))
        if len(batch) == CHUNK or n == total - 1:
            yield ("resident", first // CHUNK, first, batch)
            first += len(batch)
            batch = []


# --- the workers' share -------------------------------------------------------------------------


def make_chunk(task: tuple) -> tuple[str, dict[str, bytes], Counter]:
    """COPY text for one chunk: {table kind: lines}, and what was counted."""
    assert _context is not None
    kind, chunk, first, numbers = task
    seed = _context.options.seed * 1_000_003 + chunk * 2 + (kind == "resident")
    maker = _Maker(_context, Dice(seed))
    with translation.override("zh-hans"):
        if kind == "member":
            maker.members(first, numbers)
        else:
            maker.residents(first, numbers)
    return kind, {k: "".join(v).encode() for k, v in maker.lines.items()}, maker.counts


def _sealed(kind: str, value: str) -> dict[str, str]:
    sealed = seal(kind, value)
    return {f"{kind}_cipher": sealed.cipher, f"{kind}_hash": sealed.hash, f"{kind}_hint": sealed.hint}


_NO_NUMBER = {f"{k}_{p}": "" for k in ("id_number", "phone") for p in ("cipher", "hash", "hint")}


@cache
def home_paths(area, building) -> tuple[str, str]:
    """(residence_path, grid_path) of a home, by people.actions.derive_place_paths."""
    stub = Member(residence_area=area, residence_building=building)
    derive_place_paths(stub)
    return stub.residence_path, stub.grid_path


@cache
def unit_path(unit) -> str:
    stub = Member(unit=unit)
    derive_place_paths(stub)
    return stub.unit_path


class _Maker:
    def __init__(self, ctx: Context, dice: Dice) -> None:
        self.ctx, self.d = ctx, dice
        self.people = copy.copy(ctx.people)  # with this chunk's dice (the parent's draws go on apart)
        self.people.dice = dice
        self.tz = timezone.get_current_timezone()
        self.lines: dict[str, list[str]] = {k: [] for k in ctx.formats}
        self.counts: Counter = Counter()

    def public_id(self):
        return public_id(self.d)

    def name(self, male: bool) -> tuple[str, str]:
        """A name and its initials: ``pinyin_initials`` of the surname and of the given name apart,
        each cached (a few thousand of them instead of half a million names). For every name the
        vocabulary makes this equals the whole name's initials — no pypinyin phrase spans surname
        and given name; the tests compare with ``pinyin_initials(name)``."""
        surname, given = self.people.name_parts(male)
        return surname + given, (initials(surname) + initials(given))[:32]

    # --- members ----------------------------------------------------------------------------------

    def members(self, first: int, numbers: list) -> None:
        d, people, ctx = self.d, self.people, self.ctx
        phones = PhoneNumbers()
        fmt = ctx.formats["member"]
        for pk, (in_service, male, id_number) in enumerate(numbers, start=first):
            birth = birth_date_from_id(id_number)
            age = (BIRTH_ANCHOR - birth).days // 365
            drawn = draw_membership(people, birth, age, in_service)
            status, joined, place, unit, org = drawn.status, drawn.joined, drawn.place, drawn.unit, drawn.org
            community, home, building = drawn.community, drawn.home, drawn.building
            name, name_initials = self.name(male)
            residence_path, grid_path = home_paths(community.area if community else None, building)
            skills = "、".join(d.sample(vocab.SKILLS, d.pick((0, 0, 1, 1, 2))))
            phones._n = pk - 1  # the member's phone is the pk-th number: unique across the city
            row = {
                "id": pk,
                "public_id": self.public_id(),
                "name": name,
                "name_initials": name_initials,
                "gender": Gender.MALE if male else Gender.FEMALE,
                "birth_date": birth,
                "joined_on": joined,
                "status": status,
                "unit_id": unit.pk if unit else None,
                "party_org_id": org.pk,
                "residence_area_id": community.area.pk if community else None,
                "residence_compound_id": home.compound.pk if home else None,
                "residence_building_id": building.pk if building else None,
                "in_service": in_service,
                "skills": skills,
                "residence_path": residence_path,
                "unit_path": unit_path(unit) if unit else "",
                "grid_path": grid_path,
                "created_at": ctx.now,
                "updated_at": ctx.now,
                **_sealed("id_number", id_number),
                **_sealed("phone", phones.issue(d)),
            }
            self.lines["member"].append(fmt.line(row))
            self.counts["members"] += 1
            self.counts["in_service"] += in_service
            if in_service and d.chance(SHARE_REPORTED):
                self.checkins(row, place, community, home, building)

    # --- check-ins --------------------------------------------------------------------------------

    def checkins(self, member: dict, unit_place, community, home, building) -> None:
        """One check-in, or two (checked out of the old community, reported in the new one)."""
        d = self.d
        story = STORIES.draw(d)
        where = self.where(member, unit_place, community)
        pk = member["id"] * 2 - 1
        if story == "moved":
            old_place = self.other_than(where[0])
            if old_place is not None:
                steps = self.story(where, AFTER_MOVE.draw(d), end=(1, 200))
                steps[0].via = "transfer"
                moved_on = (self.people.today - steps[0].at.date()).days
                old = (old_place, *where[1:])
                old_steps = self.story(old, "moved", end=(moved_on, moved_on))
                old_steps[-1].at = steps[0].at - timedelta(minutes=10)
                self.write(pk, member, old, old_steps, unit_place, None, None)
                self.write(pk + 1, member, where, steps, unit_place, home, building)
                return
            story = "confirmed"
        self.write(pk, member, where, self.story(where, story), unit_place, home, building)

    def where(self, member: dict, unit_place, community) -> tuple:
        """(community place, rule, rule note, override reason) as checkin.rules.propose_community says,
        or another community with a reason (a few members; everyone living outside the city here, as
        the tier has no unit pairings)."""
        d = self.d
        if community is None:
            return (
                self.ctx.unit_places[unit_place.unit.pk],
                CheckInRule.OVERRIDE,
                OUTSIDE_REASON,
                OUTSIDE_REASON,
            )
        rule, note = self.ctx.proposals[community.area.pk]
        if d.chance(0.03):
            other = self.ctx.unit_places[unit_place.unit.pk]
            other = other if other is not community else self.other_than(community)
            if other is not None:
                reason = d.pick(OVERRIDE_REASONS)
                return (other, CheckInRule.OVERRIDE, reason, reason)
        return (community, rule, note, "")

    def other_than(self, place: CommunityPlace) -> CommunityPlace | None:
        near = self.people.near.get(place.street.pk, [])
        others = [c for c in near if c is not place]
        return self.d.pick(others) if others else None

    def _at(self, days_ago: int, office: bool) -> datetime:
        d = self.d
        minute = d.between(9 * 60, 17 * 60 + 30) if office else d.between(7 * 60 + 30, 22 * 60)
        day = self.people.today - timedelta(days=days_ago)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)

    def _steps(self, spec: list[tuple], end: tuple[int, int], gaps: list[tuple[int, int]]) -> list[Step]:
        days = [self.d.between(*end)]
        for low, high in reversed(gaps):
            days.append(days[-1] + self.d.between(low, high))
        return [
            Step(action, self._at(day, office), reason, via)
            for (action, office, reason, via), day in zip(spec, reversed(days), strict=True)
        ]

    def story(self, where: tuple, story: str, *, end: tuple[int, int] | None = None) -> list[Step]:
        """The steps of one check-in, as demo/checkins.py tells them (the member submits online)."""
        d = self.d
        override = where[3]
        submit = ("submit", False, override, "online")
        certify = ("certify", True, "", "unit")
        accepted = gettext("Override accepted: %(reason)s") % {"reason": override} if override else ""
        confirm = ("confirm", True, accepted, d.pick(["scan", "scan", "code", "manual"]))
        if story == "confirmed":
            if d.chance(0.08):
                back = ("return", True, d.pick(RETURN_REASONS_UNIT), "review")
                resubmit = ("resubmit", False, "", "online")
                return self._steps(
                    [submit, back, resubmit, certify, confirm],
                    end or (1, 320),
                    [(1, 3), (1, 5), (1, 10), (1, 20)],
                )
            return self._steps([submit, certify, confirm], end or (1, 320), [(1, 7), (1, 20)])
        if story == "certified":
            return self._steps([submit, certify], end or (1, 20), [(1, 7)])
        if story == "submitted":
            return self._steps([submit], end or (1, 25), [])
        if story == "returned":
            if d.chance(0.5):
                back = ("return", True, d.pick(RETURN_REASONS_UNIT), "review")
                return self._steps([submit, back], end or (1, 30), [(1, 5)])
            back = ("return", True, d.pick(RETURN_REASONS_COMMUNITY), "review")
            return self._steps([submit, certify, back], end or (1, 30), [(1, 7), (1, 15)])
        if story == "rejected":
            reject = ("reject", True, d.pick(REJECT_REASONS), "community")
            if d.chance(0.5):
                return self._steps([submit, reject], end or (5, 300), [(1, 10)])
            return self._steps([submit, certify, reject], end or (5, 300), [(1, 7), (1, 20)])
        leave = ("check_out", False, MOVED_REASON if story == "moved" else d.pick(AWAY_REASONS), "checkout")
        return self._steps([submit, certify, confirm, leave], end or (5, 200), [(1, 7), (1, 20), (20, 150)])

    def write(
        self, pk: int, member: dict, where: tuple, steps: list[Step], unit_place, home, building
    ) -> None:
        place, rule, note, override = where
        r = replay(steps)
        d = self.d
        with_home = rule == CheckInRule.RESIDENCE
        kinds = sorted(d.sample(KINDS, d.between(1, 2)), key=KINDS.index)
        row = {
            "id": pk,
            "public_id": self.public_id(),
            "member_id": member["id"],
            "unit_id": member["unit_id"],
            "community_id": place.area.pk,
            "community_path": place.area.path,
            "compound_id": home.compound.pk if with_home and home else None,
            "building_id": building.pk if with_home and building else None,
            "rule": rule,
            "rule_note": note[:200],
            "override_reason": override,
            "vanguard_kinds": kinds,
            "skills": member["skills"],
            "state": r.state,
            "submitted_at": r.stamps.get("submitted_at"),
            "certified_at": r.stamps.get("certified_at"),
            "confirmed_at": r.stamps.get("confirmed_at"),
            "closed_at": r.stamps.get("closed_at"),
            # confirm_checkin places the member in the community's grid branch
            "grid_branch_id": place.grid_branch.pk if "confirmed_at" in r.stamps else None,
        }
        self.lines["checkin"].append(self.ctx.formats["checkin"].line(row))
        self.counts["checkins"] += 1
        self.counts[f"checkins_{r.state}"] += 1
        event_format = self.ctx.formats["event"]
        for n, (from_state, to_state, step) in enumerate(r.events):
            self.lines["event"].append(
                event_format.line(
                    {
                        "id": pk * EVENTS_PER_CHECKIN + n,
                        "checkin_id": pk,
                        "from_state": from_state,
                        "to_state": to_state,
                        "actor_id": None,
                        "at": step.at,
                        "reason": step.reason[:200],
                        "via": step.via,
                    }
                )
            )
        self.counts["checkin_events"] += len(r.events)
        certificate_format = self.ctx.formats["certificate"]
        for n, (step, withdrawn) in enumerate(r.certificates):
            key = pk * CERTIFICATES_PER_CHECKIN + n
            self.lines["certificate"].append(
                certificate_format.line(
                    {
                        "id": key,
                        "public_id": self.public_id(),
                        "checkin_id": pk,
                        "serial": serial(key, timezone.localtime(step.at).year),
                        "party_org_id": unit_place.org.pk,
                        "issued_by_id": None,
                        "issued_at": step.at,
                        "revoked_at": withdrawn,
                    }
                )
            )
        self.counts["certificates"] += len(r.certificates)

    # --- residents --------------------------------------------------------------------------------

    def residents(self, first: int, numbers: list) -> None:
        d, people, ctx = self.d, self.people, self.ctx
        phones = PhoneNumbers()
        fmt = ctx.formats["resident"]
        for pk, (age, male, id_number) in enumerate(numbers, start=first):
            has_id, has_phone = d.chance(0.5), d.chance(0.85) or age < 70
            community = people.communities.draw(d)
            home, building = people.home(community, 0.92)
            note = d.pick(vocab.HOUSEHOLD_NOTES) if d.chance(0.12) else ""
            name, name_initials = self.name(male)
            residence_path, grid_path = home_paths(community.area, building)
            numbers_of = dict(_NO_NUMBER)
            if has_id:
                numbers_of.update(_sealed("id_number", id_number))
            if has_phone:
                phones._n = ctx.options.members + pk - 1  # after every member's number
                numbers_of.update(_sealed("phone", phones.issue(d)))
            row = {
                "id": pk,
                "public_id": self.public_id(),
                "name": name,
                "name_initials": name_initials,
                "gender": Gender.MALE if male else Gender.FEMALE,
                "residence_area_id": community.area.pk,
                "residence_compound_id": home.compound.pk if home else None,
                "residence_building_id": building.pk if building else None,
                "household_note": note,
                "verified_at": ctx.now,
                "residence_path": residence_path,
                "grid_path": grid_path,
                "created_at": ctx.now,
                **numbers_of,
            }
            self.lines["resident"].append(fmt.line(row))
            self.counts["residents"] += 1


def serial(key: int, year: int) -> str:
    """A certificate's serial number, unique by construction (see SERIAL_STEP)."""
    n = (key * SERIAL_STEP) % SERIAL_SPACE
    chars = []
    for _ in range(8):
        n, r = divmod(n, len(SERIAL_ALPHABET))
        chars.append(SERIAL_ALPHABET[r])
    return f"BD-{year}-" + "".join(chars)


# --- running it ---------------------------------------------------------------------------------

MODELS = {
    "member": Member,
    "resident": Resident,
    "checkin": CheckIn,
    "event": CheckInEvent,
    "certificate": Certificate,
}


def write_people(ctx: Context, dice: Dice, *, out) -> Counter:
    """Make the members (with check-ins) and the residents in ``ctx.options.jobs`` processes and COPY
    each chunk as it comes back; answers the counts."""
    global _context
    _context = ctx
    counts: Counter = Counter()
    tasks = _all_tasks(dice, ctx)
    total = ctx.options.members + ctx.options.residents
    done = 0
    if ctx.options.jobs <= 1:
        results = map(make_chunk, tasks)
        pool = None
    else:
        pool = multiprocessing.get_context("fork").Pool(ctx.options.jobs, initializer=_forget_database)
        results = pool.imap(make_chunk, tasks)
    try:
        for _kind, blocks, chunk_counts in results:
            for name, block in blocks.items():
                if block:
                    bulk.copy_text(MODELS[name], ctx.formats[name].columns, [block])
            counts.update(chunk_counts)
            done += chunk_counts["members"] + chunk_counts["residents"]
            if total >= 100_000 and done % (CHUNK * 20) == 0:
                out(f"  people: {done:,}/{total:,}")
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    _context = None
    return counts


def _all_tasks(dice: Dice, ctx: Context) -> Iterator[tuple]:
    yield from member_tasks(dice, ctx)
    yield from resident_tasks(dice, ctx)
