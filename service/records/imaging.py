"""A service photo's pixels, through Pillow: checked by content (never by the name or type the browser
sent), turned upright, and stored without any metadata (EXIF carries where and when a phone took a
photo: a member's home, a beneficiary's). Each photo is kept in three sizes: ``phone`` (long edge 1280,
what pages and the API show by default), ``thumb`` (long edge 320, for lists) and ``original`` (every
pixel, for who asks for it by name). No rules here: service/records/checks.py says what is refused,
the actions store what this makes."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Literal, get_args

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

# The formats accepted, by Pillow's name, and the extension each is stored under.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
# Long edge in pixels of the resized copies (never enlarged); both are JPEG, light on a phone's data.
LONG_EDGES = {"phone": 1280, "thumb": 320}
PhotoSize = Literal["phone", "thumb", "original"]
SIZES: tuple[str, ...] = get_args(PhotoSize)
DEFAULT_SIZE: PhotoSize = "phone"


class UnreadablePhoto(Exception):
    """Why a file is not a photo this app keeps: ``format``, ``damaged`` or ``pixels`` (``.pixels`` says
    how many)."""

    def __init__(self, reason: str, pixels: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pixels = pixels


@dataclass(frozen=True)
class Rendition:
    content: bytes
    ext: str
    width: int
    height: int


_STRICT = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is imported (once a
    PDF has been rendered), and a cut-short photo would then load with grey where its end was: photos
    are read with it off, under a lock, and it is put back as it was."""
    with _STRICT:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def open_checked(file: IO[bytes], *, max_pixels: int) -> Image.Image:
    """The photo in ``file``, read to its last pixel, or ``UnreadablePhoto``: not JPEG, PNG or WebP by
    its content; damaged or cut short; or more pixels than ``max_pixels`` (looked at before any is
    decoded, so a decompression bomb never unpacks)."""
    try:
        with _strict_decoding(), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file, formats=list(FORMATS)) as probe:
                pixels = probe.width * probe.height
                if pixels > max_pixels:
                    raise UnreadablePhoto("pixels", pixels)
                probe.verify()  # checksums and structure, without decoding
            file.seek(0)
            image = Image.open(file, formats=list(FORMATS))
            image.load()  # every pixel: a truncated file fails here
    except UnreadablePhoto:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise UnreadablePhoto("pixels") from exc
    except UnidentifiedImageError as exc:
        raise UnreadablePhoto("format") from exc
    except Exception as exc:  # Pillow's decoders raise OSError, SyntaxError, struct.error, ValueError…
        raise UnreadablePhoto("damaged") from exc
    return image


def _upright_and_bare(image: Image.Image) -> Image.Image:
    """Turned as the camera's orientation tag says, in RGB (RGBA if it has transparency), with no
    metadata left: no EXIF (GPS, time, device), XMP, comments or text chunks."""
    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    bare = upright.convert("RGBA" if has_alpha else "RGB")
    bare.info = {}
    return bare


def _encode(image: Image.Image, pillow_format: str, icc_profile: bytes | None) -> bytes:
    out = BytesIO()
    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if pillow_format == "JPEG":
        if image.mode == "RGBA":  # JPEG has no transparency: over white
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        options.update(quality=85, optimize=True)
    elif pillow_format == "WEBP":
        options.update(quality=90)
    image.save(out, format=pillow_format, **options)
    return out.getvalue()


def renditions(image: Image.Image) -> dict[str, Rendition]:
    """The three sizes of a checked photo: ``original`` in its own format, ``phone`` and ``thumb`` as
    JPEG; all upright and without metadata (the colour profile is kept: it is not about anyone)."""
    pillow_format = image.format or "JPEG"
    icc_profile = image.info.get("icc_profile")
    bare = _upright_and_bare(image)
    made = {
        "original": Rendition(
            _encode(bare, pillow_format, icc_profile), FORMATS.get(pillow_format, "jpg"), *bare.size
        )
    }
    for size, edge in LONG_EDGES.items():
        small = bare.copy()
        small.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        made[size] = Rendition(_encode(small, "JPEG", icc_profile), "jpg", *small.size)
    return made
