"""Django's Redis cache with one redis-py client per connection pool, not one per call.

Django's RedisCacheClient builds a new `redis.Redis` object for every cache
operation, and each one fills its table of response callbacks afresh. On the
hottest paths (the API key lookup and the rate-limit counter of every shop API
request, the badge when this process's copy has expired) that was about a
twelfth of a registration's time. A client holds no connection of its own (it
borrows one from its pool for each command, and the pool is safe across threads
and opens new connections after a fork), so one client per pool serves them all.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
