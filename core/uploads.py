"""Uploaded evidence: PDF, PNG, JPEG, WebP or plain text, checked by its content (never its
name or the client's type), size-limited; pictures are decoded and re-encoded so that
nothing rides along (EXIF with GPS, comments, a second format appended); served back only
as a download, never rendered inline."""

from __future__ import annotations

import io
import re

from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import DomainError

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"%PDF-": ("pdf", "application/pdf"),
}
WEBP = ("webp", "image/webp")
TEXT = ("txt", "text/plain")
CONTENT_TYPES = {**dict(SIGNATURES.values()), WEBP[0]: WEBP[1], TEXT[0]: TEXT[1]}
# The `accept` attribute of upload inputs: a hint to the browser's file picker only.
ACCEPT = ",".join(sorted({f".{ext}" for ext in CONTENT_TYPES} | {".jpeg", *CONTENT_TYPES.values()}))
PICTURES = {"png": "PNG", "jpg": "JPEG", "webp": "WEBP"}  # extension -> Pillow format
MAX_PIXELS = 40_000_000  # checked before decoding: a small file cannot become a huge image

# PDF names that run code or open other things when a viewer opens the file.
ACTIVE_PDF_NAMES = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/richmedia")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")
# Control characters that plain text does not hold (tab, newlines and form feed it may).
_NOT_TEXT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a binary format from the first bytes, or None."""
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


def is_plain_text(data: bytes) -> bool:
    """UTF-8 without control characters, and not markup (HTML, SVG or XML start with '<')."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not _NOT_TEXT.search(text) and not text.lstrip().startswith("<")


def check_upload(upload: UploadedFile, *, max_bytes: int, field: str) -> tuple[str, str]:
    """The file's real (extension, content type), or a DomainError naming the problem."""
    if upload.size is None or upload.size == 0:
        raise DomainError(_("The file is empty."), field=field)
    if upload.size > max_bytes:
        raise DomainError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": max_bytes // (1024 * 1024)},
            field=field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None and is_plain_text(_whole(upload)):
        kind = TEXT
    if kind is None:
        raise DomainError(
            _("Only PDF, PNG, JPEG, WebP or plain text files are accepted."), field=field
        )
    if kind[0] == "pdf" and has_active_content(upload):
        raise DomainError(
            _("PDF files with scripts or embedded files are not accepted."), field=field
        )
    return kind


def _whole(upload: UploadedFile) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def decode_picture(upload: File, *, field: str) -> Image.Image:
    """The picture fully decoded, upright, or a DomainError if Pillow cannot read all of it."""
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise DomainError(_("This picture is too large."), field=field)
            probe.load()
            return ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise DomainError(_("This file is not a readable picture."), field=field) from exc
    finally:
        upload.seek(0)


def stored_content(upload: UploadedFile, kind: tuple[str, str], *, field: str) -> File:
    """What is stored for a checked upload: pictures re-encoded in their own format (pixels
    only: no metadata, nothing appended), any other file as it came."""
    extension, _content_type = kind
    if extension not in PICTURES:
        return upload
    picture = decode_picture(upload, field=field)
    if picture.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        picture = picture.convert("RGBA" if "A" in picture.getbands() else "RGB")
    if extension == "jpg" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    # Pillow writes some of what it read back out (a JPEG comment, an ICC profile): keep only
    # what the pixels need.
    picture.info = {k: v for k, v in picture.info.items() if k == "transparency"}
    out = io.BytesIO()
    picture.save(out, format=PICTURES[extension])
    return ContentFile(out.getvalue())


def has_active_content(upload: UploadedFile) -> bool:
    """Whether a PDF names JavaScript, launch actions or embedded files (#xx escapes undone)."""
    upload.seek(0)
    data = _PDF_NAME_ESCAPE.sub(lambda match: bytes.fromhex(match[1].decode()), upload.read())
    upload.seek(0)
    lowered = data.lower()
    return any(re.search(re.escape(name) + rb"(?![a-z0-9])", lowered) for name in ACTIVE_PDF_NAMES)


def download(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """The file as an attachment that browsers neither sniff nor cache."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
