"""The reply form's view (a reply posted in place with HTMX, or with a redirect without
JavaScript) and the attachment download, streamed from the upstream."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.audit.services import Origin
from ticketui.osm.results import DownloadTooLarge, RequestRefused, UpstreamError

from ..forms import form_add_errors
from ..models import Ticket
from ..pages import reply_panel_context, ticket_page_context
from .attachment_limits import attachment_limits
from .downloads import attachment_response, download_failed_page
from .forms import ReplyForm
from .outcomes import reply_outcome_message
from .services import AttachmentNotFound, attachment_open, reply_replay, reply_submit
from .uploads import refused_uploads


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def reply_create_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    form = ReplyForm(
        request.POST,
        request.FILES,
        accessory_limits=attachment_limits(),
        refused_uploads=refused_uploads(request),
    )
    record = None
    try:
        record = _replayed(request, ticket)
        if record is None and form.is_valid():
            submission = form.submission()
            record = reply_submit(
                actor=request.user, ticket=ticket, origin=Origin.of(request), **submission
            )
    except ValidationError as exc:
        form_add_errors(form, exc)
    if record is not None:
        return _reply_outcome(request, ticket, record)
    if request.htmx:
        context = reply_panel_context(ticket=ticket, form=form)
        return render(request, "tickets/conversation/reply.html", context)
    context = ticket_page_context(ticket=ticket, reply_form=form)
    return render(request, "tickets/detail.html", context, status=400)


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def reply_panel_view(request, pk: int) -> HttpResponse:
    """The reply panel again when the header brings a status (ticket-refreshed) that changes
    what the panel shows (`shown`: the form, or the status it says takes no replies); otherwise
    nothing (204), so a reply being typed stays."""
    ticket = get_object_or_404(Ticket, pk=pk)
    if request.GET.get("shown") == ticket.reply_state:
        return HttpResponse(status=204)
    return render(request, "tickets/conversation/reply.html", reply_panel_context(ticket=ticket))


def _replayed(request, ticket: Ticket) -> AuditRecord | None:
    """The outcome of this form's earlier submission, if it was sent already."""
    key = ReplyForm.base_fields["idempotency_key"].to_python(request.POST.get("idempotency_key"))
    return reply_replay(key=key, ticket=ticket, actor=request.user) if key else None


def _reply_outcome(request, ticket: Ticket, record: AuditRecord) -> HttpResponse:
    """The outcome in place (with a fresh form and a new one-time key), or back to the ticket."""
    if not request.htmx:
        level = messages.SUCCESS if record.outcome == RecordOutcome.SUCCEEDED else messages.WARNING
        messages.add_message(request, level, reply_outcome_message(record))
        return redirect(ticket)
    response = render(
        request,
        "tickets/conversation/reply.html",
        reply_panel_context(ticket=ticket, record=record),
    )
    # The timeline shows the new records; the conversation shows the reply.
    return trigger_client_event(
        trigger_client_event(response, "ticket-changed"), "conversation-changed"
    )


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def attachment_download_view(request, pk: int, accessory_id: str) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    origin = Origin.of(request)
    try:
        opened = attachment_open(
            actor=request.user, ticket=ticket, accessory_id=accessory_id, origin=origin
        )
    except (AttachmentNotFound, RequestRefused, ValidationError):
        raise Http404("No such attachment on this ticket.") from None
    except (UpstreamError, DownloadTooLarge) as exc:
        return download_failed_page(request, ticket, exc)
    return attachment_response(opened, actor=request.user, origin=origin)
