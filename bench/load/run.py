"""`python -m bench.load.run`: the load test. gunicorn + PostgreSQL + Redis, the sandbox answering
every call after 200 ms, and 50 simulated agents (locust, headless) browsing, searching and
operating for 60 s. Prints throughput, p50/p99 and errors, then checks that every operation the
agents saw an outcome for left exactly one complete audit record. Local addresses only."""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
WEB, SANDBOX = 8090, 8091
OPERATIONS_LOG = Path("/tmp/ticketui-load-operations.txt")
SESSIONS = Path("/tmp/ticketui-load-sessions.txt")
RESULTS = Path(__file__).resolve().parent / "results.json"


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/5"),
        "OSM_ENDPOINT": f"http://127.0.0.1:{SANDBOX}",
        "OSM_TOKEN": "load-test-token",
        "LOG_LEVEL": "WARNING",
        "AXES_FAILURE_LIMIT": "1000",
        "LOAD_OPERATIONS_LOG": str(OPERATIONS_LOG),
        "LOAD_SESSIONS": str(SESSIONS),
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urlopen(url, timeout=1).close()
            return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error still means it is up
                return
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


# The agents start signed in: each gets a real session (as after the login form) before the
# run, so that the 60 s measure browsing, searching and operating rather than 50 password
# hashes at once, which is what a login costs on purpose.
SETUP_USERS = """
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
group = Group.objects.get(name="Support")
with open({sessions!r}, "w", encoding="utf-8") as sessions:
    for n in range(1, {agents} + 1):
        user, _ = User.objects.get_or_create(username=f"load-agent-{{n}}")
        user.set_password("load-test-password")
        user.save()
        user.groups.set([group])
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        sessions.write(f"{{cookie.key}}={{cookie.value}}\\n")
"""

VERIFY = """
import json, sys
from ticketui.audit.models import AuditRecord
ids = [line.strip() for line in open({log!r}) if line.strip()]
records = AuditRecord.objects.filter(kind="operation", created_at__gte={since!r})
by_id = {{}}
for headers, outcome in records.values_list("request_headers", "outcome"):
    by_id.setdefault(headers.get("X-Request-Id"), []).append(outcome)
missing = [i for i in ids if i not in by_id]
duplicated = [i for i in ids if len(by_id.get(i, [])) > 1]
pending = records.filter(outcome="pending").count()
print(json.dumps({{"operations_seen": len(ids), "records": records.count(), "missing": len(missing),
                  "duplicated": len(duplicated), "pending": pending}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=16, help="threads per process")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/ticketui_load")
    args = parser.parse_args()
    env = environment(args.database)
    env["LOAD_AGENTS"] = str(args.users)
    subprocess.run([PYTHON, "-m", "bench.createdb", args.database], cwd=ROOT, check=True)
    manage(env, "migrate", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "shell", "-c", SETUP_USERS.format(agents=args.users, sessions=str(SESSIONS)))
    OPERATIONS_LOG.write_text("")
    processes = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "ticketui.sandbox",
                    "--port",
                    str(SANDBOX),
                    "--tickets",
                    "2000",
                    "--press-interval",
                    "0",
                    "--latency",
                    "0.2",
                ],
                cwd=ROOT,
                env={**env, "SANDBOX_TOKEN": "load-test-token"},
                stdout=subprocess.DEVNULL,
            )
        )
        wait_for(f"http://127.0.0.1:{SANDBOX}/")
        manage(env, "sync_tickets", "--full")
        processes.append(
            subprocess.Popen(
                [
                    str(Path(PYTHON).with_name("gunicorn")),
                    "-c",
                    "gunicorn.conf.py",
                    "ticketui.wsgi",
                ],
                cwd=ROOT,
                env={
                    **env,
                    "BIND": f"127.0.0.1:{WEB}",
                    "WEB_CONCURRENCY": str(args.workers),
                    "GUNICORN_THREADS": str(args.threads),
                },
            )
        )
        wait_for(f"http://127.0.0.1:{WEB}/healthz")
        since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        subprocess.run(
            [
                str(Path(PYTHON).with_name("locust")),
                "-f",
                "bench/load/locustfile.py",
                "--headless",
                "-u",
                str(args.users),
                "-r",
                "10",
                "-t",
                f"{args.seconds}s",
                "--host",
                f"http://127.0.0.1:{WEB}",
                "--csv",
                "/tmp/ticketui-load",
                "--only-summary",
            ],
            cwd=ROOT,
            env=env,
            check=False,
        )
        time.sleep(1)
        check = subprocess.run(
            [
                PYTHON,
                "manage.py",
                "shell",
                "-c",
                VERIFY.format(log=str(OPERATIONS_LOG), since=since),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        verification = json.loads(check.stdout.strip().splitlines()[-1])
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    with open("/tmp/ticketui-load_stats.csv", encoding="utf-8") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    total = rows["Aggregated"]
    summary = {
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn": f"{args.workers} processes x {args.threads} threads",
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p99_ms": float(total["99%"]),
        "by_request": {
            name: {
                "count": int(row["Request Count"]),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
            }
            for name, row in rows.items()
            if name != "Aggregated"
        },
        "audit": verification,
    }
    RESULTS.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))
    ok = (
        summary["failures"] == 0
        and verification["missing"] == 0
        and verification["duplicated"] == 0
        and verification["pending"] == 0
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
