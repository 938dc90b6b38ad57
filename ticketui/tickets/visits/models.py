"""When each user last opened each ticket: the list marks tickets that changed upstream since."""

from django.conf import settings
from django.db import models


class TicketVisit(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ticket"], name="ticket_visit_user_ticket")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.ticket_id} at {self.viewed_at:%Y-%m-%d %H:%M}"
