"""`manage.py ticket_operate CASE_ID ACTION --as USERNAME`: one operation through the same service
and audit trail as the dashboard, for scripts and runbooks. Exits 0 only if the upstream accepted it.

A survey travels with close (`--rating DIMENSION_ID=STARS`, repeated, and `--judgement`), or rates
a completed ticket with the `score` action (`--judgement` required)."""

import argparse

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ticketui.osm import limits
from ticketui.osm.results import UpstreamError
from ticketui.tickets.models import Ticket
from ticketui.tickets.outcomes import outcome_message
from ticketui.tickets.services import operation_submit, ticket_track
from ticketui.tickets.surveys import dimensions_offered, survey_validate, ticket_rate

RATING_FORMAT = "--rating takes DIMENSION_ID=STARS, e.g. --rating 1=5 (got %r)"
RATING_ONLY_WITH = "--rating and --judgement go with close or score, not %s."
NO_DESC_WITH_SCORE = "The rating call has no description: use --judgement for the comment."


def rating_argument(text: str) -> tuple[int, int]:
    dimension, sep, stars = text.partition("=")
    try:
        if not sep:
            raise ValueError(text)
        return int(dimension), int(stars)
    except ValueError:
        raise argparse.ArgumentTypeError(RATING_FORMAT % text) from None


class Command(BaseCommand):
    help = "Send one operation (cancel, close, press, delete) on a ticket to the upstream."

    def add_arguments(self, parser):
        parser.add_argument("case_id")
        parser.add_argument("action", choices=(*limits.ACTIONS, "score"))
        parser.add_argument(
            "--as", dest="username", required=True, help="the user the operation is recorded for"
        )
        parser.add_argument(
            "--desc", default="", help="description of the operation (operate_desc)"
        )
        parser.add_argument("--group-id", default="")
        parser.add_argument("--judgement", default="", help="the survey's comment (evaluation)")
        parser.add_argument(
            "--rating",
            dest="ratings",
            action="append",
            default=[],
            type=rating_argument,
            metavar="DIMENSION_ID=STARS",
            help="stars for one satisfaction dimension (repeat per dimension); close or score",
        )

    def handle(
        self, *args, case_id, action, username, desc, group_id, judgement, ratings, **options
    ):
        if (ratings or judgement) and action not in ("close", "score"):
            raise CommandError(RATING_ONLY_WITH % action)
        if desc and action == "score":
            raise CommandError(NO_DESC_WITH_SCORE)
        stars = dict(ratings)
        if len(stars) < len(ratings):
            raise CommandError("Not sent: each dimension may be rated once.")
        try:
            actor = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user named {username!r}.") from None
        ticket = Ticket.objects.filter(case_id=case_id).first()
        if ticket is None:
            # Not tracked yet: an operation on it is still recorded, and tracking it first
            # tells apart a ticket the upstream does not have.
            ticket = Ticket(case_id=case_id)
            try:
                ticket = ticket_track(actor=actor, case_id=case_id)
            except (ValidationError, UpstreamError, PermissionDenied):
                pass
        if stars or judgement:
            dimensions_offered(fetch_if_empty=True)  # a first run may not have them yet
        try:
            if action == "score":
                record = ticket_rate(
                    actor=actor,
                    ticket=ticket,
                    ratings=stars,
                    judgement=judgement,
                    group_id=group_id,
                )
            else:
                satisfaction = []
                if action == "close" and (stars or judgement):
                    satisfaction = survey_validate(
                        ratings=stars,
                        judgement=judgement,
                        dimensions=dimensions_offered(),
                        required=False,
                    )
                record = operation_submit(
                    actor=actor,
                    ticket=ticket,
                    action_id=action,
                    operate_desc=desc,
                    group_id=group_id,
                    judgement=judgement,
                    satisfaction=satisfaction,
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
