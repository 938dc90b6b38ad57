"""`manage.py sync_tickets`: bring the upstream's tickets into the local list (upsert by case id).

Incremental by default (what changed since the last successful sync), `--full` for everything,
`--since/--until` for a chosen window of the tickets' last update. A second sync started while
one runs is refused (exit status 0: a sync is happening). See ticketui/tickets/sync/."""

import sys
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ticketui.osm.results import parse_time
from ticketui.tickets.sync.models import SyncRun, SyncStatus
from ticketui.tickets.sync.services import SyncAlreadyActive, tickets_sync_now

BAR_WIDTH = 30


def _moment(value: str) -> datetime:
    parsed = parse_time(value)
    if parsed is None:
        raise CommandError(f"Not a date and time: {value!r} (use e.g. 2026-11-01T00:00:00Z)")
    return parsed.astimezone(UTC)


class Command(BaseCommand):
    help = "Fill and refresh the local ticket list from the upstream."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--full", action="store_true", help="every ticket, not only changes")
        parser.add_argument("--since", type=_moment, help="tickets updated at or after this time")
        parser.add_argument("--until", type=_moment, help="tickets updated before this time")
        parser.add_argument("--as", dest="username", help="record the sync as this user's")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options) -> None:
        actor = None
        if options["username"]:
            actor = get_user_model().objects.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"No user named {options['username']!r}")
        show_bar = not options["no_progress"] and options["verbosity"] > 0
        self._tty = getattr(self.stdout, "isatty", lambda: False)() or sys.stdout.isatty()
        try:
            run = tickets_sync_now(
                actor=actor,
                full=options["full"],
                since=options["since"],
                until=options["until"],
                on_progress=self._progress if show_bar else None,
            )
        except SyncAlreadyActive as exc:
            self.stdout.write(f"{exc} Not starting a second one.")
            return
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if show_bar and self._tty:
            self.stdout.write("")
        if run.status != SyncStatus.SUCCEEDED:
            raise CommandError(f"Sync #{run.pk} stopped: {run.detail}")
        self.stdout.write(self._summary(run))

    def _progress(self, run: SyncRun) -> None:
        total = run.total or 0
        done = min(run.processed, total) if total else run.processed
        filled = int(BAR_WIDTH * done / total) if total else BAR_WIDTH
        line = (
            f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{total:,} tickets "
            f"({run.created:,} new, {run.updated:,} updated)"
        )
        if self._tty:
            self.stdout.write(f"\r{line}", ending="")
            self.stdout.flush()
        elif (done == total or run.processed % 1000 == 0) and line != getattr(self, "_last", None):
            self.stdout.write(line)  # without a terminal: a line now and then, never twice
            self._last = line

    @staticmethod
    def _summary(run: SyncRun) -> str:
        window = "all tickets" if run.full else "tickets updated in the window"
        text = (
            f"Synced {window}: {run.created:,} new, {run.updated:,} updated, "
            f"{run.unchanged:,} unchanged, {run.changed:,} changed"
        )
        if run.skipped:
            text += f", {run.skipped:,} skipped (no usable case id)"
        text += f"; {run.dimensions} satisfaction dimensions."
        if run.detail:
            text += f" {run.detail}"
        return text
