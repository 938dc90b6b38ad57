"""The context of each full page that more than one view renders, built in one place: the ticket
list (its own view, and the track form's fallback without JavaScript) and the ticket page (its
own view, and the operation and survey forms' fallbacks). A fallback cannot miss a key the page
needs, because it asks the same builder."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest

from ticketui.audit.models import AuditRecord

from .bulk.forms import BulkForm
from .conversation.attachment_limits import attachment_limits_known
from .conversation.forms import ReplyForm
from .conversation.outcomes import reply_outcome_message
from .forms import TicketFilterForm, TrackTicketForm
from .labels import severity_and_label_choices
from .models import Ticket
from .operations.forms import OperationForm
from .ownership.forms import AssignForm
from .ownership.selectors import owner_candidates
from .saved_views.selectors import saved_view_query, saved_views_for
from .selectors import (
    LIST_PAGE_SIZE,
    ticket_list_page,
    ticket_status_counts,
    ticket_timeline_context,
)
from .surveys.dimensions import dimensions_offered
from .surveys.forms import SurveyForm
from .surveys.selectors import survey_for_ticket
from .sync.selectors import sync_latest
from .visits.selectors import tickets_changed_since_visit


def ticket_list_context(
    request: HttpRequest,
    *,
    filters: TicketFilterForm | None = None,
    track_form: TrackTicketForm | None = None,
) -> dict:
    filters = filters or TicketFilterForm(request.GET)
    filters.is_valid()  # what it cannot use is left out; the rest applies
    chosen = filters.list_filters(viewer=request.user)
    status_counts = ticket_status_counts(**chosen)
    page = ticket_list_page(
        filters=chosen, number=request.GET.get("page"), status_counts=status_counts
    )
    status = chosen["status"]
    severities, label_names = severity_and_label_choices()
    return {
        "filters": filters,
        # A page number that names no page of the list says so, instead of showing another page.
        "page": page or Paginator([], LIST_PAGE_SIZE).page(1),
        "page_missing": page is None,
        "sort": chosen["sort"],
        "changed_since_visit": tuple(
            sorted(
                tickets_changed_since_visit(
                    viewer=request.user, tickets=page.object_list if page else []
                )
            )
        ),
        "owner_choices": owner_candidates(),
        "saved_views": saved_views_for(viewer=request.user),
        "current_query": saved_view_query(request.GET),
        "waiting_hours": settings.TICKET_WAITING_THRESHOLD_HOURS,
        "severity_choices": severities,
        "label_choices": label_names,
        "track_form": track_form or TrackTicketForm(),
        "sync": sync_latest(),
        "status_counts": status_counts,
        "status_total": sum(count for _, _, count in status_counts),
        "match_count": sum(
            count for code, _, count in status_counts if status is None or code == status
        ),
        "filtered": any(value for name, value in chosen.items() if name != "sort"),
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
    reply_form: ReplyForm | None = None,
) -> dict:
    """The ticket page: its header, timeline, survey panel, operation form and reply form. Forms
    not given are fresh ones (each with a new one-time key)."""
    dimensions = dimensions_offered(fetch_if_empty=True)
    return {
        "ticket": ticket,
        "form": operation_form or OperationForm(dimensions=dimensions),
        "operation_record": operation_record,
        "assign_form": AssignForm(initial={"owner": ticket.owner_id}),
        **ticket_timeline_context(ticket=ticket),
        **survey_panel_context(
            ticket=ticket, dimensions=dimensions, form=survey_form, record=survey_record
        ),
        **reply_panel_context(ticket=ticket, form=reply_form),
    }


def survey_panel_context(*, ticket: Ticket, dimensions, form=None, record=None) -> dict:
    """The survey panel, on the ticket page or alone; a fresh form only where one may be sent."""
    survey = survey_for_ticket(ticket=ticket)
    if form is None and survey.open:
        form = SurveyForm(dimensions=dimensions)
    return {"ticket": ticket, "survey": survey, "survey_form": form, "survey_record": record}


def reply_panel_context(*, ticket: Ticket, form=None, record: AuditRecord | None = None) -> dict:
    """The reply panel under the conversation, on the ticket page or alone after a reply. The
    attachment limits are those last read (the page does not wait for the upstream to state
    them; the reply's own check reads them)."""
    return {
        "ticket": ticket,
        "reply_form": form or ReplyForm(accessory_limits=attachment_limits_known()),
        "reply_record": record,
        "reply_outcome": reply_outcome_message(record) if record is not None else "",
    }
