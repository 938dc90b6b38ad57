"""`manage.py ticket_reply CASE_ID --as USERNAME --text TEXT [--attach FILE ...]`: one reply on a
ticket's conversation through the same service and audit trail as the dashboard's reply form
(the upstream's limits, the same messages, each attachment uploaded and audited first). Exits 0
only if the upstream accepted the reply. A reply whose answer did not come is unknown and is not
sent again: read the conversation before running the command a second time.

Log lines go to stderr, and only with --verbosity 2 or more: the output is the outcome alone."""

import contextlib
import logging
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ticketui.audit.models import Kind, RecordOutcome
from ticketui.tickets.conversation.outcomes import reply_outcome_message
from ticketui.tickets.conversation.services import AttachmentInput, reply_submit
from ticketui.tickets.management.commands.ticket_operate import Command as OperateCommand
from ticketui.tickets.management.commands.ticket_operate import _quiet_below

NOT_READABLE = "Not sent: cannot read the file %s (%s)."


class Command(BaseCommand):
    help = "Post one reply (text, attachments) on a ticket's conversation upstream."

    def add_arguments(self, parser):
        parser.add_argument("case_id")
        parser.add_argument(
            "--as", dest="username", required=True, help="the user the reply is recorded for"
        )
        parser.add_argument("--text", default="", help="the reply (up to 2000 characters)")
        parser.add_argument(
            "--attach",
            dest="files",
            action="append",
            default=[],
            metavar="FILE",
            help="a file to attach (repeat per file); the upstream's limits apply",
        )
        parser.add_argument("--group-id", default="")

    def handle(self, *args, verbosity: int = 1, **options):
        with contextlib.ExitStack() as stack:
            if verbosity < 2:  # the log's INFO lines (each upstream call) would crowd the outcome
                stack.enter_context(_quiet_below(logging.WARNING))
            attachments = [self._opened(stack, name) for name in options["files"]]
            self._reply(attachments=attachments, **options)

    @staticmethod
    def _opened(stack: contextlib.ExitStack, name: str) -> AttachmentInput:
        path = Path(name)
        try:
            file = stack.enter_context(path.open("rb"))
        except OSError as exc:
            raise CommandError(NOT_READABLE % (name, exc.strerror or exc)) from None
        return AttachmentInput(name=path.name, file=file)

    def _reply(self, *, case_id, username, text, group_id, attachments, **options):
        actor = OperateCommand._actor(username)
        ticket = OperateCommand._ticket(case_id, actor)
        try:
            record = reply_submit(
                actor=actor,
                ticket=ticket,
                content=text.strip(),
                attachments=attachments,
                group_id=group_id,
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(f"Not sent: {problems}") from None
        line = f"reply {case_id}: {record.outcome}"
        if record.error_code:
            line += f" {record.error_code} {record.error_msg}"
        self.stdout.write(f"{line}\n{reply_outcome_message(record)}\nAudit record #{record.pk}")
        if record.outcome != RecordOutcome.SUCCEEDED or record.kind != Kind.REPLY:
            raise CommandError(
                f"The reply was not posted (outcome: {record.outcome}).", returncode=1
            )
