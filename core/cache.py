"""Two-level cache for hot, rarely changing facts: the shared cache (Redis) and a per-process copy.

The shared cache is the truth and is invalidated (`forget`) after every commit
that changes what a payload says. The per-process copy (`local`) saves the
round trip on the hottest paths and lives at most PUBLIC_LOCAL_CACHE_SECONDS
(1 s by default): a change made in this process clears it at once, other
processes see the change within that time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache


class LocalCache:
    """A per-process copy of hot payloads, kept at most `ttl` seconds."""

    def __init__(self, ttl: float, max_entries: int = 50_000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return None
        return entry[1]

    def set(self, key: str, value: Any) -> None:
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.ttl, value)

    def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    def clear(self) -> None:
        self._entries.clear()


local = LocalCache(ttl=settings.PUBLIC_LOCAL_CACHE_SECONDS)


def cached(key: str, build: Callable[[], Any], ttl_for: Callable[[Any], float]) -> Any:
    """The payload under `key`: from this process, else the shared cache, else `build()`.

    `build` must not return None (cache a sentinel for "there is nothing").
    """
    payload = local.get(key)
    if payload is None:
        payload = cache.get(key)
        if payload is None:
            payload = build()
            cache.set(key, payload, ttl_for(payload))
        local.set(key, payload)
    return payload


def forget(*keys: str) -> None:
    """Drop the keys from the shared cache and this process's copy (call it on commit)."""
    if keys:
        cache.delete_many(keys)
        local.delete(*keys)
