"""Fixed-window rate limits kept in the shared cache (Redis), so every worker counts together.

A limit is written "<count>/<seconds>" in settings.RATE_LIMITS, one per scope:
`api` counts per shop API key, `forms` per client IP on the public forms.
Over the limit, the caller answers 429 with Retry-After (the seconds left in
the window).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from core.errors import DomainError


class RateLimited(DomainError):
    """Too many requests in the current window; try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            ngettext(
                "Too many requests. Try again in %(seconds)s second.",
                "Too many requests. Try again in %(seconds)s seconds.",
                retry_after,
            )
            % {"seconds": retry_after},
            code="rate_limited",
        )
        self.retry_after = retry_after


def parse_limit(spec: str) -> tuple[int, int]:
    """ "120/60" -> (120 requests, 60 seconds)."""
    count, _sep, seconds = spec.partition("/")
    return int(count), int(seconds or 60)


def check(scope: str, ident: str) -> None:
    """Count one request for `ident` in `scope`; raise RateLimited once over the limit."""
    spec = settings.RATE_LIMITS.get(scope)
    if not spec:
        return
    limit, period = parse_limit(spec)
    now = time.time()
    window = int(now // period)
    count = _count(f"rl:{scope}:{ident}:{window}", period + 1)
    if count > limit:
        raise RateLimited(max(1, int((window + 1) * period - now + 0.999)))


def _count(key: str, timeout: int) -> int:
    """Add one to the counter under `key` and return it; on Redis in one round trip.

    INCR alone answers; only the request that started the window (count 1) sets
    its expiry, a second round trip once per window. Keys carry their window's
    number, so a counter whose expiry was never set (a process killed between the
    two) only lingers: it never counts again.
    """
    get_client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if get_client is not None:  # Django's Redis cache: the raw client, no pipeline to build
        full_key = cache.make_and_validate_key(key)
        client = get_client(full_key, write=True)
        count = int(client.incr(full_key))
        if count == 1:
            client.expire(full_key, timeout)
        return count
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: start the window again
        cache.add(key, 1, timeout=timeout)
        return 1


def client_ip(request: HttpRequest) -> str:
    """The client address; behind a proxy, the last hop it added (settings.TRUSTED_PROXY_HOPS)."""
    hops = settings.TRUSTED_PROXY_HOPS
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(parts) >= hops:
            return parts[-hops]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit_posts(scope: str = "forms") -> Callable[[Callable[..., HttpResponse]], Any]:
    """Rate-limit a public form's POSTs per client IP; GETs are never counted."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method == "POST":
                try:
                    check(scope, client_ip(request))
                except RateLimited as exc:
                    response = render(
                        request, "too_many_requests.html", {"error": exc.message}, status=429
                    )
                    response["Retry-After"] = str(exc.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
