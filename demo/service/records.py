"""Service records of the demo city, through ``service.records.actions``: logged by the member within
a day of the service, confirmed within two more (by the beneficiary's code, in the resident's own
account, or by the community), rated on the way; and what they are logged against here: standing
posts and their claims, household pairings and their visits, and the odd records the community
reviews."""

from __future__ import annotations

from datetime import datetime, timedelta

from demo.layout import CommunityPlace
from demo.service import words
from demo.service.loop import Household, Loop, Server
from service.models import ConfirmedVia, RecordState, ServiceCategory, ServiceRecord
from service.pairings import actions as pairing_actions
from service.posts import actions as post_actions
from service.records import actions as record_actions
from service.records.codes import confirmation_code


def record(
    s: Loop,
    place: CommunityPlace,
    server: Server,
    category: ServiceCategory,
    start: datetime,
    minutes: int,
    description: str,
    *,
    via: str | None = ConfirmedVia.COMMUNITY,
    rate: bool = False,
    logged_after: datetime | None = None,
    **against,
) -> ServiceRecord:
    """Log a service (``against``: need, post, pairing or project); confirm it ``via`` unless it is
    None or the record was flagged."""
    logged = start + timedelta(minutes=minutes, hours=s.d.between(0, 20))
    if logged_after is not None:
        logged = max(logged, logged_after + timedelta(hours=1))
    with s.at(logged):
        logged_record = record_actions.log_service_record(
            acting_user=s.cast.member(server.member),
            category=category,
            started_at=start,
            minutes=minutes,
            description=description,
            community=None if against else place.area,
            **against,
        )
    s.counts["records"] += 1
    if via is not None and logged_record.state != RecordState.FLAGGED:
        confirm(s, place, logged_record, via, logged + timedelta(hours=s.d.between(1, 48)), rate=rate)
    return logged_record


def confirm(s: Loop, place: CommunityPlace, record: ServiceRecord, via: str, moment, *, rate: bool) -> None:
    """The beneficiary confirms with the code the member shows, or in their own account (and rates);
    or the community confirms, having checked."""
    score, comment = None, ""
    if rate and via in (ConfirmedVia.CODE, ConfirmedVia.BENEFICIARY) and s.d.chance(0.75):
        score, comment = words.SCORES.draw(s.d), s.d.pick(words.RATING_COMMENTS)
    with s.at(moment):
        if via == ConfirmedVia.CODE:
            code = confirmation_code(record)
            record_actions.confirm_with_code(record=record, code=code, score=score, comment=comment)
        elif via == ConfirmedVia.BENEFICIARY:
            user = s.cast.resident(record.beneficiary_resident)
            record_actions.confirm_as_beneficiary(
                acting_user=user, record=record, score=score, comment=comment
            )
        else:
            record_actions.confirm_as_organiser(acting_user=s.staff(place), record=record)
    s.counts["confirmed"] += 1


# --- posts ----------------------------------------------------------------------------------------


def service_posts(s: Loop, place: CommunityPlace) -> None:
    """Three standing posts; one is full. At home the member account holds the outreach post."""
    d, home, staff = s.d, place is s.home, s.staff(place)
    specs = words.POSTS[:3] if home else [words.POSTS[1], *d.sample(words.POSTS[2:], 2)]
    full = 1 if home else 0
    for k, (title, code, schedule, where, capacity) in enumerate(specs):
        if home and k == 0:
            capacity = 6
        created = s.ago(d.between(120, 300))
        with s.at(created):
            post = post_actions.publish_post(
                acting_user=staff,
                community=place.area,
                title=title,
                category=s.categories[code],
                schedule=schedule,
                capacity=capacity,
                starts_on=s.local_day(created),
                description=f"{place.area.name}{title}，欢迎在职党员认领。",
                place=where,
            )
        pool = s.others(place)
        holders = d.sample(
            pool, min(len(pool), capacity if k == full else d.between(1, min(3, capacity - 1)))
        )
        if home and k == 0:
            holders = [x for x in s.servers[place.area.pk] if x.demo] + holders[:2]
        for holder in holders:
            claimed = created + timedelta(days=d.between(1, 60))
            left = None
            if not holder.demo and k != full and d.chance(0.12):
                left = claimed + timedelta(days=d.between(20, 90))
                left = left if left < s.now else None
            with s.at(claimed):
                claim = post_actions.claim_post(acting_user=s.cast.member(holder.member), post=post)
            for _ in range(5 if holder.demo else d.between(0, 2)):
                start = s.slot(holder.pk, max(claimed, s.ago(110)), left or s.ago(5), 120)
                if start is not None:
                    record(
                        s,
                        place,
                        holder,
                        post.category,
                        start,
                        120,
                        f"{title}值守：{words.DONE_NOTES[code]}",
                        post=post,
                    )
            if left is not None:
                with s.at(left):
                    post_actions.leave_post(acting_user=s.cast.member(holder.member), claim=claim)
            elif not holder.demo:
                s.holders[post.pk].append(holder)
        s.counts["posts"] += 1
        s.posts[place.area.pk].append(post)


# --- what the community reviews -------------------------------------------------------------------


def odd_records(s: Loop, place: CommunityPlace) -> None:
    """A record overlapping a confirmed one (the action flags it), a duplicate the community rejected,
    and fresh ones waiting for confirmation: of members who hold one of its posts (the last held)."""
    post = next((p for p in reversed(s.posts[place.area.pk]) if s.holders[p.pk]), None)
    if post is None:
        return
    pool = s.holders[post.pk]
    category, note = post.category, words.DONE_NOTES[post.category.code]
    for kind in ("flagged", "rejected", "pending", "pending"):
        server = s.d.pick(pool)
        if kind == "pending":
            start = s.slot(server.pk, s.ago(4), s.now, 90)
            if start is not None:
                record(s, place, server, category, start, 90, note, post=post, via=None)
            continue
        start = s.slot(server.pk, s.ago(20), s.ago(3), 120)
        if start is None:
            continue
        first = record(s, place, server, category, start, 120, note, post=post)
        again = start + timedelta(minutes=60) if kind == "flagged" else start
        odd = record(
            s, place, server, category, again, 120, note, post=post, via=None, logged_after=first.created_at
        )
        if kind == "rejected":
            with s.at(odd.created_at + timedelta(hours=s.d.between(2, 30))):
                record_actions.reject_service_record(
                    acting_user=s.staff(place), record=odd, reason=words.REJECT_REASON
                )


# --- household pairings ---------------------------------------------------------------------------


def household_pairings(s: Loop, place: CommunityPlace) -> None:
    """A member paired with a household in need, visiting monthly; a unit paired with another."""
    d = s.d
    households = [h for h in s.households[place.area.pk] if not h.demo]
    if not households:
        return
    needy = [h for h in households if h.resident.household_note] or households
    home = place is s.home
    helper = next((x for x in s.servers[place.area.pk] if x.demo), None) if home else None
    helper = helper or s.pick_server(place, "elderly_care")
    helpers: list[tuple[str, object, Household]] = [("member", helper, d.pick(needy))]
    if s.tied[place.area.pk] and len(households) > 1:
        helpers.append(("unit", d.pick(s.tied[place.area.pk]), d.pick(households)))
    for kind, who, household in helpers:
        if who is None:
            continue
        started = s.today - timedelta(days=d.between(100, 400))
        if kind == "unit":
            started = s.reachable_from(place.area.pk, who, started)
        with s.at(s.on(started, 10)):
            pairing = pairing_actions.pair_household(
                acting_user=s.staff(place),
                household=household.resident,
                reason=household.resident.household_note or "需要关爱的家庭",
                member=who.member if kind == "member" else None,
                unit=who if kind == "unit" else None,
                started_on=started,
            )
        visitor = s.cast.member(who.member) if kind == "member" else s.cast.unit_admin(who)
        for month in (3, 2, 1):
            visited = s.today - timedelta(days=30 * month - d.between(0, 10))
            note = d.pick(words.VISIT_NOTES)
            if visited < started:
                continue
            served, logged = None, s.on(visited, 20)
            if kind == "member" and month > 1:
                start = s.slot(who.pk, s.on(visited, 0), s.on(visited, 22), 60)
                if start is not None:
                    served = record(
                        s,
                        place,
                        who,
                        s.categories["elderly_care"],
                        start,
                        60,
                        "结对走访：" + words.VISIT_NOTES[month],
                        pairing=pairing,
                        via=ConfirmedVia.CODE,
                        rate=True,
                    )
                    logged = max(logged, served.created_at + timedelta(minutes=10))
            with s.at(logged):
                pairing_actions.log_pairing_visit(
                    acting_user=visitor, pairing=pairing, visited_on=visited, note=note, record=served
                )
