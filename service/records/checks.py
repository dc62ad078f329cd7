"""What a service record is checked against: whether it looks plausible (else it is held for the
community's review), its photos, and the stars of a rating."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import Member
from service.models import Flag, RecordState, ServiceRecord
from service.records.imaging import Rendition, UnreadablePhoto, open_checked, renditions


def plausibility_flags(
    *,
    member: Member,
    started_at,
    minutes: int,
    beneficiary_resident=None,
    beneficiary_name: str = "",
    exclude=None,
) -> list[str]:
    """Why a record should be looked at before anyone confirms it (empty: nothing odd)."""
    flags: list[str] = []
    ended_at = started_at + timedelta(minutes=minutes)
    others = ServiceRecord.objects.filter(member=member).exclude(state=RecordState.REJECTED)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    day_start = timezone.localtime(started_at).replace(hour=0, minute=0, second=0, microsecond=0)
    window = list(
        others.filter(
            started_at__gte=day_start - timedelta(days=1), started_at__lt=day_start + timedelta(days=2)
        ).values_list("started_at", "minutes")
    )
    if any(s < ended_at and started_at < s + timedelta(minutes=m) for s, m in window):
        flags.append(Flag.OVERLAP)
    same_day = sum(m for s, m in window if day_start <= s < day_start + timedelta(days=1))
    if same_day + minutes > settings.SERVICE_MAX_HOURS_PER_DAY * 60:
        flags.append(Flag.LONG_DAY)
    if beneficiary_resident is not None or beneficiary_name:
        who = (
            Q(beneficiary_resident=beneficiary_resident)
            if beneficiary_resident is not None
            else Q(beneficiary_name=beneficiary_name)
        )
        # any 7-day window holding this record, whichever order the records were logged in
        week = timedelta(days=7)
        starts = [
            *others.filter(
                who, started_at__gt=started_at - week, started_at__lt=started_at + week
            ).values_list("started_at", flat=True),
            started_at,
        ]
        if any(
            sum(1 for t in starts if s <= t < s + week) > settings.SERVICE_SAME_BENEFICIARY_PER_WEEK
            for s in starts
            if s <= started_at < s + week
        ):
            flags.append(Flag.SAME_BENEFICIARY)
    return flags


def checked_photos(photos) -> list[dict[str, Rendition]]:
    """The uploaded photos, each read by its content and made into its sizes at once, so that one
    photo's pixels at most are held in memory (service/records/imaging.py); or one ValidationError on
    ``photos`` with a message per refused file, naming it: more than PHOTOS_PER_RECORD, larger than
    PHOTO_MAX_BYTES, not a JPEG, PNG or WebP photo, damaged or cut short, or more than
    PHOTO_MAX_PIXELS pixels."""
    photos = list(photos)
    limit = settings.PHOTOS_PER_RECORD
    if len(photos) > limit:
        raise ValidationError({"photos": _("At most %(n)d photos per record.") % {"n": limit}})
    megabytes = settings.PHOTO_MAX_BYTES / (1024 * 1024)
    checked, errors = [], []
    for photo in photos:
        name = (photo.name or _("A photo"))[-80:]
        if photo.size > settings.PHOTO_MAX_BYTES:
            errors.append(_("%(name)s is larger than %(mb)g MB.") % {"name": name, "mb": megabytes})
            continue
        try:
            checked.append(renditions(open_checked(photo, max_pixels=settings.PHOTO_MAX_PIXELS)))
        except UnreadablePhoto as exc:
            errors.append(_photo_refusal(exc, name))
    if errors:
        raise ValidationError({"photos": errors})
    return checked


def _photo_refusal(exc: UnreadablePhoto, name: str) -> str:
    if exc.reason == "pixels":
        return _("%(name)s has too many pixels to be read safely (at most %(max)s million).") % {
            "name": name,
            "max": f"{settings.PHOTO_MAX_PIXELS / 1_000_000:g}",
        }
    if exc.reason == "damaged":
        return _("%(name)s is damaged or incomplete: it cannot be read to the end.") % {"name": name}
    return _("%(name)s is not a photo (JPEG, PNG or WebP).") % {"name": name}


def clean_score(score) -> int:
    try:
        score = int(score)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Rate from 1 to 5 stars.")) from exc
    if not 1 <= score <= 5:
        raise ValidationError(_("Rate from 1 to 5 stars."))
    return score
