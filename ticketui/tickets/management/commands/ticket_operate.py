"""`manage.py ticket_operate CASE_ID ACTION --as USERNAME`: one operation through the same service
and audit trail as the dashboard, for scripts and runbooks. Exits 0 only if the upstream accepted it.

Every documented field goes with every action: `--desc` (operate_desc), `--group-id` and
`--comment`/`--judgement` (the upstream's `judgement`, up to 400 characters). With close, stars
(`--stars DIMENSION_ID=STARS`, repeated) make the comment the customer's survey; the survey is
sent for a completed ticket with the `score` action (`--comment` required). Both are checked by
the same services as the dashboard's forms, with the same messages.

Log lines go to stderr, and only with --verbosity 2 or more: the output is the outcome alone."""

import argparse
import contextlib
import logging

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ticketui.osm.catalogue import SURVEY_ACTION, Action
from ticketui.osm.results import UpstreamError
from ticketui.tickets.models import Ticket
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.outcomes import outcome_message
from ticketui.tickets.services import ticket_track
from ticketui.tickets.surveys.dimensions import dimensions_offered
from ticketui.tickets.surveys.services import survey_submit

STARS_FORMAT = "--stars takes DIMENSION_ID=STARS, e.g. --stars 1=5 (got %r)"
SURVEY_ONLY_WITH = "--stars go with close or score, not %s."
NO_DESC_WITH_SCORE = "The survey call has no description: use --comment."
STARS_TWICE = "Not sent: each dimension may be rated once."


def stars_argument(text: str) -> tuple[int, int]:
    dimension, sep, stars = text.partition("=")
    try:
        if not sep:
            raise ValueError(text)
        return int(dimension), int(stars)
    except ValueError:
        raise argparse.ArgumentTypeError(STARS_FORMAT % text) from None


@contextlib.contextmanager
def _quiet_below(level: int):
    """No log record under `level` while the command runs (as before it, after)."""
    before = logging.root.manager.disable
    logging.disable(level - 1)
    try:
        yield
    finally:
        logging.disable(before)


class Command(BaseCommand):
    help = "Send one operation (cancel, close, press, delete) on a ticket to the upstream."

    def add_arguments(self, parser):
        parser.add_argument("case_id")
        parser.add_argument("action", choices=(*Action.values, SURVEY_ACTION))
        parser.add_argument(
            "--as", dest="username", required=True, help="the user the operation is recorded for"
        )
        parser.add_argument(
            "--desc", default="", help="description of the operation (operate_desc)"
        )
        parser.add_argument("--group-id", default="")
        parser.add_argument(
            "--comment",
            "--judgement",
            dest="comment",
            default="",
            help="the upstream's `judgement`, with any action; with --stars, the survey's comment",
        )
        parser.add_argument(
            "--stars",
            "--rating",
            dest="stars",
            action="append",
            default=[],
            type=stars_argument,
            metavar="DIMENSION_ID=STARS",
            help="stars for one satisfaction dimension (repeat per dimension); close or score",
        )

    def handle(self, *args, verbosity: int = 1, **options):
        with contextlib.ExitStack() as stack:
            if verbosity < 2:  # the log's INFO lines (each upstream call) would crowd the outcome
                stack.enter_context(_quiet_below(logging.WARNING))
            self._operate(**options)

    def _operate(self, *, case_id, action, username, desc, group_id, comment, stars, **options):
        if stars and action not in (Action.CLOSE, SURVEY_ACTION):
            raise CommandError(SURVEY_ONLY_WITH % action)
        if desc and action == SURVEY_ACTION:
            raise CommandError(NO_DESC_WITH_SCORE)
        given = dict(stars)
        if len(given) < len(stars):
            raise CommandError(STARS_TWICE)
        actor = self._actor(username)
        ticket = self._ticket(case_id, actor)
        if given or action == SURVEY_ACTION:
            dimensions_offered(fetch_if_empty=True)  # a first run may not have them yet
        # Without stars, a comment is the upstream's plain judgement, not a survey.
        survey = {"stars": given, "comment": comment} if given or action == SURVEY_ACTION else {}
        try:
            if action == SURVEY_ACTION:
                record = survey_submit(actor=actor, ticket=ticket, group_id=group_id, **survey)
            else:
                record = operation_submit(
                    actor=actor,
                    ticket=ticket,
                    action_id=action,
                    operate_desc=desc,
                    group_id=group_id,
                    judgement="" if survey else comment,
                    **survey,
                )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            problems = "; ".join(
                f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
            )
            raise CommandError(f"Not sent: {problems}") from None
        line = f"{action} {case_id}: {record.outcome}"
        if record.error_code:
            line += f" {record.error_code} {record.error_msg}"
        self.stdout.write(f"{line}\n{outcome_message(record)}\nAudit record #{record.pk}")
        if record.outcome != "succeeded":
            raise CommandError(
                f"The operation did not succeed (outcome: {record.outcome}).", returncode=1
            )

    @staticmethod
    def _actor(username: str):
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user named {username!r}.") from None

    @staticmethod
    def _ticket(case_id: str, actor) -> Ticket:
        ticket = Ticket.objects.filter(case_id=case_id).first()
        if ticket is not None:
            return ticket
        # Not tracked yet: an operation on it is still recorded, and tracking it first tells
        # apart a ticket the upstream does not have.
        try:
            return ticket_track(actor=actor, case_id=case_id)
        except (ValidationError, UpstreamError, PermissionDenied):
            return Ticket(case_id=case_id)
