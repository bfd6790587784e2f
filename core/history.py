"""The actor and reason of a change, written into django-pghistory's context.

Every service wraps its change in `acting(actor, action, note)`, so each
trigger-written event row carries who did it and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pghistory


@contextmanager
def acting(actor: Any | None, action: str, note: str = "", **extra: Any) -> Iterator[None]:
    """Attach the actor and the action to every history event written inside."""
    context: dict[str, Any] = {"action": action}
    if actor is not None:
        context["user"] = actor.pk
        context["user_email"] = getattr(actor, "email", "")
    else:
        context["user"] = None
        context["system"] = True
    if note:
        context["note"] = note
    context.update(extra)
    with pghistory.context(**context):
        yield
