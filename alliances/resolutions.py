"""Writes to resolutions: a meeting's decision becomes a task owned by a member unit or a department, with
a due date; the owner reports progress and evidence; the lead closes it (never without evidence), drops
it, or hands it to the whistle as a case. Overdue tasks are reminded once a day. Every change is an
``AllianceEvent`` and an audit row in the same transaction; the owner unit is told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.access import is_member_unit, speaks_for_unit
from alliances.meetings import runs_meeting
from alliances.models import (
    Meeting,
    MeetingState,
    Resolution,
    ResolutionFile,
    ResolutionState,
    ResolutionUpdate,
)
from alliances.steps import clean_text, event, lock
from audit.actions import record_event
from cases.access import unit_handlers
from cases.actions import report_case
from notifications.actions import notify
from orgs.models import UnitKind
from places.models import AreaLevel

OPEN_STATES = (ResolutionState.OPEN, ResolutionState.IN_PROGRESS)
MAX_FILES = 6
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = ("image/", "application/pdf")


def resolution_url(resolution: Resolution) -> str:
    return reverse("alliances:resolution_detail", args=[resolution.public_id])


def leads_resolution(user, resolution: Resolution) -> bool:
    """Who follows a resolution up for the meeting: whoever runs the meeting."""
    return runs_meeting(user, resolution.meeting)


def answers_resolution(user, resolution: Resolution) -> bool:
    """Who may report progress on it: the owner unit (its party admin or department role), or the lead."""
    return speaks_for_unit(user, resolution.owner_unit) or leads_resolution(user, resolution)


def may_own(meeting: Meeting, unit) -> bool:
    """A member unit of the meeting's alliance, or a department; for a party organisation's meeting, its
    own unit or a department."""
    if unit.kind == UnitKind.DEPARTMENT:
        return True
    if meeting.alliance is not None:
        return is_member_unit(meeting.alliance, unit)
    return meeting.party_org is not None and meeting.party_org.unit_id == unit.pk


def _require_open(resolution: Resolution) -> None:
    if resolution.state not in OPEN_STATES:
        raise ValidationError(
            _("This resolution is %(state)s.") % {"state": ResolutionState(resolution.state).label}
        )


@transaction.atomic
def add_resolution(
    *, acting_user, meeting: Meeting, text: str, owner_unit, due_on: date, request=None
) -> Resolution:
    """A decision recorded during or after the meeting, numbered in the meeting, owned by a unit with a
    due date; the owner's admins are told."""
    meeting = lock(meeting)
    if not runs_meeting(acting_user, meeting):
        raise PermissionDenied(_("Only whoever runs the meeting records its resolutions."))
    if meeting.state == MeetingState.CANCELLED:
        raise ValidationError(_("The meeting was cancelled."))
    text = clean_text(text, field=_("Resolution"), max_length=500)
    if owner_unit is None:
        raise ValidationError(_("Choose the unit that owns the resolution."))
    if not may_own(meeting, owner_unit):
        raise ValidationError(
            _("%(unit)s is not a member unit of the alliance or a department.") % {"unit": owner_unit.name}
        )
    if due_on is None:
        raise ValidationError(_("Give the resolution a due date."))
    if due_on < timezone.localtime(meeting.starts_at).date():
        raise ValidationError(_("A resolution falls due after its meeting."))
    number = (meeting.resolutions.aggregate(n=Max("number"))["n"] or 0) + 1
    resolution = Resolution.objects.create(
        meeting=meeting, number=number, text=text, owner_unit=owner_unit, due_on=due_on
    )
    event(resolution, "add", acting_user, alliance=meeting.alliance, owner=owner_unit.name, number=number)
    record_event(actor=acting_user, action="alliances.resolution_added", request=request, target=resolution)
    notify(
        recipients=unit_handlers([owner_unit.pk]),
        kind="alliances.resolution_assigned",
        title=_("A task from %(meeting)s: %(text)s") % {"meeting": meeting.title, "text": text[:60]},
        body=_("Due on %(day)s") % {"day": due_on.isoformat()},
        url=resolution_url(resolution),
    )
    return resolution


def _check_files(files: Sequence) -> None:
    if len(files) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
    for upload in files:
        kind = getattr(upload, "content_type", "") or ""
        if not kind.startswith(FILE_TYPES):
            raise ValidationError(_("Evidence is a photo or a PDF."))
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("Each file must be under 10 MB."))


@transaction.atomic
def report_progress(
    *,
    acting_user,
    resolution: Resolution,
    note: str,
    files: Sequence = (),
    evidence: bool = False,
    request=None,
) -> ResolutionUpdate:
    """The owner unit (or the lead) reports progress, or the evidence that it is done, with photos or
    documents; an open resolution goes in progress."""
    resolution = lock(resolution)
    if not answers_resolution(acting_user, resolution):
        raise PermissionDenied(_("Only the owner unit or the meeting's lead report on this resolution."))
    _require_open(resolution)
    note = clean_text(note, field=_("Progress"), max_length=1000)
    files = list(files)
    _check_files(files)
    update = ResolutionUpdate.objects.create(
        resolution=resolution, note=note, is_evidence=bool(evidence), author=acting_user
    )
    for upload in files:
        ResolutionFile.objects.create(
            update=update,
            file=upload,
            name=str(getattr(upload, "name", "file"))[:120],
            content_type=(getattr(upload, "content_type", "") or "")[:80],
            size=upload.size,
        )
    if resolution.state == ResolutionState.OPEN:
        resolution.state = ResolutionState.IN_PROGRESS
        resolution.save(update_fields=["state"])
    event(
        resolution,
        "evidence" if evidence else "progress",
        acting_user,
        alliance=resolution.meeting.alliance,
        files=len(files),
    )
    record_event(
        actor=acting_user,
        action="alliances.resolution_progress",
        request=request,
        target=resolution,
        detail={"evidence": bool(evidence), "files": len(files)},
    )
    return update


@transaction.atomic
def close_resolution(*, acting_user, resolution: Resolution, note: str = "", request=None) -> Resolution:
    """The lead closes a resolution that has evidence of being done."""
    resolution = lock(resolution)
    if not leads_resolution(acting_user, resolution):
        raise PermissionDenied(_("Only the meeting's lead closes a resolution."))
    _require_open(resolution)
    if not resolution.updates.filter(is_evidence=True).exists():
        raise ValidationError(_("Closing a resolution needs evidence: the owner unit reports it first."))
    note = clean_text(note, field=_("Note"), max_length=300, required=False)
    resolution.state = ResolutionState.CLOSED
    resolution.closed_at = timezone.now()
    resolution.closed_by = acting_user
    resolution.save(update_fields=["state", "closed_at", "closed_by"])
    event(resolution, "close", acting_user, alliance=resolution.meeting.alliance, reason=note)
    record_event(actor=acting_user, action="alliances.resolution_closed", request=request, target=resolution)
    return resolution


@transaction.atomic
def drop_resolution(*, acting_user, resolution: Resolution, reason: str, request=None) -> Resolution:
    """The lead drops a resolution that will not be carried out, with a reason; the owner is told."""
    resolution = lock(resolution)
    if not leads_resolution(acting_user, resolution):
        raise PermissionDenied(_("Only the meeting's lead drops a resolution."))
    _require_open(resolution)
    reason = clean_text(reason, field=_("Reason"), max_length=300)
    resolution.state = ResolutionState.DROPPED
    resolution.closed_at = timezone.now()
    resolution.closed_by = acting_user
    resolution.save(update_fields=["state", "closed_at", "closed_by"])
    event(resolution, "drop", acting_user, alliance=resolution.meeting.alliance, reason=reason)
    record_event(
        actor=acting_user,
        action="alliances.resolution_dropped",
        request=request,
        target=resolution,
        detail={"reason": reason},
    )
    return resolution


@transaction.atomic
def hand_to_case(*, acting_user, resolution: Resolution, category, request=None) -> Resolution:
    """The lead hands a resolution to the whistle: it becomes a case reported by the street or community
    where the meeting was held (``cases.actions.report_case``), and the case tracks it from then on."""
    resolution = lock(resolution)
    if not leads_resolution(acting_user, resolution):
        raise PermissionDenied(_("Only the meeting's lead hands a resolution to the whistle."))
    _require_open(resolution)
    meeting = resolution.meeting
    area = meeting.area
    community = area if area.level == AreaLevel.COMMUNITY else None
    street = area if area.level == AreaLevel.STREET else None
    if community is None and street is None:
        raise ValidationError(
            _("Only a street's or a community's meeting hands a resolution to the whistle.")
        )
    description = _("Resolution %(number)d of %(meeting)s (%(day)s), owned by %(unit)s: %(text)s") % {
        "number": resolution.number,
        "meeting": meeting.title,
        "day": f"{timezone.localtime(meeting.starts_at):%Y-%m-%d}",
        "unit": resolution.owner_unit.name,
        "text": resolution.text,
    }
    case = report_case(
        acting_user=acting_user,
        title=resolution.text[:80],
        category=category,
        description=description,
        community=community,
        street=street,
        request=request,
    )
    resolution.state = ResolutionState.CASE
    resolution.case = case
    resolution.save(update_fields=["state", "case"])
    event(resolution, "to_case", acting_user, alliance=meeting.alliance, case=str(case.public_id))
    record_event(
        actor=acting_user,
        action="alliances.resolution_to_case",
        request=request,
        target=resolution,
        detail={"case": str(case.public_id)},
    )
    return resolution


def remind_overdue(*, today: date | None = None) -> int:
    """The owner units of open resolutions past their due date are reminded (one unread reminder per
    person and resolution). The number of notifications sent."""
    today = today or timezone.localdate()
    sent = 0
    overdue = Resolution.objects.overdue(today).select_related("meeting", "owner_unit")
    for resolution in overdue.iterator(chunk_size=200):
        sent += notify(
            recipients=unit_handlers([resolution.owner_unit_id]),
            kind="alliances.resolution_overdue",
            title=_("Overdue task: %(text)s") % {"text": resolution.text[:60]},
            body=_("Due on %(day)s") % {"day": resolution.due_on.isoformat()},
            url=resolution_url(resolution),
            dedupe_key=f"alliances.resolution_overdue:{resolution.public_id}",
        )
    return sent
