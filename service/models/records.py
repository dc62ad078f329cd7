"""Service records (服务记实) and their confirmation (服务确认), and satisfaction ratings.

A member logs what they did; the beneficiary confirms it (with the one-time code the member shows, or
in their own account), or the organiser/community does. Implausible records are flagged for the
community's review instead of being confirmable by code. Confirmation books points (points.actions).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from service.models.events import StateEvent


class RecordState(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting confirmation")
    FLAGGED = "flagged", _("Flagged for review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class ConfirmedVia(models.TextChoices):
    CODE = "code", _("Beneficiary's code")
    BENEFICIARY = "beneficiary", _("Beneficiary's account")
    ORGANISER = "organiser", _("Organiser")
    COMMUNITY = "community", _("Community")


class Flag(models.TextChoices):
    """Why a record is held for review."""

    OVERLAP = "overlap", _("Overlaps another record of the member")
    LONG_DAY = "long_day", _("More hours in one day than allowed")
    SAME_BENEFICIARY = "same_beneficiary", _("Same beneficiary too often")
    CODE_ATTEMPTS = "code_attempts", _("Too many wrong confirmation codes")
    DISPUTED = "disputed", _("The person served says it did not happen")


class ServiceRecordQuerySet(models.QuerySet):
    def visible_to(self, user) -> ServiceRecordQuerySet:
        """Records of the user's areas, of their units' members, the member's own, and those the user
        benefited from."""
        from accounts.scope import scope_for

        scope = scope_for(user)
        if scope.everything:
            return self
        q = scope.area_q("community_path") | Q(unit_id__in=scope.unit_ids) | Q(member_id__in=scope.member_ids)
        if scope.resident_ids:
            q |= Q(beneficiary_resident_id__in=scope.resident_ids)
        return self.filter(q)

    def pending(self) -> ServiceRecordQuerySet:
        """Waiting for someone to confirm: submitted or flagged."""
        return self.filter(state__in=(RecordState.SUBMITTED, RecordState.FLAGGED))

    def flagged(self) -> ServiceRecordQuerySet:
        return self.filter(state=RecordState.FLAGGED)

    def confirmed(self) -> ServiceRecordQuerySet:
        return self.filter(state=RecordState.CONFIRMED)

    def in_period(self, start, end) -> ServiceRecordQuerySet:
        """Service that started within [start, end)."""
        return self.filter(started_at__gte=start, started_at__lt=end)


class ServiceRecord(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey("people.Member", on_delete=models.PROTECT, related_name="service_records")
    # The member's unit when they logged it: units' figures count their members' service.
    unit = models.ForeignKey("orgs.Unit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    community = models.ForeignKey(
        "places.Area", on_delete=models.PROTECT, related_name="service_records", verbose_name=_("community")
    )
    community_path = models.CharField(max_length=255, db_index=True, editable=False)
    category = models.ForeignKey(
        "service.ServiceCategory",
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("category"),
    )
    need = models.ForeignKey(
        "service.Need",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("need"),
    )
    post = models.ForeignKey(
        "service.ServicePost",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="records",
        verbose_name=_("service post"),
    )
    pairing = models.ForeignKey(
        "service.HouseholdPairing", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    project = models.ForeignKey(
        "service.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    started_at = models.DateTimeField(_("started at"))
    minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    description = models.CharField(_("what was done"), max_length=500)
    beneficiary_resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_records",
        verbose_name=_("beneficiary"),
    )
    beneficiary_name = models.CharField(_("beneficiary"), max_length=32, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RecordState.choices, default=RecordState.SUBMITTED
    )
    flags = models.JSONField(_("flags"), default=list, blank=True)
    # The one-time code the member shows the beneficiary; only its digest is kept.
    code_digest = models.CharField(max_length=64, blank=True, editable=False)
    code_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Where it was logged from (access.Origin: keyed hashes, '' when unknown): the member was shown the
    # code there, so the code is refused from that browser session and that network address.
    logged_session = models.CharField(max_length=64, blank=True, editable=False)
    logged_address = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("logged at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_via = models.CharField(
        _("confirmed by"), max_length=16, choices=ConfirmedVia.choices, blank=True
    )
    reject_reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        indexes = [
            models.Index(fields=["member", "started_at"], name="record_member_started"),
            # the list order (newest first): a page walks the index instead of sorting every record
            # in scope (2.8 s at 2,000,000 records for the city; a street filters as it walks)
            models.Index(fields=["-started_at", "-id"], name="record_list_order"),
            models.Index(fields=["community", "state"], name="record_community_state"),
            models.Index(fields=["unit", "state"], name="record_unit_state"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.started_at:%Y-%m-%d} {self.category}"

    @property
    def ended_at(self):
        return self.started_at + timedelta(minutes=self.minutes)

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def flag_labels(self) -> list[str]:
        return [str(Flag(f).label) for f in self.flags if f in Flag.values]


def record_photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"service/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class RecordPhotoQuerySet(models.QuerySet["RecordPhoto"]):
    def unprocessed(self) -> RecordPhotoQuerySet:
        """Stored before photos were stripped and resized (service/records/imaging.py): no phone size yet."""
        return self.filter(phone="")


class RecordPhoto(models.Model):
    """A photo of a service, in three files: ``image`` (every pixel; served only when asked for by name),
    ``phone`` (long edge 1280, shown by default) and ``thumb`` (320), all upright and without metadata.
    Photos stored before the sizes existed have empty ``phone`` and ``thumb`` until
    ``gongjian process-record-photos`` makes them."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=record_photo_path)
    phone = models.FileField(_("photo for phones"), upload_to=record_photo_path, blank=True)
    thumb = models.FileField(_("thumbnail"), upload_to=record_photo_path, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = RecordPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("service photo")
        verbose_name_plural = _("service photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class ServiceRecordEvent(StateEvent):
    """One change of a service record, with how it was confirmed (``via``): append-only."""

    subject = "record"

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=RecordState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=RecordState.choices)
    via = models.CharField(max_length=16, blank=True)

    class Meta(StateEvent.Meta):
        verbose_name = _("service record event")
        verbose_name_plural = _("service record events")


class RatingQuerySet(models.QuerySet):
    def visible_to(self, user) -> RatingQuerySet:
        """Ratings of records and projects the user may see."""
        from service.models import Project

        return self.filter(
            Q(record__in=ServiceRecord.objects.visible_to(user))
            | Q(project__in=Project.objects.visible_to(user))
        )


class Rating(models.Model):
    """满意度: a beneficiary's rating of a service record, or a resident's of a project."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.OneToOneField(
        ServiceRecord, on_delete=models.CASCADE, null=True, blank=True, related_name="rating"
    )
    project = models.ForeignKey(
        "service.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="ratings"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False, project__isnull=True)
                | Q(record__isnull=True, project__isnull=False),
                name="rating_one_target",
            ),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"),
            models.UniqueConstraint(
                fields=["project", "rated_by"],
                condition=Q(project__isnull=False),
                name="rating_one_per_project_rater",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}★"
