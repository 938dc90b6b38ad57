"""The sandbox upstream answering in this process: its WSGI application behind `responses`, so
that unit tests exercise the dashboard against the same fake upstream (its status machine, its
limits, what it received) without a server, a socket or a thread. End-to-end tests (tests/e2e,
tests/sandbox) serve the sandbox over real HTTP instead."""

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

import requests
import responses

from ticketui.sandbox.faults import FaultPlan, with_faults
from ticketui.sandbox.state import SandboxState
from ticketui.sandbox.urls import make_app

# No server listens here: only `responses` answers it.
IN_PROCESS_URL = "http://127.0.0.1:18001"


class InProcessSandbox:
    """Like SandboxServer (`url`, `state`, `faults`), answered through `responses`."""

    def __init__(self, state: SandboxState, *, url: str = IN_PROCESS_URL) -> None:
        self.state = state
        self.faults = FaultPlan()
        self.url = url
        self._app = with_faults(make_app(state), self.faults)

    @contextmanager
    def serving(self) -> Iterator["InProcessSandbox"]:
        with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
            pattern = re.compile(re.escape(self.url) + r"(/.*)?$")
            for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
                mock.add_callback(method, pattern, callback=self._answer)
            # Anything else (a test pointing the dashboard at a dead port) really goes out.
            mock.add_passthru(re.compile(r".*"))
            yield self

    def _answer(self, request: requests.PreparedRequest) -> tuple[int, dict, bytes]:
        url = urlsplit(request.url)
        body = _body_bytes(request.body)
        environ = {
            "REQUEST_METHOD": request.method,
            "PATH_INFO": unquote(url.path),
            "RAW_URI": url.path + (f"?{url.query}" if url.query else ""),
            "QUERY_STRING": url.query,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": str(url.port or 80),
        }
        for name, value in request.headers.items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            elif key != "CONTENT_LENGTH":
                environ[f"HTTP_{key}"] = value
        answer: dict = {}

        def start_response(status: str, headers: list, exc_info=None) -> None:
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        try:
            payload = b"".join(self._app(environ, start_response))
        except ConnectionAbortedError as exc:  # the "reset" and "hang" faults
            raise requests.exceptions.ConnectionError(str(exc)) from None
        headers = {k: v for k, v in answer["headers"] if k.lower() != "content-length"}
        return answer["status"], headers, payload


def _body_bytes(body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    if hasattr(body, "read"):
        return body.read()
    return b"".join(part if isinstance(part, bytes) else part.encode() for part in body)
