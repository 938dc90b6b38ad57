"""What the audit review links a record to (registered in apps.py; ticketui.audit.links says
why): the tracked ticket its case id names, and the bulk run it was part of."""

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext

from ticketui.audit.links import RecordLink
from ticketui.audit.models import AuditRecord

from .bulk.models import BulkItem
from .models import Ticket


def ticket_and_bulk_links(records: Sequence[AuditRecord]) -> dict[int, list[RecordLink]]:
    case_ids = {record.case_id for record in records if record.case_id}
    tickets = dict(Ticket.objects.filter(case_id__in=case_ids).values_list("case_id", "pk"))
    bulks = dict(
        BulkItem.objects.filter(audit_record_id__in=[record.pk for record in records]).values_list(
            "audit_record_id", "bulk_id"
        )
    )
    links: dict[int, list[RecordLink]] = {}
    for record in records:
        if (ticket := tickets.get(record.case_id)) is not None:
            url = reverse("tickets:detail", args=[ticket])
            links.setdefault(record.pk, []).append(RecordLink("ticket", record.case_id, url))
        if (bulk := bulks.get(record.pk)) is not None:
            text = gettext("Bulk operation #%(number)s") % {"number": bulk}
            url = reverse("tickets:bulk", args=[bulk])
            links.setdefault(record.pk, []).append(RecordLink("bulk", text, url))
    return links
