"""The tier's cases (街乡吹哨、部门报到) at city scale: ``cases_per_member`` cases a member over the past
twelve months, with their dispatches and events, COPYed in (gongjian.bulk).

Each case's story is drawn (who reported it, whether the community closed it or the street whistled a
department — and sometimes a member unit — how fast each step came, the rating) and walked step by
step, stopping at now: so its state is where the story stood now, and its events chain from the report
to that state as the actions would have written them. The values that carry a rule are computed by
the actions' own functions: deadlines and times to accept with ``cases.workdays.add_working_days``
(cached per day), on-time flags by comparing with them, escalation to the street once late and to the
district once ``CASE_ESCALATE_DISTRICT_DAYS`` working days late (``working_days_between``), closing
unrated after ``CASE_CONFIRM_DAYS``, reopening once to the same handler. The tier has no accounts for
reporters: cases carry no reporter account, and the rating stands for the call-back's answer.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone

from cases.models import (
    Case,
    CaseCategory,
    CaseDispatch,
    CaseEvent,
    CaseSource,
    CaseState,
    DispatchRole,
    DispatchState,
    HolderLevel,
)
from cases.workdays import add_working_days, working_days_between
from demo.cases import words
from demo.layout import Dice, Weighted
from demo.tier.people import Context
from demo.units import bureau_of
from gongjian.bulk import copy_rows, reset_sequence
from orgs.models import UnitKind

DAYS = 365
SOURCES = Weighted(
    [
        CaseSource.GRID_WORKER,
        CaseSource.HOTLINE,
        CaseSource.COMMUNITY,
        CaseSource.RESIDENT,
        CaseSource.MEMBER,
    ],
    [45, 25, 12, 12, 6],
)
RATINGS = Weighted(["satisfied", "basic", "unsatisfied", ""], [62, 17, 9, 12])


@cache
def _deadline(day, days: int) -> datetime:
    """add_working_days depends on the day of its start only: once per (day, days)."""
    start = datetime.combine(day, time(12), tzinfo=timezone.get_current_timezone())
    return add_working_days(start, days)


def deadline(moment: datetime, days: int) -> datetime:
    return _deadline(timezone.localtime(moment).date(), days)


class Walk:
    """One case's story, step by step, up to now."""

    def __init__(self, tier: TierCases, pk: int) -> None:
        self.t, self.pk = tier, pk
        self.events: list[tuple] = []
        self.dispatches: list[dict] = []

    def event(self, at, action, to_state, unit_id=None, reason=""):
        self.events.append((at, action, self.case["state"], to_state, unit_id, reason))
        self.case["state"] = to_state
        self.case["updated_at"] = at

    def open_now(self, at) -> bool:
        """Whether ``at`` has come; the escalations due before it happen first (the morning job)."""
        case = self.case
        due = case["due_at"]
        while case["state"] in OPEN and due is not None and case["escalation_level"] < 2:
            level = 1 if case["escalation_level"] == 0 else 2
            when = due + timedelta(hours=9) if level == 1 else self.t.district_day(due)
            if when > min(at, self.t.now):
                break
            up = self.t.up(case)
            if up is None:
                break
            case["holder_level"], case["holder_area_id"] = up
            case["escalation_level"] = level
            case["escalated_at"] = when
            self.event(when, "escalate", case["state"], reason="超期督办")
        return at <= self.t.now


OPEN = (CaseState.TRIAGE, CaseState.DISPATCHED, CaseState.HANDLING)


class TierCases:
    def __init__(self, ctx: Context, dice: Dice) -> None:
        self.d, self.ctx, self.now = dice, ctx, ctx.now
        layout = ctx.layout
        self.communities = layout.communities
        self.district_of = {s.pk: s.parent_id for s in layout.streets}
        leaves = list(CaseCategory.objects.leaves().select_related("parent").order_by("pk"))
        self.categories = [c for c in leaves if c.code in words.PROBLEMS]
        self.group = {c.pk: c.parent.code for c in leaves}
        self.by_bureau: dict[str, dict[int, int]] = defaultdict(dict)
        for place in layout.departments:
            self.by_bureau[bureau_of(place.unit)].setdefault(self.district_of[place.street_id], place.unit.pk)
        self.any_department = layout.departments[0].unit.pk
        self.member_units: dict[int, list[int]] = defaultdict(list)
        for place in layout.units:
            if place.unit.kind != UnitKind.DEPARTMENT:
                self.member_units[place.street_id].append(place.unit.pk)

    def district_day(self, due: datetime) -> datetime:
        """The morning the escalation job finds a case CASE_ESCALATE_DISTRICT_DAYS working days late."""
        day = due
        while working_days_between(due, day) < settings.CASE_ESCALATE_DISTRICT_DAYS:
            day += timedelta(days=1)
        return day + timedelta(hours=9)

    def up(self, case) -> tuple[str, int] | None:
        if case["holder_level"] == HolderLevel.COMMUNITY:
            return HolderLevel.STREET, case["street_id"]
        if case["holder_level"] == HolderLevel.STREET:
            return HolderLevel.DISTRICT, self.district_of[case["street_id"]]
        return None

    def department(self, street_id: int, bureau: str | None) -> int:
        units = self.by_bureau.get(bureau or "城市管理局") or {}
        return units.get(self.district_of[street_id]) or next(iter(units.values()), self.any_department)

    def hours(self, t: datetime, low: float, high: float) -> datetime:
        return t + timedelta(minutes=low * 60 + (high - low) * 60 * self.d.rng.random())

    def walk(self, pk: int) -> Walk:
        d, w = self.d, Walk(self, pk)
        place = self.communities[int(d.rng.random() * len(self.communities))]
        home = d.pick(place.homes)
        building = d.pick(home.buildings)
        category = d.pick(self.categories)
        title, text = d.pick(words.PROBLEMS[category.code])
        reported = self.now - timedelta(days=DAYS * d.rng.random())
        source = SOURCES.draw(d)
        w.case = {
            "id": pk,
            "public_id": uuid.UUID(int=d.rng.getrandbits(128), version=4),
            "number": f"{timezone.localtime(reported):%Y%m%d}{pk:06d}",
            "title": title,
            "description": text.format(place=f"{home.compound.name}{building.name}"),
            "category_id": category.pk,
            "source": source,
            "street_id": place.street.pk,
            "community_id": place.area.pk,
            "area_path": place.area.path,
            "grid_id": building.grid.pk,
            "grid_path": building.grid.path,
            "compound_id": home.compound.pk,
            "building_id": building.pk,
            "address": "",
            "latitude": None,
            "longitude": None,
            "reporter_id": None,
            "reporter_name": d.pick(words.HOTLINE_CALLERS) if source == CaseSource.HOTLINE else "",
            "reporter_phone_cipher": "",
            "reporter_phone_hint": "",
            "external_id": f"12345-{pk}" if source == CaseSource.HOTLINE else "",
            "submitted_via_id": None,
            "state": "",
            "holder_level": HolderLevel.COMMUNITY,
            "holder_area_id": place.area.pk,
            "reported_at": reported,
            "due_at": deadline(reported, category.deadline_days),
            "resolved_at": None,
            "completed_on_time": None,
            "closed_at": None,
            "result": "",
            "escalation_level": 0,
            "escalated_at": None,
            "reopen_count": 0,
            "rating": "",
            "rating_comment": "",
            "rated_at": None,
            "merged_into_id": None,
            "updated_at": reported,
        }
        w.event(reported, "report", CaseState.TRIAGE)
        rating, late_accept, late_resolve = RATINGS.draw(d), d.chance(0.12), d.chance(0.15)
        if d.chance(0.3):
            self._community(w, category, rating)
        else:
            self._whistle(w, category, place, rating, late_accept, late_resolve)
        return w

    def _rate(self, w: Walk, t: datetime, rating: str, lead: dict | None, category) -> None:
        case = w.case
        if not rating:  # nobody answers: the nightly job closes it unrated
            t = datetime.combine(
                timezone.localtime(t).date() + timedelta(days=settings.CASE_CONFIRM_DAYS + 1),
                time(3, 20),
                tzinfo=timezone.get_current_timezone(),
            )
            if w.open_now(t):
                case["closed_at"] = t
                w.event(t, "auto_close", CaseState.CLOSED, reason="逾期未确认")
            return
        t = self.hours(t, 3, 50)
        if not w.open_now(t):
            return
        case["rating"], case["rated_at"] = rating, t
        case["rating_comment"] = self.d.pick(words.RATING_COMMENTS[rating])
        if rating != "unsatisfied" or case["reopen_count"]:
            case["closed_at"] = t if rating != "unsatisfied" else None
            w.event(t, "rate", CaseState.CLOSED if rating != "unsatisfied" else CaseState.RESOLVED)
            if rating == "unsatisfied":  # twice: one level up, for triage
                up = self.up(case) or (case["holder_level"], case["holder_area_id"])
                case["holder_level"], case["holder_area_id"] = up
                case["escalation_level"] += 1
                case["escalated_at"] = t
                case["due_at"] = deadline(t, category.deadline_days)
                case["resolved_at"] = case["completed_on_time"] = None
                w.event(t, "escalate", CaseState.TRIAGE, reason=case["rating_comment"])
            return
        w.event(t, "rate", CaseState.RESOLVED)
        case["reopen_count"] = 1
        case["due_at"] = deadline(t, category.deadline_days)
        case["resolved_at"] = case["completed_on_time"] = None
        if lead is not None:
            lead.update(
                state=DispatchState.ACCEPTED, done_at=None, completed_on_time=None, due_at=case["due_at"]
            )
        w.event(
            t, "reopen", CaseState.HANDLING if lead else CaseState.TRIAGE, lead["unit_id"] if lead else None
        )
        t = self.hours(t, 20, 60)
        if not w.open_now(t):
            return
        self._resolve(w, t, lead)
        self._rate(w, t, "basic", lead, category)

    def _resolve(self, w: Walk, t: datetime, lead: dict | None) -> None:
        case = w.case
        case["resolved_at"], case["completed_on_time"] = t, t <= case["due_at"]
        case["result"] = self.d.pick(words.RESULTS if lead else words.COMMUNITY_RESULTS)
        for dispatch in w.dispatches:
            if dispatch["state"] == DispatchState.ACCEPTED:
                dispatch.update(
                    state=DispatchState.DONE, done_at=t, completed_on_time=t <= dispatch["due_at"]
                )
            elif dispatch["state"] == DispatchState.AWAITING:
                dispatch["state"] = DispatchState.WITHDRAWN
        w.event(t, "resolve", CaseState.RESOLVED, lead["unit_id"] if lead else None, case["result"][:200])

    def _community(self, w: Walk, category, rating: str) -> None:
        t = self.hours(w.case["reported_at"], 2, 30)
        if not w.open_now(t):
            return
        self._resolve(w, t, None)
        self._rate(w, t, rating, None, category)

    def _dispatch(self, w: Walk, t: datetime, unit_id: int, role: str, category) -> dict:
        case = w.case
        dispatch = {
            "unit_id": unit_id,
            "role": role,
            "state": DispatchState.AWAITING,
            "dispatched_at": t,
            "accept_by": deadline(t, category.accept_days),
            "due_at": case["due_at"] if case["due_at"] > t else deadline(t, category.deadline_days),
            "accepted_at": None,
            "accepted_on_time": None,
            "returned_at": None,
            "return_reason": "",
            "done_at": None,
            "completed_on_time": None,
        }
        w.dispatches.append(dispatch)
        if role == DispatchRole.LEAD:
            case["due_at"] = dispatch["due_at"]
        w.event(t, "dispatch", CaseState.DISPATCHED if role == DispatchRole.LEAD else case["state"], unit_id)
        return dispatch

    def _whistle(self, w: Walk, category, place, rating: str, late_accept: bool, late_resolve: bool) -> None:
        d, case = self.d, w.case
        t = self.hours(case["reported_at"], 1, 8)
        if not w.open_now(t):
            return
        if case["holder_level"] == HolderLevel.COMMUNITY:
            case["holder_level"], case["holder_area_id"] = HolderLevel.STREET, case["street_id"]
            w.event(t, "pass_up", CaseState.TRIAGE)
        t = self.hours(t, 1, 20)
        if not w.open_now(t):
            return
        bureau = words.GROUP_BUREAU.get(self.group[category.pk])
        units = self.member_units[place.street.pk]
        lead_unit = d.pick(units) if bureau is None and units else self.department(place.street.pk, bureau)
        if d.chance(0.06):  # the wrong department first: it returns the case
            wrong = self.department(place.street.pk, "公安分局" if bureau != "公安分局" else "城市管理局")
            if wrong != lead_unit:
                first = self._dispatch(w, t, wrong, DispatchRole.LEAD, category)
                t = self.hours(t, 2, 8)
                if not w.open_now(t):
                    return
                reason = d.pick(words.RETURN_REASONS)
                first.update(state=DispatchState.RETURNED, returned_at=t, return_reason=reason)
                w.event(t, "return", CaseState.TRIAGE, wrong, reason)
                t = self.hours(t, 1, 10)
                if not w.open_now(t):
                    return
        lead = self._dispatch(w, t, lead_unit, DispatchRole.LEAD, category)
        made = [lead]
        if d.chance(0.2):
            co = self.department(place.street.pk, words.CO_BUREAU.get(self.group[category.pk], "公安分局"))
            if units and d.chance(0.4):
                co = d.pick(units)
            if co != lead_unit:
                made.append(self._dispatch(w, t, co, DispatchRole.CO, category))
        accept = (
            self.hours(lead["accept_by"], 2, 30)
            if late_accept
            else min(self.hours(t, 1, 5), lead["accept_by"] - timedelta(minutes=10))
        )
        if not w.open_now(accept):
            return
        for dispatch in made:
            dispatch.update(
                state=DispatchState.ACCEPTED,
                accepted_at=accept,
                accepted_on_time=accept <= dispatch["accept_by"],
            )
            to = CaseState.HANDLING if dispatch["role"] == DispatchRole.LEAD else case["state"]
            w.event(accept, "accept", to, dispatch["unit_id"])
        due = case["due_at"]
        if late_resolve:
            finish = due + timedelta(hours=10 + 70 * d.rng.random())
        else:
            finish = accept + (due - accept) * (0.3 + 0.5 * d.rng.random()) if due > accept else accept
        finish = max(finish, accept + timedelta(hours=1))
        progress = accept + (finish - accept) / 2
        if not w.open_now(progress):
            return
        w.event(progress, "progress", case["state"], lead_unit, d.pick(words.PROGRESS))
        if not w.open_now(finish):
            return
        self._resolve(w, finish, lead)
        self._rate(w, finish, rating, lead, category)


def write_cases(ctx: Context, dice: Dice) -> dict[str, int]:
    """The cases, their dispatches and events; answers how many of each."""
    count = round(ctx.options.members * ctx.options.cases_per_member)
    if count <= 0 or not ctx.layout.departments:
        return {"cases": 0, "case_dispatches": 0, "case_events": 0}
    tier = TierCases(ctx, dice)
    case_columns = [f.column for f in Case._meta.concrete_fields]
    dispatch_columns = [f.column for f in CaseDispatch._meta.concrete_fields]
    event_columns = [f.column for f in CaseEvent._meta.concrete_fields]
    cases, dispatches, events = [], [], []
    dispatch_pk = event_pk = 0
    for pk in range(1, count + 1):
        w = tier.walk(pk)
        cases.append([w.case[c] for c in case_columns])
        for dispatch in w.dispatches:
            dispatch_pk += 1
            dispatch.update(
                id=dispatch_pk,
                public_id=uuid.UUID(int=dice.rng.getrandbits(128), version=4),
                case_id=pk,
                note="",
                dispatched_by_id=None,
                responded_by_id=None,
            )
            dispatches.append([dispatch[c] for c in dispatch_columns])
        for at, action, from_state, to_state, unit_id, reason in w.events:
            event_pk += 1
            row = {
                "id": event_pk,
                "from_state": from_state,
                "to_state": to_state,
                "action": action,
                "actor_id": None,
                "at": at,
                "reason": reason,
                "case_id": pk,
                "unit_id": unit_id,
            }
            events.append([row[c] for c in event_columns])
    copy_rows(Case, case_columns, cases)
    copy_rows(CaseDispatch, dispatch_columns, dispatches)
    copy_rows(CaseEvent, event_columns, events)
    for model in (Case, CaseDispatch, CaseEvent):
        reset_sequence(model)
    return {"cases": len(cases), "case_dispatches": len(dispatches), "case_events": len(events)}
