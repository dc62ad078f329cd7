"""Multi-party meetings on a case (六方会议: 居委、物业、城管、民警、房办、网格员): called by the case's staff
or lead handler, the invited units told; recorded with who came and what was agreed. Each a CaseEvent and
an audit row (cases/steps.py)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from cases.access import (
    runs_case,
    unit_handlers,
)
from cases.models import (
    OPEN_CASE_STATES,
    Case,
    CaseMeeting,
    MeetingState,
)
from cases.steps import case_event, case_url, clean_text, lock_case, require_state
from notifications.actions import notify
from orgs.models import Unit

# --- multi-party meetings -----------------------------------------------------------------------------


@transaction.atomic
def call_meeting(
    *,
    acting_user,
    case: Case,
    title: str,
    starts_at: datetime,
    place: str,
    invited_units: Iterable[Unit] = (),
    other_parties: str = "",
    request=None,
) -> CaseMeeting:
    """A multi-party meeting on a case (六方会议): the staff or the lead handler invites the units and the
    other parties; the units' handlers are told."""
    case = lock_case(case)  # its state as it is now: the event records it, whatever the caller's copy says
    title = clean_text(title, field="title", message=_("Give the meeting a title."), limit=80)
    place = clean_text(place, field="place", message=_("Say where the meeting is."), limit=120)
    if not runs_case(acting_user, case):
        raise PermissionDenied(_("Only the case's staff or lead handler call a meeting on it."))
    require_state(case, *OPEN_CASE_STATES, doing=_("given a meeting"))
    if starts_at < timezone.now() - timedelta(days=1):
        raise ValidationError({"starts_at": _("A meeting is called for a time to come.")})
    invited_units = list(invited_units)
    meeting = CaseMeeting.objects.create(
        case=case,
        title=title,
        starts_at=starts_at,
        place=place,
        other_parties=(other_parties or "")[:200],
        called_by=acting_user,
    )
    meeting.invited_units.set(invited_units)
    case_event(case, case.state, "meeting", acting_user, title)
    record_event(
        actor=acting_user,
        action="case.meeting_call",
        request=request,
        target=case,
        detail={"meeting": str(meeting.public_id)},
    )
    notify(
        recipients=unit_handlers([u.pk for u in invited_units]),
        kind="case.meeting",
        title=_("Meeting on a case: %(title)s") % {"title": title},
        body=f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M} {place}",
        url=case_url(case),
    )
    return meeting


@transaction.atomic
def record_meeting(
    *,
    acting_user,
    meeting: CaseMeeting,
    attended_units: Iterable[Unit] = (),
    attendees: str = "",
    agreed: str,
    request=None,
) -> CaseMeeting:
    """Who came and what was agreed: the meeting is held."""
    agreed = clean_text(agreed, field="agreed", message=_("Write what was agreed."))
    meeting = CaseMeeting.objects.select_for_update().select_related("case").get(pk=meeting.pk)
    if not runs_case(acting_user, meeting.case):
        raise PermissionDenied(_("Only the case's staff or lead handler record its meetings."))
    if meeting.state != MeetingState.CALLED:
        raise ValidationError(_("This meeting is %(state)s.") % {"state": meeting.get_state_display()})
    meeting.attended_units.set(list(attended_units))
    meeting.attendees, meeting.agreed = (attendees or "")[:300], agreed
    meeting.state, meeting.recorded_at = MeetingState.HELD, timezone.now()
    meeting.save(update_fields=["attendees", "agreed", "state", "recorded_at"])
    case_event(meeting.case, meeting.case.state, "meeting_held", acting_user, agreed[:200])
    record_event(
        actor=acting_user,
        action="case.meeting_record",
        request=request,
        target=meeting.case,
        detail={"meeting": str(meeting.public_id)},
    )
    return meeting
