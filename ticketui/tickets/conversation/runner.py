"""What the worker runs for the conversation: asking the upstream which tracked tickets have
unread engineer messages (ListUnreadNewInstantMessages, the instant-messages feed's unread
counts) and keeping each ticket's count, which the list marks, and how many tickets have one,
which the top bar shows."""

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from ticketui.osm import limits
from ticketui.osm.catalogue import TicketStatus
from ticketui.osm.configured import get_client
from ticketui.osm.results import RequestRefused, UpstreamError

from ..models import Ticket
from .selectors import tickets_unread_count_refresh

logger = logging.getLogger(__name__)

# Tickets asked about per round, the most recently changed first: 20 calls of 100 at most.
POLL_TICKETS_MAX = 2000


@dataclass(frozen=True)
class PollReport:
    asked: int = 0
    changed: int = 0
    failed_batches: int = 0


def unread_poll() -> PollReport:
    """One round: every tracked ticket not deleted (up to POLL_TICKETS_MAX), in batches of the
    upstream's 100. A batch the upstream does not answer keeps its tickets' counts as they are."""
    tickets = list(
        Ticket.objects.exclude(status=TicketStatus.DELETED)
        .order_by("-upstream_updated_at", "-id")
        .values_list("case_id", "unread_messages")[:POLL_TICKETS_MAX]
    )
    known = dict(tickets)
    case_ids = [case_id for case_id, _ in tickets if case_id and "," not in case_id]
    batch = limits.INSTANT_CASE_IDS_MAX
    client = get_client()
    changes: dict[int, list[str]] = defaultdict(list)
    failed = 0
    for start in range(0, len(case_ids), batch):
        asked = case_ids[start : start + batch]
        try:
            counts = client.list_unread_instant_messages(asked)
        except (UpstreamError, RequestRefused) as exc:
            failed += 1
            logger.warning("unread messages of %d tickets not read: %s", len(asked), exc)
            continue
        answered = {count.case_id: count.unread for count in counts}
        for case_id in asked:
            unread = answered.get(case_id, 0)
            if known.get(case_id) != unread:
                changes[unread].append(case_id)
    now = timezone.now()
    for unread, changed in changes.items():
        # updated_at renews the list row's cached markup.
        Ticket.objects.filter(case_id__in=changed).update(unread_messages=unread, updated_at=now)
    tickets_unread_count_refresh()
    return PollReport(
        asked=len(case_ids),
        changed=sum(len(changed) for changed in changes.values()),
        failed_batches=failed,
    )
