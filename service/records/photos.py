"""A service record's photos, served privately to whoever may see the record (they are not public
media): the record page's and the API's photo addresses both answer through ``photo_response``."""

from __future__ import annotations

from django.http import FileResponse, Http404

from service.models import ServiceRecord
from service.records.checks import PHOTOS_PER_RECORD

# Photos are served as images only when their name says they are one (anything else is a download).
PHOTO_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def photo_response(record: ServiceRecord, n: int) -> FileResponse:
    """The n-th photo (from 1) of a record the caller may see, as a private download (page and API)."""
    if not 1 <= n <= PHOTOS_PER_RECORD:
        raise Http404
    photo = next(iter(record.photos.all()[n - 1 : n]), None)
    if photo is None:
        raise Http404
    ext = photo.image.name.rsplit(".", 1)[-1].lower() if "." in photo.image.name else ""
    content_type = PHOTO_TYPES.get(ext)
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=f"service-{record.public_id}-{n}.{ext or 'bin'}",
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
