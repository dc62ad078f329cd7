"""How each demo case goes, step by step, through ``cases.actions``, as the person whose step it is.

A story is a generator: it yields the moment of its next step and, when the clock (``run``) resumes it
there, takes that step. ``run`` resumes every story and the deadline jobs (escalation each morning,
closing unconfirmed cases each night) in the order of their moments, so each action sees the cases as
they were at that moment: an escalation finds the case still open if it was, a reporter rates what was
resolved. A story whose next step falls after now stops there: its case waits now where it stands.
"""

from __future__ import annotations

import heapq
import itertools
from collections import Counter
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import actions, deadlines, meetings
from cases.models import Case, CaseCategory, CaseSource, CaseState, DispatchState, HolderLevel
from cases.workdays import is_working_day
from demo.cases import words
from demo.layout import CityLayout, CommunityPlace, Dice
from demo.service.cast import Cast
from orgs.models import Unit, UnitKind
from places.models import Building

Story = Generator[datetime, None, None]


@dataclass
class Plan:
    """What will happen to one case: drawn before the clock runs (the dice do not depend on it)."""

    place: CommunityPlace
    code: str  # category
    at: datetime  # reported
    source: str  # grid, resident, member, community, hotline
    story: str  # community, whistle, returned, meeting, duplicate
    building: Building | None = None
    person: object = None  # the resident or member who reports
    stop: str = ""  # the last step taken: the case waits after it now
    fast: bool = False  # steps an hour or two apart (today's cases)
    lead: Unit | None = None
    co: list[Unit] = field(default_factory=list)
    wrong: Unit | None = None  # the department that returns it first
    late_accept: bool = False
    late_resolve: bool = False
    rating: str = ""  # "": the reporter does not answer (the case closes unrated)
    second_rating: str = "satisfied"  # after it reopened
    reopen_closed: bool = False  # closed, then the reporter says "not fixed"
    due_hours: float | None = None  # a deadline the street sets at dispatch
    primary: Plan | None = None  # of a duplicate: the case it is merged into
    case: Case | None = None


@dataclass
class Ctx:
    d: Dice
    layout: CityLayout
    users: dict
    cast: Cast
    now: datetime
    categories: dict[str, CaseCategory]
    counts: Counter = field(default_factory=Counter)

    def hours(self, t: datetime, low: float, high: float, *, fast: bool = False) -> datetime:
        """Some hours after ``t`` (an hour or two when fast), moved into office hours unless fast."""
        if fast:
            return t + timedelta(minutes=self.d.between(40, 100))
        t = t + timedelta(minutes=self.d.between(int(low * 60), int(high * 60)))
        local = timezone.localtime(t)
        if local.hour < 8:
            return local.replace(hour=8, minute=self.d.between(0, 59))
        if local.hour >= 19:
            next_day = local.date() + timedelta(days=1)
            return datetime.combine(next_day, time(8, self.d.between(0, 59)), tzinfo=local.tzinfo)
        return t

    def handler(self, unit: Unit):
        if unit.kind == UnitKind.DEPARTMENT:
            return self.cast.department(unit)
        return self.cast.unit_admin(unit)

    def street_staff(self, place: CommunityPlace):
        return self.cast.street_staff(place.street)

    def reporter(self, p: Plan):
        if p.source == "grid":
            return self.cast.grid_worker(p.place)
        if p.source == "resident":
            return self.users["resident"] if p.person is None else self.cast.resident(p.person)
        if p.source == "member":
            return self.cast.member(p.person)
        if p.source == "hotline":
            return self.street_staff(p.place)
        return self.cast.staff(p.place)


def fresh(case: Case) -> Case:
    """The case's state, holder and deadline as they are now (the rest the story does not look at)."""
    case.state, case.holder_level, case.due_at = (
        Case.objects.filter(pk=case.pk).values_list("state", "holder_level", "due_at").get()
    )
    return case


# --- the steps every story shares -------------------------------------------------------------------


def report(c: Ctx, p: Plan) -> Generator[datetime, None, Case]:
    yield p.at
    problems = words.PROBLEMS[p.code]
    title, text = problems[c.d.between(0, len(problems) - 1)]
    where = str(p.building) if p.building is not None else p.place.area.name
    hotline = p.source == "hotline"
    case = actions.report_case(
        acting_user=c.reporter(p),
        title=title,
        description=text.format(place=where),
        category=c.categories[p.code],
        community=p.place.area,
        building=p.building,
        source=CaseSource.HOTLINE if hotline else "",
        reporter_name=c.d.pick(words.HOTLINE_CALLERS) if hotline else "",
        reporter_phone=f"13{c.d.between(5, 9)}{c.d.between(10000000, 99999999)}" if hotline else "",
        external_id=f"12345-{timezone.localtime(p.at):%Y%m%d}-{c.d.between(1000, 9999)}" if hotline else "",
    )
    p.case = case
    c.counts["cases"] += 1
    return case


def confirm(c: Ctx, p: Plan, case: Case, t: datetime, resolver: Callable[[], object]) -> Story:
    """After the result: the reporter rates it (or says nothing, and the nightly job closes it); the
    unsatisfied once go back to the same handler, twice one level up."""
    if p.stop == "resolve" or not p.rating or case.reporter_id is None:
        return
    ratings = [p.rating, p.second_rating]
    for n, rating in enumerate(ratings):
        t = c.hours(t, 3, 50, fast=p.fast)
        yield t
        if fresh(case).state != CaseState.RESOLVED:
            return
        actions.rate_case(
            acting_user=case.reporter,
            case=case,
            rating=rating,
            comment=c.d.pick(words.RATING_COMMENTS[rating]),
        )
        if rating != "unsatisfied":
            break
        if fresh(case).state != CaseState.HANDLING and not (case.state == CaseState.TRIAGE and n == 0):
            return  # escalated: it waits for the district's triage
        t = c.hours(t, 20, 30)
        yield t
        if fresh(case).state not in (CaseState.HANDLING, CaseState.TRIAGE):
            return
        actor = resolver()
        if case.state == CaseState.HANDLING:
            actions.record_progress(acting_user=actor, case=case, text=c.d.pick(words.PROGRESS))
        t = c.hours(t, 20, 45)
        yield t
        if fresh(case).state not in (CaseState.HANDLING, CaseState.TRIAGE):
            return
        actions.resolve_case(acting_user=actor, case=case, result=c.d.pick(words.RESULTS))
    if p.reopen_closed and fresh(case).state == CaseState.CLOSED:
        t = c.hours(t, 40, 70)
        yield t
        actions.reopen_case(acting_user=case.reporter, case=case, reason=c.d.pick(words.REOPEN_REASONS))
        c.counts["reopened"] += 1


# --- the stories -----------------------------------------------------------------------------------


def community(c: Ctx, p: Plan) -> Story:
    """The community closes what it can: the grid worker or its staff sort it out on the spot."""
    case = yield from report(c, p)
    if p.stop == "report":
        return
    t = c.hours(p.at, 2, 20, fast=p.fast)
    yield t
    if fresh(case).state != CaseState.TRIAGE:
        return
    staff = c.cast.staff(p.place)
    actions.resolve_case(acting_user=staff, case=case, result=c.d.pick(words.COMMUNITY_RESULTS))
    yield from confirm(c, p, case, t, lambda: staff)


def whistle(c: Ctx, p: Plan) -> Story:
    """Passed up to the street, whistled to a department or member unit (a lead and co-handlers),
    returned and dispatched again, accepted on time or late, handled, resolved, rated."""
    case = yield from report(c, p)
    if p.stop == "report":
        return
    t = c.hours(p.at, 1, 8, fast=p.fast)
    yield t
    if fresh(case).state != CaseState.TRIAGE:
        return
    if case.holder_level == HolderLevel.COMMUNITY:
        actions.pass_up(acting_user=c.cast.staff(p.place), case=case, reason="需要职能部门处置")
    if p.stop == "pass_up":
        return
    street = c.street_staff(p.place)
    t = c.hours(t, 1, 20, fast=p.fast)
    if p.wrong is not None:
        yield t
        [first] = actions.dispatch_case(acting_user=street, case=case, lead=p.wrong)
        t = c.hours(t, 2, 8)
        yield t
        actions.return_dispatch(
            acting_user=c.handler(p.wrong), dispatch=first, reason=c.d.pick(words.RETURN_REASONS)
        )
        t = c.hours(t, 1, 10)
    yield t
    if fresh(case).state != CaseState.TRIAGE:
        return
    due = t + timedelta(hours=p.due_hours) if p.due_hours else None
    made = actions.dispatch_case(
        acting_user=street,
        case=case,
        lead=p.lead,
        co_handlers=p.co,
        due_at=due,
        note=c.d.pick(["", "请尽快到现场核实", "限期处置"]),
    )
    if p.stop == "dispatch":
        return
    lead = made[0]
    if p.late_accept:
        t = c.hours(lead.accept_by, 2, 30)
    else:
        t = min(c.hours(t, 1, 5, fast=p.fast), lead.accept_by - timedelta(minutes=10))
    yield t
    for dispatch in made:
        dispatch.refresh_from_db()
        if dispatch.state == DispatchState.AWAITING:
            actions.accept_dispatch(acting_user=c.handler(dispatch.unit), dispatch=dispatch)
    if p.stop == "accept":
        return
    handler = c.handler(p.lead)
    if p.story == "meeting":
        starts = datetime.combine(
            timezone.localtime(t).date() + timedelta(days=1), time(15), tzinfo=timezone.get_current_timezone()
        )
        meeting = meetings.call_meeting(
            acting_user=street,
            case=case,
            title=c.d.pick(words.MEETING_TITLES),
            starts_at=starts,
            place=f"{p.place.area.name}党群服务中心",
            invited_units=[p.lead, *p.co],
            other_parties=words.MEETING_PARTIES,
        )
        t = starts + timedelta(hours=2)
        yield t
        meetings.record_meeting(
            acting_user=street,
            meeting=meeting,
            attended_units=[p.lead, *p.co],
            attendees=words.MEETING_ATTENDEES,
            agreed=c.d.pick(words.MEETING_AGREED),
        )
        c.counts["meetings"] += 1
    due = fresh(case).due_at
    if p.late_resolve:
        finish = due + timedelta(hours=c.d.between(10, 80))
    else:
        finish = t + (due - t) * (0.3 + 0.5 * c.d.rng.random()) if due > t else t + timedelta(hours=2)
    t = t + (finish - t) / 2 if finish - t > timedelta(hours=2) else c.hours(t, 0.5, 1, fast=True)
    yield t
    actions.record_progress(acting_user=handler, case=case, text=c.d.pick(words.PROGRESS))
    if p.stop == "progress":
        return
    yield max(finish, t + timedelta(minutes=30))
    if fresh(case).state != CaseState.HANDLING:
        return
    actions.resolve_case(acting_user=handler, case=case, result=c.d.pick(words.RESULTS))
    yield from confirm(c, p, case, max(finish, t), lambda: handler)


def duplicate(c: Ctx, p: Plan) -> Story:
    """Somebody reports again what is already reported: the community merges it into the first."""
    case = yield from report(c, p)
    t = c.hours(p.at, 1, 5, fast=p.fast)
    yield t
    into = p.primary.case if p.primary else None
    if into is None or fresh(into).state == CaseState.MERGED or fresh(case).state != CaseState.TRIAGE:
        return
    actions.merge_case(acting_user=c.cast.staff(p.place), case=case, into=into, reason="同一地点同一问题")
    c.counts["merged"] += 1


STORIES: dict[str, Callable[[Ctx, Plan], Story]] = {
    "community": community,
    "whistle": whistle,
    "returned": whistle,
    "meeting": whistle,
    "duplicate": duplicate,
}


# --- the clock ---------------------------------------------------------------------------------------


def deadline_jobs(start: datetime, now: datetime) -> list[tuple[datetime, Callable[[], int]]]:
    """What the task framework would have run meanwhile: escalation every morning, closing unconfirmed
    cases every night (cases/tasks.py runs them more often; once a working day is what a person sees)."""
    tz = timezone.get_current_timezone()
    day = timezone.localtime(start).date()
    jobs = []
    while day <= timezone.localtime(now).date():
        jobs.append((datetime.combine(day, time(3, 20), tzinfo=tz), deadlines.close_unconfirmed))
        if is_working_day(day):  # lateness is counted in working days: nothing climbs on a holiday
            jobs.append((datetime.combine(day, time(9, 0), tzinfo=tz), deadlines.escalate_overdue))
        day += timedelta(days=1)
    return jobs


def run(c: Ctx, plans: list[Plan]) -> None:
    """Every story and deadline job in the order of their moments, up to a few minutes ago."""
    limit = c.now - timedelta(minutes=2)
    order = itertools.count()
    queue: list[tuple[datetime, int, object]] = []
    for plan in plans:
        story = STORIES[plan.story](c, plan)
        heapq.heappush(queue, (next(story), next(order), story))
    start = min((p.at for p in plans), default=c.now)
    for moment, job in deadline_jobs(start, c.now):
        heapq.heappush(queue, (moment, next(order), job))
    while queue:
        moment, _, what = heapq.heappop(queue)
        if moment > limit:
            continue  # it has not happened yet: the case waits where it is
        with time_machine.travel(moment, tick=False):
            if not isinstance(what, Generator):
                done = what()
                c.counts["escalated" if what is deadlines.escalate_overdue else "closed unrated"] += done
                continue
            try:
                following = what.send(None)
            except StopIteration:
                continue
            except (ValidationError, PermissionDenied) as exc:  # a story the rules did not let through
                c.counts["refused"] += 1
                c.counts[f"refused: {exc}"] += 1
                continue
        heapq.heappush(queue, (max(following, moment + timedelta(minutes=1)), next(order), what))
