"""`python -m bench.cluster.run` (`make cluster`): two web nodes behind HAProxy, on this machine.

Two gunicorn nodes, HAProxy in front of them (health-checking `/healthz`), one PostgreSQL
database, one Redis db, one task worker and the sandbox upstream answering after 200 ms; the load
test of `make load` runs through the balancer, and halfway through one node is killed (SIGKILL,
the whole process group, as a machine that dies). Then: throughput, p50/p99, the errors the agents
saw, how long the balancer took to drop the node, and the audit trail's account of every
operation (each one an agent saw: exactly one complete record; each one cut off: at most one)
and `manage.py audit_verify`. `--via pgbouncer` runs the same through PgBouncer in transaction
mode; `--via both` (the default) runs both. HAProxy and PgBouncer come from Debian's packages,
installed if missing. Loopback addresses only; every process it starts is stopped at the end."""

import argparse
import csv
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.request import urlopen

import psycopg

from bench.load.run import (
    PYTHON,
    ROOT,
    audit_check,
    environment,
    locust_summary,
    manage,
    prepare,
    start_locust,
    start_sandbox,
    start_web,
    stop,
    wait_for,
)

BALANCER, NODES, SANDBOX, STATS, PGBOUNCER = 8170, (8171, 8172), 8173, 8174, 8175
RESULTS = Path(__file__).resolve().parent
HAPROXY = "/usr/sbin/haproxy"
PGBOUNCER_BIN = "/usr/sbin/pgbouncer"

HAPROXY_CONFIG = """
global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout check 3s
    # A request that could not be sent to a node (refused: the node is gone) is sent to the
    # other; a request already sent is never sent again.
    retries 3
    option redispatch 1
frontend web
    bind 127.0.0.1:{balancer}
    default_backend nodes
backend nodes
    balance leastconn
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fastinter 500ms fall 2 rise 2
{servers}
listen stats
    bind 127.0.0.1:{stats}
    stats enable
    stats uri /stats
"""

PGBOUNCER_CONFIG = """
[databases]
{name} = host=127.0.0.1 port={port} dbname={name} user=postgres

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = {pool}
max_client_conn = 500
ignore_startup_parameters = extra_float_digits
logfile = {directory}/pgbouncer.log
log_connections = 0
log_disconnections = 0
"""


def ensure_packages() -> None:
    """HAProxy and PgBouncer from Debian's packages, as .ci/run installs Chromium."""
    if Path(HAPROXY).exists() and Path(PGBOUNCER_BIN).exists():
        return
    quiet = {"env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, "check": True}
    subprocess.run(["apt-get", "update", "-qq"], **quiet)
    subprocess.run(["apt-get", "install", "-y", "-qq", "haproxy", "pgbouncer"], **quiet)


def ports_free(ports: list[int]) -> None:
    for port in ports:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"port {port} is in use: is another cluster run going on?")


def start_pgbouncer(directory: Path, database: str, *, pool: int) -> subprocess.Popen:
    server, name = database.rsplit("/", 1)
    port = server.rsplit(":", 1)[1]
    (directory / "userlist.txt").write_text('"postgres" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        PGBOUNCER_CONFIG.format(
            name=name, port=port, listen=PGBOUNCER, directory=directory, pool=pool
        )
    )
    directory.chmod(0o755)  # PgBouncer drops root for the postgres user, then reads its files
    shutil.chown(directory / "userlist.txt", "postgres")
    (directory / "pgbouncer.log").touch()
    shutil.chown(directory / "pgbouncer.log", "postgres")
    process = subprocess.Popen(
        [PGBOUNCER_BIN, "-u", "postgres", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # its log file has the same
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            psycopg.connect(f"{server.rsplit(':', 1)[0]}:{PGBOUNCER}/{name}").close()
            return process
        except psycopg.OperationalError:
            time.sleep(0.3)
    raise SystemExit("PgBouncer did not come up: see " + str(directory / "pgbouncer.log"))


def pgbouncer_figures(name: str) -> dict:
    """Transactions PgBouncer passed on and the most clients that waited for a connection."""
    admin = f"postgres://postgres@127.0.0.1:{PGBOUNCER}/pgbouncer"
    # The admin console speaks only the simple query protocol: a client-side cursor.
    with psycopg.connect(admin, autocommit=True, cursor_factory=psycopg.ClientCursor) as connection:
        cursor = connection.cursor()
        cursor.execute("SHOW STATS")
        columns = [column.name for column in cursor.description]
        stats = next(dict(zip(columns, row, strict=True)) for row in cursor if row[0] == name)
    return {
        "transactions": int(stats["total_xact_count"]),
        "queries": int(stats["total_query_count"]),
        "average_wait_us": int(stats["avg_wait_time"]),
    }


def haproxy_servers() -> dict[str, dict]:
    with urlopen(f"http://127.0.0.1:{STATS}/stats;csv", timeout=5) as response:
        text = response.read().decode().lstrip("# ")
    return {
        row["svname"]: row
        for row in csv.DictReader(io.StringIO(text))
        if row["pxname"] == "nodes" and row["svname"].startswith("node")
    }


class ConnectionCount(threading.Thread):
    """The most connections PostgreSQL held to the database at once, sampled twice a second."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.database, self.peak, self.done = database, 0, threading.Event()

    def run(self) -> None:
        server, name = self.database.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            while not self.done.wait(0.5):
                count = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]
                ).fetchone()[0]
                self.peak = max(self.peak, count)


def failures_over_time(csv_prefix: str, *, killed_at: float, window: float) -> dict:
    """The agents' errors before the kill, within `window` seconds after it, and later (locust
    writes its running totals once a second)."""
    with open(f"{csv_prefix}_stats_history.csv", encoding="utf-8") as history:
        totals = [
            (int(row["Timestamp"]), int(row["Total Failure Count"]))
            for row in csv.DictReader(history)
            if row["Name"] == "Aggregated"
        ]
    before = max((count for at, count in totals if at < killed_at), default=0)
    around = max((count for at, count in totals if at <= killed_at + window), default=0)
    final = totals[-1][1] if totals else 0
    return {
        "before_kill": before,
        f"within_{window:.0f}_s_of_kill": around - before,
        "later": final - around,
    }


def kill_node(node: subprocess.Popen) -> float:
    """SIGKILL to the node's whole process group; returns when the balancer stops using it."""
    killed = time.monotonic()
    os.killpg(node.pid, signal.SIGKILL)
    node.wait()
    while time.monotonic() - killed < 30:
        if not haproxy_servers()["node1"]["status"].startswith("UP"):
            break
        time.sleep(0.1)
    return round(time.monotonic() - killed, 1)


def run_cluster(args: argparse.Namespace, *, via: str, directory: Path) -> dict:
    operations_log = directory / f"operations-{via}.txt"
    sessions = directory / "sessions.txt"
    env = environment(
        args.database,
        cache_url=args.cache,
        sandbox_port=SANDBOX,
        operations_log=operations_log,
        sessions=sessions,
    )
    env["LOAD_AGENTS"] = str(args.users)
    prepare(env, args.database, users=args.users, sessions=sessions)
    operations_log.write_text("")
    Path(f"{operations_log}.sent").write_text("")
    app_env = dict(env)
    processes: list[subprocess.Popen] = []
    counter = ConnectionCount(args.database)
    log = None
    try:
        if via == "pgbouncer":
            processes.append(start_pgbouncer(directory, args.database, pool=args.pool))
            server, name = args.database.rsplit("/", 1)
            app_env["DATABASE_URL"] = f"{server.rsplit(':', 1)[0]}:{PGBOUNCER}/{name}"
            app_env["DB_DISABLE_SERVER_SIDE_CURSORS"] = "true"
        processes.append(start_sandbox(env, SANDBOX))
        manage(app_env, "sync_tickets", "--full")
        log = (directory / f"worker-{via}.log").open("w")
        processes.append(
            subprocess.Popen(
                [PYTHON, "manage.py", "db_worker", "-v", "0"],
                cwd=ROOT,
                env=app_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        nodes = []
        for port in NODES:
            nodes.append(
                start_web(
                    app_env,
                    port,
                    workers=args.workers,
                    threads=args.threads,
                    start_new_session=True,  # its own process group: killed as one machine
                )
            )
            processes.append(nodes[-1])
        servers = "\n".join(
            f"    server node{number} 127.0.0.1:{port} check"
            for number, port in enumerate(NODES, 1)
        )
        config = directory / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(balancer=BALANCER, servers=servers, stats=STATS))
        processes.append(
            subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=subprocess.DEVNULL)
        )
        wait_for(f"http://127.0.0.1:{BALANCER}/healthz")
        counter.start()
        since = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        csv_prefix = str(directory / f"locust-{via}")
        locust = start_locust(
            env,
            f"http://127.0.0.1:{BALANCER}",
            users=args.users,
            seconds=args.seconds,
            csv_prefix=csv_prefix,
        )
        processes.append(locust)
        time.sleep(args.seconds * args.kill_at)
        killed_at = time.time()
        out_of_pool_after = kill_node(nodes[0])
        locust.wait(timeout=args.seconds + 60)
        counter.done.set()
        servers_after = haproxy_servers()
        time.sleep(1)
        audit = audit_check(app_env, operations_log=operations_log, since=since)
        settled = ""
        if audit["pending"]:
            # Operations cut off with their node: now that no agent is left waiting for an
            # answer, reconcile them at once instead of after the usual margin.
            reconcile = subprocess.run(
                [PYTHON, "manage.py", "audit_reconcile", "--older-than", "0"],
                cwd=ROOT,
                env=app_env,
                capture_output=True,
                text=True,
                check=True,
            )
            settled = reconcile.stdout.strip()
            audit["after_reconciliation"] = audit_check(
                app_env, operations_log=operations_log, since=since
            )["unseen"]
        verify = subprocess.run(
            [PYTHON, "manage.py", "audit_verify"],
            cwd=ROOT,
            env=app_env,
            capture_output=True,
            text=True,
            check=False,
        )
        pooler = pgbouncer_figures(args.database.rsplit("/", 1)[1]) if via == "pgbouncer" else {}
    finally:
        counter.done.set()
        stop(processes)
        if log is not None:
            log.close()
    return {
        "via": via,
        "users": args.users,
        "seconds": args.seconds,
        "nodes": f"2 x gunicorn {args.workers} processes x {args.threads} threads",
        "node1_killed_at_s": round(args.seconds * args.kill_at),
        "node1_out_of_pool_after_s": out_of_pool_after,
        "requests_by_node": {name: int(row["stot"]) for name, row in servers_after.items()},
        "node_status_at_end": {name: row["status"] for name, row in servers_after.items()},
        **locust_summary(csv_prefix),
        "failures_over_time": failures_over_time(csv_prefix, killed_at=killed_at, window=5),
        "audit": audit,
        "reconciliation": settled,
        "audit_verify": {"exit": verify.returncode, "output": verify.stdout.strip()},
        "postgresql_connections_peak": counter.peak,
        "pgbouncer": pooler,
        "load_average": os.getloadavg(),
    }


def passed(summary: dict) -> bool:
    audit, unseen = summary["audit"], summary["audit"]["unseen"]
    return (
        audit["missing"] == 0
        and audit["duplicated"] == 0
        and audit["seen_but_pending"] == 0
        and unseen["duplicated"] == 0
        and audit["not_sent_by_agents"] == 0
        and summary["audit_verify"]["exit"] == 0
        and summary["node_status_at_end"]["node2"].startswith("UP")
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--via", choices=("direct", "pgbouncer", "both"), default="both")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes per node")
    parser.add_argument("--threads", type=int, default=8, help="threads per process")
    parser.add_argument("--pool", type=int, default=20, help="PgBouncer's server connections")
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/ticketui_cluster")
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    ensure_packages()
    ports_free([BALANCER, *NODES, SANDBOX, STATS, PGBOUNCER])
    runs = ["direct", "pgbouncer"] if args.via == "both" else [args.via]
    summaries = []
    directory = Path(tempfile.mkdtemp(prefix="ticketui-cluster-"))
    try:
        for via in runs:
            summary = run_cluster(args, via=via, directory=directory)
            (RESULTS / f"results-{via}.json").write_text(json.dumps(summary, indent=2) + "\n")
            print(json.dumps(summary, indent=2))
            summaries.append(summary)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    sys.exit(0 if all(passed(summary) for summary in summaries) else 1)


if __name__ == "__main__":
    main()
