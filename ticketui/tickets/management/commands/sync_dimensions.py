"""`manage.py sync_dimensions`: copy the upstream's satisfaction dimensions (upsert by id)."""

from django.core.management.base import BaseCommand, CommandError

from ticketui.osm.results import UpstreamError
from ticketui.tickets.surveys.dimensions import dimensions_sync


class Command(BaseCommand):
    help = "Fetch the satisfaction dimensions surveys rate from the upstream."

    def handle(self, *args, **options):
        try:
            result = dimensions_sync()
        except UpstreamError as exc:
            raise CommandError(f"Sync stopped: {exc}") from None
        self.stdout.write(
            f"Satisfaction dimensions: {result.created} new, {result.updated} refreshed, "
            f"{result.retired} no longer offered."
        )
