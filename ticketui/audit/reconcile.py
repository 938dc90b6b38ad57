"""Reconciliation: settling operations whose result the dashboard never learned.

An operation is written *pending* before it is sent. If its process dies before the answer (or
the answer never comes), the record stays pending. Reconciliation, run by `manage.py
audit_reconcile` and by a background task (tasks.py):

1. marks every operation pending longer than a live call can take (`stale_after()`) *unknown*:
   that is the record's one allowed completion (pending to final), sealed like any other;
2. settles each *unknown* operation (those from step 1 and those whose answer timed out) by
   reading the upstream's operate-log for the ticket and the ticket's status. The settlement is a
   NEW record of kind "reconcile" linked to the operation (`reconciles`), because the operation's
   own record can no longer change: *succeeded* (the log shows it was carried out), *not carried
   out* (no trace of it, and the status agrees), or *unknown* (the evidence disagrees; a person
   must look). When the upstream cannot be asked, nothing is written and the next run tries again.

It only reads from the upstream: it never sends an operation again.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ticketui.osm.catalogue import ALLOWED_IN, OPERATE_LOG_TYPES, STATUS_AFTER, TicketStatus
from ticketui.osm.client import BODY_DEADLINE_SECONDS, OsmClient
from ticketui.osm.configured import get_client
from ticketui.osm.results import CaseNotFound, OperateLogEntry, RequestRefused, UpstreamError

from .chain import chain_complete, chain_transaction
from .models import AuditRecord, Kind, RecordOutcome

OPERATION_KINDS = (Kind.OPERATION, Kind.SURVEY)
# Calls that are also written pending before they are sent, and so are marked unknown when
# nobody finished them. They are not settled: the upstream's operate-log does not list replies,
# and a thread cannot tell this reply from an identical one sent again after it (see the
# README, "Replies and attachments"); a person reads the thread instead.
PENDING_KINDS = (*OPERATION_KINDS, Kind.REPLY, Kind.UPLOAD, Kind.DOWNLOAD)
# The upstream's clock and ours may differ, and its log keeps whole seconds.
CLOCK_SKEW = timedelta(minutes=2)
BATCH = 200
# Who a settlement is recorded as: no account can have this name (it has spaces).
RECONCILER = "reconciliation (system)"
MAX_LOG_PAGES = 50

MARKED_UNKNOWN = (
    "No answer was recorded: the process sending this operation ended before the upstream "
    "answered. Marked unknown by reconciliation."
)
SETTLED_DONE = "The upstream's operate-log shows this {action} at {time}{by}: it was carried out."
SETTLED_NOT_DONE = "The upstream's operate-log has no {action} after this operation was sent{status}: it was not carried out, and may be sent again."
SETTLED_STATUS_ONLY = "The ticket is still {status}, which this {action} would have changed: it was not carried out, and may be sent again."
SETTLED_CONFLICT = "The ticket is {status}, as this {action} would leave it, but the upstream's operate-log has no matching entry: check with the upstream before acting again."
SETTLED_GONE = "The upstream no longer has this ticket, so the result cannot be established."
SETTLED_UNASKABLE = "This ticket's case id cannot be sent in a path (it is a dot segment), so the upstream cannot be asked and the result cannot be established."
SETTLED_UNKNOWN_ACTION = "The dashboard does not know how the upstream logs a {action!r}, so the result cannot be established."


def stale_after() -> timedelta:
    """The longest a live call can take, plus a margin. A 401 renews credentials and sends once
    more; each send may wait to connect, for the first byte and for a slow body (the client's
    deadline, then one more read)."""
    per_send = settings.OSM_CONNECT_TIMEOUT + 2 * settings.OSM_READ_TIMEOUT + BODY_DEADLINE_SECONDS
    return timedelta(seconds=2 * per_send + settings.AUDIT_RECONCILE_MARGIN)


@dataclass(frozen=True, kw_only=True)
class Settlement:
    operation: AuditRecord
    outcome: RecordOutcome | None  # None: the upstream could not be asked; tried again later
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)
    record: AuditRecord | None = None


@dataclass(kw_only=True)
class ReconcileReport:
    marked_unknown: list[AuditRecord] = field(default_factory=list)
    settled: list[Settlement] = field(default_factory=list)
    deferred: list[Settlement] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return len(self.deferred)


def audit_reconcile(
    *,
    now: datetime | None = None,
    older_than: timedelta | None = None,
    client: OsmClient | None = None,
) -> ReconcileReport:
    """Mark stale pending operations unknown, then settle every unsettled unknown operation."""
    now = now or timezone.now()
    cutoff = now - (stale_after() if older_than is None else older_than)
    report = ReconcileReport()
    stale = AuditRecord.objects.filter(
        kind__in=PENDING_KINDS, outcome=RecordOutcome.PENDING, created_at__lte=cutoff
    ).order_by("created_at", "id")[:BATCH]
    for record in stale:
        fields = {"outcome": RecordOutcome.UNKNOWN, "completed_at": now, "detail": MARKED_UNKNOWN}
        if chain_complete(record=record, fields=fields):
            report.marked_unknown.append(record)
    unsettled = (
        AuditRecord.objects.filter(kind__in=OPERATION_KINDS, outcome=RecordOutcome.UNKNOWN)
        .filter(settlements__isnull=True)
        .order_by("created_at", "id")[:BATCH]
    )
    client = client or get_client()
    for record in unsettled:
        settlement = _settle(client, record)
        if settlement.outcome is None:
            report.deferred.append(settlement)
            continue
        written = _record_settlement(settlement, now)
        if written is not None:
            report.settled.append(written)
    return report


def unsettled_operations_exist() -> bool:
    """Whether a later reconciliation run has anything to do."""
    return (
        AuditRecord.objects.filter(kind__in=PENDING_KINDS, outcome=RecordOutcome.PENDING).exists()
        or AuditRecord.objects.filter(
            kind__in=OPERATION_KINDS, outcome=RecordOutcome.UNKNOWN, settlements__isnull=True
        ).exists()
    )


def _status_name(status: int | None) -> str:
    if status in TicketStatus.values:
        return str(TicketStatus(status).label).lower()
    return f"in status {status}"


def _read_logs(client: OsmClient, case_id: str) -> list[OperateLogEntry]:
    entries: list[OperateLogEntry] = []
    for _page in range(MAX_LOG_PAGES):
        page = client.case_operate_logs(case_id, offset=len(entries), limit=100)
        entries.extend(page.entries)
        if not page.entries or len(entries) >= page.total_count:
            break
    return entries


def _claimed_by_others(record: AuditRecord, start: datetime, end: datetime) -> int:
    """How many other operations of the same kind on the ticket, sent in the window, are known
    to have been carried out (each accounts for one log entry)."""
    return (
        AuditRecord.objects.filter(
            kind__in=OPERATION_KINDS,
            case_id=record.case_id,
            action_id=record.action_id,
            created_at__range=(start, end),
        )
        .filter(
            Q(outcome=RecordOutcome.SUCCEEDED) | Q(settlements__outcome=RecordOutcome.SUCCEEDED)
        )
        .exclude(pk=record.pk)
        .distinct()
        .count()
    )


def _settle(client: OsmClient, record: AuditRecord) -> Settlement:
    action = record.action_id
    operate_type = OPERATE_LOG_TYPES.get(action)
    if operate_type is None:
        return Settlement(
            operation=record,
            outcome=RecordOutcome.UNKNOWN,
            reason=SETTLED_UNKNOWN_ACTION.format(action=action),
        )
    try:
        status = client.case_status(record.case_id)
    except CaseNotFound:
        return Settlement(operation=record, outcome=RecordOutcome.UNKNOWN, reason=SETTLED_GONE)
    except RequestRefused:
        return Settlement(operation=record, outcome=RecordOutcome.UNKNOWN, reason=SETTLED_UNASKABLE)
    except UpstreamError as exc:
        return Settlement(operation=record, outcome=None, reason=str(exc))
    try:
        logs = _read_logs(client, record.case_id)
    except UpstreamError as exc:
        return _settle_by_status(record, status, str(exc))
    evidence: dict[str, Any] = {"ticket_status": status, "log_entries": len(logs)}
    start = record.created_at - CLOCK_SKEW
    end = record.created_at + stale_after() + CLOCK_SKEW
    matches = [
        entry
        for entry in logs
        if entry.operate_type == operate_type and entry.time and start <= entry.time <= end
    ]
    claimed = _claimed_by_others(record, start, end)
    if len(matches) > claimed:
        entry = matches[claimed]
        evidence["log_entry"] = entry.raw
        return Settlement(
            operation=record,
            outcome=RecordOutcome.SUCCEEDED,
            reason=SETTLED_DONE.format(
                action=action,
                time=timezone.localtime(entry.time).strftime("%Y-%m-%d %H:%M:%S %Z"),
                by=f" by {entry.operator}" if entry.operator else "",
            ),
            evidence=evidence,
        )
    if STATUS_AFTER.get(action) is not None and status == STATUS_AFTER[action]:
        return Settlement(
            operation=record,
            outcome=RecordOutcome.UNKNOWN,
            reason=SETTLED_CONFLICT.format(action=action, status=_status_name(status)),
            evidence=evidence,
        )
    still = f", and the ticket is still {_status_name(status)}" if status is not None else ""
    return Settlement(
        operation=record,
        outcome=RecordOutcome.NOT_APPLIED,
        reason=SETTLED_NOT_DONE.format(action=action, status=still),
        evidence=evidence,
    )


def _settle_by_status(record: AuditRecord, status: int | None, logs_error: str) -> Settlement:
    """Without the operate-log, only a status the action would have changed settles it."""
    action = record.action_id
    evidence = {"ticket_status": status, "operate_log": logs_error}
    if (
        status is not None
        and action in STATUS_AFTER
        and status != STATUS_AFTER[action]
        and status in ALLOWED_IN.get(action, ())
    ):
        return Settlement(
            operation=record,
            outcome=RecordOutcome.NOT_APPLIED,
            reason=SETTLED_STATUS_ONLY.format(status=_status_name(status), action=action),
            evidence=evidence,
        )
    return Settlement(operation=record, outcome=None, reason=logs_error, evidence=evidence)


def _record_settlement(settlement: Settlement, now: datetime) -> Settlement | None:
    """Write the settlement record, unless another run settled the operation meanwhile."""
    operation = settlement.operation
    with chain_transaction():
        if AuditRecord.objects.filter(reconciles=operation).exists():
            return None
        record = AuditRecord.objects.create(
            kind=Kind.RECONCILE,
            created_at=now,
            completed_at=now,
            reconciles=operation,
            actor_username=RECONCILER,
            case_id=operation.case_id,
            action_id=operation.action_id,
            outcome=settlement.outcome,
            detail=settlement.reason,
            data={"settles": operation.pk, **settlement.evidence},
        )
    return Settlement(
        operation=operation,
        outcome=settlement.outcome,
        reason=settlement.reason,
        evidence=settlement.evidence,
        record=record,
    )
