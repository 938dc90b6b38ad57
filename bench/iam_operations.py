"""1,000 operations in a row with OSM_AUTH=iam against the sandbox: how many IAM tokens they take
(one), and an operation just after the token ends (exactly one renewal).

    .venv/bin/python bench/iam_operations.py [--operations 1000]
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--operations", type=int, default=1000)
    args = parser.parse_args()
    from ticketui.sandbox.server import SandboxServer
    from ticketui.sandbox.state import SandboxState

    sandbox = SandboxServer(SandboxState.seeded(12, press_interval=0.0)).start()
    tmp = tempfile.TemporaryDirectory()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
    os.environ.update(
        DEBUG="true",
        OSM_ENDPOINT=sandbox.url,
        OSM_AUTH="iam",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="ticketui.settings",
    )
    import django

    django.setup()
    from django.contrib.auth.models import Group, Permission, User
    from django.core.management import call_command

    from ticketui.tickets.models import Ticket
    from ticketui.tickets.operations.services import operation_submit
    from ticketui.tickets.roles import roles_ensure

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    roles_ensure(Group, Permission)
    agent = User.objects.create_user("bench-agent")
    agent.groups.add(Group.objects.get(name="Support"))
    case_id = "CS2026090100002"  # processing: may be urged again and again with no interval
    ticket = Ticket.objects.create(case_id=case_id, status=1)

    started = time.perf_counter()
    outcomes = [
        operation_submit(actor=agent, ticket=ticket, action_id="press").outcome
        for _ in range(args.operations)
    ]
    seconds = time.perf_counter() - started
    print(
        f"{args.operations:,} operations in {seconds:.1f} s: "
        f"{outcomes.count('succeeded'):,} succeeded, IAM tokens fetched: {sandbox.state.token_issues}"
    )

    # A token that lives two seconds: one operation gets it, the next comes just after its end.
    from django.core.cache import cache

    sandbox.state.token_lifetime = 2.0
    cache.clear()
    operation_submit(actor=agent, ticket=ticket, action_id="press")
    time.sleep(2.05)
    before = sandbox.state.token_issues
    outcome = operation_submit(actor=agent, ticket=ticket, action_id="press").outcome
    print(f"just after the token ended: {outcome}, renewals: {sandbox.state.token_issues - before}")
    sandbox.stop()


if __name__ == "__main__":
    main()
