"""Themed activities (集体活动, 主题活动): organised by a member unit or the month's chair, joined by members
and residents, signed into at the place with a QR code, and — once held — each attending member's
attendance becomes one organiser-confirmed service record with its points (service/records/attended.py,
through the service loop's one ledger). Residents who came are counted as people served, not recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from access import own_member, own_resident
from alliances.access import leads, speaks_for_unit
from alliances.models import (
    Activity,
    ActivitySignup,
    ActivityState,
    Alliance,
    AllianceMember,
    AllianceState,
    ChairTurn,
    OpenTo,
)
from alliances.steps import clean_text, event, lock
from audit.actions import record_event
from notifications.actions import notify
from places.models import AreaLevel
from service.records.attended import record_attendance

# QR sign-in opens this long before the start and closes at the end.
CHECK_IN_OPENS = timedelta(minutes=30)


def organises(user, activity: Activity) -> bool:
    """The organiser unit's admin, or the alliance's lead."""
    if activity.organiser_unit is not None and speaks_for_unit(user, activity.organiser_unit):
        return True
    return leads(user, activity.alliance)


def check_in_url(activity: Activity) -> str:
    """The address the QR code at the place opens (it carries the activity's secret)."""
    return reverse("alliances:activity_check_in", args=[activity.public_id, activity.signin_secret])


def in_check_in_window(activity: Activity, now: datetime) -> bool:
    return activity.starts_at - CHECK_IN_OPENS <= now <= activity.ends_at


def taken_places(activity: Activity) -> int:
    return activity.signups.filter(cancelled_at__isnull=True).count()


def is_active_member(alliance: Alliance, unit, day) -> bool:
    return AllianceMember.objects.active_on(day).filter(alliance=alliance, unit=unit).exists()


def in_area(alliance: Alliance, community) -> bool:
    return community.level == AreaLevel.COMMUNITY and community.path.startswith(alliance.area_path)


@transaction.atomic
def create_activity(
    *,
    acting_user,
    alliance: Alliance,
    title: str,
    community,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    category,
    organiser_unit=None,
    chair_turn: ChairTurn | None = None,
    theme: str = "",
    description: str = "",
    capacity: int | None = None,
    open_to: str = OpenTo.EVERYONE,
    request=None,
) -> Activity:
    """The lead, or a member unit's admin for its unit (active in the alliance), announces an activity. The
    month's chair's activity is linked to its turn (found from the start's month when not given)."""
    alliance = lock(alliance)
    if alliance.state != AllianceState.ACTIVE:
        raise ValidationError(_("The alliance is dissolved."))
    is_lead = leads(acting_user, alliance)
    if organiser_unit is None and not is_lead:
        raise PermissionDenied(
            _("Only the alliance's lead or a member unit's admin can organise an activity.")
        )
    if organiser_unit is not None:
        if not (is_lead or speaks_for_unit(acting_user, organiser_unit)):
            raise PermissionDenied(
                _("Only the unit's admin or the alliance's lead can organise for %(unit)s.")
                % {"unit": organiser_unit.name}
            )
        if not is_active_member(alliance, organiser_unit, timezone.localdate()):
            raise ValidationError(
                _("%(unit)s is not an active member of the alliance (its agreement is not in force).")
                % {"unit": organiser_unit.name}
            )
    title = clean_text(title, field=_("Title"), max_length=100)
    place = clean_text(place, field=_("Place"), max_length=120)
    theme = clean_text(theme, field=_("Theme"), max_length=80, required=False)
    description = clean_text(description, field=_("Description"), max_length=4000, required=False)
    if community is None or not in_area(alliance, community):
        raise ValidationError(_("Choose a community of %(area)s.") % {"area": alliance.area.name})
    if category is None or not category.is_item:
        raise ValidationError(_("Choose an item of the service menu."))
    if starts_at is None or ends_at is None:
        raise ValidationError(_("Say when the activity starts and ends."))
    if ends_at <= starts_at:
        raise ValidationError(_("The activity must end after it starts."))
    if ends_at - starts_at > timedelta(hours=24):
        raise ValidationError(_("An activity lasts at most 24 hours."))
    if starts_at < timezone.now():
        raise ValidationError(_("An activity cannot start in the past."))
    if capacity is not None and not 1 <= capacity <= 100000:
        raise ValidationError(_("Places must be at least 1."))
    if open_to not in OpenTo.values:
        raise ValidationError(_("Choose who may join."))
    month = timezone.localtime(starts_at).date().replace(day=1)
    if chair_turn is not None:
        if chair_turn.alliance_id != alliance.pk or chair_turn.month != month:
            raise ValidationError(_("The chair's turn must be the alliance's turn of the activity's month."))
        if organiser_unit is not None and chair_turn.unit_id != organiser_unit.pk:
            raise ValidationError(_("Only the month's chair leads its themed activity."))
        organiser_unit = organiser_unit or chair_turn.unit
    elif organiser_unit is not None:
        chair_turn = alliance.chair_turns.filter(month=month, unit=organiser_unit).first()
    if chair_turn is not None and not theme:
        theme = chair_turn.theme
    activity = Activity.objects.create(
        alliance=alliance,
        organiser_unit=organiser_unit,
        chair_turn=chair_turn,
        title=title,
        theme=theme,
        description=description,
        community=community,
        community_path=community.path,
        place=place,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        open_to=open_to,
        category=category,
        created_by=acting_user,
    )
    event(activity, "create", acting_user, organiser=organiser_unit.name if organiser_unit else "")
    record_event(actor=acting_user, action="alliances.activity_created", request=request, target=activity)
    return activity


def joiner(user, activity: Activity):
    """Who the user joins as: (member, resident), as the activity is open to; a refusal otherwise."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("Sign in to join an activity."))
    member = own_member(user) if activity.open_to in (OpenTo.EVERYONE, OpenTo.MEMBERS) else None
    if member is not None:
        return member, None
    resident = own_resident(user) if activity.open_to in (OpenTo.EVERYONE, OpenTo.RESIDENTS) else None
    if resident is not None:
        return None, resident
    raise PermissionDenied(_("This activity is open to: %(who)s.") % {"who": OpenTo(activity.open_to).label})


def refuse_full(activity: Activity) -> None:
    if activity.capacity is not None and taken_places(activity) >= activity.capacity:
        raise ValidationError(_("The activity is full."))


def take_place(activity: Activity, user, *, checked_in_at=None) -> ActivitySignup:
    """A place for ``user`` (the activity is locked by the caller): a cancelled one taken again, else a
    new one; refused when the person already has one or none is left."""
    member, resident = joiner(user, activity)
    existing = ActivitySignup.objects.select_for_update().filter(activity=activity, user=user).first()
    if existing is not None and existing.cancelled_at is None:
        raise ValidationError(_("You have already signed up."))
    refuse_full(activity)
    name = (member.name if member is not None else resident.name if resident is not None else "")[:32]
    if existing is not None:
        existing.cancelled_at = None
        existing.checked_in_at = checked_in_at
        existing.save(update_fields=["cancelled_at", "checked_in_at"])
        return existing
    try:
        with transaction.atomic():
            return ActivitySignup.objects.create(
                activity=activity,
                user=user,
                member=member,
                resident=resident,
                name=name or user.get_username(),
                checked_in_at=checked_in_at,
            )
    except IntegrityError:
        raise ValidationError(_("You have already signed up.")) from None


@transaction.atomic
def sign_up(*, acting_user, activity: Activity, request=None) -> ActivitySignup:
    """A member or a resident with an account takes a place, as ``open_to`` allows, within the places left
    (the activity row is locked, so two people cannot take the last place), once, before it starts."""
    activity = lock(activity)
    if activity.state == ActivityState.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    if activity.state != ActivityState.OPEN or activity.starts_at <= timezone.now():
        raise ValidationError(_("The activity has started; sign-up is closed."))
    signup = take_place(activity, acting_user)
    event(activity, "sign_up", acting_user, name=signup.name)
    record_event(actor=acting_user, action="alliances.activity_signed_up", request=request, target=activity)
    return signup


@transaction.atomic
def cancel_signup(*, acting_user, activity: Activity, request=None) -> ActivitySignup:
    """The person gives their place back, before the activity starts."""
    activity = lock(activity)
    signup = (
        ActivitySignup.objects.select_for_update()
        .filter(activity=activity, user=acting_user, cancelled_at__isnull=True)
        .first()
        if acting_user is not None and acting_user.is_authenticated
        else None
    )
    if signup is None:
        raise ValidationError(_("You have not signed up for this activity."))
    if activity.starts_at <= timezone.now() or signup.checked_in_at is not None:
        raise ValidationError(_("The activity has started; the place cannot be given back."))
    signup.cancelled_at = timezone.now()
    signup.save(update_fields=["cancelled_at"])
    event(activity, "cancel_sign_up", acting_user, name=signup.name)
    record_event(
        actor=acting_user, action="alliances.activity_signup_cancelled", request=request, target=activity
    )
    return signup


@transaction.atomic
def check_in(
    *, acting_user, activity: Activity, secret: str, now: datetime | None = None, request=None
) -> ActivitySignup:
    """QR sign-in at the place, from 30 minutes before the start to the end. Whoever did not sign up is
    signed up on the spot if the activity is open to them and places are left. Signing in twice is
    harmless (the first time is kept)."""
    activity = lock(activity)
    now = now or timezone.now()
    if not constant_time_compare(secret or "", activity.signin_secret):
        raise PermissionDenied(
            _("This sign-in code is not the activity's. Scan the code shown at the place.")
        )
    if activity.state == ActivityState.CANCELLED:
        raise ValidationError(_("The activity is cancelled."))
    if activity.state == ActivityState.CONFIRMED or not in_check_in_window(activity, now):
        raise ValidationError(
            _("Sign-in is open from 30 minutes before the start to the end of the activity.")
        )
    if acting_user is None or not acting_user.is_authenticated:
        raise PermissionDenied(_("Sign in to join an activity."))
    signup = (
        ActivitySignup.objects.select_for_update()
        .filter(activity=activity, user=acting_user, cancelled_at__isnull=True)
        .first()
    )
    on_the_spot = signup is None
    if signup is None:
        signup = take_place(activity, acting_user, checked_in_at=now)
    elif signup.checked_in_at is None:
        signup.checked_in_at = now
        signup.save(update_fields=["checked_in_at"])
    else:
        return signup
    event(activity, "check_in", acting_user, name=signup.name, on_the_spot=on_the_spot)
    record_event(actor=acting_user, action="alliances.activity_checked_in", request=request, target=activity)
    return signup


@transaction.atomic
def mark_held(*, acting_user, activity: Activity, request=None) -> Activity:
    """The organiser says the activity took place (attendance can now be confirmed)."""
    activity = lock(activity)
    if not organises(acting_user, activity):
        raise PermissionDenied(_("Only the organiser or the alliance's lead can do this."))
    if activity.state != ActivityState.OPEN:
        raise ValidationError(_("This activity is %(state)s.") % {"state": activity.get_state_display()})
    if activity.starts_at > timezone.now():
        raise ValidationError(_("The activity has not started yet."))
    activity.state = ActivityState.HELD
    activity.save(update_fields=["state"])
    event(activity, "held", acting_user)
    record_event(actor=acting_user, action="alliances.activity_held", request=request, target=activity)
    return activity


def attended_minutes(activity: Activity) -> int:
    return min(24 * 60, int((activity.ends_at - activity.starts_at).total_seconds() // 60))


@transaction.atomic
def confirm_attendance(*, acting_user, activity: Activity, request=None) -> int:
    """The organiser confirms who came: each member who signed in gets exactly one service record of the
    activity's service item and length, confirmed by the organiser, its points booked (a signup's
    ``service_record`` is set once, under its row lock: calling this again makes nothing new). The
    organiser's own attendance is left to another organiser or the lead (nobody confirms their own
    service). Residents who came are counted as people served. How many records were made."""
    activity = lock(activity)
    if not organises(acting_user, activity):
        raise PermissionDenied(_("Only the organiser or the alliance's lead can confirm attendance."))
    if activity.state not in (ActivityState.HELD, ActivityState.CONFIRMED):
        raise ValidationError(_("Mark the activity held before confirming attendance."))
    if activity.ends_at > timezone.now():
        raise ValidationError(_("Attendance is confirmed once the activity has ended."))
    waiting = (
        ActivitySignup.objects.select_for_update(of=("self",))
        .filter(
            activity=activity,
            cancelled_at__isnull=True,
            checked_in_at__isnull=False,
            member__isnull=False,
            service_record__isnull=True,
        )
        .exclude(user=acting_user)
        .select_related("member__unit", "member__user")
    )
    made = 0
    for signup in waiting:
        assert signup.member is not None  # filtered above
        signup.service_record = record_attendance(
            acting_user=acting_user,
            member=signup.member,
            community=activity.community,
            category=activity.category,
            started_at=activity.starts_at,
            minutes=attended_minutes(activity),
            description=_("Took part in the activity %(title)s") % {"title": activity.title},
            request=request,
        )
        signup.save(update_fields=["service_record"])
        made += 1
    residents = activity.signups.filter(
        cancelled_at__isnull=True, checked_in_at__isnull=False, resident__isnull=False
    ).count()
    if activity.state != ActivityState.CONFIRMED:
        activity.state = ActivityState.CONFIRMED
        activity.save(update_fields=["state"])
    event(activity, "confirm", acting_user, records=made, residents=residents)
    record_event(
        actor=acting_user,
        action="alliances.attendance_confirmed",
        request=request,
        target=activity,
        detail={"records": made, "residents": residents},
    )
    return made


@transaction.atomic
def cancel_activity(*, acting_user, activity: Activity, reason: str, request=None) -> Activity:
    """The organiser calls the activity off, with a reason those signed up are told."""
    activity = lock(activity)
    if not organises(acting_user, activity):
        raise PermissionDenied(_("Only the organiser or the alliance's lead can do this."))
    if activity.state != ActivityState.OPEN:
        raise ValidationError(_("This activity is %(state)s.") % {"state": activity.get_state_display()})
    reason = clean_text(reason, field=_("Reason"), max_length=200)
    activity.state = ActivityState.CANCELLED
    activity.cancel_reason = reason
    activity.save(update_fields=["state", "cancel_reason"])
    event(activity, "cancel", acting_user, reason=reason)
    record_event(
        actor=acting_user,
        action="alliances.activity_cancelled",
        request=request,
        target=activity,
        detail={"reason": reason},
    )
    people = [s.user for s in activity.signups.filter(cancelled_at__isnull=True).select_related("user")]
    notify(
        recipients=people,
        kind="alliances.activity_cancelled",
        title=_("%(title)s is cancelled: %(reason)s") % {"title": activity.title, "reason": reason},
        url=reverse("alliances:activity_detail", args=[activity.public_id]),
    )
    return activity
