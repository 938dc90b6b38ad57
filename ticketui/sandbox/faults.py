"""Fault injection for the sandbox: make the fake upstream slow, broken or strange on purpose,
so that tests (and curious developers) see what the dashboard does when the real one is.

    server.faults.add(Fault(kind="hang", seconds=3, path_contains="/action"))

Each fault applies to the next `times` matching requests (0: until cleared). "Executed" faults
carry the operation out before misbehaving, as a real upstream that answered late would."""

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["latency", "hang", "reset", "status", "not_json", "huge", "redirect"]
HTML_ERROR = (
    b"<html><head><title>%d</title></head><body><h1>%d Bad Gateway</h1><p>nginx</p></body></html>"
)


@dataclass
class Fault:
    kind: FaultKind
    seconds: float = 0.0  # latency / hang
    status: int = 502  # status
    size: int = 50 * 1024 * 1024  # huge
    location: str = "http://127.0.0.1:9/elsewhere"  # redirect
    path_contains: str = ""
    times: int = 1


class FaultPlan:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path_contains in path:
                    if fault.times == 1:
                        self._faults.remove(fault)
                    elif fault.times > 1:
                        fault.times -= 1
                    return fault
        return None


def _reset(environ: dict[str, Any]) -> None:
    """Close the connection with a TCP reset, without a byte of answer."""
    sock: socket.socket = environ["sandbox.socket"]
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _huge_body(size: int) -> Iterable[bytes]:
    chunk = b"x" * (64 * 1024)
    for _ in range(size // len(chunk)):
        yield chunk


def with_faults(app: Callable, plan: FaultPlan) -> Callable:
    """Wrap the sandbox's WSGI app so that planned faults happen before or after it answers."""

    def faulty(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        fault = plan.take(environ.get("RAW_URI", environ.get("PATH_INFO", "")))
        if fault is None:
            return app(environ, start_response)
        if fault.kind == "latency":
            time.sleep(fault.seconds)
            return app(environ, start_response)
        if fault.kind in ("hang", "reset"):
            answer = app(environ, lambda *args: None)  # executed, but the answer never comes
            b"".join(answer)
            if fault.kind == "hang":
                time.sleep(fault.seconds)
            _reset(environ)
            # wsgiref treats this as a client that went away: no answer, no error page.
            raise ConnectionAbortedError("sandbox fault: connection reset")
        if fault.kind == "status":
            body = HTML_ERROR % (fault.status, fault.status)
            start_response(
                f"{fault.status} Error",
                [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
            )
            return [body]
        if fault.kind == "not_json":
            body = b"<html><body>OK</body></html>"
            start_response(
                "200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if fault.kind == "huge":
            start_response(
                "200 OK",
                [("Content-Type", "application/json"), ("Content-Length", str(fault.size))],
            )
            return _huge_body(fault.size)
        # redirect
        start_response("302 Found", [("Location", fault.location), ("Content-Length", "0")])
        return [b""]

    return faulty
