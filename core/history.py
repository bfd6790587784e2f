"""The actor and reason of a change, written into django-pghistory's context.

Every service wraps its change in `acting(actor, action, note)`, so each
trigger-written event row carries who did it and why. pghistory merges nested
contexts into one row; a transaction that makes several changes (a request
that suspends two marks, the demo loader) would then show the last action on
every event. `acting` therefore opens a fresh context for each action, carrying
over the outer context's metadata (the request's URL, say).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pghistory
from pghistory import runtime


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
    context["note"] = note
    context.update(extra)
    parent = getattr(runtime._tracker, "value", None)
    if parent is None:
        with pghistory.context(**context):
            yield
        return
    runtime._tracker.value = runtime.Context(
        id=uuid.uuid4(), metadata={**parent.metadata, **context}
    )
    try:
        yield
    finally:
        runtime._tracker.value = parent
