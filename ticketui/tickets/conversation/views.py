"""The ticket page's conversation, loaded after the page: the newest messages of the thread, or
older ones ("Show older"). An upstream that cannot be read is said in place of the thread."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from ticketui.integers import id_from_text
from ticketui.osm.results import RequestRefused, UpstreamError

from ..models import Ticket
from .selectors import conversation_thread
from .services import conversation_mark_read


@require_GET
@permission_required("tickets.view_ticket", raise_exception=True)
def conversation_thread_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket, pk=pk)
    before = id_from_text(request.GET.get("before"))  # "Show older": the oldest shown's offset
    context: dict = {"ticket": ticket}
    try:
        context["thread"] = conversation_thread(ticket=ticket, viewer=request.user, before=before)
    except (UpstreamError, RequestRefused) as exc:
        result = getattr(exc, "result", None)
        context["thread_error"] = True
        context["thread_reason"] = (result.detail or result.error_code) if result else str(exc)
    else:
        conversation_mark_read(ticket=ticket, actor=request.user)  # its newest are now read
    partial = "older" if before is not None else "thread"
    return render(request, f"tickets/conversation/thread.html#{partial}", context)
