"""Ticket pages: the list, tracking a ticket, the ticket page and its header and timeline
fragments. Operations, surveys, bulk runs, syncs and reports have their own views."""

from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from ticketui.audit.services import Origin
from ticketui.integers import id_from_text
from ticketui.osm.results import UpstreamError

from .conversation.selectors import timeline_with_upstream_context
from .forms import TicketFilterForm, TrackTicketForm, form_add_errors
from .models import Ticket
from .pages import ticket_list_context, ticket_page_context
from .services import ticket_refresh_if_stale, ticket_track
from .visits.services import ticket_visit_record

UPSTREAM_UNAVAILABLE = gettext_noop("The upstream could not be asked just now: %(reason)s")


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_list_view(request) -> HttpResponse:
    partial = request.htmx and not request.htmx.boosted
    template = "tickets/list.html#results" if partial else "tickets/list.html"
    context = ticket_list_context(request)
    # A fragment that says so is still swapped in; a whole page is a 404.
    status = 404 if context["page_missing"] and not partial else 200
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@permission_required("tickets.track_ticket", raise_exception=True)
def ticket_track_view(request) -> HttpResponse:
    if request.method == "GET":  # the track form lives on the list (e.g. after a reload)
        return redirect("tickets:list")
    form = TrackTicketForm(request.POST)
    if form.is_valid():
        try:
            ticket = ticket_track(
                actor=request.user, case_id=form.cleaned_data["case_id"], origin=Origin.of(request)
            )
        except ValidationError as exc:
            form_add_errors(form, exc)
        except UpstreamError as exc:
            reason = exc.result.detail or exc.result.error_code
            form.add_error(None, _(UPSTREAM_UNAVAILABLE) % {"reason": reason})
        else:
            if request.htmx:
                return HttpResponseClientRedirect(ticket.get_absolute_url())
            return redirect(ticket)
    if request.htmx:
        return render(request, "tickets/list.html#track-form", {"track_form": form})
    context = ticket_list_context(request, filters=TicketFilterForm(), track_form=form)
    return render(request, "tickets/list.html", context, status=400)


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_detail_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("owner"), pk=pk)
    ticket_visit_record(viewer=request.user, ticket=ticket)
    return render(request, "tickets/detail.html", ticket_page_context(ticket=ticket))


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_status_view(request, pk: int) -> HttpResponse:
    """The ticket's header, refreshed from the upstream when the local copy is stale. When the
    status differs from the one the page showed (`shown`), the page's survey panel and operation
    form are told (ticket-refreshed) so that they follow it."""
    ticket = ticket_refresh_if_stale(ticket=get_object_or_404(Ticket, pk=pk), actor=request.user)
    ticket_visit_record(viewer=request.user, ticket=ticket)  # what the viewer now sees
    context = {"ticket": ticket, "refreshed": True}
    response = render(request, "tickets/detail.html#summary", context)
    if request.GET.get("shown", "") != str(ticket.status if ticket.status is not None else ""):
        trigger_client_event(response, "ticket-refreshed")
    return response


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def ticket_timeline_view(request, pk: int) -> HttpResponse:
    """The timeline's first page (after the page loads, or an operation), or the page older than
    `before`: the dashboard's records with the upstream's operate-log of the same stretch."""
    ticket = get_object_or_404(Ticket, pk=pk)
    before = id_from_text(request.GET.get("before"))
    context = {
        "ticket": ticket,
        **timeline_with_upstream_context(ticket=ticket, viewer=request.user, before=before),
    }
    partial = "timeline-items" if before is not None else "timeline"
    return render(request, f"tickets/detail.html#{partial}", context)
