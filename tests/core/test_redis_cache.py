"""core.redis_cache: one redis-py client per pool, shared by every operation and thread."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from core.redis_cache import RedisCache


@pytest.fixture
def redis_cache():
    location = settings.REDIS_URL or "redis://127.0.0.1:6379/15"
    backend = RedisCache(location, {"KEY_PREFIX": f"test-{secrets.token_hex(4)}"})
    yield backend
    backend.clear()


def test_every_operation_borrows_the_same_client(redis_cache):
    redis_cache.set("a", {"mark": "TM-1"}, 30)

    assert redis_cache.get("a") == {"mark": "TM-1"}
    assert redis_cache.add("n", 0, 30)
    assert redis_cache.incr("n") == 1
    clients = {id(redis_cache._cache.get_client(write=w)) for w in (True, False, True)}
    assert len(clients) == 1


def test_threads_share_the_client_and_every_count_lands(redis_cache):
    redis_cache.add("hits", 0, 30)
    seen: set[int] = set()

    def count() -> None:
        for _ in range(50):
            seen.add(id(redis_cache._cache.get_client(write=True)))
            redis_cache.incr("hits")

    with ThreadPoolExecutor(max_workers=8) as pool:
        for done in [pool.submit(count) for _ in range(8)]:
            done.result()

    assert redis_cache.get("hits") == 400
    assert len(seen) == 1
