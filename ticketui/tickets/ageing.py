"""When a ticket last changed upstream, as refreshes and syncs record it: the upstream's own
update_time when it sends one; otherwise the moment the dashboard first saw the ticket differ
from its copy (or its creation, for a ticket seen for the first time)."""

from datetime import datetime

from django.utils import timezone

from ticketui.osm.results import CaseSummary


def upstream_changed_at(
    case: CaseSummary, *, previous: datetime | None, changed: bool
) -> datetime | None:
    if case.update_time is not None:
        return case.update_time
    if previous is None:
        return case.create_time or timezone.now()
    return timezone.now() if changed else previous
