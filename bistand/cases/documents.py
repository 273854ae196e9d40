"""What an uploaded document really is, decided by parsing it, and how it is served.

The first bytes say little: a file that starts with %PDF and carries HTML after it was stored
and served inline. A PDF must open with pypdf and have pages, with no markup right after its
header; an image must decode with Pillow as JPEG or PNG within a pixel limit. The stored
content type is the parsed one, never the client's, and downloads are attachments.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from urllib.parse import quote

from django.http import FileResponse

from bistand.core.errors import DomainError

log = logging.getLogger(__name__)

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
# A scanned A4 page at 600 dpi is about 35 million pixels; a phone photo up to 50.
MAX_IMAGE_PIXELS = 60_000_000
# Markup a browser would render; looked for in the first kilobytes after the PDF header.
_MARKUP = re.compile(rb"<\s*(html|script|body|head|iframe|svg|!doctype)\b", re.IGNORECASE)
_MARKUP_WINDOW = 4096
_REFUSED = "Endast PDF, JPEG och PNG kan läggas in."


def document_type(uploaded_file) -> str:
    """The content type of the upload after parsing it, or DomainError in Swedish."""
    uploaded_file.seek(0)
    content = uploaded_file.read()
    uploaded_file.seek(0)
    if content.startswith(b"%PDF-"):
        _check_pdf(content)
        return PDF
    if content.startswith(b"\xff\xd8\xff") or content.startswith(b"\x89PNG\r\n\x1a\n"):
        return _check_image(content)
    raise DomainError("file_type", _REFUSED)


def _check_pdf(content: bytes) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if _MARKUP.search(content[:_MARKUP_WINDOW]):
        raise DomainError("file_type", "Filen är ingen riktig PDF (den innehåller HTML).")
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise DomainError("file_encrypted", "Lösenordsskyddade PDF-filer kan inte läggas in.")
        pages = len(reader.pages)
    except DomainError:
        raise
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, OSError):
        log.info("PDF refused: pypdf could not read it", exc_info=True)
        pages = 0
    except RecursionError:
        pages = 0
    if pages < 1:
        raise DomainError("file_type", "Filen går inte att öppna som PDF.")


def _check_image(content: bytes) -> str:
    from PIL import Image, UnidentifiedImageError

    formats = {"JPEG": JPEG, "PNG": PNG}
    try:
        with Image.open(io.BytesIO(content), formats=list(formats)) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise DomainError(
                    "image_too_large",
                    f"Bilden är för stor (högst {MAX_IMAGE_PIXELS // 1_000_000} miljoner pixlar).",
                )
            kind = formats[image.format]
            image.verify()
        with Image.open(io.BytesIO(content), formats=list(formats)) as image:
            image.load()  # verify() does not decode every format's pixels
    except DomainError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        KeyError,
        EOFError,
    ):
        raise DomainError("file_type", "Bilden går inte att öppna (ingen giltig JPEG eller PNG).")
    return kind


def safe_original_name(name: str) -> str:
    """The client's file name without path, control characters or NUL, at most 255 characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    return name.strip()[:255]


def ascii_filename(name: str, content_type: str) -> str:
    """A plain ASCII name for old clients: Swedish letters folded, anything odd an underscore,
    and the extension of the parsed type."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    folded = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    folded = re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._") or "handling"
    return folded[:100] + EXTENSIONS.get(content_type, "")


def attachment_response(document) -> FileResponse:
    """The stored file as a download: attachment, parsed content type, no sniffing."""
    name = safe_original_name(document.original_name) or "handling"
    fallback = ascii_filename(name, document.content_type)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    full_name = stem + EXTENSIONS.get(document.content_type, "")
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(full_name, safe='')}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
