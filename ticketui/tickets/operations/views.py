"""The operation form's view: an operation sent in place (HTMX), or with a redirect without
JavaScript."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import Origin

from ..forms import form_add_errors
from ..models import Ticket
from ..outcomes import outcome_message
from ..pages import ticket_page_context
from ..sending import operation_replay
from ..surveys.dimensions import dimensions_offered
from .forms import OperationForm
from .services import operation_submit


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def operation_create_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    form = OperationForm(request.POST, dimensions=dimensions_offered())
    record = None
    try:
        record = _replayed(request, ticket)
        if record is None and form.is_valid():
            record = operation_submit(
                actor=request.user,
                ticket=ticket,
                origin=Origin.of(request),
                # The page fetches its header (refreshing the ticket) when it shows the outcome.
                refresh=not request.htmx,
                **form.submission(),
            )
    except ValidationError as exc:
        form_add_errors(form, exc)
    if record is not None:
        return _operation_outcome(request, ticket, record)
    if request.htmx:
        return render(request, "tickets/operations/panel.html", {"form": form, "ticket": ticket})
    context = ticket_page_context(ticket=ticket, operation_form=form)
    return render(request, "tickets/detail.html", context, status=400)


def _replayed(request, ticket: Ticket) -> AuditRecord | None:
    """The outcome of this form's earlier submission, if it was sent already."""
    return operation_replay(
        key=request.POST.get("idempotency_key"),
        kind=Kind.OPERATION,
        case_id=ticket.case_id,
        action_id=request.POST.get("action_id", ""),
        actor=request.user,
    )


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def operation_form_view(request, pk: int) -> HttpResponse:
    """A fresh operation form for the ticket's status as last refreshed (after the page's header
    brought a new status from the upstream)."""
    ticket = get_object_or_404(Ticket, pk=pk)
    context = {"form": OperationForm(dimensions=dimensions_offered()), "ticket": ticket}
    return render(request, "tickets/operations/panel.html#operation-form", context)


def _operation_outcome(request, ticket: Ticket, record: AuditRecord) -> HttpResponse:
    """The outcome in place (a fresh form, with a new one-time key), or back to the ticket."""
    if not request.htmx:
        level = messages.SUCCESS if record.outcome == "succeeded" else messages.WARNING
        messages.add_message(request, level, outcome_message(record))
        return redirect(ticket)
    ticket.refresh_from_db()
    context = {
        "form": OperationForm(dimensions=dimensions_offered()),
        "ticket": ticket,
        "operation_record": record,
    }
    response = render(request, "tickets/operations/panel.html", context)
    # Told once the new panel is in place: the header's answer (ticket-refreshed, when the status
    # changed) must reach the new form, not the one this response replaces.
    return trigger_client_event(response, "ticket-changed", after="settle")
