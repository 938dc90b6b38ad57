"""How requests to the upstream prove who sends them: the Authenticator protocol, the static
token, and the error every authenticator raises when it cannot. IAM tokens live in iam.py, AK/SK
signing in signing.py."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol

from .results import CallResult, Outcome, PreparedCall, UpstreamError


class Authenticator(Protocol):
    #: Header names this authenticator adds; they are never recorded or logged.
    secret_headers: frozenset[str]

    def headers(
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> dict[str, str]:
        """The headers that authenticate this request. `body` is the exact bytes sent, or None
        for a body streamed as it is sent (a multipart upload), whose bytes are not at hand."""
        ...

    def invalidate(self) -> None:
        """Forget cached credentials after the upstream refused them (HTTP 401)."""
        ...


class StaticToken:
    """A fixed `X-Auth-Token`, e.g. from OSM_TOKEN or OSM_TOKEN_FILE."""

    secret_headers = frozenset({"X-Auth-Token"})

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticToken(<hidden>)"

    def headers(
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> dict[str, str]:
        return {"X-Auth-Token": self._token}

    def invalidate(self) -> None:
        """A static token cannot be renewed; the next call sends it again."""


class AuthFailure(StrEnum):
    """Why the dashboard could not prove who it is; each has its own message for the agent."""

    REJECTED = "ticketui.auth.rejected"  # wrong user name or password
    LOCKED = "ticketui.auth.locked"  # user locked, disabled or not allowed to sign in
    UNREACHABLE = "ticketui.auth.unreachable"  # IAM could not be reached or did not answer
    FAILED = "ticketui.auth.failed"  # IAM answered, but not with a usable token
    MISCONFIGURED = "ticketui.auth.misconfigured"  # e.g. the signer package is missing


class AuthenticationError(UpstreamError):
    """The dashboard could not authenticate, so the upstream call was not sent.

    It is an UpstreamError (outcome NOT_SENT, `error_code` the AuthFailure) so that every place
    that copes with a failed read copes with this too. `result.error_msg` keeps what the identity
    service said; it never holds the password or a token.
    """

    def __init__(
        self, failure: AuthFailure, message: str, *, http_status: int | None = None, said: str = ""
    ) -> None:
        self.failure = failure
        self.message = message
        call = PreparedCall(method="POST", path="/v3/auth/tokens", body=None, headers={})
        super().__init__(
            CallResult(
                call=call,
                outcome=Outcome.NOT_SENT,
                http_status=http_status,
                error_code=failure.value,
                error_msg=said[:500],
                detail=message,
            )
        )

    def __str__(self) -> str:
        return self.message
