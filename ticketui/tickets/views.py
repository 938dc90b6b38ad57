"""Ticket pages: the list, tracking a ticket, the ticket page and its operation form."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from ticketui.audit.services import Origin
from ticketui.osm.results import UpstreamError

from .forms import OperationForm, TicketFilterForm, TrackTicketForm
from .models import Ticket
from .outcomes import outcome_message
from .selectors import ticket_list, ticket_timeline
from .services import operation_submit, ticket_refresh_if_stale, ticket_track
from .survey_views import survey_panel_context
from .surveys import dimensions_offered

PAGE_SIZE = 25
UPSTREAM_UNAVAILABLE = "The upstream could not be asked just now: %(reason)s"


@require_GET
def ticket_list_view(request) -> HttpResponse:
    filters = TicketFilterForm(request.GET)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    tickets = ticket_list(search=cleaned.get("q") or "", status=cleaned.get("status"))
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    template = (
        "tickets/list.html#results"
        if request.htmx and not request.htmx.boosted
        else "tickets/list.html"
    )
    return render(
        request, template, {"filters": filters, "page": page, "track_form": TrackTicketForm()}
    )


@require_POST
@permission_required("tickets.track_ticket", raise_exception=True)
def ticket_track_view(request) -> HttpResponse:
    form = TrackTicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = ticket_track(
                actor=request.user, case_id=form.cleaned_data["case_id"], origin=Origin.of(request)
            )
        except ValidationError as exc:
            form.add_error("case_id", exc.message_dict.get("case_id", exc.messages))
        except UpstreamError as exc:
            form.add_error(
                None,
                _(UPSTREAM_UNAVAILABLE) % {"reason": exc.result.detail or exc.result.error_code},
            )
        else:
            if request.htmx:
                return HttpResponseClientRedirect(ticket.get_absolute_url())
            return redirect(ticket)
    if request.htmx:
        return render(request, "tickets/list.html#track-form", {"track_form": form})
    return render(
        request,
        "tickets/list.html",
        {
            "track_form": form,
            "filters": TicketFilterForm(),
            "page": Paginator(ticket_list(), PAGE_SIZE).get_page(1),
        },
        status=400,
    )


@require_GET
def ticket_detail_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered(fetch_if_empty=True)
    return render(
        request,
        "tickets/detail.html",
        {
            "ticket": ticket,
            "timeline": ticket_timeline(ticket=ticket),
            "form": OperationForm(dimensions=dimensions),
            **survey_panel_context(ticket=ticket, dimensions=dimensions),
        },
    )


@require_GET
def ticket_status_view(request, pk: int) -> HttpResponse:
    """The ticket's header, refreshed from the upstream when the local copy is stale."""
    ticket = ticket_refresh_if_stale(ticket=get_object_or_404(Ticket, pk=pk))
    return render(request, "tickets/detail.html#summary", {"ticket": ticket, "refreshed": True})


@require_GET
def ticket_timeline_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    return render(
        request,
        "tickets/detail.html#timeline",
        {"ticket": ticket, "timeline": ticket_timeline(ticket=ticket)},
    )


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def operation_create_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered()
    form = OperationForm(request.POST, dimensions=dimensions, ticket=ticket)
    if not form.is_valid():
        if request.htmx:
            return render(
                request, "tickets/detail.html#operation-panel", {"form": form, "ticket": ticket}
            )
        context = {"ticket": ticket, "timeline": ticket_timeline(ticket=ticket), "form": form}
        context |= survey_panel_context(ticket=ticket, dimensions=dimensions)
        return render(request, "tickets/detail.html", context, status=400)
    record = operation_submit(
        actor=request.user, ticket=ticket, origin=Origin.of(request), **form.cleaned_data
    )
    if not request.htmx:
        level = messages.SUCCESS if record.outcome == "succeeded" else messages.WARNING
        messages.add_message(request, level, outcome_message(record))
        return redirect(ticket)
    ticket.refresh_from_db()
    response = render(
        request,
        "tickets/detail.html#operation-panel",
        {"form": OperationForm(dimensions=dimensions), "ticket": ticket, "record": record},
    )
    return trigger_client_event(response, "ticket-changed")
