"""Writes to meetings: call one (an alliance's, or a party organisation's own 三会一课), invite people and
units, QR sign-in within the window, the secretary's attendance corrections, hold or cancel it, minutes
drafted, published and amended (a ``MinutesRevision`` each time), and cases taken up. Every change is an
``AllianceEvent`` and an audit row in the same transaction; invitees are told once."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import keeps_party_org, leads
from alliances.models import (
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    MinutesRevision,
    MinutesState,
)
from alliances.periods import period_of
from alliances.steps import clean_text, event, lock
from audit.actions import record_event
from cases.access import unit_handlers
from cases.models import Case
from notifications.actions import notify
from places.models import AreaLevel

# QR sign-in opens this long before the start and closes at the end.
SIGN_IN_OPENS_BEFORE = timedelta(minutes=30)

# Which host each kind needs: a party organisation's own meetings (三会一课), an alliance's meetings, and
# the 四会 levels, held by an alliance or an organisation of that level.
BRANCH_KINDS = frozenset(
    {
        MeetingKind.BRANCH_ASSEMBLY,
        MeetingKind.BRANCH_COMMITTEE,
        MeetingKind.PARTY_GROUP,
        MeetingKind.PARTY_LECTURE,
    }
)
ALLIANCE_KINDS = frozenset({MeetingKind.PLENARY, MeetingKind.REGULAR, MeetingKind.EMERGENCY})
LEVEL_KINDS: dict[str, str] = {
    MeetingKind.LEADING_GROUP: AreaLevel.CITY,
    MeetingKind.DISTRICT: AreaLevel.DISTRICT,
    MeetingKind.STREET: AreaLevel.STREET,
    MeetingKind.COMMUNITY: AreaLevel.COMMUNITY,
}


def meeting_url(meeting: Meeting) -> str:
    return reverse("alliances:meeting_detail", args=[meeting.public_id])


def sign_in_url(meeting: Meeting) -> str:
    """The path the room's QR code opens (the secret in it proves the scanner is in the room)."""
    return reverse("alliances:meeting_sign_in", args=[meeting.public_id, meeting.signin_secret])


def runs_meeting(user, meeting: Meeting) -> bool:
    """Whether the user runs the meeting: the alliance's lead, or who keeps the party organisation."""
    if meeting.alliance is not None:
        return leads(user, meeting.alliance)
    return meeting.party_org is not None and keeps_party_org(user, meeting.party_org)


def sign_in_window(meeting: Meeting) -> tuple[datetime, datetime]:
    return meeting.starts_at - SIGN_IN_OPENS_BEFORE, meeting.ends_at


def require_runs(user, meeting: Meeting) -> None:
    if not runs_meeting(user, meeting):
        raise PermissionDenied(_("Only whoever runs the meeting can do this."))


def _host_area(kind: str, alliance, party_org):
    """The area the meeting belongs to, after checking the kind fits its host."""
    if (alliance is None) == (party_org is None):
        raise ValidationError(_("A meeting is held by an alliance or by a party organisation."))
    if kind not in MeetingKind.values:
        raise ValidationError(_("Choose the kind of meeting."))
    label = MeetingKind(kind).label
    if kind in BRANCH_KINDS and party_org is None:
        raise ValidationError(_("A %(kind)s is held by a party organisation.") % {"kind": label})
    if kind in ALLIANCE_KINDS and alliance is None:
        raise ValidationError(_("A %(kind)s is held by an alliance.") % {"kind": label})
    if alliance is not None:
        area = alliance.area
    else:
        area = party_org.area or (party_org.unit.address_area if party_org.unit_id else None)
        if area is None:
            raise ValidationError(_("This party organisation has no area to hold meetings in."))
    if kind in LEVEL_KINDS and area.level != LEVEL_KINDS[kind]:
        raise ValidationError(
            _("A %(kind)s is held at the level of a %(level)s.")
            % {"kind": label, "level": AreaLevel(LEVEL_KINDS[kind]).label}
        )
    return area


@transaction.atomic
def call_meeting(
    *,
    acting_user,
    kind: str,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    alliance=None,
    party_org=None,
    agenda: str = "",
    period_start: date | None = None,
    cases: Iterable[Case] = (),
    invite_users: Iterable = (),
    invite_units: Iterable = (),
    request=None,
) -> Meeting:
    """An alliance's lead calls its meeting; who keeps a party organisation calls its own (三会一课).
    ``period_start`` is the required period it answers: by default the one ``starts_at`` falls in, or an
    earlier one it makes up for (counted late)."""
    if alliance is not None:
        alliance = lock(alliance)
    area = _host_area(kind, alliance, party_org)
    if alliance is not None:
        if not leads(acting_user, alliance):
            raise PermissionDenied(_("Only the alliance's lead organisation calls its meetings."))
        if alliance.state != "active":
            raise ValidationError(_("The alliance is dissolved."))
    elif not keeps_party_org(acting_user, party_org):
        raise PermissionDenied(_("Only who keeps this party organisation calls its meetings."))
    title = clean_text(title, field=_("Title"), max_length=100)
    place = clean_text(place, field=_("Place"), max_length=120)
    agenda = clean_text(agenda, field=_("Agenda"), max_length=4000, required=False)
    if starts_at is None or ends_at is None:
        raise ValidationError(_("Say when the meeting starts and ends."))
    if ends_at <= starts_at:
        raise ValidationError(_("A meeting ends after it starts."))
    if ends_at - starts_at > timedelta(days=3):
        raise ValidationError(_("A meeting lasts three days at most."))
    own_period = period_of(kind, timezone.localtime(starts_at).date())[0]
    if period_start is None:
        period_start = own_period
    else:
        period_start = period_of(kind, period_start)[0]
        if period_start > own_period:
            raise ValidationError(_("A meeting cannot count for a period after the one it is held in."))
    meeting = Meeting.objects.create(
        kind=kind,
        alliance=alliance,
        party_org=party_org,
        area=area,
        area_path=area.path,
        title=title,
        agenda=agenda,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        period_start=period_start,
        called_by=acting_user,
    )
    event(meeting, "call", acting_user, kind=kind, period_start=period_start.isoformat())
    record_event(actor=acting_user, action="alliances.meeting_called", request=request, target=meeting)
    for case in cases:
        _take_up(acting_user, meeting, case)
    _invite(acting_user, meeting, users=invite_users, units=invite_units)
    return meeting


def _invite(acting_user, meeting: Meeting, *, users: Iterable, units: Iterable) -> int:
    """Invitations for the people and the units' admins not yet invited; each new invitee told once."""
    wanted: dict[int, tuple] = {}
    for unit in units:
        for person in unit_handlers([unit.pk]):
            wanted.setdefault(person.pk, (person, unit))
    for person in users:
        wanted[person.pk] = (person, wanted.get(person.pk, (person, None))[1])
    already = set(meeting.invitations.filter(user_id__in=wanted).values_list("user_id", flat=True))
    new = [
        Invitation(meeting=meeting, user=person, unit=unit, name=str(person)[:32])
        for pk, (person, unit) in wanted.items()
        if pk not in already and person.is_active
    ]
    Invitation.objects.bulk_create(new)
    if new:
        event(meeting, "invite", acting_user, people=[i.name for i in new])
        notify(
            recipients=[i.user for i in new],
            kind="alliances.meeting_invited",
            title=_("Invited to a meeting: %(title)s") % {"title": meeting.title},
            body=f"{timezone.localtime(meeting.starts_at):%Y-%m-%d %H:%M} {meeting.place}",
            url=meeting_url(meeting),
        )
    return len(new)


@transaction.atomic
def invite(*, acting_user, meeting: Meeting, users: Iterable = (), units: Iterable = (), request=None) -> int:
    """More invitees: people directly, units through their party admins. Who is already invited is not
    told again. The number of new invitations."""
    meeting = lock(meeting)
    require_runs(acting_user, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    count = _invite(acting_user, meeting, users=users, units=units)
    record_event(
        actor=acting_user,
        action="alliances.meeting_invited",
        request=request,
        target=meeting,
        detail={"new": count},
    )
    return count


@transaction.atomic
def sign_in(
    *, acting_user, meeting: Meeting, secret: str, now: datetime | None = None, request=None
) -> Invitation:
    """An invitee scans the room's QR code: within the window (30 minutes before the start to the end),
    with the meeting's secret. A second scan changes nothing."""
    meeting = lock(meeting)
    if not secrets.compare_digest(str(secret or ""), meeting.signin_secret):
        raise PermissionDenied(_("This sign-in code is not the meeting's: scan the code shown in the room."))
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    now = now or timezone.now()
    opens, closes = sign_in_window(meeting)
    if now < opens:
        raise ValidationError(
            _("Sign-in opens at %(time)s, 30 minutes before the meeting.")
            % {"time": f"{timezone.localtime(opens):%Y-%m-%d %H:%M}"}
        )
    if now > closes:
        raise ValidationError(_("The meeting is over: sign-in is closed."))
    invitation = Invitation.objects.select_for_update().filter(meeting=meeting, user=acting_user).first()
    if invitation is None:
        raise PermissionDenied(_("You are not invited to this meeting: ask its secretary."))
    if invitation.signed_in_at is not None:
        return invitation
    invitation.signed_in_at = now
    invitation.signed_in_via = "qr"
    invitation.save(update_fields=["signed_in_at", "signed_in_via"])
    event(meeting, "sign_in", acting_user, name=invitation.name)
    record_event(actor=acting_user, action="alliances.meeting_signed_in", request=request, target=meeting)
    return invitation


@transaction.atomic
def mark_attendance(
    *, acting_user, invitation: Invitation, present: bool = True, excused: str = "", request=None
) -> Invitation:
    """The secretary's correction: present (signed in by the secretary), or absent with or without a
    leave of absence (请假)."""
    invitation = lock(invitation)
    meeting = invitation.meeting
    require_runs(acting_user, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    excused = clean_text(excused, field=_("Leave of absence"), max_length=200, required=False)
    if present and excused:
        raise ValidationError(_("Someone present is not on leave."))
    if present:
        if invitation.signed_in_at is None:
            invitation.signed_in_at = timezone.now()
            invitation.signed_in_via = "secretary"
    else:
        invitation.signed_in_at = None
        invitation.signed_in_via = ""
    invitation.excused = excused
    invitation.save(update_fields=["signed_in_at", "signed_in_via", "excused"])
    event(meeting, "attendance", acting_user, name=invitation.name, present=present, excused=excused)
    record_event(
        actor=acting_user,
        action="alliances.attendance_marked",
        request=request,
        target=meeting,
        detail={"invitation": str(invitation.public_id), "present": present, "excused": excused},
    )
    return invitation


@transaction.atomic
def hold_meeting(*, acting_user, meeting: Meeting, request=None) -> Meeting:
    """The meeting took place (from its sign-in window on)."""
    meeting = lock(meeting)
    require_runs(acting_user, meeting)
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Only a planned meeting can be recorded as held."))
    if timezone.now() < sign_in_window(meeting)[0]:
        raise ValidationError(_("The meeting has not started yet."))
    meeting.state = MeetingState.HELD
    meeting.save(update_fields=["state"])
    event(meeting, "hold", acting_user)
    record_event(actor=acting_user, action="alliances.meeting_held", request=request, target=meeting)
    return meeting


@transaction.atomic
def cancel_meeting(*, acting_user, meeting: Meeting, reason: str, request=None) -> Meeting:
    """A planned meeting called off, with a reason; the invitees are told."""
    meeting = lock(meeting)
    require_runs(acting_user, meeting)
    if meeting.state != MeetingState.PLANNED:
        raise ValidationError(_("Only a planned meeting can be cancelled."))
    reason = clean_text(reason, field=_("Reason"), max_length=200)
    meeting.state = MeetingState.CANCELLED
    meeting.cancel_reason = reason
    meeting.save(update_fields=["state", "cancel_reason"])
    event(meeting, "cancel", acting_user, reason=reason)
    record_event(
        actor=acting_user,
        action="alliances.meeting_cancelled",
        request=request,
        target=meeting,
        detail={"reason": reason},
    )
    notify(
        recipients=[i.user for i in meeting.invitations.select_related("user")],
        kind="alliances.meeting_cancelled",
        title=_("Meeting cancelled: %(title)s") % {"title": meeting.title},
        body=reason,
        url=meeting_url(meeting),
    )
    return meeting


@transaction.atomic
def save_minutes(
    *, acting_user, meeting: Meeting, text: str, note: str = "", request=None
) -> MinutesRevision:
    """A draft of the minutes, or — once published — an amendment, which needs a note and is published
    at once. Each save is a ``MinutesRevision``."""
    meeting = lock(meeting)
    require_runs(acting_user, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    text = clean_text(text, field=_("Meeting minutes"), max_length=20000)
    note = clean_text(note, field=_("Note"), max_length=200, required=False)
    published = meeting.minutes_state == MinutesState.PUBLISHED
    if published and not note:
        raise ValidationError(_("Say what the amendment changes: published minutes are amended with a note."))
    if text == meeting.minutes and published:
        raise ValidationError(_("The minutes are unchanged."))
    meeting.minutes = text
    if not published:
        meeting.minutes_state = MinutesState.DRAFT
    else:
        meeting.minutes_published_at = timezone.now()
    meeting.save(update_fields=["minutes", "minutes_state", "minutes_published_at"])
    revision = MinutesRevision.objects.create(
        meeting=meeting, text=text, note=note, published=published, author=acting_user
    )
    action = "amend_minutes" if published else "draft_minutes"
    event(meeting, action, acting_user, reason=note)
    record_event(
        actor=acting_user,
        action="alliances.minutes_amended" if published else "alliances.minutes_saved",
        request=request,
        target=meeting,
        detail={"note": note} if note else None,
    )
    if published:
        _tell_minutes(meeting, amended=True)
    return revision


def _tell_minutes(meeting: Meeting, *, amended: bool) -> None:
    title = _("Minutes amended: %(title)s") if amended else _("Minutes published: %(title)s")
    notify(
        recipients=[i.user for i in meeting.invitations.select_related("user")],
        kind="alliances.minutes_published",
        title=title % {"title": meeting.title},
        url=meeting_url(meeting),
    )


@transaction.atomic
def publish_minutes(*, acting_user, meeting: Meeting, request=None) -> Meeting:
    """The drafted minutes of a held meeting made public to its readers; the invitees are told."""
    meeting = lock(meeting)
    require_runs(acting_user, meeting)
    if meeting.state != MeetingState.HELD:
        raise ValidationError(_("Minutes are published for a meeting that was held."))
    if meeting.minutes_state == MinutesState.PUBLISHED:
        raise ValidationError(_("The minutes are already published."))
    if meeting.minutes_state != MinutesState.DRAFT or not meeting.minutes.strip():
        raise ValidationError(_("Write the minutes before publishing them."))
    meeting.minutes_state = MinutesState.PUBLISHED
    meeting.minutes_published_at = timezone.now()
    meeting.save(update_fields=["minutes_state", "minutes_published_at"])
    MinutesRevision.objects.create(
        meeting=meeting, text=meeting.minutes, note=_("Published"), published=True, author=acting_user
    )
    event(meeting, "publish_minutes", acting_user)
    record_event(actor=acting_user, action="alliances.minutes_published", request=request, target=meeting)
    _tell_minutes(meeting, amended=False)
    return meeting


def _take_up(acting_user, meeting: Meeting, case: Case) -> None:
    if not Case.objects.visible_to(acting_user).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may only bring a case you can see to the meeting."))
    if meeting.cases.filter(pk=case.pk).exists():
        raise ValidationError(_("The meeting has already taken up this case."))
    meeting.cases.add(case)
    event(meeting, "take_up_case", acting_user, case=str(case.public_id), title=case.title)


@transaction.atomic
def take_up_case(*, acting_user, meeting: Meeting, case: Case, request=None) -> Meeting:
    """A joint meeting takes up a case (议事) the one who runs it can see."""
    meeting = lock(meeting)
    require_runs(acting_user, meeting)
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    _take_up(acting_user, meeting, case)
    record_event(
        actor=acting_user,
        action="alliances.case_taken_up",
        request=request,
        target=meeting,
        detail={"case": str(case.public_id)},
    )
    return meeting
