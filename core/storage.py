"""The boundary to the file store: a refused write (read-only, full, gone) becomes a
clear, translated refusal instead of a 500, and the caller's transaction rolls back."""

from __future__ import annotations

import logging
from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

from core.errors import DomainError

logger = logging.getLogger(__name__)


class StorageUnavailable(DomainError):
    """The file store refused to keep a file; nothing was saved and the person may retry.

    503, not 4xx: the request was good, the server could not keep it for now.
    """

    status_code = 503

    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(
            _(
                "Our file storage is not accepting files right now, so nothing was saved. "
                "Please try again in a few minutes."
            ),
            field=field,
            code="storage_unavailable",
        )


def save_file(file: FieldFile, name: str, content: Any, *, field: str | None = None) -> None:
    """Write `content` through the field's storage (not the row: the caller saves it).

    On OSError the field keeps its old name, so a row saved afterwards cannot point at a
    file that was never written; raising lets the caller's transaction roll back.
    """
    try:
        file.save(name, content, save=False)
    except OSError as exc:
        logger.error("storage refused %s: %s", name, exc)
        raise StorageUnavailable(field=field) from exc


def delete_quietly(file: FieldFile) -> None:
    """Remove a file whose row will not be kept; a failure leaves an orphan, never a 500."""
    try:
        file.storage.delete(file.name)
    except OSError:
        logger.warning("could not remove %s after a refused write", file.name, exc_info=True)
