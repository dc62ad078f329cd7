"""A street alliance's meetings over the year — the plenary, quarterly joint meetings (one held late),
quarterly street committee meetings (one missed), an emergency and a multi-party meeting on a case — with
invitations, sign-ins, leave, minutes and resolutions followed up to every state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from alliances import meetings, resolutions
from alliances.models import MeetingKind
from alliances.periods import period_of, shift_months
from cases.models import Case, CaseCategory, CaseState
from demo.alliances import Missing, words
from demo.alliances.street import StreetAlliance

CASE_CATEGORY = "parking"  # what a resolution handed to the whistle is filed under


@dataclass
class Gathering:
    """A meeting to be: what it is, when, and what becomes of its minutes and resolutions."""

    kind: str
    title: str
    agenda: str
    starts_at: datetime
    period_start: date
    fates: list[str] = field(default_factory=list)  # of its resolutions
    minutes: str = "published"  # published, draft, amended
    take_up: bool = False  # takes up a case of the street
    meeting: object = None
    resolutions: list = field(default_factory=list)


# --- meetings and their resolutions -------------------------------------------------------------------


def gatherings(st: StreetAlliance) -> list[Gathering]:
    """The year's meetings: what each is and when."""
    s, on, street = st.s, st.s.on, st.street.name
    name = f"{street}党建联盟"
    quarters = [shift_months(st.q0, -3 * k) for k in (4, 3, 2, 1)]
    out = []
    plenary = period_of(MeetingKind.PLENARY, st.founded)[0]
    if plenary < st.founded:
        plenary = shift_months(plenary, 12)
    out.append(
        Gathering(
            MeetingKind.PLENARY,
            words.PLENARY_TITLE.format(name=name, year=plenary.year),
            words.PLENARY_AGENDA,
            on(plenary + timedelta(days=18 + int(st.draws[40] * 10)), 9),
            plenary,
            ["closed", "closed"] if st.home else ["closed"],
        )
    )
    regular_fates = [
        ["closed", "dropped"],
        ["closed", "case"],
        ["closed", "in_progress"],
        ["overdue", "open"],
    ]
    for k, q in enumerate(quarters):
        quarter = (q.month - 1) // 3 + 1
        day = q + timedelta(days=35 + int(st.draws[41 + k] * 20))
        if k == 1:  # the second quarter's joint meeting was held a week into the next one: late
            day = shift_months(q, 3) + timedelta(days=8)
        out.append(
            Gathering(
                MeetingKind.REGULAR,
                words.REGULAR_TITLE.format(name=name, quarter=quarter),
                words.REGULAR_AGENDAS[quarter - 1],
                on(day, 14, 30),
                q,
                regular_fates[k],
                minutes={2: "amended", 3: "draft"}.get(k, "published"),
                take_up=k == 3,
            )
        )
        if k != 2:  # the street committee missed the third quarter
            out.append(
                Gathering(
                    MeetingKind.STREET,
                    words.STREET_TITLE.format(street=street, quarter=quarter),
                    words.STREET_AGENDA,
                    on(q + timedelta(days=20 + int(st.draws[45 + k] * 10)), 9),
                    q,
                    ["in_progress"] if k == 3 else ["closed"] if st.home or k == 0 else [],
                )
            )
    emergency = on(quarters[2] + timedelta(days=15 + int(st.draws[50] * 10)), 16)
    out.append(
        Gathering(
            MeetingKind.EMERGENCY,
            words.EMERGENCY_TITLE.format(name=name),
            words.EMERGENCY_AGENDA,
            emergency,
            period_of(MeetingKind.EMERGENCY, emergency.date())[0],
            ["closed"],
        )
    )
    on_case = on(s.today - timedelta(days=35 + int(st.draws[51] * 20)), 15)  # cases go back half a year
    out.append(
        Gathering(
            MeetingKind.CASE,
            "",
            words.CASE_AGENDA,
            on_case,
            period_of(MeetingKind.CASE, on_case.date())[0],
            ["closed"],
        )
    )
    # the current quarter's joint meeting is called for next week
    upcoming = on(s.today + timedelta(days=6), 14, 30)
    quarter = (st.q0.month - 1) // 3 + 1
    out.append(
        Gathering(
            MeetingKind.REGULAR,
            words.REGULAR_TITLE.format(name=name, quarter=quarter),
            words.REGULAR_AGENDAS[quarter - 1],
            upcoming,
            st.q0,
            [],
        )
    )
    return out


def plan_meetings(st: StreetAlliance, planned: list[Gathering] | None = None) -> None:
    s = st.s
    owners = st.working_units
    if not owners:
        return
    r = 0
    for g in gatherings(st) if planned is None else planned:
        starts, ends = g.starts_at, g.starts_at + timedelta(hours=2)
        s.clock.at(starts - timedelta(days=7), call, st, g)
        s.clock.at(starts - timedelta(minutes=15), open_room, st, g)
        s.clock.at(ends - timedelta(minutes=10), hold, st, g)
        for n, fate in enumerate(g.fates):
            owner = owners[0] if fate in ("open", "overdue") else owners[r % len(owners)]
            r += 1
            s.clock.at(ends - timedelta(minutes=5 - n), resolve, st, g, n, fate, owner)
            plan_follow_up(st, g, n, fate, owner, ends)
        day = timezone.localtime(ends).date() + timedelta(days=1)
        s.clock.at(s.on(day, 10), minutes, st, g, "save")
        if g.minutes != "draft":
            s.clock.at(s.on(day, 16), minutes, st, g, "publish")
        if g.minutes == "amended":
            s.clock.at(s.on(day + timedelta(days=4), 10), minutes, st, g, "amend")


def street_case(st: StreetAlliance, *, skip: int = 0):
    """A case of the street reported some days ago and not merged (the ``skip``-th latest)."""
    cases = (
        Case.objects.filter(street=st.street, reported_at__lt=timezone.now() - timedelta(days=2))
        .exclude(state=CaseState.MERGED)
        .order_by("-reported_at")
    )
    case = cases[skip : skip + 1].first()
    if case is None:
        raise Missing
    return case


def call(st: StreetAlliance, g: Gathering) -> None:
    cases = ()
    if g.kind == MeetingKind.CASE:
        case = street_case(st)
        cases = (case,)
        name = st.a().name.removesuffix("党建联盟")
        g.title = words.CASE_TITLE.format(name=name, case=case.title)[:100]
    g.meeting = meetings.call_meeting(
        acting_user=st.lead,
        kind=g.kind,
        title=g.title,
        place=words.PLACES[len(g.title) % len(words.PLACES)].format(street=st.lead_name),
        starts_at=g.starts_at,
        ends_at=g.starts_at + timedelta(hours=2),
        alliance=st.a(),
        agenda=g.agenda,
        period_start=g.period_start,
        cases=cases,
        invite_users=[st.s.cast.staff(st.places[0])],
        invite_units=invited_units(st, g),
    )
    if g.take_up:  # a joint meeting takes up a case the grid reported
        meetings.take_up_case(acting_user=st.lead, meeting=g.meeting, case=street_case(st, skip=1))


def invited_units(st: StreetAlliance, g: Gathering) -> list:
    """Every member unit to the plenary, the joint and the emergency meetings (the draft's unit once it
    joined); the part-time members' units to the street committee; the units concerned to a case."""
    if g.kind == MeetingKind.STREET:
        return st.working_units[:2]
    if g.kind == MeetingKind.CASE:
        return [*st.working_units[:3], *st.departments]
    joined = g.starts_at.date() > st.s.today
    return [u for u in [*st.units, *st.departments] if st.fate[u.pk] != "draft" or joined]


def meeting_of(g: Gathering):
    if g.meeting is None:
        raise Missing
    return g.meeting


def open_room(st: StreetAlliance, g: Gathering) -> None:
    """The secretary puts the QR code up: the invitees scan it as they come in; one asked for leave, one
    does not come (in a meeting of four or more)."""
    meeting = meeting_of(g)
    invitations = list(meeting.invitations.select_related("user").order_by("pk"))
    excused = absent = -1
    if len(invitations) >= 4:
        excused = int(st.draws[52 + len(g.title) % 8] * len(invitations))
        absent = (excused + 1 + len(g.title) % (len(invitations) - 1)) % len(invitations)
    now = timezone.now()
    for k, invitation in enumerate(invitations):
        if k == excused:
            meetings.mark_attendance(
                acting_user=st.lead,
                invitation=invitation,
                present=False,
                excused=words.EXCUSES[k % len(words.EXCUSES)],
            )
        elif k != absent:
            st.s.clock.at(now + timedelta(minutes=3 + k), sign_in, invitation.user, meeting)


def sign_in(user, meeting) -> None:
    meetings.sign_in(acting_user=user, meeting=meeting, secret=meeting.signin_secret)


def hold(st: StreetAlliance, g: Gathering) -> None:
    meetings.hold_meeting(acting_user=st.lead, meeting=meeting_of(g))


def resolve(st: StreetAlliance, g: Gathering, n: int, fate: str, owner) -> None:
    meeting = meeting_of(g)
    today = timezone.localdate()
    due = {
        "open": st.s.today + timedelta(days=25),
        "overdue": st.s.today - timedelta(days=8),
        "in_progress": max(today + timedelta(days=60), st.s.today + timedelta(days=20)),
        "case": today + timedelta(days=30),
    }.get(fate, today + timedelta(days=45))
    text = words.RESOLUTIONS[(len(g.title) + n * 3) % len(words.RESOLUTIONS)]
    g.resolutions.append(
        resolutions.add_resolution(
            acting_user=st.lead, meeting=meeting, text=text, owner_unit=owner, due_on=due
        )
    )


def resolution_of(g: Gathering, n: int):
    if len(g.resolutions) <= n:
        raise Missing
    return g.resolutions[n]


def plan_follow_up(st: StreetAlliance, g: Gathering, n: int, fate: str, owner, ends: datetime) -> None:
    clock, on = st.s.clock, st.s.on
    day = timezone.localtime(ends).date()
    if fate in ("closed", "in_progress", "overdue"):
        clock.at(on(day + timedelta(days=7 + n), 11), progress, st, g, n, owner, False)
    if fate == "closed":
        clock.at(on(day + timedelta(days=25 + n), 11), progress, st, g, n, owner, True)
        clock.at(on(day + timedelta(days=27 + n), 15), close, st, g, n)
    elif fate == "dropped":
        clock.at(on(day + timedelta(days=20), 10), drop, st, g, n)
    elif fate == "case":
        clock.at(on(day + timedelta(days=5), 10), to_case, st, g, n)


def progress(st: StreetAlliance, g: Gathering, n: int, owner, evidence: bool) -> None:
    notes = words.EVIDENCE if evidence else words.PROGRESS
    resolutions.report_progress(
        acting_user=st.s.speaker(owner),
        resolution=resolution_of(g, n),
        note=notes[(n + len(g.title)) % len(notes)],
        evidence=evidence,
    )


def close(st: StreetAlliance, g: Gathering, n: int) -> None:
    resolutions.close_resolution(acting_user=st.lead, resolution=resolution_of(g, n), note=words.CLOSE_NOTE)


def drop(st: StreetAlliance, g: Gathering, n: int) -> None:
    resolutions.drop_resolution(acting_user=st.lead, resolution=resolution_of(g, n), reason=words.DROP_REASON)


def to_case(st: StreetAlliance, g: Gathering, n: int) -> None:
    category = CaseCategory.objects.leaves().filter(code=CASE_CATEGORY).first()
    if category is None:
        raise Missing
    resolutions.hand_to_case(acting_user=st.lead, resolution=resolution_of(g, n), category=category)


def minutes(st: StreetAlliance, g: Gathering, what: str) -> None:
    meeting = meeting_of(g)
    if what == "publish":
        meetings.publish_minutes(acting_user=st.lead, meeting=meeting)
        return
    invited = meeting.invitations.count()
    present = meeting.invitations.filter(signed_in_at__isnull=False).count()
    text = words.MINUTES.format(
        chair=st.lead.full_name or st.lead_name,
        invited=invited,
        present=present,
        decisions="；".join(f"（{r.number}）{r.text}" for r in meeting.resolutions.order_by("number"))
        or "无",
    )
    if what == "amend":
        meetings.save_minutes(
            acting_user=st.lead, meeting=meeting, text=text + words.AMENDED_TAIL, note=words.AMEND_NOTE
        )
        meeting.refresh_from_db()
        if meeting.minutes_state != "published":
            meetings.publish_minutes(acting_user=st.lead, meeting=meeting)
        return
    meetings.save_minutes(acting_user=st.lead, meeting=meeting, text=text)
