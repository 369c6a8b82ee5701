"""A small Django cache backend on python3-redis (Django 3.2 has none built in)."""

import pickle

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


class RedisCache(BaseCache):
    def __init__(self, location, params):
        super().__init__(params)
        self._client = redis.Redis.from_url(location)

    def _ttl(self, timeout):
        timeout = self.get_backend_timeout(timeout)
        return None if timeout is None else max(1, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        return bool(self._client.set(key, pickle.dumps(value), ex=self._ttl(timeout), nx=True))

    def get(self, key, default=None, version=None):
        raw = self._client.get(self.make_key(key, version=version))
        return default if raw is None else pickle.loads(raw)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        self._client.set(key, pickle.dumps(value), ex=self._ttl(timeout))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_key(key, version=version)
        ttl = self._ttl(timeout)
        return bool(self._client.persist(key) if ttl is None else self._client.expire(key, ttl))

    def delete(self, key, version=None):
        return bool(self._client.delete(self.make_key(key, version=version)))

    def has_key(self, key, version=None):
        return bool(self._client.exists(self.make_key(key, version=version)))

    def clear(self):
        # Only this cache's keys: the app's user may not FLUSHDB (hoist's Redis ACL).
        for key in self._client.scan_iter(match=self.make_key("*")):
            self._client.delete(key)
