"""Serves the sandbox upstream over real HTTP, in a thread (tests) or as a process (make run)."""

import threading
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from .faults import FaultPlan, with_faults
from .state import SandboxState
from .urls import make_app


class _Handler(WSGIRequestHandler):
    def get_environ(self):
        environ = super().get_environ()
        environ["RAW_URI"] = self.path  # wsgiref decodes PATH_INFO; routing needs the raw path
        environ["sandbox.socket"] = self.connection  # for the "reset" fault
        return environ

    def handle(self):
        try:
            super().handle()
        except OSError:
            pass  # the "reset" and "hang" faults close the connection under wsgiref's feet

    def log_message(self, format, *args):
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True


class SandboxServer:
    """A running sandbox: `url` to reach it, `state` to inspect or arrange what it holds."""

    def __init__(
        self, state: SandboxState, *, host: str = "127.0.0.1", port: int = 0, verbose: bool = False
    ):
        self.state = state
        self.faults = FaultPlan()
        self.httpd = make_server(
            host,
            port,
            with_faults(make_app(state), self.faults),
            server_class=_ThreadingServer,
            handler_class=_Handler,
        )
        self.httpd.verbose = verbose
        self.url = f"http://{host}:{self.httpd.server_port}"
        self._thread: threading.Thread | None = None

    def start(self) -> "SandboxServer":
        self._thread = threading.Thread(
            target=self.httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
