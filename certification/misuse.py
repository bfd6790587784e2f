"""Count badges shown on foreign sites without a database write per request.

With Redis as the cache, one HINCRBY per foreign request into a hash; without
it (demo), a counter in process memory. A periodic task drains the counts into
`BadgeMisuse` rows that administrators read.
"""

from __future__ import annotations

import threading
from collections import Counter
from urllib.parse import urlsplit

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from certification.models import BadgeMisuse, Shop

HASH_KEY = "trustmark:badge-misuse"
_memory: Counter[str] = Counter()
_memory_lock = threading.Lock()


def _redis():  # type: ignore[no-untyped-def]
    backend = getattr(cache, "_cache", None)
    get_client = getattr(backend, "get_client", None)
    return get_client(HASH_KEY, write=True) if get_client else None


def foreign_host(referer: str, own_domains: list[str], site_host: str) -> str | None:
    """The Referer's host when it is neither one of the shop's domains nor ours."""
    if not referer:
        return None
    try:
        host = (urlsplit(referer).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host or len(host) > 253 or host == site_host:
        return None
    for domain in own_domains:
        if host == domain or host.endswith("." + domain):
            return None
    return host


def record(shop_id: int, host: str) -> None:
    field = f"{shop_id}|{host}"
    client = _redis()
    if client is not None:
        client.hincrby(HASH_KEY, field, 1)
        return
    with _memory_lock:
        _memory[field] += 1


def drain() -> dict[str, int]:
    """Take the counts gathered so far, atomically, leaving an empty counter."""
    client = _redis()
    if client is not None:
        pipe = client.pipeline(transaction=True)
        pipe.hgetall(HASH_KEY)
        pipe.delete(HASH_KEY)
        raw, _deleted = pipe.execute()
        return {k.decode(): int(v) for k, v in raw.items()}
    with _memory_lock:
        counts = dict(_memory)
        _memory.clear()
    return counts


def flush() -> int:
    """Add drained counts to the BadgeMisuse rows; returns the number of hosts touched."""
    counts = drain()
    now = timezone.now()
    touched = 0
    with transaction.atomic():
        for field, count in sorted(counts.items()):
            shop_id_text, _sep, host = field.partition("|")
            if not shop_id_text.isdigit() or not Shop.objects.filter(pk=shop_id_text).exists():
                continue
            updated = BadgeMisuse.objects.filter(shop_id=int(shop_id_text), host=host).update(
                count=F("count") + count, last_seen=now
            )
            if not updated:
                BadgeMisuse.objects.create(
                    shop_id=int(shop_id_text), host=host, count=count, first_seen=now, last_seen=now
                )
            touched += 1
    return touched
