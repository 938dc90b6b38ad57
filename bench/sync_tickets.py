"""Times `manage.py sync_tickets` bringing N sandbox tickets into an empty database, then a second
run over the same data (which must change nothing).

    .venv/bin/python bench/sync_tickets.py [--tickets 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ticketui_upstream .venv/bin/python bench/sync_tickets.py

The sandbox runs as its own process, as with `make run`. SQLite uses a throwaway file; a
PostgreSQL database given in DATABASE_URL is emptied (flushed) first.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the sandbox did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    port = free_port()
    sandbox = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ticketui.sandbox",
            "--port",
            str(port),
            "--tickets",
            str(args.tickets),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(port)
        tmp = tempfile.TemporaryDirectory()
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
        os.environ.update(
            DEBUG="true", OSM_ENDPOINT=f"http://127.0.0.1:{port}", LOG_LEVEL="WARNING"
        )
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from ticketui.tickets.models import Ticket
        from ticketui.tickets.sync.services import tickets_sync_now

        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
        print(f"database: {connection.vendor}; sandbox tickets: {args.tickets:,} (+2 odd case ids)")
        for label in ("first run (empty database)", "second run (nothing changed)"):
            started = time.perf_counter()
            run = tickets_sync_now(full=True)
            seconds = time.perf_counter() - started
            print(
                f"{label}: {seconds:.2f} s, {run.processed:,} listed, {run.created:,} new, "
                f"{run.updated:,} updated, {run.changed:,} changed, status {run.status}"
            )
        print(f"tickets in the database: {Ticket.objects.count():,}")
    finally:
        sandbox.terminate()
        sandbox.wait()


if __name__ == "__main__":
    main()
