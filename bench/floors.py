"""The floor each list page is compared with: a bare view that runs the page's single indexed query
(the same selector and filter, from the same query string) and renders the same rows in a minimal
template, with none of the page's forms, paging, counts or layout. And the empty signed-in page:
the layout alone, through every middleware, which every page costs before its own content."""

from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template import engines
from django.urls import include, path
from django.utils import timezone

from ticketui.audit.forms import PERIOD_DAYS
from ticketui.audit.models import AuditRecord
from ticketui.audit.selectors import RecordFilter, audit_record_filter
from ticketui.tickets.models import Ticket
from ticketui.tickets.selectors import TIMELINE_PAGE, ticket_list

ROWS = engines["django"].from_string(
    "<table>{% for row in rows %}<tr><td>{{ row.0 }}</td><td>{{ row.1 }}</td><td>{{ row.2 }}</td>"
    "<td>{{ row.3 }}</td></tr>{% endfor %}</table>"
)

EMPTY_PAGE = engines["django"].from_string('{% extends "base.html" %}')


def empty_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(EMPTY_PAGE.render({}, request))


def ticket_rows_floor(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status")
    tickets = ticket_list(search=request.GET.get("q", ""), status=int(status) if status else None)
    rows = tickets.values_list("case_id", "summary", "status", "upstream_created_at")[:25]
    return HttpResponse(ROWS.render({"rows": list(rows)}))


def ticket_page_floor(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticket and the first page of its timeline (the ticket page's two indexed reads)."""
    ticket = get_object_or_404(Ticket, pk=pk)
    records = AuditRecord.objects.filter(case_id=ticket.case_id).order_by("-id")
    rows = records.values_list("created_at", "actor_username", "action_id", "outcome")
    return HttpResponse(ROWS.render({"rows": list(rows[:TIMELINE_PAGE])}))


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_rows_floor(request: HttpRequest) -> HttpResponse:
    query = request.GET
    since = (
        [timezone.localdate() - timedelta(days=PERIOD_DAYS[query["period"]] - 1)]
        if query.get("period")
        else []
    )
    if query.get("date_from"):
        since.append(date.fromisoformat(query["date_from"]))
    until = (
        date.fromisoformat(query["date_to"]) + timedelta(days=1) if query.get("date_to") else None
    )
    filters = RecordFilter(
        agent=User.objects.get(username=query["agent"]) if query.get("agent") else None,
        kind=query.get("kind", ""),
        action=query.get("action", ""),
        outcome=query.get("outcome", ""),
        case_id=query.get("case_id", ""),
        error_code=query.get("error_code", ""),
        since=_midnight(max(since)) if since else None,
        until=_midnight(until) if until else None,
    )
    records = audit_record_filter(AuditRecord.objects.all(), filters=filters)
    rows = records.order_by("-created_at", "-id").values_list(
        "created_at", "actor_username", "action_id", "case_id"
    )[:50]
    return HttpResponse(ROWS.render({"rows": list(rows)}))


urlpatterns = [
    path("floor/empty", empty_page),
    path("floor/tickets", ticket_rows_floor),
    path("floor/ticket/<int:pk>", ticket_page_floor),
    path("floor/audit", audit_rows_floor),
    path("", include("ticketui.urls")),
]
