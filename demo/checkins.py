"""Check-ins of the demo city (在职党员进社区报到): unit pairings, a year of check-ins with their event
ledger and certificates, placement in the grid branches, and volunteer teams.

About three in four in-service members have reported: most are confirmed, some hold a certificate
and wait for their community, some wait for their unit; a few were returned, rejected or checked
out (and some of those moved and reported again). Members living outside the city report to the
community their unit is paired with (结对共建); a few chose another community and said why.

Mass rows are bulk-created, like the people (demo/persons.py): each action costs a transaction, a
row lock, an audit row and notifications, and a benchmark city has hundreds of thousands of
check-ins. What the actions guarantee holds by construction instead: every check-in is written from
a *plan*, the list of steps it went through, replayed against ``checkin.transitions.TRANSITIONS``
(demo/checkin_plans.py); its state, timestamps, events and certificates all come from that replay.
So a member has at most one active check-in, every certified or confirmed one has exactly one valid
certificate (returned, rejected and checked-out ones have theirs withdrawn), and the events chain
from "" to the state.

The demo accounts' own rows go through the actions themselves, each step at its moment in the past
(time-machine holds the clock there, as in the service loop), so the pages a newcomer opens first
show what the real code path writes, and the plan is checked against it: the ``unit`` account's
unit has members in every state, and its admin submitted and certified them. The ``member`` account is left
unreported on purpose: a newcomer takes them from "not reported" to "confirmed" through the roles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, time, timedelta

import time_machine
from django.utils import timezone, translation
from django.utils.translation import gettext

from checkin import actions, codes
from checkin.models import (
    Certificate,
    CheckIn,
    CheckInEvent,
    CheckInRule,
    CheckInState,
    Team,
    TeamMembership,
    UnitPairing,
)
from checkin.rules import propose_community
from demo.checkin_plans import (
    AFTER_MOVE,
    AWAY_REASONS,
    DEMO_MORE,
    DEMO_STORIES,
    DEMO_UNIT_STAFF,
    KINDS,
    MIN_PENDING_AT_DEMO_COMMUNITY,
    MOVED_REASON,
    OUTSIDE_REASON,
    OVERRIDE_REASONS,
    PAIRING_NOTES,
    REJECT_REASONS,
    RETURN_REASONS_COMMUNITY,
    RETURN_REASONS_UNIT,
    SHARE_REPORTED,
    STORIES,
    TEAM_CANDIDATES,
    TEAMS,
    MemberRow,
    Plan,
    Replay,
    Step,
    replay,
)
from demo.layout import CityLayout, CommunityPlace, Dice
from people.models import Member
from places.paths import subtree_q


def seed_checkins(
    dice: Dice, layout: CityLayout, users: dict, *, batch_size: int = 2000, out: Callable[[str], None] = print
) -> None:
    """Pairings, check-ins, certificates and teams for the demo city (in its build's transaction)."""
    with translation.override("zh-hans"):  # notes and messages are stored as the actions would write them
        seeder = _Seeder(dice, layout, users)
        pairings = seeder.pair_units()
        seeder.staff_demo_unit()
        seeder.bulk_checkins(batch_size)
        seeder.demo_unit_checkins()
        teams = seeder.form_teams()
    counts = seeder.counts
    out(
        f"  {sum(counts.values()):,} check-ins ({counts[CheckInState.CONFIRMED]:,} confirmed, "
        f"{counts[CheckInState.CERTIFIED]:,} awaiting confirmation), {pairings} unit pairings, {teams} teams"
    )


class _Seeder:
    def __init__(self, dice: Dice, layout: CityLayout, users: dict) -> None:
        self.dice, self.layout = dice, layout
        self.today = layout.today
        self.tz = timezone.get_current_timezone()
        self.home = layout.communities[0]  # the community account's community
        self.places = {c.area.pk: c for c in layout.communities}
        self.units = {u.unit.pk: u for u in layout.units}
        self.community_user, self.unit_user, self.admin = users["community"], users["unit"], users["admin"]
        self.demo_member_id = Member.objects.filter(user=users["member"]).values_list("pk", flat=True).first()
        self.counts: dict[str, int] = defaultdict(int)
        self.pending_home = 0
        self.confirmed: dict[int, list[tuple[int, list[str], datetime]]] = defaultdict(list)
        self.serials: set[str] = set()
        self._proposals: dict = {}

    # --- pairings ---------------------------------------------------------------------------------

    def pair_units(self) -> int:
        """Most units are paired with one or two communities, near them as a rule; some pairings ended."""
        d, rows = self.dice, []
        communities = self.layout.communities
        for place in self.layout.units:
            demo = place is self.layout.demo_unit
            if not demo and not d.chance(0.85):
                continue
            near = self.layout.communities_of(place.street_id) or communities
            chosen = [self.home] if demo else []
            for _n in range(1 if d.chance(0.65) else 2):
                pick = d.pick(near) if d.chance(0.7) else d.pick(communities)
                if pick not in chosen:
                    chosen.append(pick)
            for community in chosen:
                rows.append(
                    self._pairing(place.unit, community, self.today - timedelta(d.between(60, 4 * 365)))
                )
            if d.chance(0.2):  # an earlier pairing that has ended
                ended = self.today - timedelta(d.between(30, 600))
                rows.append(
                    self._pairing(
                        place.unit, d.pick(communities), ended - timedelta(d.between(365, 3 * 365)), ended
                    )
                )
        UnitPairing.objects.bulk_create(rows)
        return len(rows)

    def _pairing(self, unit, community: CommunityPlace, started_on, ended_on=None) -> UnitPairing:
        note = self.dice.pick(PAIRING_NOTES)
        return UnitPairing(
            unit=unit, community=community.area, started_on=started_on, ended_on=ended_on, note=note
        )

    # --- the rule ---------------------------------------------------------------------------------

    def proposal(self, row: MemberRow):
        """checkin.rules.propose_community on an unsaved member holding just the home and unit
        (one pairing query per unit whose members live outside the city, then cached)."""
        home = self.places.get(row.residence_area_id)
        key = ("home", home.area.pk) if home else ("unit", row.unit_id)
        if key not in self._proposals:
            stub = Member(residence_area=home.area) if home else Member(unit=self.units[row.unit_id].unit)
            self._proposals[key] = propose_community(stub, today=self.today)
        return self._proposals[key]

    def unit_community(self, unit_id: int) -> CommunityPlace:
        """The community a unit sits in (a department sits in a street: its first community)."""
        place = self.units[unit_id]
        return (
            self.places.get(place.unit.address_area_id)
            or (self.layout.communities_of(place.street_id) or self.layout.communities)[0]
        )

    def other_than(self, place: CommunityPlace) -> CommunityPlace | None:
        others = [c for c in self.layout.communities_of(place.street.pk) if c is not place] or [
            c for c in self.layout.communities if c is not place
        ]
        return self.dice.pick(others) if others else None

    def plan(self, row: MemberRow, *, override: bool | None = None) -> Plan:
        """Where the member reports (the rule, or another community with a reason) and what they
        offer. ``override`` forces the choice; by default a few members choose another community."""
        d = self.dice
        proposal = self.proposal(row)
        kinds = sorted(d.sample(KINDS, d.between(1, 2)), key=KINDS.index)
        if proposal.community is None:  # outside the city, and the unit has no pairing
            place = self.unit_community(row.unit_id)
            return Plan(row, place, CheckInRule.OVERRIDE, OUTSIDE_REASON, OUTSIDE_REASON, kinds)
        place = self.places[proposal.community.pk]
        if d.chance(0.03) if override is None else override:
            other = self.unit_community(row.unit_id)
            other = other if other is not place else self.other_than(place)
            if other is not None:
                reason = d.pick(OVERRIDE_REASONS)
                return Plan(row, other, CheckInRule.OVERRIDE, reason, reason, kinds)
        return Plan(row, place, proposal.rule, proposal.note[:200], "", kinds)

    # --- stories ----------------------------------------------------------------------------------

    def _at(self, days_ago: int, office: bool) -> datetime:
        minute = (
            self.dice.between(9 * 60, 17 * 60 + 30) if office else self.dice.between(7 * 60 + 30, 22 * 60)
        )
        day = self.today - timedelta(days=days_ago)
        return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=self.tz)

    def _steps(self, spec: list[tuple], end: tuple[int, int], gaps: list[tuple[int, int]]) -> list[Step]:
        """Steps of ``spec`` (action, office hours?, reason, via, actor): the last one ``end`` days
        ago, each earlier one ``gaps`` days before the next (at least a day: the order is strict)."""
        days = [self.dice.between(*end)]
        for low, high in reversed(gaps):
            days.append(days[-1] + self.dice.between(low, high))
        return [
            Step(action, self._at(day, office), reason, via, actor)
            for (action, office, reason, via, actor), day in zip(spec, reversed(days), strict=True)
        ]

    def story(self, plan: Plan, story: str, *, end: tuple[int, int] | None = None, by=None) -> list[Step]:
        """The steps of one check-in. ``by`` submits it (a unit admin's batch check-in, or nobody:
        the member online); the community account acts for its own community."""
        d = self.dice
        there = self.community_user if plan.place is self.home else None
        unit_admin = by
        submit = ("submit", by is not None, plan.override_reason, "batch" if by else "online", by)
        certify = ("certify", True, "", "unit", unit_admin)
        accepted = gettext("Override accepted: %(reason)s") % {"reason": plan.override_reason}
        confirm = (
            "confirm",
            True,
            accepted if plan.rule == CheckInRule.OVERRIDE else "",
            d.pick(["scan", "scan", "code", "manual"]),
            there,
        )
        if story == "confirmed":
            if d.chance(0.08) and by is None:  # the unit sent it back once before certifying
                back = ("return", True, d.pick(RETURN_REASONS_UNIT), "review", unit_admin)
                resubmit = ("resubmit", False, "", "online", None)
                spec, gaps = [submit, back, resubmit, certify, confirm], [(1, 3), (1, 5), (1, 10), (1, 20)]
            else:
                spec, gaps = [submit, certify, confirm], [(1, 7), (1, 20)]
            return self._steps(spec, end or (1, 320), gaps)
        if story == "certified":
            return self._steps([submit, certify], end or (1, 20), [(1, 7)])
        if story == "submitted":
            return self._steps([submit], end or (1, 25), [])
        if story == "returned":
            if d.chance(0.5) or by is not None:
                back = ("return", True, d.pick(RETURN_REASONS_UNIT), "review", unit_admin)
                return self._steps([submit, back], end or (1, 30), [(1, 5)])
            back = ("return", True, d.pick(RETURN_REASONS_COMMUNITY), "review", there)
            return self._steps([submit, certify, back], end or (1, 30), [(1, 7), (1, 15)])
        if story == "rejected":
            reject = ("reject", True, d.pick(REJECT_REASONS), "community", there)
            if d.chance(0.5):
                return self._steps([submit, reject], end or (5, 300), [(1, 10)])
            return self._steps([submit, certify, reject], end or (5, 300), [(1, 7), (1, 20)])
        # "away" (and the first check-in of "moved"): confirmed, then checked out
        leave = (
            "check_out",
            False,
            MOVED_REASON if story == "moved" else d.pick(AWAY_REASONS),
            "checkout",
            by,
        )
        return self._steps([submit, certify, confirm, leave], end or (5, 200), [(1, 7), (1, 20), (20, 150)])

    def plans_for(self, row: MemberRow) -> list[Plan]:
        """Nothing (not reported), one check-in, or two (checked out, then reported again)."""
        d = self.dice
        if not d.chance(SHARE_REPORTED):
            return []
        story = STORIES.draw(d)
        plan = self.plan(row)
        if plan.place is self.home and self.pending_home < MIN_PENDING_AT_DEMO_COMMUNITY:
            story = "certified"  # the community account has confirmations waiting for it
        plans = [plan]
        old_place = self.other_than(plan.place) if story == "moved" else None
        if old_place is None:
            plan.steps = self.story(plan, "confirmed" if story == "moved" else story)
        else:  # checked out of the community they lived in before, then reported here
            plan.steps = self.story(plan, AFTER_MOVE.draw(d), end=(1, 200))
            first = plan.steps[0]
            first.via = "transfer"
            before = self.proposal(row._replace(residence_area_id=old_place.area.pk))
            old = Plan(row, old_place, before.rule, before.note[:200], "", plan.kinds)
            moved_on = (self.today - first.at.date()).days
            old.steps = self.story(old, "moved", end=(moved_on, moved_on))
            old.steps[-1].at = first.at - timedelta(minutes=10)
            plans.insert(0, old)
        if plan.place is self.home and plan.steps[-1].action == "certify":
            self.pending_home += 1
        return plans

    # --- writing ----------------------------------------------------------------------------------

    def bulk_checkins(self, batch_size: int) -> None:
        """Everyone but the demo unit's members, a batch of members at a time."""
        members = (
            Member.objects.in_service()
            .filter(subtree_q("unit_path", self.layout.city.path))
            .exclude(unit_id=self.layout.demo_unit.unit.pk)
            .order_by("pk")
            .values_list(*MemberRow._fields)
        )
        last = 0
        while batch := [MemberRow(*values) for values in members.filter(pk__gt=last)[:batch_size]]:
            last = batch[-1].pk
            self.write([plan for row in batch for plan in self.plans_for(row)])

    def write(self, plans: list[Plan]) -> None:
        """Bulk-create the check-ins, their events and certificates, as their replays say."""
        replays = [replay(plan.steps) for plan in plans]
        rows = [self._row(plan, r) for plan, r in zip(plans, replays, strict=True)]
        CheckIn.objects.bulk_create(rows)
        events, times, certificates, issued = [], [], [], []
        for plan, r, row in zip(plans, replays, rows, strict=True):
            for from_state, to_state, step in r.events:
                events.append(
                    CheckInEvent(
                        checkin_id=row.pk,
                        from_state=from_state,
                        to_state=to_state,
                        actor=step.actor,
                        reason=step.reason[:200],
                        via=step.via,
                    )
                )
                times.append(step.at)
            for step, withdrawn in r.certificates:
                serial = self._serial(timezone.localtime(step.at).year)
                certificates.append(
                    Certificate(
                        checkin_id=row.pk,
                        serial=serial,
                        party_org_id=plan.member.party_org_id,
                        issued_by=step.actor,
                        revoked_at=withdrawn,
                    )
                )
                issued.append(step.at)
        self._unique_serials(certificates)
        _create_dated(CheckInEvent, events, "at", times)
        _create_dated(Certificate, certificates, "issued_at", issued)
        for plan, r in zip(plans, replays, strict=True):
            self._count(plan, r)

    def _row(self, plan: Plan, r: Replay) -> CheckIn:
        m = plan.member
        return CheckIn(
            member_id=m.pk,
            unit_id=m.unit_id,
            community=plan.place.area,
            community_path=plan.place.area.path,
            compound_id=m.residence_compound_id if plan.with_home else None,
            building_id=m.residence_building_id if plan.with_home else None,
            rule=plan.rule,
            rule_note=plan.rule_note,
            override_reason=plan.override_reason,
            vanguard_kinds=plan.kinds,
            skills=m.skills,
            state=r.state,
            # confirm_checkin places the member in the grid branch: in the demo city the one branch
            # of each community sits on its second-level grid, above every building's cell
            grid_branch=plan.place.grid_branch if "confirmed_at" in r.stamps else None,
            **r.stamps,
        )

    def _serial(self, year: int) -> str:
        while (serial := codes.new_serial(year)) in self.serials:
            pass
        self.serials.add(serial)
        return serial

    def _unique_serials(self, certificates: list[Certificate]) -> None:
        """New serials for any already taken in the database (one query per batch)."""
        while taken := set(
            Certificate.objects.filter(serial__in=[c.serial for c in certificates]).values_list(
                "serial", flat=True
            )
        ):
            for certificate in certificates:
                if certificate.serial in taken:
                    certificate.serial = self._serial(int(certificate.serial[3:7]))

    def _count(self, plan: Plan, r: Replay) -> None:
        self.counts[r.state] += 1
        if r.state == CheckInState.CONFIRMED and len(self.confirmed[plan.place.area.pk]) < TEAM_CANDIDATES:
            self.confirmed[plan.place.area.pk].append((plan.member.pk, plan.kinds, r.stamps["confirmed_at"]))

    # --- the demo accounts ------------------------------------------------------------------------

    def staff_demo_unit(self) -> None:
        """The unit account must show every state, which takes four members besides the member
        account. A seed that gives its unit fewer moves in-service colleagues over from other
        units (people living in the community account's community first)."""
        place = self.layout.demo_unit
        staff = Member.objects.in_service().filter(unit=place.unit).exclude(pk=self.demo_member_id)
        missing = DEMO_UNIT_STAFF - staff.count()
        if missing <= 0:
            return
        others = Member.objects.in_service().exclude(unit=place.unit).order_by("pk")
        movers = list(others.filter(residence_area=self.home.area).values_list("pk", flat=True)[:missing])
        movers += list(others.exclude(pk__in=movers).values_list("pk", flat=True)[: missing - len(movers)])
        Member.objects.filter(pk__in=movers).update(
            unit=place.unit, party_org=place.org, unit_path=place.unit.address_area.path
        )

    def demo_unit_checkins(self) -> None:
        """The unit account's members, through the actions: its admin checked them in as a batch and
        certified them; the community account confirms and rejects in its own community (the
        platform administrator stands in for communities without a demo account)."""
        unit = self.layout.demo_unit.unit
        staff = list(
            Member.objects.in_service().filter(unit=unit).exclude(pk=self.demo_member_id).order_by("pk")
        )
        staff.sort(key=lambda m: m.residence_area_id != self.home.area.pk)  # stable: home first
        stories = DEMO_STORIES + DEMO_MORE * len(staff)
        for member, story in zip(staff, stories, strict=False):
            if story is not None:
                self._demo_member(member, story)

    def _demo_member(self, member: Member, story: str) -> None:
        row = MemberRow(*(getattr(member, name) for name in MemberRow._fields))
        by = self.unit_user
        plan = self.plan(row, override=False)
        if story not in ("away", "rejected"):
            plan.steps = self.story(plan, story, by=by)
            self._run(member, plan)
            return
        # two check-ins: the first ended (checked out while away / rejected), the second follows it
        plan.steps = self.story(plan, "confirmed" if story == "away" else "submitted", end=(1, 20), by=by)
        start = (self.today - plan.steps[0].at.date()).days
        if story == "away":
            first = Plan(row, plan.place, plan.rule, plan.rule_note, "", plan.kinds)
        else:  # first asked for the unit's community (or a neighbour of home), which refused
            target = self.home if plan.place is not self.home else self.other_than(plan.place)
            reason = "单位所在社区，便于参加单位组织的共建活动"
            first = Plan(row, target or plan.place, CheckInRule.OVERRIDE, reason, reason, plan.kinds)
        first.steps = self.story(first, story, end=(start + 1, start + 40), by=by)
        self._run(member, first)
        self._run(member, plan)

    def _run(self, member: Member, plan: Plan) -> None:
        """Replay a plan through the actions, each step at its moment (time-machine holds the clock
        there, so the actions stamp the plan's days themselves), and check they agree with the plan."""
        checkin = None
        for step in plan.steps:
            community_side = step.actor or self.admin
            with time_machine.travel(step.at, tick=False):
                if step.action == "submit":
                    checkin = actions.submit_checkin(
                        acting_user=self.unit_user,
                        member=member,
                        community=plan.place.area,
                        vanguard_kinds=plan.kinds,
                        override_reason=plan.override_reason,
                        via="batch",
                    )
                elif step.action == "certify":
                    actions.issue_certificate(acting_user=self.unit_user, checkin=checkin)
                elif step.action == "confirm":
                    code = codes.certificate_code(checkin.certificates.get(revoked_at__isnull=True))
                    actions.confirm_checkin(
                        acting_user=community_side, checkin=checkin, code=code, via=step.via
                    )
                elif step.action == "reject":
                    actions.reject_checkin(acting_user=community_side, checkin=checkin, reason=step.reason)
                elif step.action == "return":
                    actions.return_checkin(acting_user=self.unit_user, checkin=checkin, reason=step.reason)
                elif step.action == "check_out":
                    actions.check_out(acting_user=self.unit_user, checkin=checkin, reason=step.reason)
                else:  # pragma: no cover — resubmitting is the member's own action; demo stories avoid it
                    raise ValueError(step.action)
        r = replay(plan.steps)
        checkin.refresh_from_db()
        wrote = (
            [(e.to_state, e.at) for e in checkin.events.order_by("id")],
            [(c.issued_at, c.revoked_at) for c in checkin.certificates.order_by("id")],
            {name: getattr(checkin, name) for name in STAMPS},
        )
        planned = (
            [(to, step.at) for _, to, step in r.events],
            [(step.at, withdrawn) for step, withdrawn in r.certificates],
            {name: r.stamps.get(name) for name in STAMPS},
        )
        if wrote != planned:  # pragma: no cover
            raise RuntimeError(f"the actions and the demo plan disagree on {checkin}")
        self._count(plan, r)

    # --- teams ------------------------------------------------------------------------------------

    def form_teams(self) -> int:
        """Two to four teams per community, joined by about half of the members confirmed there."""
        d, now = self.dice, timezone.now()
        teams: dict[int, list[Team]] = {}
        for community in self.layout.communities:
            teams[community.area.pk] = [
                Team(community=community.area, name=name, kind=kind, vanguard_kind=focus)
                for name, kind, focus in d.sample(TEAMS, d.between(2, 4))
            ]
        Team.objects.bulk_create([team for own in teams.values() for team in own])  # pks for the memberships
        memberships, joined = [], []
        for community in self.layout.communities:
            own = teams[community.area.pk]
            for member_id, kinds, confirmed_at in self.confirmed[community.area.pk]:
                if not d.chance(0.55):
                    continue
                chosen = [d.pick([t for t in own if t.vanguard_kind in kinds] or own)]
                if d.chance(0.1) and (second := d.pick(own)) not in chosen:
                    chosen.append(second)
                for team in chosen:
                    memberships.append(TeamMembership(team=team, member_id=member_id))
                    joined.append(
                        min(confirmed_at + timedelta(days=d.between(1, 30)), now - timedelta(hours=1))
                    )
        _create_dated(TeamMembership, memberships, "joined_at", joined)
        return sum(len(own) for own in teams.values())


STAMPS = ("submitted_at", "certified_at", "confirmed_at", "closed_at")


def _create_dated(model, objects: list, name: str, values: list) -> None:
    """bulk_create with the given historical values of ``name`` (a field defaulting to now)."""
    for obj, value in zip(objects, values, strict=True):
        setattr(obj, name, value)
    model.objects.bulk_create(objects)
