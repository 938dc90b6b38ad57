"""How the review page and export behave at a million records (PostgreSQL).

    createdb -h 127.0.0.1 -U postgres ticketui_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ticketui_bench DEBUG=true \\
        .venv/bin/python tests/audit/bench_review_page.py [ROWS]

Fills a throwaway database with ROWS (default 1,000,000) records spread over a year (stand-in
seals: the chain is not what is measured), then times page views through the real view, as a
team lead: the first page, a deep page reached by cursor, filtered pages, and the first rows
of an export. Never point it at a database you care about: it migrates and fills it.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")

import django

django.setup()

from django.test.utils import setup_test_environment  # noqa: E402

setup_test_environment()  # so that responses carry their context (for the cursors)

from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.signin import sign_in  # noqa: E402

FILL = """
INSERT INTO audit_auditrecord (kind, created_at, completed_at, actor_id, actor_username, case_id,
    action_id, outcome, request_method, request_path, request_body, request_headers, http_status,
    error_code, error_msg, response_body, response_truncated, request_id, duration_ms, detail,
    ip_address, user_agent, data, seq, prev_hash, hash, completion_prev_hash, completion_hash)
SELECT
    CASE WHEN g % 10 < 8 THEN 'operation' WHEN g % 10 = 8 THEN 'login' ELSE 'track' END,
    now() - g * interval '30 seconds', now() - g * interval '30 seconds' + interval '1 second',
    u.id, u.username, 'CS' || lpad((g % 50000)::text, 13, '0'),
    CASE WHEN g % 10 < 8 THEN (ARRAY['close','press','cancel','delete'])[1 + g % 4] ELSE '' END,
    (ARRAY['succeeded','succeeded','succeeded','rejected','http_error','not_sent','unknown'])[1 + (g / 10) % 7],
    'POST', '/v2/servicerequest/cases/x/action', '{"operate_desc": "bench"}', '{"X-Site": "0"}', 200,
    CASE WHEN (g / 10) % 7 = 3 THEN 'OSM.01010014' ELSE '' END, '', '{}', false, 'req-' || g,
    (g % 997) * 1.5, '', '10.0.0.1', 'bench', '{}', g, repeat('0', 64), repeat('0', 64), '', ''
FROM generate_series(1, %s) AS g
JOIN (SELECT id, username, row_number() OVER (ORDER BY id) - 1 AS n FROM auth_user) AS u
  ON u.n = g % 20
"""

VIEWS = [
    ("first page, newest first", {}),
    ("filter: close, failed, last 7 days, one agent", {"action": "close", "outcome": "failed", "period": "7d", "agent": "agent07"}),
    ("filter: one case id", {"case_id": "CS0000000012345"}),
    ("filter: error code, oldest first", {"error_code": "OSM.01010014", "sort": "oldest"}),
    ("slowest calls first", {"sort": "slowest"}),
    ("by agent", {"sort": "agent"}),
]  # fmt: skip


def timed(client: Client, params: dict) -> tuple[float, object]:
    samples, response = [], None
    for _ in range(5):
        started = time.perf_counter()
        response = client.get("/audit/", params)
        samples.append((time.perf_counter() - started) * 1000)
    assert response.status_code == 200
    return statistics.median(samples), response


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    if connection.vendor != "postgresql":
        raise SystemExit("Run this against a throwaway PostgreSQL database (see the docstring).")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditrecord")
        existing = cursor.fetchone()[0]
    if existing < rows:
        lead = User.objects.get_or_create(username="bench-lead")[0]
        lead.groups.add(Group.objects.get(name="Team lead"))
        for n in range(20):
            User.objects.get_or_create(username=f"agent{n:02d}")
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_record_immutable")
            cursor.execute("TRUNCATE audit_auditrecord")
            cursor.execute(FILL.replace("%s", str(rows)))
            cursor.execute("ALTER TABLE audit_auditrecord ENABLE TRIGGER audit_record_immutable")
            cursor.execute("ANALYZE audit_auditrecord")
        sys.stdout.write(f"filled {rows:,} records in {time.perf_counter() - started:.0f} s\n")
    client = Client(HTTP_HOST="localhost")
    sign_in(client, User.objects.get(username="bench-lead"))
    sys.stdout.write(f"{'view':<50} {'median ms':>10}\n")
    for name, params in VIEWS:
        ms, _response = timed(client, params)
        sys.stdout.write(f"{name:<50} {ms:>10.1f}\n")
    # A deep page: follow 200 'Next' cursors (page 201 = records 10,001-10,050), time the last.
    params: dict = {}
    for _ in range(200):
        params = {"after": client.get("/audit/", params).context["page"].next_cursor}
    ms, _response = timed(client, params)
    sys.stdout.write(f"{'page 201 by cursor':<50} {ms:>10.1f}\n")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditrecord")
    sys.stdout.write(
        f"{'(for scale: one exact COUNT(*) of the table)':<50} {(time.perf_counter() - started) * 1000:>10.1f}\n"
    )
    started = time.perf_counter()
    response = client.get("/audit/export.csv", {"action": "close"})
    first = next(iter(response.streaming_content))
    sys.stdout.write(
        f"{'export: time to first bytes':<50} {(time.perf_counter() - started) * 1000:>10.1f}\n"
    )
    started = time.perf_counter()
    lines = first.count(b"\n") + sum(chunk.count(b"\n") for chunk in response.streaming_content)
    sys.stdout.write(
        f"export: {lines - 1:,} rows streamed in {time.perf_counter() - started:.1f} s\n"
    )


if __name__ == "__main__":
    main()
