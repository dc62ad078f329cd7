"""Writes to leader links (领导挂钩联系) and their visit logs, and to inspectors' notes on the units they
follow (督查) with the units' answers. Every change is an ``AllianceEvent`` and an audit row."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access import staffs
from accounts.models import Role
from accounts.scope import scope_for
from alliances.access import inspects, is_member_unit, speaks_for_unit
from alliances.models import Alliance, InspectionNote, LeaderLink, LeaderVisit
from alliances.steps import clean_text, event, lock
from audit.actions import record_event
from places.models import AreaLevel


# --- rules ---------------------------------------------------------------------------------------------
def links_leaders(user, community) -> bool:
    """Who links a leader to a community: the organisation department or the street committee over it."""
    scope = scope_for(user)
    return scope.everything or any(scope.holds_area(role, community) for role in (Role.ORG_DEPT, Role.STREET))


def logs_visits(user, link: LeaderLink) -> bool:
    """Who logs a leader's visit: the leader themself, or the community's or street's staff."""
    if user is None or not user.is_authenticated:
        return False
    return (link.leader_id is not None and link.leader_id == user.pk) or staffs(user, link.community)


# --- leader links --------------------------------------------------------------------------------------
@transaction.atomic
def link_leader(
    *,
    acting_user,
    community,
    leader_name: str,
    leader_title: str,
    leader=None,
    started_on: date | None = None,
    request=None,
) -> LeaderLink:
    """The organisation department or the street links a leader to a community."""
    if community is None or community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("A leader is linked to a community."))
    if not links_leaders(acting_user, community):
        raise PermissionDenied(
            _("Only the organisation department or the street over %(community)s can link leaders to it.")
            % {"community": community.name}
        )
    leader_name = clean_text(leader_name, field=_("Leader"), max_length=32)
    leader_title = clean_text(leader_title, field=_("Title"), max_length=80)
    started_on = started_on or timezone.localdate()
    if LeaderLink.objects.current().filter(leader_name=leader_name, community=community).exists():
        raise ValidationError(
            _("%(leader)s is already linked to %(community)s.")
            % {"leader": leader_name, "community": community.name}
        )
    try:
        with transaction.atomic():
            link = LeaderLink.objects.create(
                leader=leader,
                leader_name=leader_name,
                leader_title=leader_title,
                community=community,
                community_path=community.path,
                started_on=started_on,
                created_by=acting_user,
            )
    except IntegrityError:
        raise ValidationError(
            _("%(leader)s is already linked to %(community)s.")
            % {"leader": leader_name, "community": community.name}
        ) from None
    event(link, "link", acting_user, leader=leader_name, community=community.name)
    record_event(
        actor=acting_user,
        action="alliances.leader_linked",
        request=request,
        target=link,
        detail={"leader": leader_name, "community": community.name},
    )
    return link


@transaction.atomic
def end_link(*, acting_user, link: LeaderLink, ended_on: date | None = None, request=None) -> LeaderLink:
    """The link ends (the leader moved on)."""
    link = lock(link)
    if not links_leaders(acting_user, link.community):
        raise PermissionDenied(_("Only the organisation department or the street can end a leader link."))
    if link.ended_on is not None:
        raise ValidationError(_("This link has already ended."))
    ended_on = ended_on or timezone.localdate()
    if ended_on < link.started_on:
        raise ValidationError(_("A link cannot end before it starts."))
    link.ended_on = ended_on
    link.save(update_fields=["ended_on"])
    event(link, "end", acting_user)
    record_event(actor=acting_user, action="alliances.leader_unlinked", request=request, target=link)
    return link


@transaction.atomic
def log_visit(
    *,
    acting_user,
    link: LeaderLink,
    visited_on: date,
    note: str,
    problems: str = "",
    cases: Iterable = (),
    request=None,
) -> LeaderVisit:
    """A leader's visit to the community, with the problems and cases taken up."""
    from cases.models import Case

    link = lock(link)
    if not logs_visits(acting_user, link):
        raise PermissionDenied(_("Only the leader or the community's staff can log a visit."))
    if link.ended_on is not None:
        raise ValidationError(_("This link has ended."))
    if visited_on is None:
        raise ValidationError(_("Give the day of the visit."))
    if visited_on > timezone.localdate():
        raise ValidationError(_("A visit is logged once it has happened."))
    if visited_on < link.started_on:
        raise ValidationError(_("The visit is before the link started."))
    note = clean_text(note, field=_("What was done"), max_length=2000)
    problems = clean_text(problems, field=_("Problems taken up"), max_length=2000, required=False)
    cases = list({case.pk: case for case in cases}.values())
    if cases:
        ok = set(
            Case.objects.visible_to(acting_user)
            .filter(pk__in=[c.pk for c in cases], community=link.community)
            .values_list("pk", flat=True)
        )
        if len(ok) != len(cases):
            raise ValidationError(
                _("Only cases of %(community)s can be taken up.") % {"community": link.community.name}
            )
    visit = LeaderVisit.objects.create(
        link=link, visited_on=visited_on, note=note, problems=problems, recorded_by=acting_user
    )
    if cases:
        visit.cases.set(cases)
    event(link, "visit", acting_user, visited_on=visited_on.isoformat(), cases=len(cases))
    record_event(
        actor=acting_user,
        action="alliances.leader_visit_logged",
        request=request,
        target=link,
        detail={"visited_on": visited_on.isoformat()},
    )
    return visit


# --- inspection notes ----------------------------------------------------------------------------------
@transaction.atomic
def write_inspection_note(
    *, acting_user, alliance: Alliance, unit, note: str, request=None
) -> InspectionNote:
    """An inspector following the unit writes a follow-up note on it."""
    if not inspects(acting_user, unit):
        raise PermissionDenied(
            _("Only an inspector following %(unit)s can write it a note.") % {"unit": unit.name}
        )
    if not is_member_unit(alliance, unit):
        raise ValidationError(
            _("%(unit)s is not a member unit of %(alliance)s.")
            % {"unit": unit.name, "alliance": alliance.name}
        )
    written = InspectionNote.objects.create(
        alliance=alliance,
        unit=unit,
        author=acting_user,
        note=clean_text(note, field=_("Note"), max_length=2000),
    )
    event(written, "write", acting_user, unit=unit.name)
    record_event(
        actor=acting_user,
        action="alliances.inspection_noted",
        request=request,
        target=written,
        detail={"unit": unit.name},
    )
    return written


@transaction.atomic
def answer_inspection_note(*, acting_user, note: InspectionNote, answer: str, request=None) -> InspectionNote:
    """The unit answers an inspector's note (once)."""
    note = lock(note)
    if not speaks_for_unit(acting_user, note.unit):
        raise PermissionDenied(_("Only %(unit)s can answer this note.") % {"unit": note.unit.name})
    if note.answered_at is not None:
        raise ValidationError(_("This note has already been answered."))
    note.answer = clean_text(answer, field=_("Answer"), max_length=2000)
    note.answered_by = acting_user
    note.answered_at = timezone.now()
    note.save(update_fields=["answer", "answered_by", "answered_at"])
    event(note, "answer", acting_user)
    record_event(actor=acting_user, action="alliances.inspection_answered", request=request, target=note)
    return note
