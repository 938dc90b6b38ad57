"""Reads of the audit trail, limited to what the viewer may see."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from .models import FAILURE_OUTCOMES, AuditRecord, Kind

TICKET_KINDS = (
    Kind.OPERATION,
    Kind.SURVEY,
    Kind.TRACK,
    Kind.UNTRACK,
    Kind.RECONCILE,
    Kind.CLAIM,
    Kind.ASSIGN,
)
ANY_FAILURE = "failed"  # the outcome filter meaning "did not succeed, whatever the reason"


def audit_records_visible(*, viewer: AbstractBaseUser) -> QuerySet[AuditRecord]:
    """Team leads see every record; agents see their own and what every ticket's timeline shows."""
    records = AuditRecord.objects.select_related("actor")
    if viewer.has_perm("audit.view_all_records"):
        return records
    return records.filter(Q(actor=viewer) | Q(kind__in=TICKET_KINDS))


def audit_record_list(*, viewer: AbstractBaseUser) -> QuerySet[AuditRecord]:
    """The review list: everything for team leads; for agents, their own records and the
    settlements of their operations."""
    records = AuditRecord.objects.select_related("actor")
    if viewer.has_perm("audit.view_all_records"):
        return records
    return records.filter(Q(actor=viewer) | Q(reconciles__actor=viewer))


@dataclass(frozen=True, kw_only=True)
class RecordFilter:
    """What the review page and the export narrow the trail to; empty means any."""

    agent: AbstractBaseUser | None = None
    kind: str = ""
    action: str = ""
    outcome: str = ""  # a RecordOutcome value, or ANY_FAILURE
    case_id: str = ""
    error_code: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


def audit_record_filter(
    records: QuerySet[AuditRecord], *, filters: RecordFilter
) -> QuerySet[AuditRecord]:
    if filters.agent is not None:
        # A failed login has no actor, only the name that was typed.
        records = records.filter(
            Q(actor=filters.agent)
            | Q(actor__isnull=True, actor_username=filters.agent.get_username())
        )
    if filters.kind:
        records = records.filter(kind=filters.kind)
    if filters.action:
        records = records.filter(action_id=filters.action)
    if filters.outcome == ANY_FAILURE:
        records = records.filter(outcome__in=FAILURE_OUTCOMES)
    elif filters.outcome:
        records = records.filter(outcome=filters.outcome)
    if filters.case_id:
        records = records.filter(case_id=filters.case_id)
    if filters.error_code:
        records = records.filter(error_code=filters.error_code)
    if filters.since is not None:
        records = records.filter(created_at__gte=filters.since)
    if filters.until is not None:
        records = records.filter(created_at__lt=filters.until)
    return records


def audit_record_settlements(*, record: AuditRecord) -> QuerySet[AuditRecord]:
    """What reconciliation (or a late answer) later established about an operation."""
    return AuditRecord.objects.filter(reconciles=record).order_by("created_at", "id")
