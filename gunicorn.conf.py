"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py ticketui.wsgi`.

Threads rather than more processes: a request mostly waits on the upstream (up to
OSM_READ_TIMEOUT), so a few processes with several threads each keep memory low."""

import os

bind = os.environ.get("BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
worker_class = "gthread"
# Longer than the upstream's read timeout, so a slow upstream answer is recorded, not cut.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = None  # request logs come from the application, with the request id
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
