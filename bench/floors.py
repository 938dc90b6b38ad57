"""The floor each list page is compared with: a bare view that runs the page's single indexed query
and renders the same rows in a minimal template, with none of the app's middleware-visible work."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path

from ticketui.audit.models import AuditRecord
from ticketui.tickets.models import Ticket

ROWS = engines["django"].from_string(
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td>"
    "<td>{{ row.3 }}</td></tr>{% endfor %}</table>"
)


def ticket_rows_floor(request) -> HttpResponse:
    rows = Ticket.objects.order_by("-upstream_created_at", "-id").values_list(
        "case_id", "summary", "status", "upstream_created_at"
    )[:25]
    return HttpResponse(ROWS.render({"rows": list(rows)}))


def audit_rows_floor(request) -> HttpResponse:
    rows = AuditRecord.objects.order_by("-created_at", "-id").values_list(
        "created_at", "actor_username", "action_id", "case_id"
    )[:50]
    return HttpResponse(ROWS.render({"rows": list(rows)}))


urlpatterns = [
    path("floor/tickets", ticket_rows_floor),
    path("floor/audit", audit_rows_floor),
    path("", include("ticketui.urls")),
]
