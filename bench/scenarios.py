"""What bench.run times: each page a support agent or team lead opens, with the floor it is
compared with (bench.floors), and the empty signed-in page that every page's fixed cost is."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import User
from django.utils import timezone

from bench.seed import REJECTED_CODE, case_id
from ticketui.audit.forms import PERIOD_DAYS
from ticketui.audit.models import AuditRecord
from ticketui.tickets.models import Ticket

BUSY_TICKET = 7  # the seeded ticket whose page shows a long history
BUSY_OPERATIONS = 200
# Seeded tickets' case ids sort between these; the sandbox's (CS2025…) and surveys' (CS9…) do not.
SEEDED_TICKETS = {"case_id__gte": case_id(0), "case_id__lt": "CS1"}


def audit_filter_query(agent: User) -> str:
    """Every filter of the review page at once, with values that match the newest seeded
    rejected operation of `agent` (the period is the shortest one that still includes it)."""
    record = (
        AuditRecord.objects.filter(
            actor=agent,
            kind="operation",
            outcome="rejected",
            error_code=REJECTED_CODE,
            **SEEDED_TICKETS,  # not the service-cost runs' own operations
        )
        .order_by("-created_at")
        .values("created_at", "case_id", "action_id")
        .first()
    )
    if record is None:
        raise SystemExit(f"No rejected operation of {agent.username} was seeded.")
    today = timezone.localdate()
    day = timezone.localdate(record["created_at"])
    period = next((key for key, days in PERIOD_DAYS.items() if (today - day).days < days), "")
    return urlencode(
        {
            "agent": agent.username,
            "action": record["action_id"],
            "kind": "operation",
            "outcome": "rejected",
            "case_id": record["case_id"],
            "error_code": REJECTED_CODE,
            "period": period,
            "date_from": (day - timedelta(days=1)).isoformat(),
            "date_to": today.isoformat(),
        }
    )


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str
    viewer: str  # the users dict's key: "Support" or "Team lead"
    htmx: bool = False  # a filter or search updates the results in place
    target: str | None = None  # report.TARGETS' key
    floor: str | None = None  # the name of the floor scenario it is compared with

    @property
    def headers(self) -> dict:
        """The request's headers: an in-place update is an HTMX request."""
        return {"HX-Request": "true"} if self.htmx else {}


def scenarios(users: dict) -> list[Scenario]:
    busy = Ticket.objects.get(case_id=case_id(BUSY_TICKET))
    prefix = f"q={case_id(4242)[:9]}"
    words = "q=replica+lag"
    audit_filters = audit_filter_query(users["Support"])
    today = timezone.localdate()
    wide = urlencode({"start": (today - timedelta(days=364)).isoformat(), "end": today})
    support, lead = "Support", "Team lead"
    return [
        Scenario("Empty signed-in page", "/floor/empty", support, target="fixed"),
        Scenario("Ticket list", "/", support, target="page", floor="Ticket list floor"),
        Scenario("Ticket list floor", "/floor/tickets", support),
        Scenario(
            "Ticket list, status filter",
            "/?status=1",
            support,
            htmx=True,
            target="page",
            floor="Status filter floor",
        ),
        Scenario("Status filter floor", "/floor/tickets?status=1", support),
        Scenario(
            "Ticket list, case-id prefix",
            f"/?{prefix}",
            support,
            htmx=True,
            target="search",
            floor="Case-id prefix floor",
        ),
        Scenario("Case-id prefix floor", f"/floor/tickets?{prefix}", support),
        Scenario(
            "Ticket list, summary words",
            f"/?{words}",
            support,
            htmx=True,
            target="search",
            floor="Summary words floor",
        ),
        Scenario("Summary words floor", f"/floor/tickets?{words}", support),
        Scenario(
            f"Ticket page ({BUSY_OPERATIONS} operations)",
            f"/tickets/{busy.pk}/",
            support,
            target="page",
            floor="Ticket page floor",
        ),
        Scenario("Ticket page floor", f"/floor/ticket/{busy.pk}", support),
        Scenario("Audit review", "/audit/", lead, target="page", floor="Audit review floor"),
        Scenario("Audit review floor", "/floor/audit", lead),
        Scenario(
            "Audit review, every filter",
            f"/audit/?{audit_filters}",
            lead,
            htmx=True,
            target="page",
            floor="Every filter floor",
        ),
        Scenario("Every filter floor", f"/floor/audit?{audit_filters}", lead),
        Scenario(
            "Satisfaction report, last 30 days", "/reports/satisfaction", lead, target="report"
        ),
        Scenario(
            "Satisfaction report, 365 days", f"/reports/satisfaction?{wide}", lead, target="report"
        ),
    ]
