"""Needs and wishes of the demo city (群众点单、党组织派单、党员接单), through ``service.needs.actions``:
each need is posted, dispatched or taken, declined, accepted, served, confirmed or cancelled by the
person whose step it is, at the moment the story says; and the demo accounts' own business today."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from demo.layout import CommunityPlace
from demo.service import words
from demo.service.loop import Household, Loop
from demo.service.records import record
from service.models import ConfirmedVia, NeedKind, Urgency
from service.needs import actions
from service.needs.suggestions import suggest
from service.records import actions as record_actions

WIDE = {code for code, *_ in words.COMMUNITY_WIDE}


def _base(story: str) -> str:
    """The state a story ends in: ``closed_wish`` → ``closed``."""
    return story.split("_")[0] if story != "offered_overdue" else story


def community_needs(s: Loop, place: CommunityPlace) -> None:
    stories = list(words.STORIES)
    if place is s.home:  # the resident account's own history: a need served, confirmed, rated
        stories[stories.index("closed")] = "closed_mine"
        stories[stories.index("open")] = "open_parking"  # and the board's standing worry
    for story in stories:
        need(s, place, story)


def _poster(s: Loop, place: CommunityPlace, who: Household | None):
    """The beneficiary asks for themself, or the grid worker or the community posts for them."""
    if who is not None and (who.demo or s.d.chance(0.6)):
        return s.cast.resident(who.resident)
    if place.street.pk == s.layout.streets[0].pk or s.d.chance(0.5):
        return s.cast.grid_worker(place)
    return s.staff(place)


def need(s: Loop, place: CommunityPlace, story: str) -> None:
    d = s.d
    wish = story.endswith("_wish")
    who: Household | None = None
    budget = None
    if story == "closed_mine":
        who = next(h for h in s.households[place.area.pk] if h.demo)
        code, title, text = words.NEEDS[0]
    elif story == "open_parking":
        code, title, text = words.COMMUNITY_WIDE[0]
    elif wish:
        code, title, text, budget = d.pick(words.WISHES)
    elif d.chance(0.25):
        code, title, text = d.pick(words.COMMUNITY_WIDE)
    else:
        code, title, text = d.pick(words.NEEDS)
    if code not in WIDE and s.households[place.area.pk] and who is None:
        who = s.beneficiary(place, code, near_skills=story.startswith("open"))
    base = _base(story)
    posted = {
        "open": d.between(2, 70) / 24,
        "offered": 1 + d.between(0, 6) / 24,
        "offered_overdue": 3 + d.between(0, 12) / 24,
        "taken": d.between(3, 6),
        "done": d.between(5, 10),
        "cancelled": d.between(5, 60),
    }.get(base, d.between(12, 150))
    created = s.ago(posted)
    poster = _poster(s, place, who)
    urgent = not wish and d.chance(0.2)
    due = created + timedelta(days=d.between(2, 10)) if urgent or d.chance(0.2) else None
    building = s.buildings.get(who.resident.residence_building_id) if who else None
    with s.at(created):
        posted_need = actions.post_need(
            acting_user=poster,
            title=title,
            category=s.categories[code],
            kind=NeedKind.WISH if wish else NeedKind.NEED,
            community=place.area,
            description=text,
            compound=s.compounds.get(building.compound_id) if building else None,
            building=building,
            urgency=Urgency.URGENT if urgent else (Urgency.LOW if wish else Urgency.NORMAL),
            budget=Decimal(budget) if budget else None,
            due_at=due,
            beneficiary_resident=who.resident if who else None,
            beneficiary_address=s.address(place, who),
        )
    s.counts["needs"] += 1
    if base != "open":
        _story(s, place, story, posted_need, who, poster, created)


def _story(s: Loop, place, story: str, need, who: Household | None, poster, created) -> None:
    d, base, staff, code = s.d, _base(story), s.staff(place), need.category.code
    t = created + timedelta(hours=d.between(2, 20))
    if base in ("offered", "offered_overdue"):
        t = s.ago(d.between(30, 60) / 24) if base == "offered_overdue" else s.ago(d.between(2, 20) / 24)
        # the community asks a team: the one of the item's focus, else any with members
        teams = [x for x in s.teams[place.area.pk] if s.team_members[x.pk]]
        team = next((x for x in teams if x.vanguard_kind == need.category.vanguard_kind), None)
        team = team or (teams[0] if teams else None)
        if base == "offered" and team is not None:
            with s.at(t):
                actions.dispatch_need(acting_user=staff, need=need, team=team)
        elif (server := s.pick_server(place, code)) is not None:
            with s.at(t):
                actions.dispatch_need(acting_user=staff, need=need, member=server.member)
        return
    if base == "taken" and need.kind == NeedKind.WISH and s.tied[place.area.pk]:
        unit = d.pick(s.tied[place.area.pk])
        with s.at(t):
            actions.take_need(acting_user=s.cast.unit_admin(unit), need=need, unit=unit)
        return
    declined: list[int] = []
    if (story.endswith("_declined") or d.chance(0.25)) and (first := s.pick_server(place, code)):
        with s.at(t):
            offer = actions.dispatch_need(acting_user=staff, need=need, member=first.member)
        t += timedelta(hours=d.between(1, 12))
        with s.at(t):
            actions.decline_assignment(
                acting_user=s.cast.member(first.member),
                assignment=offer,
                reason=d.pick(words.DECLINE_REASONS),
            )
        declined.append(first.pk)
        t += timedelta(hours=d.between(1, 6))
    server = s.pick_server(place, code, avoid=declined)
    if server is None:
        return
    if base == "cancelled":  # called off while offered: the offer is withdrawn with it
        with s.at(t):
            actions.dispatch_need(acting_user=staff, need=need, member=server.member)
        with s.at(t + timedelta(hours=d.between(2, 30))):
            actions.cancel_need(acting_user=poster, need=need, reason=d.pick(words.CANCEL_REASONS))
        return
    if d.chance(0.3):
        with s.at(t):
            actions.take_need(acting_user=s.cast.member(server.member), need=need)
    else:
        with s.at(t):
            offer = actions.dispatch_need(acting_user=staff, need=need, member=server.member)
        t += timedelta(hours=d.between(1, 10))
        with s.at(t):
            actions.accept_assignment(acting_user=s.cast.member(server.member), assignment=offer)
    if base == "taken":
        return
    minutes = d.pick((60, 90, 120, 150))
    latest = s.ago(1) if base == "done" else t + timedelta(days=5)
    start = s.slot(server.pk, t, latest, minutes)
    if start is None:
        return
    if who is not None and who.demo:
        via = ConfirmedVia.BENEFICIARY
    else:
        via = ConfirmedVia.CODE if who and d.chance(0.7) else ConfirmedVia.COMMUNITY
    record(
        s,
        place,
        server,
        need.category,
        start,
        minutes,
        words.DONE_NOTES[code],
        need=need,
        via=None if base == "done" else via,
        rate=who is not None,
    )


# --- the demo accounts, today ---------------------------------------------------------------------


def live_business(s: Loop) -> None:
    """The resident asks twice and a grid worker once; the community dispatches to the member with the
    suggestions' reasons; the member accepts two and has served one (the record waits for the
    resident's confirmation)."""
    community, member, resident, grid = (s.users[k] for k in ("community", "member", "resident", "grid"))
    outreach = s.categories["policy_outreach"]

    def dispatch(need):
        advice = next((x for x in suggest(need) if x.target == s.demo_member), None)
        reason = "；".join(advice.reasons) if advice else ""
        return actions.dispatch_need(
            acting_user=community, need=need, member=s.demo_member, suggestion_reason=reason[:200]
        )

    day = next(d for d in (1, 2, 3, 4) if s.today - timedelta(days=d) not in s.busy[s.demo_member.pk])
    started = s.on(s.today - timedelta(days=day), 15)
    asked = started - timedelta(days=1, hours=5)
    with s.at(asked):
        served = actions.post_need(
            acting_user=resident,
            title="想在手机上办理养老金资格认证",
            category=outreach,
            description="不会用手机上的认证软件，想请人上门教一下。",
        )
    with s.at(asked + timedelta(hours=2)):
        assignment = dispatch(served)
    with s.at(asked + timedelta(hours=5)):
        actions.accept_assignment(acting_user=member, assignment=assignment)
    record_actions.log_service_record(
        acting_user=member,
        category=outreach,
        started_at=started,
        minutes=60,
        description="上门教老人用手机完成养老金资格认证，并讲解了医保缴费政策",
        need=served,
    )
    with s.at(s.now - timedelta(hours=3)):
        taken = actions.post_need(
            acting_user=resident,
            title="想了解高龄津贴怎么申领",
            category=outreach,
            description="家里老人今年满八十岁，想知道高龄津贴要准备什么材料。",
        )
    with s.at(s.now - timedelta(hours=2)):
        assignment = dispatch(taken)
    with s.at(s.now - timedelta(hours=1)):
        actions.accept_assignment(acting_user=member, assignment=assignment)
    building = s.demo_member.residence_building
    offered = actions.post_need(
        acting_user=grid,
        title="楼栋居民想听垃圾分类新规讲解",
        category=outreach,
        community=s.home.area,
        compound=building.compound if building else None,
        building=building,
        description="新规下月实施，楼里老人多，希望有党员在楼下给大家讲一讲。",
    )
    dispatch(offered)
    s.counts["needs"] += 3
    s.counts["records"] += 1
