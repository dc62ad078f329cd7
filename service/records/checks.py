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

# Accepted photo types and the extension each is stored under (never the uploaded file's own name).
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTOS_PER_RECORD = 6


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


def validate_photos(photos) -> None:
    if len(photos) > PHOTOS_PER_RECORD:
        raise ValidationError(_("At most %(n)d photos per record.") % {"n": PHOTOS_PER_RECORD})
    for photo in photos:
        kind = getattr(photo, "content_type", "") or ""
        if kind not in PHOTO_TYPES:
            raise ValidationError(
                _("%(name)s is not a photo (JPEG, PNG, WebP or HEIC).") % {"name": photo.name}
            )
        if photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("%(name)s is larger than 8 MB.") % {"name": photo.name})


def clean_score(score) -> int:
    try:
        score = int(score)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Rate from 1 to 5 stars.")) from exc
    if not 1 <= score <= 5:
        raise ValidationError(_("Rate from 1 to 5 stars."))
    return score
