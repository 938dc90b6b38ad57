"""Django's Redis cache, keeping one client per connection pool.

Django's own backend builds a new `redis.Redis` client for every cache call, and building one
(its table of reply handlers) costs three times the round trip to Redis itself. A client is
safe to share between threads (each command takes a connection from the pool), so this backend
keeps one per pool. Settings switch CACHE_URL=redis://… to it."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
