"""X-5 performance: the Redis cache makes one client per connection pool and reuses it (Django makes one per call)."""

from __future__ import annotations

import socket
import threading

import pytest

from profmaster.core.cache import RedisCache


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_x5_redis_cache_reuses_one_client_per_pool_across_threads():
    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": "pm-test-cache-reuse"})
    try:
        cache.set("ключ", {"значение": "ё"}, 30)
        clients = []

        def read() -> None:
            assert cache.get("ключ") == {"значение": "ё"}
            clients.append(cache._cache.get_client("ключ"))

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len({id(c) for c in clients}) == 1
        assert cache._cache.get_client(write=True) is clients[0]  # one server: reads and writes share the pool
        assert cache.get("missing-key", "по умолчанию") == "по умолчанию"
    finally:
        cache.delete("ключ")
