"""入党申请人: an applicant moves from application to full membership one step at a time, each step on
a date, no step skipped, each at least the minimum interval after the step before it.

The steps and their minimum intervals are written once, here (docs/SCOPES.md, "Registries kept by their
owners", says where they come from). Admission (probationary) makes the applicant a member through
people.actions.save_member, linked to the applicant; full membership updates that member. Who may
move an applicant: people.keepers.keeps_applicant (the place's community or street, the unit's admin).
"""

from __future__ import annotations

import calendar
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.actions import record_event
from gongjian.names import pinyin_initials
from gongjian.privacy import InvalidNumber, decrypt
from people.actions import MemberData, find_member_by_id_number, save_member, seal_numbers
from people.keepers import keeps_applicant
from people.models import Applicant, ApplicantStage, Member, MemberStatus
from places.models import AreaLevel

if TYPE_CHECKING:
    from django.http import HttpRequest

    from accounts.models import User
    from orgs.models import PartyOrg, Unit
    from places.models import Area

# The steps in order, each with the column holding the date it was reached.
STEPS: tuple[tuple[ApplicantStage, str], ...] = (
    (ApplicantStage.APPLIED, "applied_on"),
    (ApplicantStage.ACTIVIST, "activist_on"),
    (ApplicantStage.DEVELOPMENT, "development_on"),
    (ApplicantStage.PROBATIONARY, "probationary_on"),
    (ApplicantStage.FULL, "full_on"),
)
# The least time, in months, between reaching the step before and reaching this one (发展党员工作细则):
# an activist at least six months after applying; a development target after at least a year of
# training as an activist (so admission comes at least a year after becoming an activist); no fixed
# minimum between the political review of a development target and admission; a probation of one year.
MIN_MONTHS: dict[str, int] = {
    ApplicantStage.ACTIVIST: 6,
    ApplicantStage.DEVELOPMENT: 12,
    ApplicantStage.PROBATIONARY: 0,
    ApplicantStage.FULL: 12,
}
_ORDER = [stage for stage, _field in STEPS]
_FIELD = dict(STEPS)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter: 31 Aug + 6 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def next_stage(applicant: Applicant) -> ApplicantStage | None:
    index = _ORDER.index(ApplicantStage(applicant.stage))
    return _ORDER[index + 1] if index + 1 < len(_ORDER) else None


def earliest_on(applicant: Applicant, stage: str) -> date | None:
    """The first date ``stage`` may be reached on, from the date of the step before it."""
    index = _ORDER.index(ApplicantStage(stage))
    if index == 0:
        return None
    before: date | None = getattr(applicant, _FIELD[_ORDER[index - 1]])
    return add_months(before, MIN_MONTHS[stage]) if before is not None else None


def _require_keeper(acting_user: User, applicant: Applicant) -> None:
    if not keeps_applicant(acting_user, applicant):
        raise PermissionDenied(
            _("Only the party organisation of the applicant's community, street or unit keeps this record.")
        )


def _not_in_future(day: date) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The date is in the future."))


@transaction.atomic
def register_applicant(
    *,
    acting_user: User,
    name: str,
    gender: str,
    area: Area,
    party_org: PartyOrg,
    applied_on: date,
    unit: Unit | None = None,
    phone: str = "",
    id_number: str = "",
    request: HttpRequest | None = None,
) -> Applicant:
    """A new applicant, at the first step (applied on ``applied_on``)."""
    applicant = Applicant(area=area, unit=unit, party_org=party_org, gender=gender, applied_on=applied_on)
    _require_keeper(acting_user, applicant)
    _set_details(applicant, name=name, phone=phone, id_number=id_number)
    _not_in_future(applied_on)
    applicant.save()
    record_event(actor=acting_user, action="applicant.create", target=applicant, request=request)
    return applicant


def _set_details(applicant: Applicant, *, name: str, phone: str | None, id_number: str | None) -> None:
    if not name.strip():
        raise ValidationError(_("Give the applicant's name."))
    applicant.name = name.strip()
    applicant.name_initials = pinyin_initials(applicant.name)
    try:
        seal_numbers(applicant, phone=phone, id_number=id_number or None)
    except InvalidNumber as exc:
        raise ValidationError(str(exc)) from exc


@transaction.atomic
def update_applicant(
    *,
    acting_user: User,
    applicant: Applicant,
    name: str,
    gender: str,
    party_org: PartyOrg,
    phone: str | None = None,
    id_number: str | None = None,
    request: HttpRequest | None = None,
) -> Applicant:
    """Correct an applicant's name, numbers (None: keep) and party organisation; steps move by
    ``advance_applicant`` only."""
    _require_keeper(acting_user, applicant)
    _set_details(applicant, name=name, phone=phone, id_number=id_number)
    applicant.gender = gender
    applicant.party_org = party_org
    applicant.save()
    record_event(actor=acting_user, action="applicant.update", target=applicant, request=request)
    return applicant


@transaction.atomic
def advance_applicant(
    *,
    acting_user: User,
    applicant: Applicant,
    stage: str,
    on: date,
    request: HttpRequest | None = None,
) -> Applicant:
    """Move an applicant to the next step on ``on``. Refused: a step out of order or skipped, a date
    before the minimum interval or in the future. Admission makes them a probationary member."""
    _require_keeper(acting_user, applicant)
    applicant = (
        Applicant.objects.select_for_update(of=("self",)).select_related("member").get(pk=applicant.pk)
    )
    wanted = next_stage(applicant)
    if wanted is None:
        raise ValidationError(_("%(name)s is a full member already.") % {"name": applicant.name})
    if stage not in _ORDER:
        raise ValidationError(_("Unknown step."))
    if stage != wanted:
        raise ValidationError(
            _("%(name)s is at the step “%(current)s”: the next step is “%(next)s”, not “%(asked)s”.")
            % {
                "name": applicant.name,
                "current": applicant.get_stage_display(),
                "next": wanted.label,
                "asked": ApplicantStage(stage).label,
            }
        )
    earliest = earliest_on(applicant, stage)
    if earliest is not None and on < earliest:
        raise ValidationError(
            _("“%(step)s” may come on %(earliest)s at the earliest: %(months)s months after the step before.")
            % {"step": wanted.label, "earliest": earliest.isoformat(), "months": MIN_MONTHS[stage]}
        )
    _not_in_future(on)
    setattr(applicant, _FIELD[wanted], on)
    applicant.stage = wanted
    if wanted == ApplicantStage.PROBATIONARY:
        applicant.member = _admit(acting_user, applicant, on, request)
    elif wanted == ApplicantStage.FULL and applicant.member is not None:
        _make_full(acting_user, applicant.member, request)
    applicant.save()
    record_event(
        actor=acting_user,
        action="applicant.advance",
        target=applicant,
        request=request,
        detail={"stage": str(wanted), "on": on.isoformat()},
    )
    return applicant


def _admit(acting_user: User, applicant: Applicant, on: date, request: HttpRequest | None) -> Member:
    if not applicant.id_number_cipher:
        raise ValidationError(
            _("Add %(name)s's ID number before admission: a member is known by it.")
            % {"name": applicant.name}
        )
    id_number = decrypt(applicant.id_number_cipher)
    if find_member_by_id_number(id_number) is not None:
        raise ValidationError(_("A member with this ID number is on the roster already."))
    home = applicant.area if applicant.area.level == AreaLevel.COMMUNITY else None
    return save_member(
        acting_user=acting_user,
        data=MemberData(
            name=applicant.name,
            id_number=id_number,
            phone=decrypt(applicant.phone_cipher) if applicant.phone_cipher else "",
            party_org=applicant.party_org,
            gender=applicant.gender,
            joined_on=on,
            status=MemberStatus.PROBATIONARY,
            unit=applicant.unit,
            residence_area=home,
            in_service=applicant.unit_id is not None,
        ),
        request=request,
        via="applicant",
    )


def _make_full(acting_user: User, member: Member, request: HttpRequest | None) -> None:
    member.status = MemberStatus.FULL
    member.save(update_fields=["status", "updated_at"])
    record_event(
        actor=acting_user, action="member.update", target=member, request=request, detail={"via": "applicant"}
    )
