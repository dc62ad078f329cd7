"""A street alliance's rotating chair over this year, with a swap, and each past month's themed activity
with sign-ups, QR check-ins and attendance confirmed into service records and points."""

from __future__ import annotations

from datetime import date, timedelta

from alliances import activities, rotation
from alliances.models import ChairTurn
from demo.alliances import Missing, words
from demo.alliances.street import StreetAlliance
from people.models import Member, Resident
from service.models import ServiceCategory

# The activities take turns between the street's first communities, each with a few members and residents
# who come (each needs an account: a city's worth would cost the build seconds).
ACTIVITY_COMMUNITIES = 2
ATTENDEES = {True: (4, 2), False: (2, 1)}  # members and residents per community: at home, elsewhere


# --- the rotating chair and its activities ----------------------------------------------------------


def plan_rotation(st: StreetAlliance) -> None:
    s, on = st.s, st.s.on
    year = s.today.year
    turns: dict[date, ChairTurn] = {}
    s.clock.at(on(date(year - 1, 12, 15), 10), generate, st, year, turns)
    s.clock.at(on(date(year - 1, 12, 16), 10), swap, st, turns, date(year, 3, 1), date(year, 5, 1))
    members, residents = attendees(st)
    items = {c.code: c for c in ServiceCategory.objects.items().filter(city__isnull=True)}
    for m in range(1, s.today.month + 1):
        month = date(year, m, 1)
        day = month + timedelta(days=11 + int(st.draws[20 + m] * 8))
        starts = on(day, 9, 30)
        theme, title, code = words.THEMES[m - 1]
        if code not in items:
            continue
        place = st.places[m % min(len(st.places), ACTIVITY_COMMUNITIES)]
        pool, neighbours = members[place.area.pk], residents[place.area.pk]
        if not pool:
            continue
        holder: dict = {}
        s.clock.at(on(month - timedelta(days=8), 10), plan_turn, st, turns, month, theme)
        s.clock.at(
            on(month - timedelta(days=7), 10),
            create,
            st,
            turns,
            month,
            place,
            starts,
            theme,
            title,
            items[code],
            holder,
        )
        came = []
        for k in range((3 if st.home else 1) + m % 2):  # the home street's are the busier
            who = pool[(m * 3 + k) % len(pool)]
            if who in came:
                continue
            came.append(who)
            s.clock.at(starts - timedelta(days=4 - k % 3, hours=k), sign_up, st, holder, "member", who)
        if neighbours:
            resident = neighbours[m % len(neighbours)]
            s.clock.at(starts - timedelta(days=2), sign_up, st, holder, "resident", resident)
        for k, who in enumerate(came[:-1] if len(came) > 1 else came):  # the last one does not come
            s.clock.at(starts - timedelta(minutes=10 - k), check_in, st, holder, "member", who)
        ends = starts + timedelta(hours=2)
        s.clock.at(ends + timedelta(minutes=5), held, st, turns, month, holder)
        s.clock.at(ends + timedelta(days=1), confirm, st, turns, month, holder)
        s.clock.at(ends + timedelta(days=2), report, st, turns, month, theme, len(came))
    plan_full_activity(st, members, residents, items)


def attendees(st: StreetAlliance) -> tuple[dict, dict]:
    """Who comes to the activities in each community: members and residents living there (the demo
    accounts in theirs), as service is recorded where a member lives or reports."""
    ids = [p.area.pk for p in st.places[:ACTIVITY_COMMUNITIES]]
    members: dict[int, list] = {pk: [] for pk in ids}
    residents: dict[int, list] = {pk: [] for pk in ids}
    demo_member = Member.objects.get(user=st.s.users["member"])
    demo_resident = Resident.objects.get(user=st.s.users["resident"])
    most, fewer = ATTENDEES[st.home]
    for member in [
        demo_member,
        *Member.objects.filter(residence_area_id__in=ids, user__isnull=True).order_by("pk"),
    ]:
        pool = members.get(member.residence_area_id)
        if pool is not None and len(pool) < most:
            pool.append(member)
    for resident in [
        demo_resident,
        *Resident.objects.filter(residence_area_id__in=ids, user__isnull=True).order_by("pk"),
    ]:
        pool = residents.get(resident.residence_area_id)
        if pool is not None and len(pool) < fewer:
            pool.append(resident)
    return members, residents


def generate(st: StreetAlliance, year: int, turns: dict) -> None:
    for turn in rotation.generate_rotation(acting_user=st.lead, alliance=st.a(), year=year):
        turns[turn.month] = turn


def turn_of(turns: dict, month: date) -> ChairTurn:
    if month not in turns:
        raise Missing
    turn = turns[month]
    turn.refresh_from_db()  # a swap changed its unit
    return turn


def swap(st: StreetAlliance, turns: dict, first: date, second: date) -> None:
    if first not in turns or second not in turns:
        raise Missing
    rotation.swap_turns(
        acting_user=st.lead,
        first=turn_of(turns, first),
        second=turn_of(turns, second),
        reason="3月轮值单位承担上级迎检任务，经协商与5月轮值单位对调",
    )


def plan_turn(st: StreetAlliance, turns: dict, month: date, theme: str) -> None:
    turn = turn_of(turns, month)
    rotation.plan_turn(
        acting_user=st.s.speaker(turn.unit),
        turn=turn,
        theme=theme,
        plan=words.PLAN.format(unit=turn.unit.name, n=20, place=f"{st.places[0].area.name}党群服务中心"),
    )


def create(st, turns, month, place, starts, theme, title, category, holder) -> None:
    turn = turn_of(turns, month)
    holder["activity"] = activities.create_activity(
        acting_user=st.s.speaker(turn.unit),
        alliance=st.a(),
        title=title,
        community=place.area,
        place=words.ACTIVITY_PLACES[month.month % 3].format(community=place.area.name),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        category=category,
        organiser_unit=turn.unit,
        chair_turn=turn,
        theme=theme,
        description=words.ACTIVITY_DESCRIPTION,
        capacity=30,
    )
    holder["organiser"] = st.s.speaker(turn.unit)


def activity_of(holder: dict):
    if "activity" not in holder:
        raise Missing
    return holder["activity"]


def person(st: StreetAlliance, kind: str, who):
    return st.s.cast.member(who) if kind == "member" else st.s.cast.resident(who)


def sign_up(st: StreetAlliance, holder: dict, kind: str, who) -> None:
    activities.sign_up(acting_user=person(st, kind, who), activity=activity_of(holder))


def check_in(st: StreetAlliance, holder: dict, kind: str, who) -> None:
    activity = activity_of(holder)
    activities.check_in(acting_user=person(st, kind, who), activity=activity, secret=activity.signin_secret)


def held(st: StreetAlliance, turns: dict, month: date, holder: dict) -> None:
    activities.mark_held(acting_user=holder.get("organiser") or st.lead, activity=activity_of(holder))


def confirm(st: StreetAlliance, turns: dict, month: date, holder: dict) -> None:
    activities.confirm_attendance(
        acting_user=holder.get("organiser") or st.lead, activity=activity_of(holder)
    )


def report(st: StreetAlliance, turns: dict, month: date, theme: str, n: int) -> None:
    turn = turn_of(turns, month)
    rotation.report_turn(
        acting_user=st.s.speaker(turn.unit),
        turn=turn,
        report=words.REPORT.format(unit=turn.unit.name, theme=theme, n=n, m=n * 6),
    )


def plan_full_activity(st: StreetAlliance, members: dict, residents: dict, items: dict) -> None:
    """An activity open for sign-up whose places are all taken (the resident account took one at home)."""
    s, on = st.s, st.s.on
    units = st.working_units
    title, theme, code = words.UPCOMING
    if len(units) < 2 or code not in items:
        return
    category = items[code]
    unit, place = units[1], st.places[0]
    starts = on(s.today + timedelta(days=8), 14, 30)
    holder: dict = {}
    s.clock.at(
        on(s.today - timedelta(days=4), 9),
        create_upcoming,
        st,
        unit,
        place,
        starts,
        title,
        theme,
        category,
        holder,
    )
    takers = [("member", m) for m in members[place.area.pk][-2:]]
    takers += [("resident", r) for r in residents[place.area.pk][:1]]
    for k, (kind, who) in enumerate(takers[:3]):
        s.clock.at(on(s.today - timedelta(days=3 - k), 10 + k), sign_up, st, holder, kind, who)


def create_upcoming(st, unit, place, starts, title, theme, category, holder) -> None:
    holder["activity"] = activities.create_activity(
        acting_user=st.s.speaker(unit),
        alliance=st.a(),
        title=title,
        community=place.area,
        place=words.ACTIVITY_PLACES[0].format(community=place.area.name),
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        category=category,
        organiser_unit=unit,
        theme=theme,
        description=words.ACTIVITY_DESCRIPTION,
        capacity=3,
    )
