"""Bulk operations: each ticket its own operation and audit record, cancellable, never twice."""

import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from ticketui.audit.models import AuditRecord
from ticketui.tickets.bulk.runner import TICKET_GONE, bulk_run
from ticketui.tickets.bulk.selectors import bulk_counts
from ticketui.tickets.bulk.services import BULK_EMPTY, BULK_LIMIT, bulk_cancel, bulk_create
from ticketui.tickets.models import BulkItem, BulkItemOutcome, BulkOperation, BulkState, Ticket
from ticketui.tickets.sending import NO_PERMISSION_TO_OPERATE

pytestmark = pytest.mark.django_db


def closable_tickets(sandbox, count: int, prefix: str = "BULK") -> list[Ticket]:
    """`count` tickets awaiting confirmation (closable), upstream and tracked locally."""
    template = next(iter(sandbox.state.tickets.values()))
    tickets = []
    for index in range(count):
        case_id = f"{prefix}{index:04d}"
        sandbox.state.tickets[case_id] = {**template, "incident_id": case_id, "status": 2}
        sandbox.state.logs[case_id] = []
        tickets.append(Ticket.objects.create(case_id=case_id, summary=f"Bulk {index}", status=2))
    return tickets


def sent_actions(sandbox) -> list[str]:
    return [r.raw_path for r in sandbox.state.received if r.path_segments[-1:] == ["action"]]


def test_each_ticket_becomes_its_own_operation_with_its_own_audit_record(sandbox, team_lead):
    closable_tickets(sandbox, 5)
    bulk = bulk_create(
        actor=team_lead, tickets=Ticket.objects.all(), action_id="close", operate_desc="Fixed"
    )

    bulk = bulk_run(bulk_id=bulk.pk)

    assert bulk.state == BulkState.DONE
    assert bulk.finished_at is not None
    records = AuditRecord.objects.filter(kind="operation", action_id="close")
    assert records.count() == 5
    assert set(records.values_list("outcome", flat=True)) == {"succeeded"}
    assert set(BulkItem.objects.values_list("outcome", flat=True)) == {"succeeded"}
    assert all(item.audit_record_id for item in BulkItem.objects.all())
    assert all(sandbox.state.tickets[f"BULK{i:04d}"]["status"] == 3 for i in range(5))
    assert bulk_counts(bulk=bulk) == {"done": 5, "succeeded": 5, "skipped": 0, "problems": 0}


def test_the_tickets_are_sent_in_the_lists_order(sandbox, team_lead):
    closable_tickets(sandbox, 3)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)

    ordered = list(Ticket.objects.values_list("case_id", flat=True))
    items = list(bulk.items.order_by("position").values_list("case_id", flat=True))
    records = list(
        AuditRecord.objects.filter(kind="operation")
        .order_by("id")
        .values_list("case_id", flat=True)
    )
    assert items == ordered == records


def test_a_refused_ticket_is_recorded_and_the_run_goes_on(sandbox, team_lead):
    first, second, third = closable_tickets(sandbox, 3)
    sandbox.state.tickets[second.case_id]["status"] = 3  # completed: the upstream refuses close

    bulk = bulk_run(
        bulk_id=bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close").pk
    )

    outcomes = {item.case_id: item for item in bulk.items.all()}
    assert outcomes[second.case_id].outcome == BulkItemOutcome.REJECTED
    assert outcomes[second.case_id].error_code == "OSM.01010014"
    assert outcomes[first.case_id].outcome == outcomes[third.case_id].outcome == "succeeded"
    assert bulk.state == BulkState.DONE
    assert bulk_counts(bulk=bulk)["problems"] == 1


def test_a_ticket_no_longer_tracked_is_recorded_as_failed(sandbox, team_lead):
    tickets = closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    tickets[0].delete()

    bulk_run(bulk_id=bulk.pk)

    gone = bulk.items.get(case_id=tickets[0].case_id)
    assert gone.outcome == BulkItemOutcome.FAILED
    assert gone.detail == TICKET_GONE
    assert bulk.items.get(case_id=tickets[1].case_id).outcome == "succeeded"


def test_an_actor_who_lost_the_permission_gets_each_ticket_refused_without_sending(
    sandbox, support_user
):
    closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=support_user, tickets=Ticket.objects.all(), action_id="close")
    support_user.groups.clear()

    bulk_run(bulk_id=bulk.pk)

    assert set(bulk.items.values_list("detail", flat=True)) == {NO_PERMISSION_TO_OPERATE}
    assert sent_actions(sandbox) == []


def test_a_run_repeated_after_a_crash_never_sends_a_ticket_twice(sandbox, team_lead):
    closable_tickets(sandbox, 3)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    bulk_run(bulk_id=bulk.pk)
    # The worker died after sending, before it wrote the outcomes down.
    BulkItem.objects.update(outcome=BulkItemOutcome.WAITING, audit_record=None)
    BulkOperation.objects.filter(pk=bulk.pk).update(state=BulkState.RUNNING)

    bulk = bulk_run(bulk_id=bulk.pk)

    assert len(sent_actions(sandbox)) == 3
    assert AuditRecord.objects.filter(kind="operation").count() == 3
    assert set(bulk.items.values_list("outcome", flat=True)) == {"succeeded"}
    assert all(item.audit_record_id for item in bulk.items.all())


def test_each_item_has_its_own_one_time_key(sandbox, team_lead):
    closable_tickets(sandbox, 3)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    keys = set(bulk.items.values_list("idempotency_key", flat=True))
    assert len(keys) == 3


def test_cancelling_between_tickets_skips_the_rest(sandbox, team_lead, monkeypatch):
    closable_tickets(sandbox, 5)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    from ticketui.tickets.bulk import runner as bulk_module

    original = bulk_module.bulk_item_send
    sent = []

    def send_then_cancel_after_two(*, bulk, item):
        result = original(bulk=bulk, item=item)
        sent.append(item.case_id)
        if len(sent) == 2:
            bulk_cancel(actor=team_lead, bulk=bulk)
        return result

    monkeypatch.setattr(bulk_module, "bulk_item_send", send_then_cancel_after_two)

    bulk = bulk_run(bulk_id=bulk.pk)

    assert bulk.state == BulkState.CANCELLED
    assert bulk_counts(bulk=bulk) == {"done": 5, "succeeded": 2, "skipped": 3, "problems": 0}
    assert AuditRecord.objects.filter(kind="operation").count() == 2


def test_cancelling_a_queued_bulk_skips_every_ticket_and_the_worker_sends_nothing(
    sandbox, team_lead
):
    closable_tickets(sandbox, 3)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")

    bulk = bulk_cancel(actor=team_lead, bulk=bulk)
    bulk_run(bulk_id=bulk.pk)

    assert bulk.state == BulkState.CANCELLED
    assert set(bulk.items.values_list("outcome", flat=True)) == {"skipped"}
    assert sent_actions(sandbox) == []


def test_only_the_starter_or_a_team_lead_may_cancel(sandbox, support_user, team_lead):
    from django.contrib.auth.models import Group, User

    closable_tickets(sandbox, 1)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    with pytest.raises(PermissionDenied):
        bulk_cancel(actor=support_user, bulk=bulk)

    other_lead = User.objects.create_user("tom")
    other_lead.groups.add(Group.objects.get(name="Team lead"))
    assert bulk_cancel(actor=other_lead, bulk=bulk).state == BulkState.CANCELLED


def test_it_requires_the_permission_to_operate(sandbox, outsider):
    closable_tickets(sandbox, 1)
    with pytest.raises(PermissionDenied, match=NO_PERMISSION_TO_OPERATE):
        bulk_create(actor=outsider, tickets=Ticket.objects.all(), action_id="close")
    assert not BulkOperation.objects.exists()


def test_it_refuses_an_empty_selection(team_lead):
    with pytest.raises(ValidationError, match=BULK_EMPTY):
        bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")


def test_it_refuses_more_than_the_limit_and_says_how_many(team_lead, settings):
    Ticket.objects.bulk_create(Ticket(case_id=f"MANY{i:05d}") for i in range(BULK_LIMIT + 5))
    with pytest.raises(ValidationError) as caught:
        bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    assert f"at most {BULK_LIMIT} tickets; this selection has {BULK_LIMIT + 5}" in str(caught.value)
    assert not BulkOperation.objects.exists()


def test_it_validates_the_description_to_the_upstreams_limit(team_lead, ticket):
    with pytest.raises(ValidationError) as caught:
        bulk_create(
            actor=team_lead, tickets=Ticket.objects.all(), action_id="close", operate_desc="x" * 401
        )
    assert "Ensure this value has at most 400 characters (it has 401)." in str(caught.value)


def test_the_same_form_submitted_twice_makes_one_bulk(sandbox, team_lead):
    closable_tickets(sandbox, 2)
    key = uuid.uuid4()
    first = bulk_create(
        actor=team_lead, tickets=Ticket.objects.all(), action_id="close", request_key=key
    )
    second = bulk_create(
        actor=team_lead, tickets=Ticket.objects.all(), action_id="close", request_key=key
    )
    assert first.pk == second.pk
    assert BulkOperation.objects.count() == 1


# The worker closes database connections between tasks: this test cannot run inside one transaction.
@pytest.mark.django_db(transaction=True)
def test_the_worker_carries_out_a_queued_bulk(sandbox, team_lead):
    closable_tickets(sandbox, 4)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0")

    bulk.refresh_from_db()
    assert bulk.state == BulkState.DONE
    assert AuditRecord.objects.filter(kind="operation", outcome="succeeded").count() == 4


def test_a_stalled_bulk_is_resumed_without_sending_any_ticket_twice(sandbox, team_lead):
    from datetime import timedelta

    from django.utils import timezone

    from ticketui.tickets.bulk.selectors import bulk_stalled
    from ticketui.tickets.bulk.services import BULK_NOT_STALLED, bulk_resume

    closable_tickets(sandbox, 3)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    first = bulk.items.order_by("position").first()
    bulk_run(bulk_id=bulk.pk)
    # The worker died after sending the first ticket; nothing has moved for ten minutes.
    long_ago = timezone.now() - timedelta(minutes=10)
    bulk.items.exclude(pk=first.pk).update(outcome=BulkItemOutcome.WAITING, finished_at=None)
    bulk.items.filter(pk=first.pk).update(finished_at=long_ago)
    BulkOperation.objects.filter(pk=bulk.pk).update(state=BulkState.RUNNING, started_at=long_ago)
    bulk.refresh_from_db()
    assert bulk_stalled(bulk=bulk)

    bulk_resume(actor=team_lead, bulk=bulk)
    bulk = bulk_run(bulk_id=bulk.pk)

    assert bulk.state == BulkState.DONE
    assert len(sent_actions(sandbox)) == 3
    with pytest.raises(ValidationError, match=BULK_NOT_STALLED):
        bulk_resume(actor=team_lead, bulk=bulk)
