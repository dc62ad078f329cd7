"""A service record's photos, served privately to whoever may see the record (they are not public
media): the record page's and the API's photo addresses both answer through ``photo_response``, in the
size asked for: ``phone`` unless told, ``thumb`` for lists, ``original`` (every pixel) only by name."""

from __future__ import annotations

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse

from service.models import RecordPhoto, ServiceRecord
from service.records.imaging import (
    CONTENT_TYPES,
    DEFAULT_SIZE,
    SIZES,
    UnreadablePhoto,
    open_checked,
    renditions,
)


def photo_file(photo: RecordPhoto, size: str) -> FieldFile:
    return {"original": photo.image, "phone": photo.phone, "thumb": photo.thumb}[size]


def _made_now(photo: RecordPhoto, size: str) -> tuple[bytes, str]:
    """A photo stored before the sizes existed and not yet processed (``gongjian process-record-photos``):
    the size asked for, made in memory and not kept, so its metadata is never served either."""
    try:
        with photo.image.open("rb") as file:
            made = renditions(open_checked(file, max_pixels=settings.PHOTO_MAX_PIXELS))[size]
    except (FileNotFoundError, UnreadablePhoto) as exc:
        raise Http404 from exc
    return made.content, made.ext


def photo_response(record: ServiceRecord, n: int, size: str = DEFAULT_SIZE) -> HttpResponse:
    """The n-th photo (from 1) of a record the caller may see, in ``size``, as a private image
    (page and API). A size not among ``SIZES``, or a number past the record's photos, is 404."""
    if size not in SIZES or not 1 <= n <= settings.PHOTOS_PER_RECORD:
        raise Http404
    photo = next(iter(record.photos.all()[n - 1 : n]), None)
    if photo is None:
        raise Http404
    filename = f"service-{record.public_id}-{n}-{size}"
    response: HttpResponse
    if not photo.phone:
        content, ext = _made_now(photo, size)
        response = HttpResponse(content, content_type=CONTENT_TYPES[ext])
        response["Content-Disposition"] = f'inline; filename="{filename}.{ext}"'
    else:
        stored = photo_file(photo, size)
        ext = stored.name.rsplit(".", 1)[-1].lower() if "." in stored.name else ""
        if ext not in CONTENT_TYPES:
            raise Http404
        try:
            handle = stored.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=CONTENT_TYPES[ext], filename=f"{filename}.{ext}")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
