"""Service records (服务记实): logging, confirmation (服务确认), rejection, and the beneficiary's rating.

A member logs what they did. Records that look implausible (overlapping another, too many hours in a
day, the same beneficiary too often) are flagged (service/records/checks.py): the code and the
beneficiary can no longer confirm them, the community reviews them. Confirmation books points in the
same transaction, through the points ledger the points app plugs in (service/ledger.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from access import (
    Origin,
    answers_for,
    helps_household,
    is_resident_themself,
    origin_of,
    own_member,
    serves_in,
    staffs,
)
from audit.actions import record_event
from notifications.actions import notify
from people.models import Resident
from service.ledger import ledger
from service.models import (
    ConfirmedVia,
    NeedState,
    ProjectState,
    Rating,
    RecordState,
    ServiceCategory,
    ServiceRecord,
)
from service.needs.state import close_served, current_assignment, lock_need, mark_served, reopen_served
from service.records import codes, steps
from service.records.checks import checked_photos, clean_score, plausibility_flags
from service.records.photo_actions import store_photos
from service.records.steps import count_wrong_code, refuse_spent_code, tell_community_to_review


@transaction.atomic
def log_service_record(
    *,
    acting_user,
    category: ServiceCategory,
    started_at,
    minutes: int,
    description: str,
    community=None,
    need=None,
    post=None,
    pairing=None,
    project=None,
    beneficiary_resident: Resident | None = None,
    beneficiary_name: str = "",
    photos=(),
    request=None,
) -> ServiceRecord:
    """服务记实: a member logs service they gave. Against a need they took, the need becomes served. Where
    it was logged from is kept (as hashes): the member's code does not work from there (``refuse_logger``).
    Photos are checked by their content (a refusal names each file) and kept upright, without metadata,
    in three sizes (``photo_actions.store_photos``)."""
    origin = origin_of(request, acting_user)
    member = own_member(acting_user)
    if member is None:
        raise PermissionDenied(_("Only members log their own service."))
    now = timezone.now()
    if started_at is None or minutes is None:
        raise ValidationError(_("Say when the service started and how long it took."))
    if minutes < 5 or minutes > 24 * 60:
        raise ValidationError(_("A service lasts between 5 minutes and 24 hours."))
    if started_at + timedelta(minutes=minutes) > now + timedelta(minutes=5):
        raise ValidationError(_("Service cannot be logged before it has happened."))
    if started_at < now - timedelta(days=settings.SERVICE_RECORD_MAX_AGE_DAYS):
        raise ValidationError(
            _("Service older than %(days)d days cannot be logged; ask the community.")
            % {"days": settings.SERVICE_RECORD_MAX_AGE_DAYS}
        )
    if not category.is_item:
        raise ValidationError(_("Choose an item of the service menu."))
    if not (description or "").strip():
        raise ValidationError(_("Say what you did."))
    checked = checked_photos(photos)

    if need is not None:
        need = lock_need(need)
        assignment = current_assignment(need)
        if need.state != NeedState.TAKEN or assignment is None or not answers_for(acting_user, assignment):
            raise ValidationError(_("You can log service against a need you have taken and not yet served."))
        community = need.community
        beneficiary_resident = beneficiary_resident or need.beneficiary_resident
        beneficiary_name = beneficiary_name or need.beneficiary_name
    elif post is not None:
        held = post.claims.filter(member=member).filter(Q(left_at__isnull=True) | Q(left_at__gt=started_at))
        if not held.exists():
            raise ValidationError(_("You can log service on a post you hold."))
        community = post.community
    elif pairing is not None:
        if not helps_household(acting_user, pairing) or pairing.ended_on is not None:
            raise ValidationError(_("You can log visits to a household you are paired with."))
        community = pairing.community
        beneficiary_resident = beneficiary_resident or pairing.household
    elif project is not None:
        if project.state not in (ProjectState.AGREED, ProjectState.IN_PROGRESS):
            raise ValidationError(_("The project is not running."))
        community = project.community
    if community is None:
        raise ValidationError(_("Choose the community you served."))
    if not serves_in(member, community):
        raise ValidationError(
            _("You serve the community you live in or report to, not %(community)s.")
            % {"community": community.name}
        )
    if beneficiary_resident is not None and not beneficiary_name:
        beneficiary_name = beneficiary_resident.name

    flags = plausibility_flags(
        member=member,
        started_at=started_at,
        minutes=minutes,
        beneficiary_resident=beneficiary_resident,
        beneficiary_name=beneficiary_name,
    )
    record = ServiceRecord.objects.create(
        member=member,
        unit=member.unit,
        community=community,
        community_path=community.path,
        category=category,
        need=need,
        post=post,
        pairing=pairing,
        project=project,
        started_at=started_at,
        minutes=minutes,
        description=description.strip()[:500],
        beneficiary_resident=beneficiary_resident,
        beneficiary_name=beneficiary_name[:32],
        state=RecordState.FLAGGED if flags else RecordState.SUBMITTED,
        flags=[str(f) for f in flags],
        logged_by=acting_user,
        logged_session=origin.session,
        logged_address=origin.address,
    )
    store_photos(record=record, photos=checked)
    steps.add_event(record, "", "log", acting_user, reason=",".join(record.flags))
    if need is not None and assignment is not None:  # checked above: a taken need has its assignment
        mark_served(need, assignment, acting_user, note=_("Service record logged"))
    record_event(
        actor=acting_user,
        action="service.record_logged",
        request=request,
        target=record,
        detail={"flags": record.flags},
    )
    if flags:
        tell_community_to_review(record)
    elif beneficiary_resident is not None and beneficiary_resident.user_id:
        notify(
            recipients=[beneficiary_resident.user],
            kind="service.record_to_confirm",
            title=_("%(name)s logged a service for you: please confirm it") % {"name": member.name},
            url=steps.record_url(record),
        )
    return record


def refuse_logger(
    record: ServiceRecord, origin: Origin, *, by_code: bool = False, dispute: bool = False
) -> None:
    """The one rule against confirming one's own service, for every path (the record page, the public
    code page, the API, anything else): the member's own account never confirms (nor rejects) their
    record; and the one-time code, shown to the member who logged the record, does not work from the
    browser session or the network address it was logged from, signed in or not. Who confirms in an
    account of their own (the person served, the organiser, the community) is known by that account.
    Disputing (``dispute``) is refused alike: the member cannot send their own record to review either."""
    if origin.same_account(record.member.user_id):
        if dispute:
            raise PermissionDenied(_("You cannot dispute your own service record."))
        raise PermissionDenied(_("You cannot confirm your own service record."))
    if by_code and (origin.same_session(record.logged_session) or origin.same_address(record.logged_address)):
        raise PermissionDenied(
            _(
                "This code was shown to the member who logged the service, here: it cannot confirm it from "
                "the browser or the network the service was logged from. The person served enters it on "
                "their own phone, or the community confirms the service."
            )
        )


def _require_confirmable(record: ServiceRecord, *, review: bool) -> None:
    if record.state == RecordState.CONFIRMED:
        raise ValidationError(_("This record is already confirmed."))
    if record.state == RecordState.REJECTED:
        raise ValidationError(_("This record was rejected; it cannot be confirmed."))
    if record.state == RecordState.FLAGGED and not review:
        raise ValidationError(
            _("This record is held for the community's review; the community will confirm it.")
        )


def _confirm(
    record: ServiceRecord, *, actor, via: str, note: str = "", request=None, score=None, comment: str = ""
):
    previous = record.state
    record.state = RecordState.CONFIRMED
    record.confirmed_at = timezone.now()
    record.confirmed_by = actor if actor is not None and actor.is_authenticated else None
    record.confirmed_via = via
    fields = ["state", "confirmed_at", "confirmed_by", "confirmed_via"]
    if via == ConfirmedVia.CODE:
        record.code_used_at = record.confirmed_at
        fields.append("code_used_at")
    record.save(update_fields=fields)
    steps.add_event(record, previous, "confirm", record.confirmed_by, reason=note, via=via)
    points = ledger().book_service(acting_user=record.confirmed_by, record=record)
    if record.need is not None and record.need.state == NeedState.DONE:
        close_served(record.need, record.confirmed_by, note=_("Service record confirmed"))
    if score is not None:
        _rate(record=record, actor=record.confirmed_by, score=score, comment=comment)
    record_event(
        actor=record.confirmed_by,
        actor_label="" if record.confirmed_by else _("beneficiary (code)"),
        action="service.record_confirmed",
        request=request,
        target=record,
        detail={"via": via, "points": points},
    )
    if record.member.user_id:
        notify(
            recipients=[record.member.user],
            kind="service.record_confirmed",
            title=_("Your service on %(day)s was confirmed: +%(points)d points")
            % {
                "day": timezone.localtime(record.started_at).strftime("%Y-%m-%d"),
                "points": points,
            },
            url=steps.record_url(record),
        )
    return record


def book_confirmation(
    record: ServiceRecord, *, actor, via: str, note: str = "", request=None
) -> ServiceRecord:
    """The steps every confirmation takes, for confirmations decided elsewhere (an activity's organiser
    confirming attendance: service/records/attended.py): the record confirmed, its event, its points
    booked, its audit row, the member told. The caller checks who may confirm, inside its transaction."""
    return _confirm(record, actor=actor, via=via, note=note, request=request)


@transaction.atomic
def confirm_with_code(
    *, record: ServiceRecord, code: str, acting_user=None, score=None, comment: str = "", request=None
):
    """The beneficiary confirms with the code the member shows (typed, or scanned as a QR code). Works
    without an account; wrong codes are counted and, past the limit, send the record to the community."""
    record = steps.locked(record)
    refuse_logger(record, origin_of(request, acting_user), by_code=True)
    _require_confirmable(record, review=False)
    if not codes.code_matches(record, code):
        count_wrong_code(record, acting_user, request)
        return None
    refuse_spent_code(record)
    return _confirm(
        record, actor=acting_user, via=ConfirmedVia.CODE, request=request, score=score, comment=comment
    )


@transaction.atomic
def confirm_as_beneficiary(
    *, acting_user, record: ServiceRecord, score=None, comment: str = "", request=None
):
    """The beneficiary confirms in their own resident account."""
    record = steps.locked(record)
    refuse_logger(record, origin_of(request, acting_user))
    if not is_resident_themself(acting_user, record.beneficiary_resident):
        raise PermissionDenied(_("Only the person served can confirm this way."))
    _require_confirmable(record, review=False)
    return _confirm(
        record, actor=acting_user, via=ConfirmedVia.BENEFICIARY, request=request, score=score, comment=comment
    )


def organises(user, record: ServiceRecord) -> bool:
    """The community (or street) of the record, or whoever published the post it was served on."""
    if staffs(user, record.community):
        return True
    return record.post is not None and record.post.published_by_id == user.pk


@transaction.atomic
def confirm_as_organiser(*, acting_user, record: ServiceRecord, note: str = "", request=None):
    """The organiser or the community confirms (having checked with the beneficiary). A flagged record
    is confirmed only by the community, with a note saying what was checked."""
    record = steps.locked(record)
    refuse_logger(record, origin_of(request, acting_user))
    if not organises(acting_user, record):
        raise PermissionDenied(_("Only the community or the organiser can confirm this record."))
    review = record.state == RecordState.FLAGGED
    if review and not staffs(acting_user, record.community):
        raise PermissionDenied(_("A flagged record is reviewed by the community."))
    if review and not (note or "").strip():
        raise ValidationError(_("Say what you checked before confirming a flagged record."))
    _require_confirmable(record, review=True)
    via = ConfirmedVia.COMMUNITY if staffs(acting_user, record.community) else ConfirmedVia.ORGANISER
    return _confirm(record, actor=acting_user, via=via, note=note, request=request)


@transaction.atomic
def reject_service_record(*, acting_user, record: ServiceRecord, reason: str, request=None) -> ServiceRecord:
    """The community rejects a record (did not happen, logged twice…), with a reason the member sees."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the record is rejected."))
    record = steps.locked(record)
    refuse_logger(record, origin_of(request, acting_user))
    if not staffs(acting_user, record.community):
        raise PermissionDenied(_("Only the community can reject a service record."))
    if record.state not in (RecordState.SUBMITTED, RecordState.FLAGGED):
        raise ValidationError(
            _("This record is %(state)s; it cannot be rejected.") % {"state": record.get_state_display()}
        )
    previous = record.state
    record.state = RecordState.REJECTED
    record.reject_reason = reason[:200]
    record.save(update_fields=["state", "reject_reason"])
    steps.add_event(record, previous, "reject", acting_user, reason=reason)
    if record.need is not None:  # the need was not served after all: back to whoever took it
        reopen_served(record.need, acting_user, reason)
    record_event(
        actor=acting_user,
        action="service.record_rejected",
        request=request,
        target=record,
        detail={"reason": reason},
    )
    if record.member.user_id:
        notify(
            recipients=[record.member.user],
            kind="service.record_rejected",
            title=_("%(community)s rejected your service record: %(reason)s")
            % {"community": record.community.name, "reason": reason},
            url=steps.record_url(record),
        )
    return record


# --- satisfaction ---------------------------------------------------------------------------------


def _rate(*, record: ServiceRecord, actor, score, comment: str = "") -> Rating:
    score = clean_score(score)
    if Rating.objects.filter(record=record).exists():
        raise ValidationError(_("This service has already been rated."))
    return Rating.objects.create(
        record=record,
        score=score,
        comment=(comment or "")[:300],
        rated_by=actor if actor and actor.is_authenticated else None,
    )


@transaction.atomic
def rate_service(*, acting_user, record: ServiceRecord, score, comment: str = "", request=None) -> Rating:
    """The beneficiary rates a confirmed service (once)."""
    record = steps.locked(record)
    if not is_resident_themself(acting_user, record.beneficiary_resident):
        raise PermissionDenied(_("Only the person served can rate this service."))
    if record.state != RecordState.CONFIRMED:
        raise ValidationError(_("A service is rated once it is confirmed."))
    rating = _rate(record=record, actor=acting_user, score=score, comment=comment)
    record_event(
        actor=acting_user,
        action="service.record_rated",
        request=request,
        target=record,
        detail={"score": rating.score},
    )
    return rating
