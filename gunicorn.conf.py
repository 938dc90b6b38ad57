"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py ticketui.wsgi`.

Read from the environment and, like the application's own settings, from the .env file beside
this one (the environment wins; an empty value takes the default), so BIND, WEB_CONCURRENCY or
FORWARDED_ALLOW_IPS set in .env reach gunicorn too.

Threads rather than more processes: a request mostly waits on the upstream (up to
OSM_READ_TIMEOUT), so a few processes with several threads each keep memory low."""

import os
from pathlib import Path

import environ

environ.Env.read_env(Path(__file__).resolve().parent / ".env")


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


# The loopback address by default: the TLS proxy in front runs on the same machine. A proxy on
# another machine needs BIND=0.0.0.0:8000 (and a firewall that lets only it in).
bind = _setting("BIND", f"127.0.0.1:{_setting('PORT', '8000')}")
workers = int(_setting("WEB_CONCURRENCY", "2"))
threads = int(_setting("GUNICORN_THREADS", "8"))
worker_class = "gthread"
# Longer than the upstream's read timeout, so a slow upstream answer is recorded, not cut.
timeout = int(_setting("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = None  # request logs come from the application, with the request id
forwarded_allow_ips = _setting("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25+ opens a control socket (for gunicornc) under $XDG_RUNTIME_DIR or ~/.gunicorn by
# default, shared by every gunicorn of the user. Off unless GUNICORN_CONTROL_SOCKET names a path;
# reload and stop with signals instead (kill -HUP / -TERM on the master process).
control_socket = _setting("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
