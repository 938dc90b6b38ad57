"""The demo a local run (`make run`) opens on: its users, and the demo agent's first work, done
through the dashboard's own services against the sandbox, once."""

from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.tickets.conversation.services import REPLY_ACTION
from ticketui.tickets.models import Ticket
from ticketui.tickets.surveys.models import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, sandbox):
    settings.DEBUG = True
    call_command("seed_demo", stdout=None)
    call_command("sync_tickets", stdout=None)
    return sandbox


def test_the_demo_users_sign_in_with_their_roles(demo):
    agent, lead = User.objects.get(username="agent"), User.objects.get(username="lead")

    assert agent.check_password("agent-demo")
    assert agent.has_perm("tickets.operate_ticket")
    assert not agent.has_perm("audit.view_all_records")
    assert lead.check_password("lead-demo")
    assert lead.has_perm("audit.view_all_records")


def test_the_demo_agent_closes_with_surveys_urges_and_replies_for_real(demo, capsys):
    waiting = set(Ticket.objects.filter(status__in=(2, 17)).values_list("case_id", flat=True))

    call_command("seed_demo_history")

    assert "Demo history: 7 of 7 operations by agent." in capsys.readouterr().out
    records = AuditRecord.objects.filter(kind__in=(Kind.OPERATION, Kind.REPLY))
    assert Counter((r.kind, r.action_id, r.outcome) for r in records) == {
        (Kind.OPERATION, "close", RecordOutcome.SUCCEEDED): 4,
        (Kind.OPERATION, "press", RecordOutcome.SUCCEEDED): 2,
        (Kind.REPLY, REPLY_ACTION, RecordOutcome.SUCCEEDED): 1,
    }
    closed = {r.case_id for r in records if r.action_id == "close"}
    assert len(closed) == 4
    assert closed <= waiting
    assert {demo.state.tickets[case_id]["status"] for case_id in closed} == {3}
    surveys = Survey.objects.filter(ticket__case_id__in=closed)
    assert surveys.count() == 4
    assert len({s.comment for s in surveys}) == 4  # each customer said something of their own
    assert {r.actor_username for r in records} == {"agent"}


def test_run_again_it_does_nothing(demo, capsys):
    call_command("seed_demo_history")
    sent = len(demo.state.received)

    call_command("seed_demo_history")

    assert "kept" in capsys.readouterr().out
    assert len(demo.state.received) == sent
    assert AuditRecord.objects.filter(kind=Kind.OPERATION).count() == 6


def test_without_debug_it_refuses(settings, sandbox):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo_history")
    assert not AuditRecord.objects.exists()
