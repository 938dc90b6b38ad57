"""`manage.py audit_reconcile`: mark operations left pending as unknown and settle unknown ones
from the upstream's operate-log and the ticket's status. Reads only; never sends an operation."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from ticketui.audit.reconcile import audit_reconcile, stale_after


class Command(BaseCommand):
    help = "Settle operations whose result was never recorded (reads the upstream, never re-sends)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="SECONDS",
            help="treat operations pending this long as dead (default: the longest a live call "
            f"can take plus AUDIT_RECONCILE_MARGIN, now {stale_after().total_seconds():.0f} s). "
            "Lower it only when no dashboard process can still be waiting for an answer.",
        )

    def handle(self, *args, older_than, **options):
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than is a number of seconds, 0 or more.")
        report = audit_reconcile(
            older_than=None if older_than is None else timedelta(seconds=older_than)
        )
        for record in report.marked_unknown:
            self.stdout.write(
                f"Record #{record.pk} ({record.action_id} {record.case_id}): was still pending, "
                "now marked unknown."
            )
        for settlement in report.settled:
            operation = settlement.operation
            self.stdout.write(
                f"Record #{operation.pk} ({operation.action_id} {operation.case_id}): settled as "
                f"{settlement.record.get_outcome_display().lower()} by record "
                f"#{settlement.record.pk}. {settlement.reason}"
            )
        for settlement in report.deferred:
            operation = settlement.operation
            self.stdout.write(
                f"Record #{operation.pk} ({operation.action_id} {operation.case_id}): left for "
                f"the next run, the upstream could not be asked ({settlement.reason})."
            )
        self.stdout.write(
            f"{len(report.marked_unknown)} marked unknown, {len(report.settled)} settled, "
            f"{len(report.deferred)} left for the next run."
        )
