"""Survey pages: the ticket page's satisfaction panel ("Rate this ticket" or what was said), the
team lead's satisfaction report with its CSV export, and the choice of required dimensions."""

import csv
import io
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from ticketui.audit.models import Kind
from ticketui.audit.services import Origin, audit_event
from ticketui.osm.results import UpstreamError

from .charts import report_charts
from .forms import OperationForm
from .models import SatisfactionDimension, Ticket
from .outcomes import outcome_message
from .reports import (
    ANSWER_COLUMNS,
    ReportFilter,
    report_agents,
    report_products,
    satisfaction_report,
    survey_answer_rows,
)
from .selectors import ticket_timeline_context
from .services import operation_replay
from .survey_forms import DimensionsRequiredForm, RatingForm, SatisfactionReportForm
from .survey_selectors import ticket_rating
from .surveys import dimensions_offered, dimensions_require, dimensions_sync, ticket_rate

NO_PERMISSION_TO_VIEW_REPORT = "You do not have permission to view the satisfaction report."
DIMENSIONS_SAVED = "Saved: %(count)d of the survey's dimensions are required."
DIMENSIONS_SYNCED = "Synced from the upstream: %(created)d new, %(updated)d refreshed, %(retired)d no longer offered."
DIMENSIONS_SYNC_FAILED = "The upstream could not be asked just now: %(reason)s"
# A cell a spreadsheet would read as a formula starts with one of these; it is exported as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def survey_panel_context(
    *, ticket: Ticket, dimensions: list[SatisfactionDimension], form: RatingForm | None = None
) -> dict[str, Any]:
    """What the ticket page needs for its satisfaction panel."""
    return {
        "rating": ticket_rating(ticket=ticket),
        "rating_form": form or RatingForm(dimensions=dimensions, ticket=ticket),
    }


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def survey_panel_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    context = {
        "ticket": ticket,
        **survey_panel_context(ticket=ticket, dimensions=dimensions_offered(fetch_if_empty=True)),
    }
    return render(request, "tickets/survey_panel.html", context)


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def rating_create_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    dimensions = dimensions_offered()
    form = RatingForm(request.POST, dimensions=dimensions, ticket=ticket)
    record = operation_replay(key=request.POST.get("idempotency_key", ""))
    if record is None and form.is_valid():
        try:
            record = ticket_rate(
                actor=request.user, ticket=ticket, origin=Origin.of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
    if record is not None and not request.htmx:
        level = messages.SUCCESS if record.outcome == "succeeded" else messages.WARNING
        messages.add_message(request, level, outcome_message(record))
        return redirect(ticket)
    context = {
        "ticket": ticket,
        "record": record,
        **survey_panel_context(
            ticket=ticket, dimensions=dimensions, form=form if record is None else None
        ),
    }
    if not request.htmx:
        context |= {
            **ticket_timeline_context(ticket=ticket),
            "form": OperationForm(dimensions=dimensions),
        }
        return render(request, "tickets/detail.html", context, status=400)
    response = render(request, "tickets/survey_panel.html", context)
    return trigger_client_event(response, "ticket-changed") if record else response


def _add_errors(form: Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- The team lead's report -------------------------------------------------------------------


def report_viewer_required(view: Callable) -> Callable:
    """Team leads: the report's own permission, or the one to review every audit record."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        if not (
            user.has_perm("tickets.view_satisfaction_report")
            or user.has_perm("audit.view_all_records")
        ):
            raise PermissionDenied(NO_PERMISSION_TO_VIEW_REPORT)
        return view(request, *args, **kwargs)

    return guarded


def _report_form(request) -> SatisfactionReportForm:
    return SatisfactionReportForm(request.GET, agents=report_agents(), products=report_products())


def _report_filter(form: SatisfactionReportForm) -> ReportFilter:
    data = form.cleaned_data
    return ReportFilter(
        start=data["start"], end=data["end"], agent_id=data["agent"], product=data["product"]
    )


@require_GET
@report_viewer_required
def satisfaction_report_view(request) -> HttpResponse:
    form = _report_form(request)
    report = satisfaction_report(filters=_report_filter(form)) if form.is_valid() else None
    context = {
        "form": form,
        "report": report,
        "charts": report_charts(report) if report and report.surveys else None,
    }
    return render(request, "reports/satisfaction.html", context, status=200 if report else 400)


@require_GET
@report_viewer_required
def satisfaction_export_view(request) -> HttpResponse:
    """Every answer of the period as CSV, streamed; cells that look like formulas stay text."""
    form = _report_form(request)
    if not form.is_valid():
        return HttpResponse(" ".join(form.errors.get("__all__", [])), status=400)
    filters = _report_filter(form)
    audit_event(
        kind=Kind.EXPORT,
        actor=request.user,
        data={
            "export": "satisfaction answers",
            **{
                key: "" if value is None else str(value) for key, value in form.cleaned_data.items()
            },
        },
        origin=Origin.of(request),
    )
    response = StreamingHttpResponse(
        _csv_lines(survey_answer_rows(filters=filters)), content_type="text/csv; charset=utf-8"
    )
    name = f"satisfaction-{filters.start:%Y-%m-%d}-{filters.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def spreadsheet_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_lines(rows: Iterator[tuple], *, rows_per_chunk: int = 1000) -> Iterator[str]:
    """The CSV in chunks of many rows (one chunk per row would cost more than the rows)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The byte order mark lets spreadsheet programs read the file as UTF-8.
    buffer.write("\ufeff")
    writer.writerow(ANSWER_COLUMNS)
    yield buffer.getvalue()  # the download starts before the database is read
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheet_safe(value) for value in row])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


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
        request, "reports/satisfaction_dimensions.html", {"form": form, "dimensions": dimensions}
    )
