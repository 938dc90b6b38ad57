"""How requests to the upstream prove who sends them. Only the static token exists so far."""

from collections.abc import Mapping
from typing import Protocol


class Authenticator(Protocol):
    #: Header names this authenticator adds; they are never recorded or logged.
    secret_headers: frozenset[str]

    def headers(
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, str]:
        """The headers that authenticate this request."""
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
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> dict[str, str]:
        return {"X-Auth-Token": self._token}

    def invalidate(self) -> None:
        """A static token cannot be renewed; the next call sends it again."""
