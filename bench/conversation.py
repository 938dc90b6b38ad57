"""The ticket page with a long conversation: 1,000 messages on one ticket in the sandbox
upstream (served over real HTTP on a free port), in the database DATABASE_URL names (a scratch
one, migrated; `make bench` uses its bench databases).

    .venv/bin/python -m bench.conversation

(`make bench` runs it on each database it measures, after bench.run.) Writes
bench/results-conversation-<vendor>.json, which bench.report turns into its own table.

Times each request server-side through Django's whole request handling (bench/measure.py),
cold and warm, and compares it with the ticket page's floor (bench/floors.py, measured in the
same run and state): the ticket page itself (which does not wait for the upstream: the thread
comes in its own request once the page is shown), the conversation fragment (the newest 20 of
the 1,000, two ListMessages calls to the local sandbox) and an older page of it (one), and the
timeline with the upstream's operate-log beside the dashboard's records."""

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketui.settings")
# As bench.run: production's settings where they matter, the shared cache in Redis.
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/6")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, Permission, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.measure import time_page  # noqa: E402
from ticketui.sandbox import conversation  # noqa: E402
from ticketui.sandbox.server import SandboxServer  # noqa: E402
from ticketui.sandbox.state import SandboxState  # noqa: E402
from ticketui.tickets.models import Ticket  # noqa: E402
from ticketui.tickets.roles import roles_ensure  # noqa: E402
from ticketui.tickets.surveys.dimensions import dimensions_sync  # noqa: E402

MESSAGES = int(os.environ.get("MESSAGES", "1000"))
REQUESTS = int(os.environ.get("REQUESTS", "60"))
CASE = "CS2026090100003"
TARGET_P95_MS = 30.0  # the ticket page's target (docs/benchmarks.md)
TARGET_FLOOR_RATIO = 1.5


def arrange(state: SandboxState) -> Ticket:
    """MESSAGES messages on one ticket, customer and engineer in turn, every tenth with a file."""
    start = datetime(2026, 9, 1, tzinfo=UTC)
    with state.lock:
        accessory = conversation.store_accessory(
            state, name="trace.log", content_type="text/plain", data=b"trace\n" * 100
        )
        state.tickets[CASE]["message_list"] = []
        for n in range(MESSAGES):
            conversation.add_message(
                state,
                CASE,
                content=f"Message {n}: the replica lag is {n % 60} s after the backup.",
                engineer=n % 2 == 1,
                at=start + timedelta(minutes=n),
                accessory_ids=[accessory] if n % 10 == 0 else [],
                first=n == 0,
            )
    dimensions_sync()  # as a running dashboard holds them: the page then asks the upstream nothing
    ticket, _ = Ticket.objects.update_or_create(
        case_id=CASE, defaults={"summary": "Replica lag", "status": 2}
    )
    return ticket


def main() -> None:
    settings.ROOT_URLCONF = "bench.floors"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load_before = os.getloadavg()
    state = SandboxState.seeded(12, token=settings.OSM_TOKEN)
    state.engineer_reply_after = None
    server = SandboxServer(state).start()
    settings.OSM_ENDPOINT = server.url
    try:
        ticket = arrange(state)
        roles_ensure(Group, Permission)
        agent, created = User.objects.get_or_create(username="bench-conversation")
        if created:
            agent.groups.add(Group.objects.get(name="Support"))
        client = Client()
        client.force_login(agent)
        htmx = {"HX-Request": "true"}
        pages = {
            "Ticket page floor": (f"/floor/ticket/{ticket.pk}", {}),
            "Ticket page": (f"/tickets/{ticket.pk}/", {}),
            "Conversation, newest 20 of 1,000": (f"/tickets/{ticket.pk}/conversation/", htmx),
            "Conversation, older 20": (f"/tickets/{ticket.pk}/conversation/?before=500", htmx),
            "Timeline with the upstream's log": (f"/tickets/{ticket.pk}/timeline", htmx),
        }
        results = {}
        for cold in (True, False):
            for name, (url, headers) in pages.items():
                timing = time_page(client, name, url, requests=REQUESTS, cold=cold, headers=headers)
                results.setdefault(name, {})["cold" if cold else "warm"] = timing.row()
    finally:
        server.stop()
    report(results)
    path = Path(
        os.environ.get("RESULTS")
        or Path(__file__).resolve().parent / f"results-conversation-{connection.vendor}.json"
    )
    saved = {
        "vendor": connection.vendor,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "messages": MESSAGES,
        "requests": REQUESTS,
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "pages": results,
    }
    path.write_text(json.dumps(saved, indent=2))
    print(f"wrote {path.name}")


def report(results: dict) -> None:
    floor = results["Ticket page floor"]
    print(
        f"{MESSAGES} messages on one ticket; {REQUESTS} requests per page and state; load "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(f"{'page':<36} {'state':<5} {'p50 ms':>8} {'p95 ms':>8} {'vs floor':>9} queries  met")
    for name, states in results.items():
        for state, timing in states.items():
            ratio = timing["p95_ms"] / floor[state]["p95_ms"] if floor[state]["p95_ms"] else 0
            met = ""
            if state == "cold" and name != "Ticket page floor":
                # The floor ratio is the ticket page's target; the fragments have the time alone.
                floor_ok = name != "Ticket page" or ratio <= TARGET_FLOOR_RATIO
                checks = [timing["p95_ms"] <= TARGET_P95_MS, floor_ok]
                met = (
                    "yes"
                    if all(checks)
                    else "no ("
                    + ", ".join(
                        word for word, ok in zip(("p95", "floor"), checks, strict=True) if not ok
                    )
                    + ")"
                )
            print(
                f"{name:<36} {state:<5} {timing['p50_ms']:>8.1f} {timing['p95_ms']:>8.1f} "
                f"{ratio:>8.2f}× {timing['queries']:>7}  {met}"
            )


if __name__ == "__main__":
    sys.exit(main())
