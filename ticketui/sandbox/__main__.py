"""`python -m ticketui.sandbox`: the fake upstream as its own process."""

import argparse
import os
from pathlib import Path

from .faults import Fault
from .server import SandboxServer
from .state import SandboxState


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the sandbox OSM upstream.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SANDBOX_PORT", "8001")))
    parser.add_argument("--tickets", type=int, default=48, help="how many demo tickets to seed")
    parser.add_argument(
        "--state-file", type=Path, help="keep the sandbox's tickets across restarts"
    )
    parser.add_argument("--press-interval", type=float, default=300.0)
    parser.add_argument(
        "--token-lifetime",
        type=float,
        default=86400.0,
        help="seconds an IAM token issued by POST /v3/auth/tokens stays valid",
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds every answer is held back (load tests)"
    )
    parser.add_argument(
        "--engineer-reply-after",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="seconds after a reply before the sandbox engineer answers it (negative: never)",
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    token = os.environ.get("SANDBOX_TOKEN") or os.environ.get("OSM_TOKEN") or "sandbox-token"
    state = SandboxState.seeded(
        args.tickets,
        token=token,
        press_interval=args.press_interval,
        persist_path=args.state_file,
        token_lifetime=args.token_lifetime,
        engineer_reply_after=None if args.engineer_reply_after < 0 else args.engineer_reply_after,
    )
    # The IAM user and the AK/SK pair the sandbox accepts follow the dashboard's own variables.
    iam_user = (
        os.environ.get("IAM_DOMAIN", "sandbox-account"),
        os.environ.get("IAM_USER", "sandbox-agent"),
    )
    state.iam_users[iam_user] = os.environ.get("IAM_PASSWORD", "sandbox-password")
    state.access_keys[os.environ.get("OSM_AK", "sandbox-ak")] = os.environ.get(
        "OSM_SK", "sandbox-sk"
    )
    state.domain_id = os.environ.get("OSM_DOMAIN_ID", state.domain_id)
    server = SandboxServer(state, host=args.host, port=args.port, verbose=args.verbose)
    if args.latency:
        server.faults.add(Fault(kind="latency", seconds=args.latency, times=0))
    print(f"Sandbox upstream on {server.url} with {len(state.tickets)} tickets", flush=True)  # noqa: T201
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
