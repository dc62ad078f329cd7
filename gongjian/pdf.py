"""PDF documents from HTML templates, rendered by WeasyPrint with the bundled CJK font.

Chinese needs a CJK font: Noto Sans SC comes from the npm registry (@expo-google-fonts/noto-sans-sc)
and the Makefile's assets step copies it to fonts/ (settings.PDF_FONT_DIR): outside static/, so
collectstatic neither compresses nor serves 20 MB no browser loads. WeasyPrint embeds only the glyphs
a document uses, so a document stays small. Without the font files the documents fall back to an
installed CJK font (WenQuanYi Micro Hei in the Debian image). Documents load nothing from the network.
Used by check-in certificates (checkin/pdf.py) and printed activation codes (accounts/slips.py).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

# WeasyPrint is imported where a PDF is rendered: loading it costs about a second, which every
# process would otherwise pay on its first URL lookup.

log = logging.getLogger(__name__)

FONT_FAMILY = "Noto Sans SC"
FONT_FILES = {  # CSS font-weight → file under settings.PDF_FONT_DIR
    400: "NotoSansSC_400Regular.ttf",
    700: "NotoSansSC_700Bold.ttf",
}


@lru_cache(maxsize=1)
def font_paths() -> dict[int, Path]:
    found = {}
    folder = Path(settings.PDF_FONT_DIR)
    for weight, name in FONT_FILES.items():
        path = folder / name
        if path.is_file():
            found[weight] = path.resolve()
    if len(found) < len(FONT_FILES):
        log.warning("Noto Sans SC not found in %s (run `make assets`); using system fonts", folder)
    return found


def font_face_css() -> str:
    """@font-face rules for the bundled Noto Sans SC, as file:// URLs (empty when not installed)."""
    return "\n".join(
        f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; '
        f'src: url("{path.as_uri()}") format("truetype"); }}'
        for weight, path in sorted(font_paths().items())
    )


def _local_fetcher():
    """Documents may load only inline data (the QR code) and the bundled fonts: nothing from the network."""
    from weasyprint.urls import URLFetcher

    allowed = {path.as_uri() for path in font_paths().values()}

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:") or url.split("?")[0] in allowed:
                return super().fetch(url, headers)
            raise ValueError(f"not loaded in a document: {url[:80]}")

    return LocalFetcher(allowed_protocols={"data", "file"})


def render_pdf(template_name: str, context: dict, *, request=None) -> bytes:
    """Render a template to PDF bytes."""
    html = render_to_string(template_name, {**context, "font_face_css": font_face_css()}, request=request)
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML(string=html, base_url="/", url_fetcher=_local_fetcher()).write_pdf(
        font_config=FontConfiguration()
    )


def render_pdf_pages(template_name: str, contexts: list[dict], *, request=None) -> bytes:
    """One PDF of the template rendered once per context, one after the other (each starts on a new
    page), as ``render_pdf`` makes each; the font is embedded once. About half a second a page."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fonts, fetcher, css = FontConfiguration(), _local_fetcher(), font_face_css()
    documents = [
        HTML(
            string=render_to_string(template_name, {**context, "font_face_css": css}, request=request),
            base_url="/",
            url_fetcher=fetcher,
        ).render(font_config=fonts)
        for context in contexts
    ]
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """The PDF opened in the browser (inline), with a filename for saving; never cached by proxies."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename) or ""
    response["Cache-Control"] = "private, no-store"
    return response
