"""Printing check-in documents: HTML templates rendered to PDF by WeasyPrint, with a QR code.

Chinese needs a CJK font: Noto Sans SC comes from the npm registry (@expo-google-fonts/noto-sans-sc)
and the Makefile's assets step copies it to fonts/ (settings.PDF_FONT_DIR). WeasyPrint embeds only the glyphs
a document uses, so a certificate stays small. Without the font files the documents fall back to an
installed CJK font (WenQuanYi Micro Hei in the Debian image).
"""

from __future__ import annotations

import base64
from datetime import date

import qrcode
import qrcode.image.svg

# The rendering itself (fonts, the local-only fetcher) is shared with other documents: gongjian/pdf.py.
from gongjian.pdf import (
    FONT_FAMILY,
    FONT_FILES,
    font_face_css,
    font_paths,
    pdf_response,
    render_pdf,
    render_pdf_pages,
)

_font_paths = font_paths  # the name the check-in tests know
__all__ = [
    "FONT_FAMILY",
    "FONT_FILES",
    "chinese_date",
    "font_face_css",
    "pdf_response",
    "qr_data_uri",
    "render_pdf",
    "render_pdf_pages",
]


def qr_data_uri(payload: str) -> str:
    """The payload as a QR code: an SVG image in a data: URI (vector, so it prints sharp)."""
    qr = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    qr.add_data(payload)
    qr.make(fit=True)
    svg = qr.make_image().to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def chinese_date(day: date | None) -> str:
    """2026年11月22日: the date as official Chinese documents write it (whatever the UI language)."""
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日"
