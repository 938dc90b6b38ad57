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


def environment(
    database_url: str,
    *,
    cache_url: str = "",
    sandbox_port: int = SANDBOX,
    operations_log: Path = OPERATIONS_LOG,
    sessions: Path = SESSIONS,
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "load-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "HTTPS": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": cache_url or os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/5"),
        "OSM_ENDPOINT": f"http://127.0.0.1:{sandbox_port}",
        "OSM_TOKEN": "load-test-token",
        "LOG_LEVEL": "WARNING",
        "AXES_FAILURE_LIMIT": "1000",
        "LOAD_OPERATIONS_LOG": str(operations_log),
        "LOAD_OPERATIONS_SENT_LOG": f"{operations_log}.sent",
        "LOAD_SESSIONS": str(sessions),
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

# Each operation's X-Request-Id is chosen by the agent and noted before it is sent, so that an
# operation whose answer never came (its node killed mid-call, the run ended) is looked for too:
# it may have left one record, never two.
VERIFY = """
import json, sys
from ticketui.audit.models import AuditRecord
seen = [line.strip() for line in open({log!r}) if line.strip()]
try:
    sent = {{line.strip() for line in open({log!r} + ".sent") if line.strip()}}
except FileNotFoundError:
    sent = set(seen)
unseen = sent - set(seen)
records = AuditRecord.objects.filter(kind="operation", created_at__gte={since!r})
by_id = {{}}
for headers, outcome in records.values_list("request_headers", "outcome"):
    by_id.setdefault(headers.get("X-Request-Id"), []).append(outcome)
print(json.dumps({{
    "operations_seen": len(seen), "records": records.count(),
    "missing": sum(1 for i in seen if i not in by_id),
    "duplicated": sum(1 for i in seen if len(by_id.get(i, [])) > 1),
    "seen_but_pending": sum(1 for i in seen if "pending" in by_id.get(i, [])),
    "pending": records.filter(outcome="pending").count(),
    "not_sent_by_agents": sum(1 for i in by_id if i not in sent),
    "unseen": {{
        "sent": len(unseen),
        "recorded": sum(1 for i in unseen if i in by_id),
        "duplicated": sum(1 for i in unseen if len(by_id.get(i, [])) > 1),
        "pending": sum(1 for i in unseen if "pending" in by_id.get(i, [])),
    }},
}}))
"""


def prepare(env: dict[str, str], database: str, *, users: int, sessions: Path) -> None:
    """The database migrated, static files collected, and `users` agents signed in."""
    subprocess.run([PYTHON, "-m", "bench.createdb", database], cwd=ROOT, check=True)
    manage(env, "migrate", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "shell", "-c", SETUP_USERS.format(agents=users, sessions=str(sessions)))


def start_sandbox(env: dict[str, str], port: int) -> subprocess.Popen:
    """The sandbox upstream with 2,000 tickets, answering every call after 200 ms."""
    process = subprocess.Popen(
        [
            *(PYTHON, "-m", "ticketui.sandbox", "--port", str(port), "--tickets", "2000"),
            *("--press-interval", "0", "--latency", "0.2"),
        ],
        cwd=ROOT,
        env={**env, "SANDBOX_TOKEN": env["OSM_TOKEN"]},
        stdout=subprocess.DEVNULL,
    )
    _started(process, f"http://127.0.0.1:{port}/")
    return process


def start_web(
    env: dict[str, str], port: int, *, workers: int, threads: int, **popen
) -> subprocess.Popen:
    """One web node: gunicorn as in production, on the loopback address."""
    process = subprocess.Popen(
        [
            *(str(Path(PYTHON).with_name("gunicorn")), "-c", "gunicorn.conf.py"),
            *("--no-control-socket", "ticketui.wsgi"),  # several on one machine
        ],
        cwd=ROOT,
        env={
            **env,
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_THREADS": str(threads),
        },
        **popen,
    )
    _started(process, f"http://127.0.0.1:{port}/healthz")
    return process


def _started(process: subprocess.Popen, url: str) -> None:
    """Wait for the process to answer at url; stop it if it never does."""
    try:
        wait_for(url)
    except SystemExit:
        stop([process])
        raise


def start_locust(
    env: dict[str, str], host: str, *, users: int, seconds: int, csv_prefix: str
) -> subprocess.Popen:
    return subprocess.Popen(
        [
            *(str(Path(PYTHON).with_name("locust")), "-f", "bench/load/locustfile.py"),
            *("--headless", "-u", str(users), "-r", "10", "-t", f"{seconds}s", "--host", host),
            *("--csv", csv_prefix, "--only-summary", "--stop-timeout", "15"),
        ],
        cwd=ROOT,
        env=env,
    )


def audit_check(env: dict[str, str], *, operations_log: Path, since: str) -> dict:
    """What the audit trail holds for the operations the agents sent (see VERIFY)."""
    check = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", VERIFY.format(log=str(operations_log), since=since)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(check.stdout.strip().splitlines()[-1])


def locust_summary(csv_prefix: str) -> dict:
    """Throughput, p50/p99 and failures, in all and by request, from locust's CSV files."""
    with open(f"{csv_prefix}_stats.csv", encoding="utf-8") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    with open(f"{csv_prefix}_failures.csv", encoding="utf-8") as failures:
        errors = [
            {"request": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
            for row in csv.DictReader(failures)
        ]
    total = rows["Aggregated"]
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "requests_per_second": round(float(total["Requests/s"]), 1),
        "p50_ms": float(total["50%"]),
        "p99_ms": float(total["99%"]),
        "by_request": {
            name: {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50_ms": float(row["50%"]),
                "p99_ms": float(row["99%"]),
            }
            for name, row in rows.items()
            if name != "Aggregated"
        },
        "errors": errors,
    }


def stop(processes: list[subprocess.Popen]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
    prepare(env, args.database, users=args.users, sessions=SESSIONS)
    OPERATIONS_LOG.write_text("")
    Path(f"{OPERATIONS_LOG}.sent").write_text("")
    processes = []
    try:
        processes.append(start_sandbox(env, SANDBOX))
        manage(env, "sync_tickets", "--full")
        processes.append(start_web(env, WEB, workers=args.workers, threads=args.threads))
        since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        locust = start_locust(
            env,
            f"http://127.0.0.1:{WEB}",
            users=args.users,
            seconds=args.seconds,
            csv_prefix="/tmp/ticketui-load",
        )
        locust.wait(timeout=args.seconds + 60)
        time.sleep(1)
        verification = audit_check(env, operations_log=OPERATIONS_LOG, since=since)
    finally:
        stop(processes)
    summary = {
        "users": args.users,
        "seconds": args.seconds,
        "gunicorn": f"{args.workers} processes x {args.threads} threads",
        **locust_summary("/tmp/ticketui-load"),
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
