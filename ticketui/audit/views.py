"""The audit trail's pages: the review list and one record's detail."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .selectors import audit_record_list, audit_records_visible

PAGE_SIZE = 50


@require_GET
def record_list_view(request) -> HttpResponse:
    page = Paginator(audit_record_list(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    template = (
        "audit/list.html#results"
        if request.htmx and not request.htmx.boosted
        else "audit/list.html"
    )
    return render(request, template, {"page": page})


@require_GET
def record_detail_view(request, pk: int) -> HttpResponse:
    record = get_object_or_404(audit_records_visible(viewer=request.user), pk=pk)
    return render(request, "audit/detail.html", {"record": record})
