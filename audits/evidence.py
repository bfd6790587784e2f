"""Evidence uploads: PNG, JPEG or PDF, size-limited, checked by content before storing."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import DomainError

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": ("png", "image/png"),
    b"\xff\xd8\xff": ("jpg", "image/jpeg"),
    b"%PDF-": ("pdf", "application/pdf"),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, kind in SIGNATURES.items():
        if head.startswith(magic):
            return kind
    return None


def check_evidence(upload: UploadedFile) -> str:
    """The file's real type ('png', 'jpg' or 'pdf'), or a DomainError naming the problem."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise DomainError(
            _("The file is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)},
            field="evidence_file",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise DomainError(
            _("Only PNG, JPEG or PDF files are accepted as evidence."), field="evidence_file"
        )
    return kind[0]
