"""`manage.py sync_tickets`: bring every upstream ticket into the local list (upsert by case id)."""

from django.core.management.base import BaseCommand, CommandError

from ticketui.osm.results import UpstreamError
from ticketui.tickets.services import tickets_sync


class Command(BaseCommand):
    help = "Fill and refresh the local ticket list from the upstream."

    def handle(self, *args, **options):
        try:
            created, updated = tickets_sync()
        except UpstreamError as exc:
            raise CommandError(f"Sync stopped: {exc}") from None
        self.stdout.write(f"Synced: {created} new, {updated} refreshed.")
