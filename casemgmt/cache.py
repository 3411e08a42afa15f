"""The Redis cache, keeping one client per connection pool.

Django's Redis client builds a new `redis.Redis` for every cache operation, and each one
fills its table of response callbacks (some 170 entries) before sending a byte. A page
makes four or five cache operations (session, permissions, second factor, rendered
sections), so that was a measurable share of a request. A `redis.Redis` is safe to share
between threads; its connections come from the pool as before.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # (django-stubs leave out the private helpers this builds on.)
        this: Any = self
        index = this._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = this._client(connection_pool=this._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
