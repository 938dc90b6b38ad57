"""Owner panel actions on the ticket page: claim, give up, and (team leads) give to someone."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from ticketui.audit.services import Origin

from ..models import Ticket
from .forms import AssignForm
from .services import ticket_assign, ticket_claim


def _answer(request, ticket: Ticket, errors: list[str]) -> HttpResponse:
    """The owner panel in place (and, after a change, the timeline told), or the ticket page."""
    if not request.htmx:
        for error in errors:
            messages.error(request, error)
        return redirect(ticket)
    context = {"ticket": ticket, "assign_form": AssignForm(initial={"owner": ticket.owner_id})}
    response = render(request, "tickets/ownership/panel.html", {**context, "owner_errors": errors})
    return response if errors else trigger_client_event(response, "ticket-owner-changed")


@require_POST
@permission_required("tickets.claim_ticket", raise_exception=True)
def ticket_claim_view(request, pk: int) -> HttpResponse:
    ticket = get_object_or_404(Ticket.objects.select_related("owner"), pk=pk)
    try:
        ticket = ticket_claim(actor=request.user, ticket=ticket, origin=Origin.of(request))
    except ValidationError as exc:
        return _answer(request, ticket, exc.messages)
    return _answer(request, ticket, [])


@require_POST
@permission_required("tickets.claim_ticket", raise_exception=True)
def ticket_assign_view(request, pk: int) -> HttpResponse:
    """A team lead gives the ticket to someone (or nobody); an owner gives up their own."""
    ticket = get_object_or_404(Ticket.objects.select_related("owner"), pk=pk)
    form = AssignForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        ticket = ticket_assign(
            actor=request.user,
            ticket=ticket,
            owner=form.cleaned_data["owner"],
            origin=Origin.of(request),
        )
    except ValidationError as exc:
        return _answer(request, ticket, exc.messages)
    return _answer(request, ticket, [])
