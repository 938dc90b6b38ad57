"""IAM user tokens for OSM_AUTH=iam (osm-api.md §4): one token shared by every process through
Django's cache, renewed ahead of its end, fetched by one process at a time. Neither the password
nor the token is ever logged, recorded or shown."""

import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, NoReturn, Protocol

import requests

from .auth import AuthenticationError, AuthFailure
from .results import parse_time

logger = logging.getLogger(__name__)

TOKEN_PATH = "/v3/auth/tokens"
# A token whose end IAM did not state is assumed to last this long (IAM's are 24 h).
ASSUMED_LIFETIME_SECONDS = 3600.0
# While another process fetches, a token this close to its end is no longer handed out.
EXPIRY_MARGIN_SECONDS = 5.0
POLL_SECONDS = 0.05

# Messages for the agent (and, through the system check, the operator); tests import them.
IAM_REJECTED = (
    "The dashboard could not sign in to Huawei Cloud IAM: the IAM user name or password is "
    "wrong. Nothing was sent upstream. Ask the operator to check IAM_USER and IAM_PASSWORD."
)
IAM_LOCKED = (
    "The dashboard could not sign in to Huawei Cloud IAM: its IAM user is locked or disabled. "
    "Nothing was sent upstream. Ask the operator to unlock the user in the IAM console."
)
IAM_UNREACHABLE = (
    "The dashboard could not reach Huawei Cloud IAM to sign in (%(reason)s). Nothing was sent "
    "upstream; try again in a minute."
)
IAM_FAILED = (
    "Huawei Cloud IAM answered HTTP %(status)s without a usable token. Nothing was sent "
    "upstream; try again later or ask the operator to check the IAM settings."
)
IAM_BUSY = "another process is fetching the IAM token and did not finish in time"


class TokenCache(Protocol):
    """The part of Django's cache API the provider uses."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any, timeout: float | None = None) -> None: ...
    def add(self, key: str, value: Any, timeout: float | None = None) -> bool: ...
    def delete(self, key: str) -> Any: ...


class IamTokenProvider:
    """An Authenticator sending `X-Auth-Token` with an IAM user token."""

    secret_headers = frozenset({"X-Auth-Token"})

    def __init__(
        self,
        *,
        endpoint: str,
        domain: str,
        user: str,
        password: str,
        cache: TokenCache,
        project: str = "",
        renew_before: float = 3600.0,
        connect_timeout: float = 3.05,
        read_timeout: float = 10.0,
        failure_backoff: float = 30.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.domain = domain
        self.user = user
        self.project = project
        self._password = password
        self._cache = cache
        self.renew_before = renew_before
        self.timeout = (connect_timeout, read_timeout)
        self.failure_backoff = failure_backoff
        self.session = session or requests.Session()
        self.session.trust_env = False
        self._clock = clock
        # Every process configured for the same identity shares these keys. A failure is
        # remembered for these exact credentials: once the password is corrected, the new one is
        # tried at once instead of inheriting the old one's refusal.
        identity = "\n".join((self.endpoint, domain, user, project)).encode()
        base = f"ticketui:iam-token:{hashlib.sha256(identity).hexdigest()[:24]}"
        credentials = hashlib.sha256(identity + b"\n" + password.encode()).hexdigest()[:24]
        self._token_key, self._lock_key = base, f"{base}:lock"
        self._failure_key = f"{base}:failed:{credentials}"
        self._lock_seconds = connect_timeout + read_timeout + 5.0
        self._last_used = threading.local()

    def __repr__(self) -> str:
        return f"IamTokenProvider(user={self.user!r}, domain={self.domain!r}, password=<hidden>)"

    # --- The Authenticator protocol -----------------------------------------------------

    def headers(
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> dict[str, str]:
        token = self.token()
        self._last_used.token = token
        return {"X-Auth-Token": token}

    def invalidate(self) -> None:
        """The upstream refused the token this thread last sent: forget it, unless another
        process has already put a newer one in its place."""
        entry = self._cached()
        used = getattr(self._last_used, "token", None)
        if entry and (used is None or entry["token"] == used):
            self._cache.delete(self._token_key)

    # --- The token ----------------------------------------------------------------------

    def token(self) -> str:
        """A token that is not about to end: the shared one, or a fresh one."""
        entry = self._cached()
        if entry and self._clock() < entry["renew_at"]:
            return entry["token"]
        return self._renew(current=entry)

    def sign_in(self) -> str:
        """Sign in now, whatever is cached or remembered (the system check: a wrong password
        must show even while an earlier token is still valid). The new token is kept for the
        dashboard to use."""
        return self._fetch()

    def _cached(self) -> dict[str, Any] | None:
        entry = self._cache.get(self._token_key)
        if not isinstance(entry, dict) or self._clock() >= entry.get("expires_at", 0):
            return None
        return entry

    def _renew(self, *, current: dict[str, Any] | None) -> str:
        deadline = self._clock() + self._lock_seconds
        owner = uuid.uuid4().hex
        while True:
            failure = self._cache.get(self._failure_key)
            if isinstance(failure, dict):
                raise AuthenticationError(AuthFailure(failure["failure"]), **failure["fields"])
            if self._cache.add(self._lock_key, owner, timeout=self._lock_seconds):
                try:
                    entry = self._cached()
                    # Another process may have renewed it between our look and our lock.
                    if entry and self._clock() < entry["renew_at"]:
                        return entry["token"]
                    return self._fetch()
                finally:
                    if self._cache.get(self._lock_key) == owner:
                        self._cache.delete(self._lock_key)
            # Someone else is fetching. A token that is still valid serves meanwhile.
            if current and self._clock() < current["expires_at"] - EXPIRY_MARGIN_SECONDS:
                return current["token"]
            if self._clock() > deadline:
                raise AuthenticationError(
                    AuthFailure.UNREACHABLE, IAM_UNREACHABLE % {"reason": IAM_BUSY}
                )
            time.sleep(POLL_SECONDS)
            entry = self._cached()
            if entry and self._clock() < entry["renew_at"]:
                return entry["token"]

    def _fetch(self) -> str:
        started = self._clock()
        try:
            response = self.session.post(
                self.endpoint + TOKEN_PATH,
                data=json.dumps(self._request_body()).encode(),
                headers={"Content-Type": "application/json;charset=UTF-8"},
                timeout=self.timeout,
                allow_redirects=False,
                verify=True,
            )
        except requests.exceptions.RequestException as exc:
            self._fail(
                AuthFailure.UNREACHABLE,
                IAM_UNREACHABLE % {"reason": _transport_reason(exc)},
                said=type(exc).__name__,
            )
        token = response.headers.get("X-Subject-Token", "")
        data = _json(response)
        if response.status_code in (200, 201) and token:
            return self._store(token, data, started)
        said = self._said(response.status_code, data)
        if response.status_code == 401:
            locked = "lock" in said.lower() or "disabled" in said.lower()
            failure = AuthFailure.LOCKED if locked else AuthFailure.REJECTED
            self._fail(failure, IAM_LOCKED if locked else IAM_REJECTED, response.status_code, said)
        if response.status_code == 403:
            self._fail(AuthFailure.LOCKED, IAM_LOCKED, response.status_code, said)
        self._fail(
            AuthFailure.FAILED,
            IAM_FAILED % {"status": response.status_code},
            response.status_code,
            said or "no token in the answer",
        )

    def _store(self, token: str, data: Any, started: float) -> str:
        token_data = data.get("token") if isinstance(data, dict) else None
        expires = parse_time(token_data.get("expires_at")) if isinstance(token_data, dict) else None
        if expires is None:
            logger.warning(
                "IAM gave no readable token end; assuming %.0f s", ASSUMED_LIFETIME_SECONDS
            )
            expires_at = started + ASSUMED_LIFETIME_SECONDS
        else:
            expires_at = expires.timestamp()
        lifetime = max(expires_at - started, 0.0)
        entry = {
            "token": token,
            "expires_at": expires_at,
            "renew_at": expires_at - min(self.renew_before, lifetime / 4),
        }
        self._cache.set(self._token_key, entry, timeout=max(expires_at - self._clock(), 1.0))
        self._cache.delete(self._failure_key)
        logger.info(
            "IAM token fetched for user %s of %s; valid until %s",
            self.user,
            self.domain,
            datetime.fromtimestamp(expires_at, UTC).isoformat(timespec="seconds"),
        )
        return token

    def _fail(
        self, failure: AuthFailure, message: str, http_status: int | None = None, said: str = ""
    ) -> NoReturn:
        said = said.replace(self._password, "<hidden>") if self._password else said
        fields = {"message": message, "http_status": http_status, "said": said}
        # Remembered briefly so that other requests and processes do not hammer IAM (and, with a
        # wrong password, do not get the user locked).
        self._cache.set(
            self._failure_key,
            {"failure": failure.value, "fields": fields},
            timeout=self.failure_backoff,
        )
        logger.warning("IAM sign-in for user %s failed: %s (%s)", self.user, failure.name, said)
        raise AuthenticationError(failure, **fields)

    def _request_body(self) -> dict[str, Any]:
        scope = (
            {"project": {"name": self.project}}
            if self.project
            else {"domain": {"name": self.domain}}
        )
        return {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "domain": {"name": self.domain},
                            "name": self.user,
                            "password": self._password,
                        }
                    },
                },
                "scope": scope,
            }
        }

    @staticmethod
    def _said(status: int, data: Any) -> str:
        """IAM's own words, from either of its error shapes."""
        error = data.get("error") if isinstance(data, dict) else None
        source = error if isinstance(error, dict) else data if isinstance(data, dict) else {}
        code = str(source.get("error_code") or source.get("code") or "")
        code = "" if code == str(status) else code
        message = source.get("error_msg") or source.get("message") or ""
        return f"HTTP {status} {code} {message}".strip()[:500]


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _transport_reason(exc: requests.exceptions.RequestException) -> str:
    if isinstance(exc, requests.exceptions.Timeout):
        return "it did not answer in time"
    if isinstance(exc, requests.exceptions.SSLError):
        return "the TLS handshake failed"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "no connection"
    return type(exc).__name__
