"""Evidence uploads on findings: PNG, JPEG or PDF up to EVIDENCE_MAX_BYTES, checked by content."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from core.uploads import check_upload


def check_evidence(upload: UploadedFile) -> str:
    """The file's real type ('png', 'jpg' or 'pdf'), or a DomainError naming the problem."""
    extension, _content_type = check_upload(
        upload, max_bytes=settings.EVIDENCE_MAX_BYTES, field="evidence_file"
    )
    return extension
