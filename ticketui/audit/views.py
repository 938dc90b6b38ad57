"""The audit trail's pages: the review list, its CSV export, the chain head, one record."""

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .export import audit_csv
from .forms import RecordFilterForm
from .links import record_links_attach
from .models import AuditRecord
from .paging import SORTS, InvalidCursor, keyset_page, sorted_records
from .selectors import (
    audit_record_filter,
    audit_record_list,
    audit_record_settlements,
    audit_records_visible,
)
from .services import Origin, audit_export_record
from .verify import chain_head

PAGE_SIZE = 50
# What a row of the review list shows (and sorts by), not the stored request and response.
LIST_FIELDS = (
    "created_at",
    "actor_username",
    "kind",
    "action_id",
    "reconciles_id",
    "case_id",
    "outcome",
    "error_code",
    "duration_ms",
    "completion_seq",
)


def _filtered(request) -> tuple[RecordFilterForm, QuerySet[AuditRecord]]:
    """The filter from the query string and the records it selects (none while it is invalid)."""
    form = RecordFilterForm(request.GET, viewer=request.user)
    records = audit_record_list(viewer=request.user)
    if not form.is_valid():
        return form, records.none()
    return form, audit_record_filter(records, filters=form.record_filter())


@require_GET
def record_list_view(request) -> HttpResponse:
    form, records = _filtered(request)
    page, problem = _page(request, form, records)
    partial = request.htmx and not request.htmx.boosted
    template = "audit/list.html#results" if partial else "audit/list.html"
    head = chain_head() if request.user.has_perm("audit.view_all_records") else None
    context = _list_context(request, form, page, head=head, problem=problem)
    # A fragment that explains itself is still swapped in; a whole page carries the status.
    status = PROBLEM_STATUS.get(problem, 200 if form.is_valid() else 400)
    return render(request, template, context, status=200 if partial else status)


PROBLEM_STATUS = {"invalid-link": 400, "no-such-page": 404}


def _list_context(request, form: RecordFilterForm, page, *, head=None, problem: str = "") -> dict:
    record_links_attach(page.object_list)
    return {"filters": form, "page": page, "head": head, "page_problem": problem}


def _page(request, form: RecordFilterForm, records: QuerySet[AuditRecord]) -> tuple[Any, str]:
    """The page the link asks for, and what is wrong with the link ("" when nothing is)."""
    sort = SORTS[form.sort_key]
    if not form.is_valid():  # the filter's errors are the news, not the link's
        return keyset_page(records, sort=sort, size=PAGE_SIZE), ""
    try:
        page = keyset_page(
            records.select_related(None).only(*LIST_FIELDS),
            sort=sort,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
            size=PAGE_SIZE,
        )
    except InvalidCursor:
        return keyset_page(records.none(), sort=sort, size=PAGE_SIZE), "invalid-link"
    return page, "no-such-page" if page.past_the_end else ""


@require_GET
def record_export_view(request) -> HttpResponse:
    form, records = _filtered(request)
    if not form.is_valid():
        page = keyset_page(records, sort=SORTS[form.sort_key], size=PAGE_SIZE)
        return render(request, "audit/list.html", _list_context(request, form, page), status=400)
    audit_export_record(
        actor=request.user, what="records", filters=form.described(), origin=Origin.of(request)
    )
    blocks = audit_csv(
        sorted_records(records, SORTS[form.sort_key]), zone=timezone.get_current_timezone()
    )
    response = StreamingHttpResponse(blocks, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@require_GET
@permission_required("audit.view_all_records", raise_exception=True)
def chain_head_view(request) -> HttpResponse:
    """The chain's head as a small text file, to keep outside the database."""
    audit_export_record(
        actor=request.user, what="chain head", filters={}, origin=Origin.of(request)
    )
    head = chain_head()
    text = (
        "ticketui audit chain head\n"
        f"taken: {timezone.localtime().isoformat()}\n"
        f"seal: {head.seq}\n"
        f"sha256: {head.hash}\n"
        f"check later with: python manage.py audit_verify --anchor {head.anchor}\n"
    )
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-head-{head.seq}.txt"'
    return response


@require_GET
def record_detail_view(request, pk: int) -> HttpResponse:
    record = get_object_or_404(audit_records_visible(viewer=request.user), pk=pk)
    settlements = audit_record_settlements(record=record)
    record_links_attach([record])
    return render(request, "audit/detail.html", {"record": record, "settlements": settlements})
