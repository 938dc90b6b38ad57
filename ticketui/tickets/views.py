"""Ticket pages: the list, tracking a ticket, the ticket page and its operation form."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from ticketui.audit.services import Origin
from ticketui.fragments import FRAGMENT_SECONDS, rows_version
from ticketui.osm.results import UpstreamError

from .forms import OperationForm, TicketFilterForm, TrackTicketForm
from .models import SyncRun, Ticket
from .outcomes import outcome_message
from .selectors import (
    ticket_list_page,
    ticket_status_counts,
    ticket_timeline_context,
)
from .services import operation_replay, operation_submit, ticket_refresh_if_stale, ticket_track
from .survey_views import survey_panel_context
from .surveys import dimensions_offered
from .sync import SyncAlreadyActive, sync_latest, sync_request

UPSTREAM_UNAVAILABLE = "The upstream could not be asked just now: %(reason)s"


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_list_view(request) -> HttpResponse:
    filters = TicketFilterForm(request.GET)
    template = (
        "tickets/list.html#results"
        if request.htmx and not request.htmx.boosted
        else "tickets/list.html"
    )
    return render(request, template, _list_context(request, filters, TrackTicketForm()))


def _list_context(request, filters: TicketFilterForm, track_form: TrackTicketForm) -> dict:
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    search, status = cleaned.get("q") or "", cleaned.get("status")
    status_counts = ticket_status_counts()
    page = ticket_list_page(
        search=search, status=status, number=request.GET.get("page"), status_counts=status_counts
    )
    return {
        "filters": filters,
        "page": page,
        "track_form": track_form,
        "sync": sync_latest(),
        "status_counts": status_counts,
        "status_total": sum(count for _, _, count in status_counts),
        "current_status": status,
        "can_operate": request.user.has_perm("tickets.operate_ticket"),
        "rows_version": rows_version(page.object_list, "pk", "updated_at"),
        "fragment_seconds": FRAGMENT_SECONDS,
        "bulk_key": uuid.uuid4(),  # the bulk form's one-time key
    }


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
    context = _list_context(request, TicketFilterForm(), form)
    return render(request, "tickets/list.html", context, status=400)


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_detail_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered(fetch_if_empty=True)
    context = {
        "ticket": ticket,
        "form": OperationForm(dimensions=dimensions),
        **ticket_timeline_context(ticket=ticket),
        **survey_panel_context(ticket=ticket, dimensions=dimensions),
    }
    return render(request, "tickets/detail.html", context)


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_status_view(request, pk: int) -> HttpResponse:
    """The ticket's header, refreshed from the upstream when the local copy is stale."""
    ticket = ticket_refresh_if_stale(ticket=get_object_or_404(Ticket, pk=pk), actor=request.user)
    return render(request, "tickets/detail.html#summary", {"ticket": ticket, "refreshed": True})


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_timeline_view(request, pk: int) -> HttpResponse:
    """The timeline's first page (after an operation), or the page older than `before`."""
    ticket = get_object_or_404(Ticket, pk=pk)
    before = request.GET.get("before", "")
    if before.isdigit():
        context = {"ticket": ticket, **ticket_timeline_context(ticket=ticket, before=int(before))}
        return render(request, "tickets/detail.html#timeline-items", context)
    return render(
        request,
        "tickets/detail.html#timeline",
        {"ticket": ticket, **ticket_timeline_context(ticket=ticket)},
    )


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def operation_create_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered()
    form = OperationForm(request.POST, dimensions=dimensions, ticket=ticket)
    if (record := operation_replay(key=request.POST.get("idempotency_key", ""))) is not None:
        return _operation_outcome(request, ticket, record, dimensions)
    if not form.is_valid():
        if request.htmx:
            return render(
                request, "tickets/detail.html#operation-panel", {"form": form, "ticket": ticket}
            )
        context = {"ticket": ticket, "form": form, **ticket_timeline_context(ticket=ticket)}
        context |= survey_panel_context(ticket=ticket, dimensions=dimensions)
        return render(request, "tickets/detail.html", context, status=400)
    record = operation_submit(
        actor=request.user,
        ticket=ticket,
        origin=Origin.of(request),
        # The page fetches its header (refreshing the ticket) when it shows the outcome.
        refresh=not request.htmx,
        **form.cleaned_data,
    )
    return _operation_outcome(request, ticket, record, dimensions)


def _operation_outcome(request, ticket: Ticket, record, dimensions) -> HttpResponse:
    """The outcome in place (a fresh form, with a new one-time key), or back to the ticket."""
    if not request.htmx:
        level = messages.SUCCESS if record.outcome == "succeeded" else messages.WARNING
        messages.add_message(request, level, outcome_message(record))
        return redirect(ticket)
    ticket.refresh_from_db()
    context = {"form": OperationForm(dimensions=dimensions), "ticket": ticket, "record": record}
    response = render(request, "tickets/detail.html#operation-panel", context)
    return trigger_client_event(response, "ticket-changed")


@require_POST
@permission_required("tickets.run_sync", raise_exception=True)
def sync_create_view(request) -> HttpResponse:
    """A team lead's "Sync now": queue a sync for the worker, or show the one already going."""
    try:
        run, notice = sync_request(actor=request.user), ""
    except SyncAlreadyActive as exc:
        run, notice = exc.run, str(exc)
    if not request.htmx:
        messages.info(request, notice or _("Sync queued; the list fills in as it runs."))
        return redirect("tickets:list")
    return render(request, "tickets/list.html#sync-status", {"sync": run, "sync_notice": notice})


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def sync_status_view(request, pk: int) -> HttpResponse:
    """The sync's progress, polled while it runs; its end tells the list to reload."""
    run = get_object_or_404(SyncRun, pk=pk)
    response = render(request, "tickets/list.html#sync-status", {"sync": run})
    if not run.is_active:
        response = trigger_client_event(response, "tickets-synced")
    return response
