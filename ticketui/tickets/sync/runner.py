"""Syncing the local ticket list (and the satisfaction dimensions) from the upstream.

- **Idempotent upsert by case id**: each page of up to 100 tickets is compared with the local
  rows and only new or changed ones are written, in one `INSERT … ON CONFLICT (case_id) DO UPDATE`
  (bulk_create with update_conflicts), so a second run over unchanged data writes nothing.
- **Incremental by time window**: the upstream's list filters by `query_start_time` /
  `query_end_time`, which this project takes to be the window of the tickets' *last update*
  (the real semantics are not published; the sandbox does the same). An incremental sync asks
  for what changed since the last successful sync's window end, less SYNC_OVERLAP for clocks
  that disagree; the first sync, or `--full`, takes everything.
- **Safe to run twice at once**: a run is a SyncRun row, and at most one can be queued or running
  (a partial unique index). A second start is refused with the active run; a run whose heartbeat
  stopped (a killed process) is marked abandoned so it cannot block syncing for ever.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.utils import timezone

from ticketui.audit.models import Kind, RecordOutcome
from ticketui.audit.services import NO_ORIGIN, audit_event
from ticketui.osm import limits
from ticketui.osm.auth import AuthenticationError
from ticketui.osm.client import OsmClient
from ticketui.osm.configured import get_client
from ticketui.osm.results import CaseSummary, UpstreamError

from ..ageing import upstream_changed_at
from ..labels import case_labels, label_names, tags_write
from ..models import Ticket, TicketTag
from ..selectors import ticket_status_counts_forget
from ..surveys.dimensions import dimensions_sync
from .models import SyncRun, SyncStatus

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # the upstream's largest page
MAX_OFFSET = 65535  # the upstream's largest offset

SYNC_PAGING_LIMIT = (
    "Stopped at the upstream's paging limit (offset 65,535): sync a narrower window "
    "with --since/--until to reach the rest."
)
SYNC_UPSTREAM_FAILED = "The upstream did not answer the list call: %(reason)s"

# The Ticket fields a sync writes (besides case_id); compared before anything is written.
SYNCED_FIELDS = (
    "summary",
    "status",
    "product_category",
    "business_type",
    "incident_type",
    "customer_name",
    "upstream_created_at",
    "upstream_updated_at",
    "upstream_data",
    "labels",
)


@dataclass(frozen=True)
class PageCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0


ProgressCallback = Callable[[SyncRun], None]


# --- Running it -----------------------------------------------------------------------------


def sync_run(*, run: SyncRun, on_progress: ProgressCallback | None = None) -> SyncRun:
    """Carry out a queued run (claiming it first, so that only one process ever does) and return
    it finished. Upstream failures end it as failed, with the reason; they are not raised."""
    now = timezone.now()
    # Only an end the caller chose limits the list; otherwise the end is just recorded as "now",
    # where the next incremental run starts.
    explicit_end = run.window_end
    claimed = SyncRun.objects.filter(pk=run.pk, status=SyncStatus.QUEUED).update(
        status=SyncStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        window_end=run.window_end or now,
    )
    run.refresh_from_db()
    if not claimed:
        return run  # someone else runs (or ran) it
    client = get_client()
    outcome = RecordOutcome.SUCCEEDED
    try:
        dimensions = dimensions_sync()
        run.dimensions = dimensions.created + dimensions.updated
        _sync_tickets(client, run, on_progress, end=explicit_end)
        run.status = SyncStatus.SUCCEEDED
    except UpstreamError as exc:
        outcome = (
            RecordOutcome.NOT_SENT if isinstance(exc, AuthenticationError) else RecordOutcome.FAILED
        )
        run.status = SyncStatus.FAILED
        run.detail = _failure_text(exc)
    except Exception as exc:
        run.status = SyncStatus.FAILED
        run.detail = f"Unexpected error: {type(exc).__name__}"
        _finish(run, RecordOutcome.FAILED)
        raise
    _finish(run, outcome)
    if on_progress:
        on_progress(run)
    return run


def _failure_text(exc: UpstreamError) -> str:
    if isinstance(exc, AuthenticationError):
        return exc.message
    result = exc.result
    reason = (
        " ".join(part for part in (result.error_code, result.error_msg or result.detail) if part)
        or f"HTTP {result.http_status}"
    )
    return SYNC_UPSTREAM_FAILED % {"reason": reason}


def _finish(run: SyncRun, outcome: RecordOutcome) -> None:
    run.finished_at = timezone.now()
    run.save()
    audit_event(
        kind=Kind.SYNC,
        actor=run.requested_by,
        outcome=outcome,
        detail=run.detail or f"{run.created} new, {run.updated} updated, {run.unchanged} unchanged",
        data={
            "sync_run": run.pk,
            "trigger": run.trigger,
            "full": run.full,
            "window_start": run.window_start.isoformat() if run.window_start else None,
            "window_end": run.window_end.isoformat() if run.window_end else None,
            "total": run.total,
            "processed": run.processed,
            "created": run.created,
            "updated": run.updated,
            "unchanged": run.unchanged,
            "skipped": run.skipped,
            "dimensions": run.dimensions,
        },
        origin=NO_ORIGIN,
    )


def _query_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def _sync_tickets(
    client: OsmClient,
    run: SyncRun,
    on_progress: ProgressCallback | None,
    *,
    end: datetime | None,
) -> None:
    offset = 0
    while True:
        page = client.case_list(
            offset=offset,
            limit=PAGE_SIZE,
            query_start_time=_query_time(run.window_start),
            query_end_time=_query_time(end),
        )
        counts = tickets_upsert(cases=page.cases)
        offset += len(page.cases)
        run.total = max(page.total_count, offset)
        run.processed = offset
        run.created += counts.created
        run.updated += counts.updated
        run.unchanged += counts.unchanged
        run.skipped += counts.skipped
        run.heartbeat_at = timezone.now()
        SyncRun.objects.filter(pk=run.pk).update(
            total=run.total,
            processed=run.processed,
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            skipped=run.skipped,
            heartbeat_at=run.heartbeat_at,
        )
        if on_progress:
            on_progress(run)
        if not page.cases or offset >= page.total_count:
            return
        if offset + PAGE_SIZE > MAX_OFFSET + 1:
            run.detail = SYNC_PAGING_LIMIT
            return


# --- Writing ---------------------------------------------------------------------------------


def _usable_case_id(case_id: str) -> bool:
    return (
        1 <= len(case_id) <= limits.CASE_ID_MAX
        and case_id not in limits.DOT_SEGMENT_CASE_IDS
        and not any(ord(char) < 32 for char in case_id)
    )


def _synced_values(case: CaseSummary, current: Ticket | None) -> dict:
    # Keys only the detail call returns (messages, judgement…) survive a sync from the list.
    data = {**(current.upstream_data if current else {}), **case.raw}
    values = {
        "summary": case.summary,
        "status": case.status,
        "product_category": case.product_category[:200],
        "business_type": case.business_type[:200],
        "incident_type": case.incident_type[:200],
        "customer_name": case.customer_name[:200],
        "upstream_created_at": case.create_time,
        "upstream_data": data,
    }
    changed = current is not None and any(
        getattr(current, name) != value for name, value in values.items()
    )
    # Written when they differ, but not a change of the ticket's own (a ticket synced before
    # labels were kept would otherwise look changed upstream once).
    values["labels"] = case_labels(case)
    values["upstream_updated_at"] = upstream_changed_at(
        case, previous=current.upstream_updated_at if current else None, changed=changed
    )
    return values


def tickets_upsert(*, cases: tuple[CaseSummary, ...] | list[CaseSummary]) -> PageCounts:
    """Write the new and changed tickets of one page in one statement; leave the rest alone.

    Unusable case ids (missing, too long, control characters) are skipped and counted; unknown
    statuses and unreadable dates are kept as they came (None for a date, raw data in
    upstream_data)."""
    by_case_id: dict[str, CaseSummary] = {}
    skipped = 0
    for case in cases:
        if not _usable_case_id(case.case_id):
            skipped += 1
            logger.warning("sync skipped a ticket without a usable case id")
            continue
        by_case_id[case.case_id] = case  # a case listed twice: the later entry wins
    current = {
        ticket.case_id: ticket
        for ticket in Ticket.objects.filter(case_id__in=by_case_id).only("case_id", *SYNCED_FIELDS)
    }
    now = timezone.now()
    rows, created, unchanged = [], 0, 0
    for case_id, case in by_case_id.items():
        existing = current.get(case_id)
        values = _synced_values(case, existing)
        if existing and all(getattr(existing, name) == value for name, value in values.items()):
            unchanged += 1
            continue
        created += existing is None
        rows.append(Ticket(case_id=case_id, refreshed_at=now, **values))
    if rows:
        Ticket.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["case_id"],
            update_fields=[*SYNCED_FIELDS, "refreshed_at", "updated_at"],
        )
        ids = dict(
            Ticket.objects.filter(case_id__in=[row.case_id for row in rows]).values_list(
                "case_id", "pk"
            )
        )
        tags_write(
            kind=TicketTag.Kind.LABEL,
            names_by_ticket={ids[row.case_id]: label_names(row.labels) for row in rows},
        )
        ticket_status_counts_forget()
    return PageCounts(
        created=created, updated=len(rows) - created, unchanged=unchanged, skipped=skipped
    )
