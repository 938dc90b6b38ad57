"""Survey pages: the ticket page's survey panel (the form for a completed ticket, or what was
said) and the team lead's choice of required dimensions."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from ticketui.audit.models import Kind
from ticketui.audit.services import Origin, audit_event
from ticketui.osm.catalogue import SURVEY_ACTION
from ticketui.osm.results import UpstreamError

from ..forms import form_add_errors
from ..models import Ticket
from ..outcomes import outcome_message
from ..pages import survey_panel_context, ticket_page_context
from ..sending import operation_replay
from .dimensions import dimensions_offered, dimensions_require, dimensions_sync
from .forms import DimensionsRequiredForm, SurveyForm
from .models import SatisfactionDimension
from .services import survey_submit

DIMENSIONS_SAVED = gettext_noop("Saved: %(count)d of the survey's dimensions are required.")
DIMENSIONS_SYNCED = gettext_noop(
    "Synced from the upstream: %(created)d new, %(updated)d refreshed, %(retired)d no longer offered."
)
DIMENSIONS_SYNC_FAILED = gettext_noop("The upstream could not be asked just now: %(reason)s")


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def survey_panel_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered(fetch_if_empty=True)
    context = survey_panel_context(ticket=ticket, dimensions=dimensions)
    return render(request, "tickets/surveys/panel.html", context)


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def survey_create_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered()
    form = SurveyForm(request.POST, dimensions=dimensions)
    record = None
    try:
        record = operation_replay(
            key=request.POST.get("idempotency_key"),
            kind=Kind.SURVEY,
            case_id=ticket.case_id,
            action_id=SURVEY_ACTION,
            actor=request.user,
        )
        if record is None and form.is_valid():
            record = survey_submit(
                actor=request.user, ticket=ticket, origin=Origin.of(request), **form.submission()
            )
    except ValidationError as exc:
        form_add_errors(form, exc)
    if record is not None and not request.htmx:
        level = messages.SUCCESS if record.outcome == "succeeded" else messages.WARNING
        messages.add_message(request, level, outcome_message(record))
        return redirect(ticket)
    if not request.htmx:
        context = ticket_page_context(ticket=ticket, survey_form=form)
        return render(request, "tickets/detail.html", context, status=400)
    shown = None if record is not None else form
    context = survey_panel_context(ticket=ticket, dimensions=dimensions, form=shown, record=record)
    response = render(request, "tickets/surveys/panel.html", context)
    return trigger_client_event(response, "ticket-changed", after="settle") if record else response


@require_http_methods(["GET", "POST"])
@permission_required("tickets.change_satisfactiondimension", raise_exception=True)
def dimension_settings_view(request) -> HttpResponse:
    """Which dimensions every survey must rate; and fetching them again from the upstream."""
    if request.method == "POST" and "sync" in request.POST:
        try:
            result = dimensions_sync()
        except UpstreamError as exc:
            reason = exc.result.error_code or exc.result.detail or str(exc.result.http_status)
            messages.error(request, _(DIMENSIONS_SYNC_FAILED) % {"reason": reason})
        else:
            audit_event(
                kind=Kind.SYNC,
                actor=request.user,
                data={"synced": "satisfaction dimensions", **result.__dict__},
                origin=Origin.of(request),
            )
            messages.success(request, _(DIMENSIONS_SYNCED) % result.__dict__)
        return redirect("reports:dimensions")
    dimensions = list(SatisfactionDimension.objects.filter(offered=True))
    data = request.POST if request.method == "POST" else None
    form = DimensionsRequiredForm(data, dimensions=dimensions)
    if form.is_valid():
        count = dimensions_require(actor=request.user, required_ids=form.cleaned_data["required"])
        messages.success(request, _(DIMENSIONS_SAVED) % {"count": count})
        return redirect("reports:dimensions")
    return render(
        request, "tickets/surveys/dimensions.html", {"form": form, "dimensions": dimensions}
    )
