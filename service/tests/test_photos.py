"""Service photos: checked by their content, stored upright without EXIF (no location), in phone and
thumbnail sizes beside the original, within the limits set on the server; refusals name each file and
the form keeps what was typed; photos stored before all this are processed by a command, once."""

from __future__ import annotations

import importlib
from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from gongjian.testing import item
from service.models import RecordPhoto, ServiceRecord
from service.records import actions as record_actions
from service.tests.pictures import body, has_gps, opened, picture, upload

pytestmark = pytest.mark.django_db

LOG = reverse("service:log_service")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    importlib.import_module("service.migrations.0002_default_menu").forwards(django_apps, None)


def log(cast, photos) -> ServiceRecord:
    return record_actions.log_service_record(
        acting_user=cast.member,
        category=item("elderly_care"),
        started_at=timezone.now() - timedelta(hours=3),
        minutes=60,
        description="陪老人聊天",
        community=cast.places.a1,
        photos=photos,
    )


def post_log(client, cast, photos, description="修好了楼道的灯"):
    cast.login(client, "member")
    return client.post(
        LOG,
        {
            "community": str(cast.places.a1.public_id),
            "category": str(item().public_id),
            "started_at": (timezone.localtime() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "30",
            "description": description,
            "photos": photos,
        },
    )


def photo_url(record, n=1, size=None):
    address = reverse("service:record_photo", args=[record.public_id, n])
    return f"{address}?size={size}" if size else address


# --- what is stored -------------------------------------------------------------------------------


def test_a_phone_photo_is_kept_upright_without_its_location(cast):
    """The camera held sideways (orientation 6) and a GPS position: every stored size is turned as the
    tag said and carries no EXIF at all."""
    original = picture((40, 20), exif=True)
    assert has_gps(original) and opened(original).size == (40, 20)
    [photo] = log(cast, [upload("IMG_0001.jpg", original)]).photos.all()
    for field in (photo.image, photo.phone, photo.thumb):
        content = field.read()
        image = opened(content)
        assert image.format == "JPEG" and image.size == (20, 40)  # upright
        assert not has_gps(content) and not image.getexif() and b"Exif" not in content
        # the blue quarter was top-left on the sensor: after the turn it is top-right
        red, green, blue = image.convert("RGB").getpixel((15, 5))
        assert blue > 200 and red < 60


def test_sizes_for_phones_and_lists_beside_the_original(cast):
    [photo] = log(cast, [upload("wide.png", picture((3000, 1500), "PNG"), "image/png")]).photos.all()
    assert opened(photo.image.read()).size == (3000, 1500) and photo.image.name.endswith(".png")
    assert opened(photo.phone.read()).size == (1280, 640) and photo.phone.name.endswith(".jpg")
    assert opened(photo.thumb.read()).size == (320, 160)
    # never enlarged
    [small] = log(cast, [upload("small.webp", picture((200, 100), "WEBP"), "image/webp")]).photos.all()
    assert opened(small.phone.read()).size == (200, 100) and opened(small.image.read()).format == "WEBP"


def test_the_type_is_read_from_the_content_not_the_name(cast):
    """A PNG sent as 'photo.jpg' with a JPEG type is kept as the PNG it is."""
    [photo] = log(cast, [upload("photo.jpg", picture(fmt="PNG"), "image/jpeg")]).photos.all()
    assert photo.image.name.endswith(".png") and opened(photo.image.read()).format == "PNG"


def test_transparency_survives_in_the_original_and_turns_white_in_the_sizes(cast):
    [photo] = log(cast, [upload("logo.png", picture((20, 20), "PNG", mode="RGBA"), "image/png")]).photos.all()
    assert opened(photo.image.read()).mode == "RGBA"
    assert opened(photo.thumb.read()).mode == "RGB"


# --- served through the record's scope, in the size asked for --------------------------------------


def test_pages_show_the_phone_size_and_the_original_only_when_asked(client, cast):
    record = log(cast, [upload("IMG_0002.jpg", picture((4000, 3000), exif=True))])
    cast.login(client, "member")
    phone = client.get(photo_url(record))
    assert phone.status_code == 200 and phone["Content-Type"] == "image/jpeg"
    assert opened(body(phone)).size == (960, 1280)
    assert opened(body(client.get(photo_url(record, size="thumb")))).size == (240, 320)
    original = body(client.get(photo_url(record, size="original")))
    assert opened(original).size == (3000, 4000) and not has_gps(original)
    assert client.get(photo_url(record, size="../../etc")).status_code == 404
    cast.login(client, "community2")
    assert client.get(photo_url(record, size="thumb")).status_code == 404


# --- refused, each file by name, what was typed kept -----------------------------------------------


def test_every_bad_file_is_named_and_the_form_keeps_what_was_typed(client, cast, settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    settings.PHOTO_MAX_BYTES = 200_000
    good = picture()
    jpeg = picture((400, 300))
    response = post_log(
        client,
        cast,
        [
            upload("good.jpg", good),
            upload("notes.jpg", b"hello, I am text", "image/jpeg"),
            upload("cut.jpg", jpeg[: len(jpeg) // 2]),
            upload("bomb.png", picture((2000, 1000), "PNG"), "image/png"),  # 2 million pixels
            upload("anim.gif", _gif(), "image/gif"),
            upload("huge.jpg", good + b"\0" * 200_001),
        ],
        description="清理了楼道杂物",
    )
    page = response.content.decode()
    assert response.status_code == 400 and not ServiceRecord.objects.exists()
    assert not RecordPhoto.objects.exists()
    assert "notes.jpg is not a photo (JPEG, PNG or WebP)." in page
    assert "cut.jpg is damaged or incomplete" in page
    assert "bomb.png has too many pixels to be read safely (at most 1 million)." in page
    assert "anim.gif is not a photo" in page
    assert "huge.jpg is larger than 0.190735 MB." in page
    assert "good.jpg" not in page
    assert "清理了楼道杂物" in page and "Choose the photos again" in page  # the rest is kept


def test_a_cut_short_photo_is_refused_even_after_a_pdf_was_rendered(cast, monkeypatch):
    """WeasyPrint (certificates) turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    jpeg = picture((400, 300))
    with pytest.raises(Exception, match="cut.jpg is damaged or incomplete"):
        log(cast, [upload("cut.jpg", jpeg[: len(jpeg) // 2])])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back for WeasyPrint


def test_a_real_decompression_bomb_is_refused_before_it_unpacks(cast, settings):
    """Past Pillow's own limit (twice MAX_IMAGE_PIXELS) the header alone is refused, whatever the setting."""
    settings.PHOTO_MAX_PIXELS = 10**12
    with pytest.raises(Exception, match="too many pixels"):
        log(cast, [upload("bomb.png", _png_header(20_000, 20_000), "image/png")])


def test_the_number_of_photos_is_limited_by_the_setting(cast, settings):
    settings.PHOTOS_PER_RECORD = 2
    with pytest.raises(Exception, match="At most 2 photos per record"):
        log(cast, [upload(f"{n}.jpg", picture()) for n in range(3)])
    assert len(log(cast, [upload(f"{n}.jpg", picture()) for n in range(2)]).photos.all()) == 2


def test_request_limits_are_set_on_the_server():
    assert django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 2**20
    assert django_settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 2**20
    assert django_settings.DATA_UPLOAD_MAX_NUMBER_FILES >= django_settings.PHOTOS_PER_RECORD


def test_the_page_says_the_limits_the_server_keeps(client, cast, settings):
    settings.PHOTOS_PER_RECORD, settings.PHOTO_MAX_BYTES = 4, 5 * 2**20
    cast.login(client, "member")
    page = client.get(LOG).content.decode()
    assert "Up to 4 photos (JPEG, PNG or WebP, 5 MB each)" in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page


# --- photos stored before: the command ------------------------------------------------------------


def _stored_before(cast, content: bytes, name="legacy.jpg") -> RecordPhoto:
    """A photo as the app stored it before: the uploaded bytes as they came, no sizes."""
    record = log(cast, [])
    photo = RecordPhoto(record=record)
    photo.image.save(name, ContentFile(content), save=False)
    photo.save()
    return photo


def test_photos_stored_before_are_served_without_exif_until_processed(client, cast):
    photo = _stored_before(cast, picture((2000, 1000), exif=True))
    cast.login(client, "member")
    served = body(client.get(photo_url(photo.record)))
    assert opened(served).size == (640, 1280) and not has_gps(served)
    assert not RecordPhoto.objects.get(pk=photo.pk).phone  # made in memory, nothing written


def test_the_command_strips_and_resizes_photos_stored_before_once(cast, django_capture_on_commit_callbacks):
    photo = _stored_before(cast, picture((2000, 1000), exif=True))
    broken = _stored_before(cast, b"not a photo", "old.heic")
    done = log(cast, [upload("new.jpg", picture())]).photos.get()
    old_name, storage = photo.image.name, photo.image.storage
    out, err = StringIO(), StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("process_record_photos", stdout=out, stderr=err)
    assert "Processed 1 photo(s); 1 could not be read." in out.getvalue()
    assert f"{broken.image.name} (format)" in err.getvalue()
    photo.refresh_from_db()
    assert photo.phone and photo.thumb and not storage.exists(old_name)
    original = photo.image.read()
    assert opened(original).size == (1000, 2000) and not has_gps(original)
    assert opened(photo.phone.read()).size == (640, 1280)
    assert AuditEvent.objects.filter(action="service.photo_processed").count() == 1
    unchanged = RecordPhoto.objects.get(pk=done.pk)
    assert (unchanged.image.name, unchanged.phone.name) == (done.image.name, done.phone.name)
    # again: nothing to do, nothing changes
    out = StringIO()
    call_command("process_record_photos", stdout=out, stderr=StringIO())
    assert "Processed 0 photo(s); 1 could not be read." in out.getvalue()
    assert RecordPhoto.objects.get(pk=photo.pk).image.name == photo.image.name


def _gif() -> bytes:
    from io import BytesIO

    out = BytesIO()
    Image.new("RGB", (10, 10), "green").save(out, "GIF")
    return out.getvalue()


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels in a few bytes: a decompression bomb's header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )
