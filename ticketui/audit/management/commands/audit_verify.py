"""`manage.py audit_verify [--anchor SEQ:HASH]`: walk the audit hash chain, name the first record
that does not hold, and print the head to keep outside the database. Exits 1 if broken."""

from django.core.management.base import BaseCommand, CommandError

from ticketui.audit.verify import chain_verify, parse_anchor


class Command(BaseCommand):
    help = "Check that no audit record was changed, removed or inserted since it was written."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="a head kept outside the database earlier (repeatable): that seal must still "
            "have that hash",
        )

    def handle(self, *args, anchor, **options):
        try:
            anchors = [parse_anchor(text) for text in anchor]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        report = chain_verify(anchors=anchors)
        if not report.intact:
            raise CommandError(
                f"The audit chain is broken after {report.seals} good seals.\n{report.problem}",
                returncode=1,
            )
        self.stdout.write(
            f"The audit chain is intact: {report.seals} seals checked.\n"
            f"Head: seal {report.head.seq}, record #{report.head.record_id or '-'}\n"
            f"Anchor to keep outside the database: {report.head.anchor}"
        )
