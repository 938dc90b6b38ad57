"""The token shared through a real Redis, as in production (skipped when none is running, except
in CI, where a missing Redis is a failure)."""

import os
import threading

import pytest

from ticketui.caching.redis import RedisCache  # what CACHE_URL=redis://… configures
from ticketui.osm.iam import IamTokenProvider
from ticketui.sandbox.server import SandboxServer
from ticketui.sandbox.state import SandboxState

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache(redis_db_15_alone):  # no other test process empties it meanwhile
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": "ticketui-tests"})
    try:
        cache.clear()
    except Exception as exc:  # no Redis here
        message = f"Redis is not reachable at {REDIS_URL}: {type(exc).__name__}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    yield cache
    cache.clear()


def test_processes_sharing_redis_fetch_one_token_between_them(redis_cache):
    server = SandboxServer(SandboxState.seeded(2)).start()
    # Each provider has its own Redis connection, as separate processes would.
    providers = [
        IamTokenProvider(
            endpoint=server.url,
            domain="sandbox-account",
            user="sandbox-agent",
            password="sandbox-password",
            cache=RedisCache(REDIS_URL, {"KEY_PREFIX": "ticketui-tests"}),
        )
        for _ in range(6)
    ]
    tokens: list[str] = []
    threads = [threading.Thread(target=lambda p=p: tokens.append(p.token())) for p in providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.stop()

    assert len(tokens) == 6
    assert len(set(tokens)) == 1
    assert server.state.token_issues == 1
