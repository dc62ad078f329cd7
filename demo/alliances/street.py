"""One street's alliance, planned as steps on the clock: founding, member units, agreements, posts, the
board and the leaders linked to its communities. Its year of meetings, rotation and activities is
planned by demo/alliances/year.py."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.actions import create_user, grant_role
from accounts.models import Role
from alliances import agreements, board, leaders, members, posts
from alliances.models import AllianceKind, BoardPostKind, MeetingKind, PostRole
from alliances.periods import period_of, shift_months
from cases.models import Case
from checkin.models import UnitPairing
from demo.accounts import CAST_PREFIX
from demo.alliances import FATES, Missing, Seeder, member_units, words
from orgs.models import UnitKind
from service.models import ProjectUnit, Resource, ResourceKind


class StreetAlliance:
    def __init__(self, s: Seeder, street, *, full: bool) -> None:
        self.s, self.street, self.full = s, street, full
        d, layout = s.d, s.layout
        self.places = layout.communities_of(street.pk)
        self.units, self.departments = member_units(layout, street, d)
        self.fate = {unit.pk: FATES[n] if n < len(FATES) else "signed" for n, unit in enumerate(self.units)}
        for unit in self.departments:
            self.fate[unit.pk] = "signed"
        # a year back from the start of this quarter: four quarters behind it, the current one due
        self.q0 = period_of(MeetingKind.REGULAR, s.today)[0]
        self.founded = shift_months(self.q0, -12)
        self.alliance = None
        self.agreements: dict[int, object] = {}  # the agreement in force (or drafted) of each unit
        self.board_posts: dict[int, object] = {}
        self.draws = [d.rng.random() for _ in range(64)]  # drawn now: the clock does not change the dice

    # --- who and when ------------------------------------------------------------------------------

    def a(self):
        if self.alliance is None:
            raise Missing
        return self.alliance

    def day(self, n: int) -> date:
        """The ``n``-th day after the founding."""
        return self.founded + timedelta(days=n)

    @property
    def lead(self):
        """Who acts for the street committee (the ``street`` account at home)."""
        return self.s.cast.street_staff(self.street)

    @property
    def home(self) -> bool:
        return self.street.pk == self.s.layout.streets[0].pk

    @property
    def lead_name(self) -> str:
        """The place the alliance serves, as its papers name it."""
        return self.street.name

    @property
    def lead_org(self):
        return self.s.layout.street_orgs[self.street.pk]

    @property
    def area(self):
        """The street or community the alliance serves."""
        return self.street

    @property
    def signed_units(self):
        """The units whose agreement is signed at the founding (the draft's unit joins late)."""
        return [u for u in [*self.units, *self.departments] if self.fate[u.pk] != "draft"]

    @property
    def working_units(self):
        """Units in good standing all year: they own the tasks and chair the months."""
        return [u for u in self.signed_units if self.fate[u.pk] not in ("expired", "draft")]

    # --- the plan -----------------------------------------------------------------------------------

    def plan(self) -> None:
        s, on = self.s, self.s.on
        s.clock.at(on(self.founded, 9), self.found)
        for n, unit in enumerate(self.signed_units):
            s.clock.at(on(self.day(1), 9, n), self.join, unit)
            s.clock.at(on(self.day(5), 10, n), self.draft, unit)
            s.clock.at(on(self.day(7), 9 + n % 8, n), self.sign, unit, "unit")
            s.clock.at(on(self.day(10), 15, n), self.sign, unit, "lead")
        self.plan_posts()
        for unit in self.units:
            if self.fate[unit.pk] == "renewed":
                ends = self.ends_on(unit)
                s.clock.at(on(ends - timedelta(days=20), 10), self.renew, unit)
                s.clock.at(on(ends - timedelta(days=15), 10), self.sign, unit, "unit")
                s.clock.at(on(ends - timedelta(days=12), 16), self.sign, unit, "lead")
            elif self.fate[unit.pk] == "draft":
                s.clock.at(on(s.today - timedelta(days=20), 9), self.join, unit)
                s.clock.at(on(s.today - timedelta(days=18), 10), self.draft, unit)
                s.clock.at(on(s.today - timedelta(days=15), 11), self.sign, unit, "lead")
        if not self.full:
            return
        self.plan_board()
        self.plan_leaders()
        from demo.alliances.year import plan_year

        plan_year(self)

    # --- founding, members, agreements ----------------------------------------------------------------

    def found(self) -> None:
        self.alliance = members.create_alliance(
            acting_user=self.lead,
            name=f"{self.street.name}党建联盟",
            kind=AllianceKind.STREET,
            area=self.street,
            lead_org=self.lead_org,
            charter=words.CHARTER.format(street=self.street.name),
        )

    def join(self, unit) -> None:
        members.add_member_unit(acting_user=self.lead, alliance=self.a(), unit=unit)

    def starts_on(self, unit) -> date:
        if self.fate[unit.pk] == "draft":
            return self.s.today + timedelta(days=1)
        return self.day(10)

    def ends_on(self, unit) -> date:
        today, fate = self.s.today, self.fate[unit.pk]
        if fate == "expiring":
            return today + timedelta(days=10 + int(self.draws[0] * 15))
        if fate == "expired":
            return today - timedelta(days=30 + int(self.draws[1] * 30))
        if fate == "renewed":
            return self.day(10) + timedelta(days=182)
        if fate == "draft":
            return today + timedelta(days=366)
        return self.day(10) + timedelta(days=2 * 365)

    def pairing_community(self, unit):
        """A community of the street the unit is not paired with yet (its agreement keeps the pairing)."""
        paired = set(UnitPairing.objects.filter(unit=unit).values_list("community_id", flat=True))
        return next((p.area for p in self.places if p.area.pk not in paired), None)

    def commitments(self, unit, pairing: bool) -> list[dict]:
        if unit.kind == UnitKind.DEPARTMENT:
            lines = words.DEPARTMENT_COMMITMENTS
        elif pairing:
            lines = words.PAIRING_COMMITMENTS
        else:
            lines = words.COMMITMENTS
        venue = Resource.objects.filter(unit=unit, kind=ResourceKind.VENUE).order_by("pk").first()
        funds = Resource.objects.filter(unit=unit, kind=ResourceKind.FUNDS).order_by("pk").first()
        joined = (  # a project of the alliance's area the unit takes part in
            ProjectUnit.objects.filter(unit=unit, project__community__path__startswith=self.area.path)
            .select_related("project")
            .order_by("pk")
            .first()
        )
        out = []
        for kind, description, quantity, measure in lines:
            line = {
                "kind": kind,
                "description": description,
                "quantity": Decimal(quantity),
                "measure": measure,
            }
            if kind == "venue" and venue is not None:
                line["resource"] = venue
            elif kind == "funds" and funds is not None:
                line["resource"] = funds
            elif kind == "project" and joined is not None:
                line["project"] = joined.project
            out.append(line)
        return out

    def draft(self, unit) -> None:
        fate = self.fate[unit.pk]
        community = self.pairing_community(unit) if fate == "pairing" else None
        starts = self.starts_on(unit)
        if community is not None:
            title = words.PAIRING_TITLE.format(unit=unit.name, community=community.name)
        else:
            title = words.AGREEMENT_TITLE.format(unit=unit.name, street=self.lead_name, year=starts.year)
        self.agreements[unit.pk] = agreements.draft_agreement(
            acting_user=self.lead,
            alliance=self.a(),
            unit=unit,
            title=title[:80],
            starts_on=starts,
            ends_on=self.ends_on(unit),
            terms=words.TERMS.format(lead=self.lead_org.name, unit=unit.name),
            community=community,
            commitments=self.commitments(unit, community is not None),
        )

    def agreement(self, unit):
        if unit.pk not in self.agreements:
            raise Missing
        return self.agreements[unit.pk]

    def sign(self, unit, side: str) -> None:
        who = self.s.speaker(unit) if side == "unit" else self.lead
        agreements.sign_agreement(acting_user=who, agreement=self.agreement(unit))

    def renew(self, unit) -> None:
        old = self.agreement(unit)
        self.agreements[unit.pk] = agreements.renew_agreement(
            acting_user=self.lead,
            agreement=old,
            starts_on=old.ends_on + timedelta(days=1),
            ends_on=old.ends_on + timedelta(days=365),
        )

    # --- posts -------------------------------------------------------------------------------------------

    def account(self, code: str, full_name: str):
        """A person of the street with an account but no role of their own (their post gives them what
        they need)."""
        return create_user(
            acting_user=None,
            username=f"{CAST_PREFIX}{code}{self.street.code}",
            password=None,
            full_name=full_name,
        )

    def inspector_account(self, unit):
        """The organisation department's inspector for the street, who already follows one of its units
        (a post is held only by the alliance's people: alliances.posts.eligible_holders)."""
        user = self.account("i", words.INSPECTOR_NAME.format(street=self.street.name))
        grant_role(acting_user=None, user=user, role=Role.INSPECTOR, unit=unit)
        return user

    def envoy_of(self, unit):
        """Who runs the unit's community projects: its party admin (the ``member`` account for the demo
        unit)."""
        if self.s.layout.demo_unit and unit.pk == self.s.layout.demo_unit.unit.pk:
            return self.s.users["member"]
        return self.s.speaker(unit)

    def plan_posts(self) -> None:
        """The committee and the four roles, a minute apart, once the agreements are signed."""
        s = self.s
        first = self.places[0]
        working = self.working_units
        inspector = s.users["inspector"] if self.home else None
        appointments = [
            (PostRole.SECRETARY, lambda: self.lead, None, ()),
            (PostRole.DEPUTY, lambda: s.cast.staff(first), None, ()),
            *[(PostRole.PART_TIME, lambda u=u: s.speaker(u), u, ()) for u in working[:2]],
            (
                PostRole.INSPECTOR,
                lambda: inspector or self.inspector_account(working[0]),
                None,
                tuple(working[:3]),
            ),
            *[(PostRole.ENVOY, lambda u=u: self.envoy_of(u), u, ()) for u in self.signed_units],
            (PostRole.LIAISON, lambda: s.cast.staff(self.places[-1]), None, ()),  # the street's own
            *[(PostRole.LIAISON, lambda u=u: s.speaker(u), u, ()) for u in working[2:4]],
            (PostRole.INFORMANT, lambda: s.cast.grid_worker(first), None, ()),
        ]
        for n, (role, who, unit, followed) in enumerate(appointments):
            s.clock.at(s.on(self.day(12), 10, n), self.appoint, role, who, unit, followed)

    def appoint(self, role: str, who, unit, followed) -> None:
        posts.appoint(
            acting_user=self.lead,
            alliance=self.a(),
            role=role,
            user=who(),
            unit=unit,
            followed_units=followed,
        )

    # --- the board ------------------------------------------------------------------------------------------

    def plan_board(self) -> None:
        s, on = self.s, self.s.on
        readers = self.working_units
        for n, (kind, title, body) in enumerate(words.BOARD):
            day = s.today - timedelta(days=[75, 40, 12, 3][n])
            s.clock.at(on(day, 9, 30), self.publish, n, kind, title, body)
            for k, unit in enumerate(readers):
                # the older posts most units have read; the newest few have; the home unit misses the last
                if self.draws[10 + (n * 7 + k) % 40] < [0.9, 0.8, 0.6, 0.3][n] and not (
                    n == 3 and k == 0 and self.home
                ):
                    s.clock.at(on(day + timedelta(days=1 + k % 3), 10, k), self.read, n, unit)

    def publish(self, n: int, kind: str, title: str, body: str) -> None:
        unit = self.working_units[0]
        author = self.s.speaker(unit) if kind == BoardPostKind.UPDATE else self.lead
        due = self.s.today + timedelta(days=10 + 5 * n) if kind == BoardPostKind.TASK else None
        post = board.publish_post(
            acting_user=author,
            alliance=self.a(),
            kind=kind,
            title=title.format(unit=unit.name, name=self.a().name)[:100],
            body=body.format(unit=unit.name, due=f"{due:%m月%d日}" if due else ""),
            due_on=due,
        )
        self.board_posts[n] = post

    def read(self, n: int, unit) -> None:
        if n not in self.board_posts:
            raise Missing
        board.mark_read(acting_user=self.s.speaker(unit), post=self.board_posts[n])

    # --- leaders linked to its communities ------------------------------------------------------------

    def plan_leaders(self) -> None:
        s, on = self.s, self.s.on
        index = s.layout.streets.index(self.street)
        for k, place in enumerate(self.places[:2]):
            name, title = words.LEADERS[(2 * index + k) % len(words.LEADERS)]
            holder: dict = {}
            s.clock.at(on(self.day(3), 11, k), self.link, place, name, title, holder)
            for v, back in enumerate((100 + 20 * k, 30 + 10 * k)):
                s.clock.at(on(s.today - timedelta(days=back), 15), self.visit, place, holder, v)

    def link(self, place, name: str, title: str, holder: dict) -> None:
        holder["link"] = leaders.link_leader(
            acting_user=self.s.users["orgdept"],
            community=place.area,
            leader_name=name,
            leader_title=title,
            started_on=self.founded,
        )

    def visit(self, place, holder: dict, v: int) -> None:
        if "link" not in holder:
            raise Missing
        case = None
        if v == 1:  # the second visit takes up a problem reported in the community
            case = (
                Case.objects.filter(community=place.area, reported_at__lt=timezone.now())
                .order_by("-reported_at")
                .first()
            )
        leaders.log_visit(
            acting_user=self.s.cast.staff(place),
            link=holder["link"],
            visited_on=timezone.localdate(),
            note=words.VISIT_NOTES[(v + len(place.area.name)) % len(words.VISIT_NOTES)],
            problems=words.VISIT_PROBLEMS[(v * 3 + len(place.area.name)) % len(words.VISIT_PROBLEMS)]
            if case
            else "",
            cases=(case,) if case is not None else (),
        )
