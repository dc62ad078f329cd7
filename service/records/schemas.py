"""Shapes of the service records' API (service/records/api.py). Whom a record was for is filled only for
those ``access.sees_record_beneficiary`` lets know it, else null.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.urls import reverse
from ninja import Field, Schema
from pydantic import field_validator

from access import sees_record_beneficiary
from gongjian.api_shapes import Ref
from service.models import ConfirmedVia, RecordState
from service.records.imaging import SIZES
from service.schemas import EventOut, Period, caller, local_time


class RecordOut(Schema):
    id: UUID = Field(alias="public_id")
    member: Ref
    unit: Ref | None
    community: Ref
    category: Ref
    need: UUID | None = Field(None, alias="need_uuid")
    post: UUID | None = Field(None, alias="post_uuid")
    pairing: UUID | None = Field(None, alias="pairing_uuid")
    project: UUID | None = Field(None, alias="project_uuid")
    started_at: datetime
    minutes: int
    description: str
    beneficiary: Ref | None = Field(None, description="Only for those who may know whom the member served.")
    beneficiary_name: str | None = Field(
        None, description="Only for those who may know whom the member served."
    )
    state: RecordState
    flags: list[str]
    created_at: datetime
    confirmed_at: datetime | None
    confirmed_via: ConfirmedVia | None
    reject_reason: str
    score: int | None = Field(None, description="The beneficiary's rating (1–5).")

    @staticmethod
    def resolve_beneficiary(obj, context):
        if not sees_record_beneficiary(caller(context), obj):
            return None
        return obj.beneficiary_resident

    @staticmethod
    def resolve_beneficiary_name(obj, context) -> str | None:
        return obj.beneficiary_name if sees_record_beneficiary(caller(context), obj) else None

    @staticmethod
    def resolve_confirmed_via(obj) -> str | None:
        return obj.confirmed_via or None

    @staticmethod
    def resolve_score(obj) -> int | None:
        rating = getattr(obj, "rating", None)
        return rating.score if rating is not None else None


class RecordEventOut(EventOut):
    via: str


class PhotoSizesOut(Schema):
    """One photo's addresses by size: all upright and without metadata (no location)."""

    phone: str = Field(description="Long edge 1280 px: what a page shows.")
    thumb: str = Field(description="Long edge 320 px: for lists.")
    original: str = Field(description="Every pixel, as uploaded.")


class RecordDetailOut(RecordOut):
    photos: list[str] = Field(description="Addresses of the photos, in the phone size (long edge 1280 px).")
    photo_sizes: list[PhotoSizesOut] = Field(description="The same photos, by size.")
    events: list[RecordEventOut]
    confirmation_code: str | None = Field(
        None, description="The one-time code the member shows the beneficiary; only for the member."
    )

    @staticmethod
    def resolve_photos(obj) -> list[str]:
        # the API's photo endpoint (the record's scope decides, a bearer token works), never the media address
        return [
            reverse("api:get_record_photo", kwargs={"record_id": obj.public_id, "n": n})
            for n in range(1, len(obj.photos.all()) + 1)
        ]

    @staticmethod
    def resolve_photo_sizes(obj) -> list[dict[str, str]]:
        return [
            {
                size: reverse("api:get_record_photo", kwargs={"record_id": obj.public_id, "n": n})
                + f"?size={size}"
                for size in SIZES
            }
            for n in range(1, len(obj.photos.all()) + 1)
        ]

    @staticmethod
    def resolve_events(obj):
        return obj.events.all()


class RecordQuery(Period):
    state: RecordState | None = None
    member: UUID | None = None
    community: UUID | None = None


class RecordIn(Schema):
    category: UUID = Field(description="An item of the service menu.")
    started_at: datetime = Field(description="Without a zone: local time.")
    minutes: int = Field(..., ge=5, le=24 * 60)
    description: str = Field(..., max_length=500)
    community: UUID | None = Field(None, description="Needed unless need, post, pairing or project says it.")
    need: UUID | None = None
    post: UUID | None = None
    pairing: UUID | None = None
    project: UUID | None = None
    beneficiary: UUID | None = Field(
        None,
        description="The resident served, among those the caller may see; a member logs against the "
        "need or pairing (which name the beneficiary) or gives ``beneficiary_name``.",
    )
    beneficiary_name: str = Field("", max_length=32)

    @field_validator("started_at")
    @classmethod
    def _local(cls, moment: datetime) -> datetime:
        return local_time(moment)


class ConfirmIn(Schema):
    code: str = Field("", max_length=12, description="The member's one-time code (beneficiary's app).")
    score: int | None = Field(None, ge=1, le=5, description="The person served rates it at once.")
    comment: str = Field("", max_length=300)
    note: str = Field("", max_length=200, description="Community: what was checked (needed when flagged).")


class DisputeIn(Schema):
    reason: str = Field(..., max_length=200, description="Why the person served says it did not happen.")
    code: str = Field(
        "",
        max_length=12,
        description="The member's one-time code, for a caller who is not the beneficiary's account.",
    )
