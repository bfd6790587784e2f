"""Uploaded evidence: PNG, JPEG or PDF, checked by its content (never its name), size-limited;
served back only as a download, never rendered inline."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from core.errors import DomainError

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"%PDF-": ("pdf", "application/pdf"),
}
CONTENT_TYPES = dict(SIGNATURES.values())

# PDF names that run code or open other things when a viewer opens the file.
ACTIVE_PDF_NAMES = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/richmedia")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9a-fA-F]{2})")


def sniff(head: bytes) -> tuple[str, str] | None:
    """(extension, content type) from the first bytes, or None."""
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


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
    if kind is None:
        raise DomainError(_("Only PNG, JPEG or PDF files are accepted."), field=field)
    if kind[0] == "pdf" and has_active_content(upload):
        raise DomainError(
            _("PDF files with scripts or embedded files are not accepted."), field=field
        )
    return kind


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
