"""What units bring to the demo city (资源清单) and the co-building projects (项目清单), through
``service.projects.actions``: each unit's party admin offers and withdraws its resources and commits
them to projects; each community proposes its projects, brings units in, marks milestones and moves
the project along as far as its state has come; residents rate the projects evaluated."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from demo.layout import CommunityPlace
from demo.service import words
from demo.service.loop import Loop
from demo.service.records import record
from orgs.models import UnitKind
from service.models import Project, ProjectState, Resource
from service.projects import actions
from service.resources import actions as resource_actions

STEPS = [ProjectState.AGREED, ProjectState.IN_PROGRESS, ProjectState.COMPLETED, ProjectState.EVALUATED]


def resources(s: Loop) -> None:
    """A third of the units tied to the loop's communities list what they offer; the unit account's
    unit offers one of each kind, the first to its community."""
    d = s.d
    offered_to: dict[int, list[int]] = defaultdict(list)
    for area, units in s.tied.items():
        for unit in units:
            offered_to[unit.pk].append(area)
    for place in s.layout.units:
        unit = place.unit
        demo = place is s.layout.demo_unit
        if unit.kind == UnitKind.DEPARTMENT or not (demo or (offered_to[unit.pk] and d.chance(0.35))):
            continue
        own = [r for names, r in words.OWN_SKILLS if any(w in unit.name for w in names)]
        if demo:  # the unit account shows every kind: its own skill first, offered to its community
            specs = [(own or words.RESOURCES[5:])[0], *words.RESOURCES[:3], words.RESOURCES[4]]
        else:
            specs = (own + d.sample(words.RESOURCES, 2))[: d.between(1, 2)]
        admin = s.cast.unit_admin(unit)
        for n, (kind, title, code, low, high, measure) in enumerate(specs):
            community = None
            if (demo and n == 0) or d.chance(0.3):
                community = s.home.area.pk if demo else d.pick(offered_to[unit.pk])
            start = s.today - timedelta(days=d.between(10, 300))
            if community is not None:
                start = s.reachable_from(community, unit, start)
            until = None if d.chance(0.7) else s.today + timedelta(days=d.between(30, 365))
            quantity = d.between(low, high)
            with s.at(s.on(start, 10)):
                resource = resource_actions.add_resource(
                    acting_user=admin,
                    unit=unit,
                    kind=kind,
                    title=title,
                    quantity=quantity - quantity % 100 if quantity > 1000 else quantity,
                    measure=measure,
                    available_from=start,
                    available_until=until,
                    category=s.categories.get(code),
                    community=s.area_of[community] if community else None,
                )
            if not demo and d.chance(0.05):
                with s.at(s.ago(d.between(1, 9))):
                    resource_actions.withdraw_resource(acting_user=admin, resource=resource)
            else:
                s.unit_resources[unit.pk].append(resource)
                s.left[resource.pk] = resource.quantity
            s.counts["resources"] += 1


def _schedule(s: Loop, state: str) -> dict[str, datetime]:
    """When the project reached each state of its way, each step at least six hours after the last."""
    way = [ProjectState.PROPOSED]
    for step in STEPS:
        if state in (ProjectState.PROPOSED, ProjectState.DROPPED) or way[-1] == state:
            break
        way.append(step)
    if state == ProjectState.DROPPED:
        way.append(ProjectState.DROPPED)
    moments = [s.ago(s.d.between(60, 400) if state != ProjectState.PROPOSED else s.d.between(3, 30))]
    for n in range(1, len(way)):
        latest = s.ago(1) - timedelta(hours=6 * (len(way) - n))
        moments.append(max(min(moments[-1] + timedelta(days=s.d.between(10, 90)), latest), moments[-1]))
    return dict(zip(way, moments, strict=True))


def project(s: Loop, place: CommunityPlace, state: str, spec) -> None:
    """A co-building project with one or two units, as far as its state has come: proposed with its
    units, agreed with their commitments and milestones, started, milestones done and members serving,
    completed with the people served, evaluated and rated (or dropped with a reason)."""
    d = s.d
    title, code, budget, description, milestones = spec
    others = [u for u in s.layout.units if u.unit.kind != UnitKind.DEPARTMENT]
    tied = s.tied[place.area.pk] or [u.unit for u in others if u.street_id == place.street.pk]
    if not tied:
        return
    units = [s.layout.demo_unit.unit] if place is s.home else d.sample(tied, min(len(tied), d.between(1, 2)))
    reached = _schedule(s, state)
    staff = s.staff(place)
    created = reached[ProjectState.PROPOSED]
    with s.at(created):
        p = actions.propose_project(
            acting_user=staff,
            community=place.area,
            title=f"{place.area.name}{title}",
            description=description,
            category=s.categories[code],
            budget=budget,
        )
    with s.at(created + timedelta(hours=1)):
        for unit in units:
            actions.add_project_unit(acting_user=staff, project=p, unit=unit)
    s.counts["projects"] += 1
    if ProjectState.AGREED in reached:
        p = _agree(s, place, p, units, milestones, reached)
    if state == ProjectState.DROPPED:
        with s.at(reached[state]):
            actions.drop_project(acting_user=staff, project=p, reason="共建单位资金未落实，暂缓实施")
    if state == ProjectState.EVALUATED:
        _rate(s, place, p, reached[state])


def _agree(s: Loop, place: CommunityPlace, p: Project, units, milestones: list[str], reached) -> Project:
    d, staff = s.d, s.staff(place)
    agreed = reached[ProjectState.AGREED]
    with s.at(agreed):
        actions.agree_project(acting_user=staff, project=p)
    with s.at(agreed + timedelta(hours=2)):
        for unit in units:
            _commit(s, p, unit, s.local_day(agreed))
    with s.at(agreed + timedelta(hours=3)):
        steps = [actions.add_milestone(acting_user=staff, project=p, title=name) for name in milestones]
    started = reached.get(ProjectState.IN_PROGRESS)
    if started is None:
        return p
    with s.at(started):
        p = actions.start_project(acting_user=staff, project=p)  # the action moved a locked copy
    finished = reached.get(ProjectState.COMPLETED)
    end = finished or s.now
    span = max((s.local_day(end) - s.local_day(started)).days, 1)
    for k, milestone in enumerate(steps):
        if finished or k < len(steps) // 2:
            day = s.local_day(started) + timedelta(days=span * (k + 1) // (len(steps) + 1))
            moment = min(max(s.on(day, 18), started + timedelta(hours=1)), end - timedelta(hours=1))
            with s.at(moment):
                actions.complete_milestone(
                    acting_user=staff, milestone=milestone, done_on=s.local_day(moment)
                )
    joined = {u.pk for u in units}
    for server in [x for x in s.servers[place.area.pk] if x.member.unit_id in joined and not x.demo][:2]:
        start = s.slot(server.pk, max(started, s.ago(60)), end - timedelta(hours=21), 180)
        if start is not None:
            record(s, place, server, p.category, start, 180, f"参加{p.title}志愿服务", project=p)
    if finished is not None:
        with s.at(finished):
            p = actions.complete_project(
                acting_user=staff, project=p, beneficiaries_served=d.between(200, 2000)
            )
    if ProjectState.EVALUATED in reached:
        with s.at(reached[ProjectState.EVALUATED]):
            p = actions.evaluate_project(acting_user=staff, project=p, evaluation=d.pick(words.EVALUATIONS))
    return p


def _commit(s: Loop, p: Project, unit, day) -> None:
    """Part of a resource the unit offers to any community or to this one, never more than is left of
    it; else a contribution in words."""
    resource: Resource | None = next(
        (
            r
            for r in s.unit_resources.get(unit.pk, [])
            if r.available_from <= day
            and (r.available_until is None or r.available_until >= s.today)
            and r.community_id in (None, p.community_id)
            and s.left[r.pk] >= 1
        ),
        None,
    )
    if resource is not None:
        quantity = Decimal(s.d.between(1, int(s.left[resource.pk])))
        s.left[resource.pk] -= quantity
        commit = {"resource": resource}
    else:
        quantity = Decimal(int(p.budget) // 4)
        commit = {"description": "共建资金", "measure": "元"}
    actions.commit_to_project(
        acting_user=s.cast.unit_admin(unit), project=p, unit=unit, quantity=quantity, **commit
    )


def _rate(s: Loop, place: CommunityPlace, p: Project, evaluated: datetime) -> None:
    """Residents of the community rate the project once it is evaluated (those who use the app first)."""
    households = [h for h in s.households[place.area.pk] if not h.demo]
    households.sort(key=lambda h: not s.cast.has_account(h.resident))  # stable: the order stays within
    for n, household in enumerate(households[: s.d.between(3, 6)]):
        with s.at(evaluated + timedelta(hours=2 + n)):
            actions.rate_project(
                acting_user=s.cast.resident(household.resident), project=p, score=words.SCORES.draw(s.d)
            )
