"""Evidence uploads on findings, up to EVIDENCE_MAX_BYTES, checked by content (core.uploads)."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile

from core.uploads import check_upload, stored_content


def check_evidence(upload: UploadedFile) -> tuple[str, File]:
    """The file's real extension and what to store (a picture re-encoded), or a DomainError
    naming the problem."""
    kind = check_upload(upload, max_bytes=settings.EVIDENCE_MAX_BYTES, field="evidence_file")
    return kind[0], stored_content(upload, kind, field="evidence_file")
