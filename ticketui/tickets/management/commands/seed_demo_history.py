"""`manage.py seed_demo_history`: the demo agent's first work, done for real (DEBUG only).

A local run would otherwise open on an empty audit log, an empty satisfaction report and
timelines that say nothing was done yet. So, once, on a database that holds no operation yet,
the demo agent closes some of the tickets waiting for the team with the customer's survey, urges
the engineer on some that are being processed, and replies on one. Each goes through the same
services as the dashboard's forms: the upstream (the sandbox) is called, the audit log records it
as the agent's, and the tickets are refreshed. Run again, it does nothing."""

import logging
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.catalogue import Action, TicketStatus
from ticketui.tickets.conversation.services import reply_submit
from ticketui.tickets.management.commands.ticket_operate import _quiet_below
from ticketui.tickets.models import Ticket
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.surveys.dimensions import dimensions_offered

AGENT = "agent"
# What the customer said of each closed ticket: the share of each dimension's stars given, and the
# comment, in the ticket's language.
SURVEYS = [
    (
        1.0,
        "Fixed within the hour, and the engineer explained the cause.",
        "一小时内解决，工程师讲清了原因。",
    ),
    (0.8, "Solved, though the first answer took a while.", "问题已解决，不过第一次回复慢了些。"),
    (0.6, "It works again; we had to ask twice for an update.", "已恢复，但我们催了两次才有进展。"),
    (0.4, "The workaround holds, the root cause is still unclear.", "临时方案有效，根因仍不清楚。"),
]
CLOSE_DESC = ("Confirmed with the customer: resolved.", "已与客户确认：问题已解决。")
PRESS_DESC = (
    "The customer's service is still degraded; please send an update today.",
    "客户的业务仍受影响，请今天内给出进展。",
)
REPLY = (
    "We restarted the instance as suggested; the error is back after ten minutes. Logs follow.",
    "已按建议重启实例，十分钟后错误再次出现，日志随后附上。",
)
PRESSED = 2
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _in_language(ticket: Ticket, texts: tuple[str, str]) -> str:
    return texts[1] if CHINESE.search(ticket.summary or "") else texts[0]


class Command(BaseCommand):
    help = (
        "Once, on a database with no operation yet: the demo agent's first operations (DEBUG only)."
    )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo history is only made with DEBUG=true.")
        if AuditRecord.objects.filter(kind__in=(Kind.OPERATION, Kind.REPLY)).exists():
            self.stdout.write("Demo history: kept (the database already holds operations).")
            return
        agent = get_user_model().objects.filter(username=AGENT).first()
        if agent is None:
            raise CommandError("Run seed_demo first: there is no demo agent.")
        with _quiet_below(logging.WARNING):  # one line of outcome, not every upstream call
            done = self._close(agent) + self._press(agent) + self._reply(agent)
        succeeded = sum(record.outcome == RecordOutcome.SUCCEEDED for record in done)
        self.stdout.write(f"Demo history: {succeeded} of {len(done)} operations by {AGENT}.")

    def _close(self, agent) -> list[AuditRecord]:
        dimensions = dimensions_offered(fetch_if_empty=True)
        waiting = Ticket.objects.filter(
            status__in=(TicketStatus.AWAITING_CONFIRMATION, TicketStatus.PENDING_FEEDBACK)
        ).order_by("case_id")[: len(SURVEYS)]
        records = []
        for ticket, (share, english, chinese) in zip(waiting, SURVEYS, strict=False):
            stars = {d.satisfaction_id: max(1, round(d.stars * share)) for d in dimensions}
            records.append(
                operation_submit(
                    actor=agent,
                    ticket=ticket,
                    action_id=Action.CLOSE,
                    operate_desc=_in_language(ticket, CLOSE_DESC),
                    stars=stars,
                    comment=_in_language(ticket, (english, chinese)),
                )
            )
        return records

    def _press(self, agent) -> list[AuditRecord]:
        processing = Ticket.objects.filter(status=TicketStatus.PROCESSING).order_by("case_id")
        return [
            operation_submit(
                actor=agent,
                ticket=ticket,
                action_id=Action.PRESS,
                operate_desc=_in_language(ticket, PRESS_DESC),
            )
            for ticket in processing[:PRESSED]
        ]

    def _reply(self, agent) -> list[AuditRecord]:
        ticket = Ticket.objects.filter(status=TicketStatus.PROCESSING).order_by("-case_id").first()
        if ticket is None:
            return []
        return [reply_submit(actor=agent, ticket=ticket, content=_in_language(ticket, REPLY))]
