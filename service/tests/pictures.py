"""Photos for the tests, made with Pillow: real JPEG, PNG and WebP files, one with a phone's EXIF
(location, device, a turned camera), and the broken kinds the upload must refuse."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# 上海 人民广场, as a phone writes it
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 13.0, 58.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 31.0),
}


def picture(size=(40, 20), fmt="JPEG", *, exif: bool = False, mode="RGB") -> bytes:
    """A photo whose top-left quarter is blue on red, so a turn can be seen; with ``exif``, the
    camera's tags: orientation 6 (turn 90° clockwise to view), a make and a GPS position."""
    image = Image.new(mode, size, "red")
    image.paste(Image.new(mode, (size[0] // 2, size[1] // 2), "blue"), (0, 0))
    options = {}
    if exif:
        tags = Image.Exif()
        tags[ExifTags.Base.Orientation] = 6
        tags[ExifTags.Base.Make] = "Phone"
        tags[ExifTags.IFD.GPSInfo] = GPS
        options["exif"] = tags.tobytes()
    out = BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def has_gps(content: bytes) -> bool:
    image = Image.open(BytesIO(content))
    return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo)) or b"GPS" in content


def opened(content: bytes) -> Image.Image:
    return Image.open(BytesIO(content))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content
