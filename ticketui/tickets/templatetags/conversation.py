"""The top bar's count of tickets with unread engineer messages."""

from django import template

from ticketui.tickets.conversation.selectors import tickets_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_tickets(context) -> int:
    user = context.get("user")
    if user is None or not user.has_perm("tickets.view_ticket"):
        return 0
    return tickets_unread_count()
