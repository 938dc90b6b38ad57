"""The upstream client: the only code in ticketui that speaks HTTP to the OSM API.

Every call returns a CallResult (or, for reads, typed data or an UpstreamError). It never follows
redirects, ignores proxy variables, verifies TLS, bounds what it reads, and never retries a call
that may have reached the upstream.
"""

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import quote, urlencode

import requests
import urllib3

from .auth import Authenticator
from .cases import CaseCalls
from .conversation import ConversationCalls
from .labels import LabelCalls
from .observers import calls_notify
from .paths import case_path, wire_path
from .resilience import NO_RETRY, CircuitBreaker, RetryPolicy
from .results import (
    CASE_NOT_FOUND_CODE,
    CallResult,
    CaseNotFound,
    Outcome,
    PreparedCall,
    SatisfactionEntry,
    UpstreamError,
)

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # an answer larger than this is cut and recorded as truncated
RECORDED_BODY_CHARS = 16 * 1024  # how much of an answer the result keeps as raw text
# A body that trickles in never holds a worker longer than this, whatever the read timeout.
BODY_DEADLINE_SECONDS = 60.0


@dataclass(frozen=True, kw_only=True)
class CallContext:
    """Per-call header values: the agent's language and time zone, when they have them."""

    language: str | None = None
    time_zone: str | None = None


class OsmClient(CaseCalls, ConversationCalls, LabelCalls):
    def __init__(
        self,
        *,
        endpoint: str,
        auth: Authenticator,
        site: int = 0,
        language: str = "zh-cn",
        time_zone: str = "GMT+8",
        connect_timeout: float = 3.05,
        read_timeout: float = 15.0,
        session: requests.Session | None = None,
        retry: RetryPolicy = NO_RETRY,
        breaker: CircuitBreaker | None = None,
        request_id: Callable[[], str | None] | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.auth = auth
        self.site = site
        self.language = language
        self.time_zone = time_zone
        self.timeout = (connect_timeout, read_timeout)
        self.session = session or requests.Session()
        self.session.trust_env = False  # no proxies or .netrc from the environment
        self.retry = retry
        self.breaker = breaker
        # The id of the dashboard request on whose behalf a call is made, sent along so that
        # one id ties the dashboard's logs, the audit record and the upstream's side together.
        self.request_id = request_id

    # --- Operations ---------------------------------------------------------------------

    def prepare_action(
        self,
        *,
        case_id: str,
        action_id: str,
        operate_desc: str = "",
        judgement: str = "",
        group_id: str = "",
        satisfaction: Iterable[SatisfactionEntry] = (),
        context: CallContext | None = None,
    ) -> PreparedCall:
        """The ticket operation call (osm-api.md §1); unset body keys are omitted."""
        body: dict[str, Any] = {}
        if judgement:
            body["judgement"] = judgement
        if operate_desc:
            body["operate_desc"] = operate_desc
        if group_id:
            body["group_id"] = group_id
        entries = [entry.as_json() for entry in satisfaction]
        if entries:
            body["incident_satisfaction_list"] = entries
        path = f"{self._case_path(case_id)}/action?{urlencode({'action_id': action_id}, quote_via=quote)}"
        return self._prepare("POST", path, body, context)

    def prepare_score(
        self,
        *,
        case_id: str,
        judgement: str,
        satisfaction: Iterable[SatisfactionEntry],
        group_id: str = "",
        context: CallContext | None = None,
    ) -> PreparedCall:
        """The rating call (osm-api.md §2): judgement and the list are required by the upstream."""
        body: dict[str, Any] = {
            "judgement": judgement,
            "incident_satisfaction_list": [entry.as_json() for entry in satisfaction],
        }
        if group_id:
            body["group_id"] = group_id
        return self._prepare("POST", f"{self._case_path(case_id)}/score", body, context)

    def send(self, call: PreparedCall) -> CallResult:
        """Send a prepared call. It is repeated only when that is safe: after a failure known not
        to have reached the upstream (per the retry policy), and once after a 401 with renewed
        credentials (a 401 means the upstream did not execute it). While the breaker is open
        nothing is sent."""
        return self._with_policy(call, lambda: (self._send_once(call), None))[0]

    def _with_policy(
        self, call: PreparedCall, attempt: Callable[[], tuple[CallResult, "_Opened | None"]]
    ) -> tuple[CallResult, "_Opened | None"]:
        if self.breaker is not None and (wait := self.breaker.admit()):
            held = CallResult(
                call=call,
                outcome=Outcome.NOT_SENT,
                detail=f"Upstream unavailable after repeated failures; not sent (next try in {wait:.0f} s)",
            )
            calls_notify(held, sent=False)
            return held, None
        started = time.monotonic()
        delays = self.retry.delays()
        renewed = False
        while True:
            result, opened = attempt()
            if result.http_status == 401 and not renewed:
                renewed = True
                self.auth.invalidate()
                continue
            if result.outcome is Outcome.NOT_SENT:
                delay = next(delays, None)
                if delay is not None and time.monotonic() - started + delay < self.retry.deadline:
                    time.sleep(delay)
                    continue
            break
        if self.breaker is not None:
            self.breaker.record(result)
        return result, opened

    # --- Internals ----------------------------------------------------------------------

    @staticmethod
    def _case_path(case_id: str) -> str:
        return case_path(case_id)

    def _prepare(
        self, method: str, path: str, body: dict[str, Any] | None, context: CallContext | None
    ) -> PreparedCall:
        path = wire_path(self.endpoint, path)
        context = context or CallContext()
        headers = {
            "X-Site": str(self.site),
            "X-Language": context.language or self.language,
            "X-Time-Zone": context.time_zone or self.time_zone,
        }
        if self.request_id is not None and (request_id := self.request_id()):
            headers["X-Request-Id"] = request_id
        if body is not None:
            headers["Content-Type"] = "application/json"
        return PreparedCall(method=method, path=path, body=body, headers=headers)

    def _read(self, path: str, *, context: CallContext | None) -> Any:
        result = self.send(self._prepare("GET", path, None, context))
        if result.outcome is Outcome.REJECTED and result.error_code == CASE_NOT_FOUND_CODE:
            raise CaseNotFound(result)
        if not result.succeeded:
            raise UpstreamError(result)
        return result.data

    def _send_once(self, call: PreparedCall) -> CallResult:
        return self._exchange(call, keep_open=False)[0]

    def _exchange(
        self, call: PreparedCall, *, keep_open: bool
    ) -> tuple[CallResult, "_Opened | None"]:
        """One attempt. With `keep_open`, a 2xx answer that is not a JSON error is handed back
        unread (a download); anything else is read, bounded, and closed."""
        url = self.endpoint + call.path
        headers = dict(call.headers)
        data: Any
        if call.upload is not None:
            # Streamed multipart: the signer cannot hash bytes it never holds (signing.py).
            data = call.upload.encoder()
            headers["Content-Type"] = data.content_type
            signed_body: bytes | None = None
        else:
            payload = (
                b"" if call.body is None else json.dumps(call.body, ensure_ascii=False).encode()
            )
            data, signed_body = payload or None, payload
        headers.update(
            self.auth.headers(method=call.method, url=url, headers=headers, body=signed_body)
        )
        started = time.monotonic()

        def finish(**fields: Any) -> CallResult:
            duration_ms = (time.monotonic() - started) * 1000
            result = CallResult(call=call, duration_ms=round(duration_ms, 2), **fields)
            logger.info(
                "osm %s %s -> %s %s %s (%.0f ms)",
                call.method,
                call.path.split("?", 1)[0],
                result.outcome,
                result.http_status or "-",
                result.error_code or "",
                duration_ms,
            )
            calls_notify(result, sent=True)
            return result

        def failed(**fields: Any) -> tuple[CallResult, None]:
            return finish(**fields), None

        try:
            response = self.session.request(
                call.method,
                url,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
                verify=True,
            )
        except requests.exceptions.ConnectTimeout:
            return failed(outcome=Outcome.NOT_SENT, detail="Timed out connecting to the upstream")
        except requests.exceptions.ReadTimeout:
            return failed(outcome=Outcome.UNKNOWN, detail="The upstream did not answer in time")
        except requests.exceptions.SSLError:
            return failed(outcome=Outcome.NOT_SENT, detail="TLS handshake with the upstream failed")
        except requests.exceptions.ConnectionError as exc:
            if _never_connected(exc):
                return failed(outcome=Outcome.NOT_SENT, detail="Could not connect to the upstream")
            return failed(outcome=Outcome.UNKNOWN, detail="The connection dropped before an answer")
        except requests.exceptions.RequestException as exc:
            return failed(
                outcome=Outcome.NOT_SENT, detail=f"Request not sent: {type(exc).__name__}"
            )

        status = response.status_code
        request_id = response.headers.get("X-Request-Id", "")
        prefix = b""
        if keep_open and 200 <= status < 300:
            if "json" not in response.headers.get("Content-Type", "").lower():
                return finish(
                    outcome=Outcome.SUCCEEDED, http_status=status, request_id=request_id
                ), _Opened(response, b"")
            # A JSON answer may be an error; if it is not, it is the file itself.
            try:
                prefix, truncated = _read_bounded(response, keep=True)
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
                response.close()
                return failed(
                    outcome=Outcome.UNKNOWN,
                    http_status=status,
                    request_id=request_id,
                    detail="The answer broke off before it was complete",
                )
            error_code, error_msg = _error_fields(None if truncated else _json_or_none(prefix))
            if not error_code:
                return finish(
                    outcome=Outcome.SUCCEEDED, http_status=status, request_id=request_id
                ), _Opened(response, prefix)
        try:
            raw, truncated = (prefix[:MAX_BODY_BYTES], False) if prefix else _read_bounded(response)
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
            response.close()
            return failed(
                outcome=Outcome.UNKNOWN,
                http_status=status,
                request_id=request_id,
                detail="The answer broke off before it was complete",
            )
        response.close()
        text = raw.decode("utf-8", errors="replace")
        data = None
        if not truncated:
            try:
                data = json.loads(text) if text.strip() else {}
            except ValueError:
                data = None
        error_code, error_msg = _error_fields(data)
        if 200 <= status < 300 and data is not None and not error_code:
            outcome = Outcome.SUCCEEDED
        elif 200 <= status < 300 and error_code:
            outcome = Outcome.REJECTED
        elif 200 <= status < 300:
            # 2xx that is not JSON: we cannot tell whether the operation happened.
            outcome = Outcome.UNKNOWN
        else:
            outcome = Outcome.HTTP_ERROR
        detail = ""
        if 300 <= status < 400:
            detail = "The upstream answered with a redirect, which is never followed"
        elif outcome is Outcome.UNKNOWN:
            detail = (
                "The upstream's answer was not JSON"
                if not truncated
                else "The answer was too large"
            )
        return failed(
            outcome=outcome,
            http_status=status,
            error_code=error_code,
            error_msg=error_msg,
            raw_body=text[:RECORDED_BODY_CHARS],
            body_truncated=truncated or len(text) > RECORDED_BODY_CHARS,
            request_id=request_id,
            detail=detail,
            data=data,
        )


class _Opened(NamedTuple):
    """A download's live answer, and what of its body was already read to check for an error."""

    response: requests.Response
    prefix: bytes


def _json_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8")) if raw.strip() else None
    except ValueError:
        return None


def _read_bounded(response: requests.Response, *, keep: bool = False) -> tuple[bytes, bool]:
    """At most MAX_BODY_BYTES of the body, and whether there was more. With `keep`, everything
    read is returned, the bytes past the bound included (a download goes on from there)."""
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + BODY_DEADLINE_SECONDS
    while size <= MAX_BODY_BYTES:
        chunk = response.raw.read(64 * 1024, decode_content=True)
        if not chunk:
            return b"".join(chunks), False
        chunks.append(chunk)
        size += len(chunk)
        if time.monotonic() > deadline:
            raise OSError("body deadline passed")
    joined = b"".join(chunks)
    return (joined if keep else joined[:MAX_BODY_BYTES]), True


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the failure happened before any byte of the request left this machine."""
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(
        reason, urllib3.exceptions.NewConnectionError | urllib3.exceptions.NameResolutionError
    )


def _error_fields(data: Any) -> tuple[str, str]:
    """error_code/error_msg from any documented error shape (osm-api.md §5)."""
    if not isinstance(data, dict):
        return "", ""
    if isinstance(data.get("error"), dict):
        data = data["error"]
    for code_key, msg_key in (
        ("error_code", "error_msg"),
        ("errorCode", "errorMsg"),
        ("code", "message"),
    ):
        code = data.get(code_key)
        if code not in (None, ""):
            return str(code), str(data.get(msg_key) or "")
    return "", str(data.get("error_msg") or "")
