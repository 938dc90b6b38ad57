"""Bulk operation pages: starting one from the ticket list, its live progress, cancelling it,
exporting its results."""

import csv
from collections.abc import Iterator

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ticketui.audit.export import csv_cell
from ticketui.osm import limits

from .bulk import (
    bulk_cancel,
    bulk_counts,
    bulk_create,
    bulk_list_for,
    bulk_may_manage,
    bulk_resume,
    bulk_stalled,
)
from .forms import ACTION_CHOICES
from .models import BulkItem, BulkOperation
from .outcomes import outcome_message
from .selectors import ticket_list


class BulkForm(forms.Form):
    action_id = forms.ChoiceField(choices=ACTION_CHOICES, label=gettext_lazy("Operation"))
    operate_desc = forms.CharField(
        required=False, max_length=limits.TEXT_MAX, label=gettext_lazy("Description")
    )
    ticket = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    scope = forms.ChoiceField(choices=[("filter", "filter")], required=False)
    q = forms.CharField(required=False, max_length=200)
    status = forms.IntegerField(required=False)
    request_key = forms.UUIDField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id may be posted; the tickets that exist are the ones taken.
        self.fields["ticket"].valid_value = lambda value: True

    def tickets(self):
        data = self.cleaned_data
        if data.get("scope") == "filter":
            return ticket_list(search=data.get("q") or "", status=data.get("status"))
        return ticket_list().filter(pk__in=data.get("ticket") or [])

    def selection(self) -> dict:
        data = self.cleaned_data
        if data.get("scope") == "filter":
            return {"scope": "filter", "q": data.get("q") or "", "status": data.get("status")}
        return {"scope": "tickets", "tickets": len(data.get("ticket") or [])}


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_create_view(request) -> HttpResponse:
    form = BulkForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        bulk = bulk_create(
            actor=request.user,
            tickets=form.tickets(),
            action_id=form.cleaned_data["action_id"],
            operate_desc=form.cleaned_data["operate_desc"],
            selection=form.selection(),
            request_key=form.cleaned_data["request_key"],
        )
    except ValidationError as exc:
        errors = exc.messages
        if request.htmx:
            return render(request, "tickets/bulk.html#bulk-errors", {"errors": errors})
        for error in errors:
            messages.error(request, error)
        return redirect(reverse("tickets:list"))
    if request.htmx:
        return HttpResponseClientRedirect(bulk.get_absolute_url())
    return redirect(bulk)


def _visible_bulk(request, pk: int) -> BulkOperation:
    bulk = get_object_or_404(BulkOperation.objects.select_related("actor"), pk=pk)
    if not bulk_may_manage(actor=request.user, bulk=bulk):
        raise Http404
    return bulk


def _item_detail(item: BulkItem) -> str:
    """What happened to one ticket, in the reader's language (as on the ticket page)."""
    if item.audit_record is not None and not item.audit_record.is_pending:
        return "" if item.outcome == "succeeded" else outcome_message(item.audit_record)
    return gettext(item.detail) if item.detail else ""


def _progress_context(bulk: BulkOperation) -> dict:
    items = bulk.items.select_related("audit_record").order_by("position")
    for item in items:
        item.shown_detail = _item_detail(item)
    counts = bulk_counts(bulk=bulk)
    return {
        "bulk": bulk,
        "items": items,
        "counts": counts,
        "stalled": bulk_stalled(bulk=bulk),
        "bulk_actions": ACTION_CHOICES,
    }


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_detail_view(request, pk: int) -> HttpResponse:
    bulk = _visible_bulk(request, pk)
    template = "tickets/bulk.html#progress" if request.htmx else "tickets/bulk.html"
    return render(request, template, _progress_context(bulk))


@require_POST
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_cancel_view(request, pk: int) -> HttpResponse:
    bulk = bulk_cancel(actor=request.user, bulk=_visible_bulk(request, pk))
    if request.htmx:
        return render(request, "tickets/bulk.html#progress", _progress_context(bulk))
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
    return render(
        request, "tickets/bulk_list.html", {"bulks": bulks, "bulk_actions": ACTION_CHOICES}
    )


class _Line:
    def write(self, text: str) -> str:
        return text


BULK_CSV_HEADER = [
    "position",
    "case_id",
    "action",
    "outcome",
    "error_code",
    "detail",
    "audit_record",
    "finished_at",
]


def bulk_csv_lines(bulk: BulkOperation) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(BULK_CSV_HEADER)
    for item in bulk.items.order_by("position").iterator(chunk_size=1000):
        row = [
            item.position,
            item.case_id,
            bulk.action_id,
            item.outcome,
            item.error_code,
            item.detail,
            item.audit_record_id,
            item.finished_at,
        ]
        yield writer.writerow([csv_cell(value) for value in row])


@require_GET
@permission_required("tickets.operate_ticket", raise_exception=True)
def bulk_export_view(request, pk: int) -> StreamingHttpResponse:
    bulk = _visible_bulk(request, pk)
    response = StreamingHttpResponse(bulk_csv_lines(bulk), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bulk-{bulk.pk}.csv"'
    return response
