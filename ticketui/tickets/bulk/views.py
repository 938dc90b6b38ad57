"""Bulk operation pages: starting one from the ticket list, its live progress, cancelling and
resuming it, exporting its results."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ticketui.audit.services import Origin, audit_export_record
from ticketui.spreadsheets import csv_lines

from .forms import BulkForm
from .models import ASSIGN_ACTION, BulkOperation
from .selectors import (
    bulk_list_for,
    bulk_may_manage,
    bulk_preview,
    bulk_progress,
    bulk_result_rows,
)
from .services import bulk_assign, bulk_cancel, bulk_create, bulk_resume


def _bulk_start(request, form: BulkForm) -> BulkOperation:
    """An upstream operation queued for the worker, or an assignment carried out at once."""
    if not form.is_valid():
        raise ValidationError([e for errors in form.errors.values() for e in errors])
    data = form.cleaned_data
    common = {
        "actor": request.user,
        "tickets": form.tickets(viewer=request.user),
        "operate_desc": data["operate_desc"],
        "selection": form.selection(),
        "request_key": data["request_key"],
    }
    if data["action_id"] == ASSIGN_ACTION:
        return bulk_assign(**common, assignee=data["assignee"], origin=Origin.of(request))
    return bulk_create(**common, action_id=data["action_id"], leave_out=data["leave_out"])


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_preview_view(request) -> HttpResponse:
    """The confirmation before a bulk run: how many tickets, how many of them the status machine
    refuses (and the offer to leave those out). A page of its own without JavaScript, the
    dialog's words with it; the run itself is started by bulk_create_view."""
    form = BulkForm(request.POST)
    if not form.is_valid():
        return bulk_create_view(request)  # the same errors, said the same way
    data = form.cleaned_data
    preview = bulk_preview(tickets=form.tickets(viewer=request.user), action_id=data["action_id"])
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in ("csrfmiddlewaretoken", "leave_out")
        for value in values
    ]
    context = {"preview": preview, "carried": carried, "action": data["action_id"], "form": form}
    template = "tickets/bulk/confirm.html#summary" if request.htmx else "tickets/bulk/confirm.html"
    return render(request, template, context)


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_create_view(request) -> HttpResponse:
    form = BulkForm(request.POST)
    try:
        bulk = _bulk_start(request, form)
    except ValidationError as exc:
        errors = exc.messages
        if request.htmx:
            return render(request, "tickets/bulk/detail.html#bulk-errors", {"errors": errors})
        for error in errors:
            messages.error(request, error)
        return redirect(reverse("tickets:list"))
    if request.htmx:
        return HttpResponseClientRedirect(bulk.get_absolute_url())
    return redirect(bulk)


def _visible_bulk(request, pk: int) -> BulkOperation:
    bulk = get_object_or_404(BulkOperation.objects.select_related("actor", "assignee"), pk=pk)
    if not bulk_may_manage(actor=request.user, bulk=bulk):
        raise Http404
    return bulk


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_detail_view(request, pk: int) -> HttpResponse:
    bulk = _visible_bulk(request, pk)
    template = "tickets/bulk/detail.html#progress" if request.htmx else "tickets/bulk/detail.html"
    return render(request, template, bulk_progress(bulk=bulk))


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_cancel_view(request, pk: int) -> HttpResponse:
    bulk = bulk_cancel(actor=request.user, bulk=_visible_bulk(request, pk))
    if request.htmx:
        return render(request, "tickets/bulk/detail.html#progress", bulk_progress(bulk=bulk))
    return redirect(bulk)


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_resume_view(request, pk: int) -> HttpResponse:
    bulk = _visible_bulk(request, pk)
    try:
        bulk_resume(actor=request.user, bulk=bulk)
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    return redirect(bulk)


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_list_view(request) -> HttpResponse:
    bulks = bulk_list_for(actor=request.user)[:50]
    return render(request, "tickets/bulk/list.html", {"bulks": bulks})


BULK_CSV_HEADER = (
    "position",
    "case_id",
    "action",
    "outcome",
    "error_code",
    "detail",
    "audit_record",
    "finished_at",
)


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_export_view(request, pk: int) -> StreamingHttpResponse:
    bulk = _visible_bulk(request, pk)
    audit_export_record(
        actor=request.user,
        what="bulk results",
        filters={"bulk": bulk.pk},
        origin=Origin.of(request),
    )
    response = StreamingHttpResponse(
        csv_lines(BULK_CSV_HEADER, bulk_result_rows(bulk=bulk)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="bulk-{bulk.pk}.csv"'
    return response
