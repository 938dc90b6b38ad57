"""The client as the settings describe it, one per process and configuration."""

from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

from .auth import Authenticator, StaticToken
from .client import OsmClient
from .resilience import CircuitBreaker, RetryPolicy


def get_client() -> OsmClient:
    return _client_for(
        settings.OSM_ENDPOINT,
        settings.OSM_AUTH,
        settings.OSM_SITE,
        settings.OSM_LANGUAGE,
        settings.OSM_TIME_ZONE,
        settings.OSM_CONNECT_TIMEOUT,
        settings.OSM_READ_TIMEOUT,
        settings.OSM_TOKEN,
        settings.OSM_RETRY_ATTEMPTS,
        settings.OSM_RETRY_DEADLINE,
        settings.OSM_BREAKER_THRESHOLD,
        settings.OSM_BREAKER_COOLDOWN,
    )


@lru_cache(maxsize=4)
def _client_for(
    endpoint: str,
    auth_kind: str,
    site: int,
    language: str,
    time_zone: str,
    connect_timeout: float,
    read_timeout: float,
    token: str,
    retry_attempts: int,
    retry_deadline: float,
    breaker_threshold: int,
    breaker_cooldown: float,
) -> OsmClient:
    auth: Authenticator = StaticToken(token)
    return OsmClient(
        endpoint=endpoint,
        auth=auth,
        site=site,
        language=language,
        time_zone=time_zone,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retry=RetryPolicy(attempts=retry_attempts, deadline=retry_deadline),
        # The breaker's count lives in the shared cache, so every web node sees the outage.
        breaker=CircuitBreaker(store=cache, threshold=breaker_threshold, cooldown=breaker_cooldown),
    )
