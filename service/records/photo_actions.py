"""Writes of service photos. ``store_photos`` keeps the photos a member logs, in their three sizes,
inside ``log_service_record``'s transaction (the pages and any other caller share it); ``process_stored_photo``
strips and resizes one photo stored before the sizes existed (``gongjian process-record-photos``).
The pixels' work is service/records/imaging.py's; what is refused is service/records/checks.py's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from audit.actions import record_event
from service.models import RecordPhoto, ServiceRecord
from service.records.imaging import Rendition, open_checked, renditions

if TYPE_CHECKING:
    from accounts.models import User


def _fill(photo: RecordPhoto, made: dict[str, Rendition]) -> None:
    """Writes the three files (new names: the storage's own, never the uploaded file's)."""
    photo.image.save(f"photo.{made['original'].ext}", ContentFile(made["original"].content), save=False)
    photo.phone.save("photo-phone.jpg", ContentFile(made["phone"].content), save=False)
    photo.thumb.save("photo-thumb.jpg", ContentFile(made["thumb"].content), save=False)


def store_photos(*, record: ServiceRecord, photos: Iterable[dict[str, Rendition]]) -> list[RecordPhoto]:
    """Keeps checked photos (``checks.checked_photos``: upright, without metadata, in the original,
    phone and thumbnail sizes) with a record. Called inside the logging action's transaction."""
    stored = []
    for made in photos:
        photo = RecordPhoto(record=record)
        _fill(photo, made)
        photo.save()
        stored.append(photo)
    return stored


@transaction.atomic
def process_stored_photo(*, acting_user: User | None = None, photo: RecordPhoto) -> bool:
    """Strips the metadata of a photo stored before the sizes existed and makes its phone and
    thumbnail sizes; the old file is deleted once this commits. False when it already has them (run
    again, nothing changes). A file that cannot be read raises ``imaging.UnreadablePhoto`` (or
    ``FileNotFoundError``) and is left as it was."""
    photo = RecordPhoto.objects.select_for_update().select_related("record").get(pk=photo.pk)
    if photo.phone:
        return False
    old_name, storage = photo.image.name, photo.image.storage
    with photo.image.open("rb") as file:
        image = open_checked(file, max_pixels=settings.PHOTO_MAX_PIXELS)
    _fill(photo, renditions(image))
    photo.save(update_fields=["image", "phone", "thumb"])
    record_event(
        actor=acting_user,
        action="service.photo_processed",
        target=photo.record,
        detail={"photo": photo.pk},
        actor_label="" if acting_user is not None else "process-record-photos",
    )
    transaction.on_commit(lambda: storage.delete(old_name))
    return True
