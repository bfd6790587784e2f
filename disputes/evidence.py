"""Attachments on case messages: checked before anything is stored, kept outside the web root."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.storage import StorageUnavailable, delete_quietly, save_file
from core.uploads import check_upload, stored_content
from disputes.models import Attachment, Message


def check_files(files: Sequence[UploadedFile]) -> None:
    """Every file is of an accepted type within the size limit, and there are not too many."""
    if len(files) > settings.CLAIM_ATTACHMENTS_PER_POST:
        raise DomainError(
            _("At most %(n)s files per message.") % {"n": settings.CLAIM_ATTACHMENTS_PER_POST},
            field="files",
        )
    for upload in files:
        check_upload(upload, max_bytes=settings.CLAIM_ATTACHMENT_MAX_BYTES, field="files")


def attach(message: Message, files: Sequence[UploadedFile]) -> list[Attachment]:
    """Store the (already checked) files on the message, named by their real type.

    Called with the case locked, so the count per case cannot be passed by two posts at
    once. A refused write raises StorageUnavailable (the caller's transaction rolls back the
    message and its rows) after removing the files this call already wrote.
    """
    if not files:
        return []
    on_case = Attachment.objects.filter(message__claim_id=message.claim_id).count()
    if on_case + len(files) > settings.CLAIM_ATTACHMENTS_PER_CASE:
        raise DomainError(
            _("A case holds at most %(n)s files; %(left)s more can be added.")
            % {
                "n": settings.CLAIM_ATTACHMENTS_PER_CASE,
                "left": max(settings.CLAIM_ATTACHMENTS_PER_CASE - on_case, 0),
            },
            field="files",
        )
    stored: list[Attachment] = []
    try:
        for upload in files:
            stored.append(_store(message, upload))
    except StorageUnavailable:
        for attachment in stored:
            delete_quietly(attachment.file)
        raise
    return stored


def _store(message: Message, upload: UploadedFile) -> Attachment:
    kind = check_upload(upload, max_bytes=settings.CLAIM_ATTACHMENT_MAX_BYTES, field="files")
    extension, content_type = kind
    content = stored_content(upload, kind, field="files")
    digest = hashlib.sha256()
    for chunk in content.chunks():
        digest.update(chunk)
    content.seek(0)
    stem = get_valid_filename((upload.name or "evidence").rsplit(".", 1)[0])[:80] or "file"
    name = f"{stem}.{extension}"
    attachment = Attachment(
        message=message,
        name=name,
        content_type=content_type,
        size=content.size or 0,
        sha256=digest.hexdigest(),
    )
    save_file(attachment.file, name, content, field="files")
    attachment.save()
    return attachment
