"""`manage.py audit_verify [--anchor SEQ:HASH] [--no-kept-head]`: walk the audit hash chain, name
the first record that does not hold, compare with the newest head kept in AUDIT_HEAD_FILE and any
anchor given, and print the head to keep outside the database. Exits 1 if broken."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ticketui.audit.kept_head import newest_kept_head
from ticketui.audit.verify import chain_verify, parse_anchor

NO_KEPT_HEAD = "No head is kept in {path} yet: only the chain itself was checked."
WEBHOOK_ONLY = (
    "The head is kept at AUDIT_HEAD_WEBHOOK only: pass the newest one received there with "
    "--anchor to catch records cut off the end."
)
HEAD_FILE_UNREADABLE = "Cannot read the kept heads in {path}: {why} (or pass --no-kept-head)."
KEPT_HEAD_CHECKED = "Compared with the head kept in {path} at {at}: seal {seq}."


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
        parser.add_argument(
            "--no-kept-head",
            action="store_true",
            help="do not compare with the newest head in AUDIT_HEAD_FILE",
        )

    def handle(self, *args, anchor, no_kept_head, **options):
        try:
            anchors = [parse_anchor(text) for text in anchor]
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        notes = []
        if not no_kept_head:
            path = settings.AUDIT_HEAD_FILE
            try:
                kept = newest_kept_head()
            except OSError as exc:
                raise CommandError(
                    HEAD_FILE_UNREADABLE.format(path=path, why=exc.strerror)
                ) from None
            if kept is not None:
                anchors.append((kept.seq, kept.hash))
                notes.append(KEPT_HEAD_CHECKED.format(path=path, at=kept.at, seq=kept.seq))
            elif path:
                notes.append(NO_KEPT_HEAD.format(path=path))
            elif settings.AUDIT_HEAD_WEBHOOK and not anchor:
                notes.append(WEBHOOK_ONLY)
        report = chain_verify(anchors=anchors)
        if not report.intact:
            raise CommandError(
                "\n".join(
                    [
                        f"The audit chain is broken after {report.seals} good seals.",
                        report.problem,
                        *notes,
                    ]
                ),
                returncode=1,
            )
        self.stdout.write(
            "\n".join(
                [
                    f"The audit chain is intact: {report.seals} seals checked.",
                    *notes,
                    f"Head: seal {report.head.seq}, record #{report.head.record_id or '-'}",
                    f"Anchor to keep outside the database: {report.head.anchor}",
                ]
            )
        )
