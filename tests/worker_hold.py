"""Test-only: make a real worker stop at a named point of its work, so a test can kill it there.

tests/worker.py installs this in the worker subprocess (never in the product) when the
test asks for a hold. At the point the worker writes the marker file and sleeps; the
test waits for the marker and sends SIGKILL, so the kill lands at a known place:

- `document_file_written`: the PDF is in storage, its row not yet inserted, the
  transaction open (a VerificationDocument's pre_save);
- `email_before_handoff`: the message is rendered and locked, the email backend not yet
  given it (the file backend's send_messages);
- `email_after_handoff`: the backend has written the email, the row is not yet marked
  sent (an OutgoingMessage's pre_save with status sent).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django.db.models.signals import pre_save

HOLD = "TRUSTMARK_TEST_HOLD"
MARKER = "TRUSTMARK_TEST_HOLD_MARKER"


def hold() -> NoReturn:
    """Tell the test where we are, then wait to be killed."""
    Path(os.environ[MARKER]).write_text(str(os.getpid()))
    while True:
        time.sleep(60)


def _document_file_written(sender: Any, **kwargs: Any) -> None:
    hold()


def _email_after_handoff(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.status == "sent":
        hold()


class HoldingFileBackend(EmailBackend):
    """The file backend, stopping before it writes anything."""

    def send_messages(self, email_messages: Any) -> int:
        hold()


def _on_document() -> None:
    from certification.models import VerificationDocument

    pre_save.connect(_document_file_written, sender=VerificationDocument, weak=False)


def _on_email_before() -> None:
    settings.EMAIL_BACKEND = f"{__name__}.HoldingFileBackend"


def _on_email_after() -> None:
    from notifications.models import OutgoingMessage

    pre_save.connect(_email_after_handoff, sender=OutgoingMessage, weak=False)


POINTS: dict[str, Callable[[], None]] = {
    "document_file_written": _on_document,
    "email_before_handoff": _on_email_before,
    "email_after_handoff": _on_email_after,
}


def install() -> None:
    """Called by the worker bootstrap after django.setup(), when the test set HOLD."""
    point = os.environ.get(HOLD)
    if point:
        POINTS[point]()
