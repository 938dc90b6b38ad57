"""Reads of the audit trail, limited to what the viewer may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from .models import AuditRecord, Kind

TICKET_KINDS = (Kind.OPERATION, Kind.RATING, Kind.TRACK, Kind.UNTRACK)


def audit_records_visible(*, viewer: AbstractBaseUser) -> QuerySet[AuditRecord]:
    """Team leads see every record; agents see their own and what every ticket's timeline shows."""
    records = AuditRecord.objects.select_related("actor")
    if viewer.has_perm("audit.view_all_records"):
        return records
    return records.filter(Q(actor=viewer) | Q(kind__in=TICKET_KINDS))


def audit_record_list(*, viewer: AbstractBaseUser) -> QuerySet[AuditRecord]:
    """The review list: everything for team leads, one's own records for agents."""
    records = AuditRecord.objects.select_related("actor")
    if viewer.has_perm("audit.view_all_records"):
        return records
    return records.filter(actor=viewer)
