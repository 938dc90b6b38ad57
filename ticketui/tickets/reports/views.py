"""The team lead's satisfaction report, with its CSV export."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ticketui.audit.models import Kind
from ticketui.audit.services import Origin, audit_event
from ticketui.spreadsheets import csv_lines

from .charts import report_charts
from .forms import SatisfactionReportForm
from .selectors import (
    ANSWER_COLUMNS,
    ReportFilter,
    report_agents,
    report_products,
    satisfaction_report,
    survey_answer_rows,
)

NO_PERMISSION_TO_VIEW_REPORT = "You do not have permission to view the satisfaction report."


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
    return render(
        request, "tickets/reports/satisfaction.html", context, status=200 if report else 400
    )


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
        csv_lines(ANSWER_COLUMNS, survey_answer_rows(filters=filters)),
        content_type="text/csv; charset=utf-8",
    )
    name = f"satisfaction-{filters.start:%Y-%m-%d}-{filters.end:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
