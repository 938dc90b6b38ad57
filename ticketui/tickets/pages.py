"""The context of each full page that more than one view renders, built in one place: the ticket
list (its own view, and the track form's fallback without JavaScript) and the ticket page (its
own view, and the operation and survey forms' fallbacks). A fallback cannot miss a key the page
needs, because it asks the same builder."""

from django.http import HttpRequest

from ticketui.audit.models import AuditRecord

from .bulk.forms import BulkForm
from .forms import TicketFilterForm, TrackTicketForm
from .models import Ticket
from .operations.forms import OperationForm
from .selectors import ticket_list_page, ticket_status_counts, ticket_timeline_context
from .surveys.dimensions import dimensions_offered
from .surveys.forms import SurveyForm
from .surveys.selectors import survey_for_ticket
from .sync.selectors import sync_latest


def ticket_list_context(
    request: HttpRequest,
    *,
    filters: TicketFilterForm | None = None,
    track_form: TrackTicketForm | None = None,
) -> dict:
    filters = filters or TicketFilterForm(request.GET)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    search, status = cleaned.get("q") or "", cleaned.get("status")
    status_counts = ticket_status_counts()
    page = ticket_list_page(
        search=search, status=status, number=request.GET.get("page"), status_counts=status_counts
    )
    return {
        "filters": filters,
        "page": page,
        "track_form": track_form or TrackTicketForm(),
        "sync": sync_latest(),
        "status_counts": status_counts,
        "status_total": sum(count for _, _, count in status_counts),
        "current_status": status,
        "can_operate": request.user.has_perm("tickets.operate_ticket"),
        "bulk_form": BulkForm(),
    }


def ticket_page_context(
    *,
    ticket: Ticket,
    operation_form: OperationForm | None = None,
    operation_record: AuditRecord | None = None,
    survey_form: SurveyForm | None = None,
    survey_record: AuditRecord | None = None,
) -> dict:
    """The ticket page: its header, timeline, survey panel and operation form. Forms not given
    are fresh ones (each with a new one-time key)."""
    dimensions = dimensions_offered(fetch_if_empty=True)
    return {
        "ticket": ticket,
        "form": operation_form or OperationForm(dimensions=dimensions),
        "operation_record": operation_record,
        **ticket_timeline_context(ticket=ticket),
        **survey_panel_context(
            ticket=ticket, dimensions=dimensions, form=survey_form, record=survey_record
        ),
    }


def survey_panel_context(*, ticket: Ticket, dimensions, form=None, record=None) -> dict:
    """The survey panel, on the ticket page or alone."""
    return {
        "ticket": ticket,
        "survey": survey_for_ticket(ticket=ticket),
        "survey_form": form or SurveyForm(dimensions=dimensions),
        "survey_record": record,
    }
