"""A team lead's "Sync now" on the ticket list, the sync's live progress, and an open list's
question whether a sync (the worker's scheduled one, or anyone's) has run since it was shown."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from ticketui.integers import id_from_text

from .models import SyncRun
from .selectors import sync_latest
from .services import SyncAlreadyActive, sync_request


@require_POST
@permission_required("tickets.run_sync", raise_exception=True)
def sync_create_view(request) -> HttpResponse:
    """Queue a sync for the worker, or show the one already going."""
    try:
        run, notice = sync_request(actor=request.user), ""
    except SyncAlreadyActive as exc:
        run, notice = exc.run, str(exc)
    if not request.htmx:
        messages.info(request, notice or _("Sync queued; the list fills in as it runs."))
        return redirect("tickets:list")
    return render(request, "tickets/sync/status.html", {"sync": run, "sync_notice": notice})


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def sync_status_view(request, pk: int) -> HttpResponse:
    """The sync's progress, polled while it runs; its end tells the list to reload."""
    return sync_status_response(request, get_object_or_404(SyncRun, pk=pk))


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def sync_latest_view(request) -> HttpResponse:
    """Asked by an open list every half minute: nothing (204, the page stays as it is) while the
    latest sync is the one the list shows; otherwise that sync, and the list reloads if it ended."""
    run = sync_latest()
    if run is None or run.pk == id_from_text(request.GET.get("seen")):
        return HttpResponse(status=204)
    return sync_status_response(request, run)


def sync_status_response(request, run: SyncRun) -> HttpResponse:
    """The sync's status fragment; once the sync has ended, it also tells the list to reload."""
    response = render(request, "tickets/sync/status.html", {"sync": run})
    if not run.is_active:
        response = trigger_client_event(response, "tickets-synced")
    return response
