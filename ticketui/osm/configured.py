"""The client as the settings describe it, one per process and configuration."""

from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django_guid import get_guid

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
        _iam_settings(),
        _aksk_settings(),
    )


def _iam_settings() -> tuple[str, str, str, str, str, int]:
    return (
        settings.IAM_ENDPOINT,
        settings.IAM_DOMAIN,
        settings.IAM_USER,
        settings.IAM_PASSWORD,
        settings.IAM_PROJECT,
        settings.IAM_RENEW_BEFORE,
    )


def _aksk_settings() -> tuple[str, str, str]:
    return (
        settings.OSM_AK,
        settings.OSM_SK,
        settings.OSM_DOMAIN_ID,
    )


def _authenticator(
    auth_kind: str,
    token: str,
    iam: tuple[str, str, str, str, str, int],
    aksk: tuple[str, str, str],
    connect_timeout: float,
    read_timeout: float,
) -> Authenticator:
    if auth_kind == "iam":
        from .iam import IamTokenProvider

        endpoint, domain, user, password, project, renew_before = iam
        return IamTokenProvider(
            endpoint=endpoint,
            domain=domain,
            user=user,
            password=password,
            project=project,
            renew_before=renew_before,
            cache=cache,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
    if auth_kind == "aksk":
        from .signing import AkSkSigner

        ak, sk, domain_id = aksk
        return AkSkSigner(ak=ak, sk=sk, domain_id=domain_id)
    return StaticToken(token)


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
    retry_attempts: int = 1,
    retry_deadline: float = 5.0,
    breaker_threshold: int = 5,
    breaker_cooldown: float = 30.0,
    iam: tuple[str, str, str, str, str, int] = ("", "", "", "", "", 3600),
    aksk: tuple[str, str, str] = ("", "", ""),
) -> OsmClient:
    auth = _authenticator(auth_kind, token, iam, aksk, connect_timeout, read_timeout)
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
        breaker=CircuitBreaker(
            store=cache,
            threshold=breaker_threshold,
            cooldown=breaker_cooldown,
            # The probe's gate outlasts the longest a probing call can take.
            probe_timeout=retry_deadline + connect_timeout + read_timeout + 5.0,
        ),
        request_id=get_guid,
    )
