"""A Redis cache that fails open: when Redis is down, reads miss and writes are dropped.

The portal caches only what it can recompute (key phrases, API throttle counts), so a cache
outage should cost speed, never a page. After an error the cache is skipped for PAUSE seconds,
so an unreachable Redis costs one short timeout now and then, not one per call. /healthz pings
Redis itself (insights/health.py) and still reports the outage.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

ERRORS = (RedisError, OSError)
PAUSE = 5.0


class FailOpenRedisCache(RedisCache):
    _paused_until = 0.0  # per process (class attribute shared by the cache's per-thread copies)

    def _try(self, operation: str, call, fallback):
        if time.monotonic() < FailOpenRedisCache._paused_until:
            return fallback
        try:
            return call()
        except ERRORS as error:
            FailOpenRedisCache._paused_until = time.monotonic() + PAUSE
            logger.warning(
                "cache unavailable (%s: %s); treated as a miss for %ss",
                operation,
                error.__class__.__name__,
                PAUSE,
            )
            return fallback

    def get(self, key, default=None, version=None):
        return self._try(
            "get", lambda: super(FailOpenRedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys, version=None):
        return self._try(
            "get_many", lambda: super(FailOpenRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key, version=None):
        return self._try(
            "has_key", lambda: super(FailOpenRedisCache, self).has_key(key, version), False
        )

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try(
            "set", lambda: super(FailOpenRedisCache, self).set(key, value, timeout, version), None
        )

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(
            "set_many",
            lambda: super(FailOpenRedisCache, self).set_many(data, timeout, version),
            list(data),
        )  # the keys not stored

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(
            "add", lambda: super(FailOpenRedisCache, self).add(key, value, timeout, version), False
        )

    def incr(self, key, delta=1, version=None):
        # As if the count started now: a limit kept in the cache lets requests through while
        # Redis is away rather than refusing everyone.
        return self._try(
            "incr", lambda: super(FailOpenRedisCache, self).incr(key, delta, version), delta
        )

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(
            "touch", lambda: super(FailOpenRedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key, version=None):
        return self._try(
            "delete", lambda: super(FailOpenRedisCache, self).delete(key, version), False
        )

    def delete_many(self, keys, version=None):
        self._try(
            "delete_many", lambda: super(FailOpenRedisCache, self).delete_many(keys, version), None
        )

    def clear(self):
        return self._try("clear", lambda: super(FailOpenRedisCache, self).clear(), False)
