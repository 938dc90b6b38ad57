"""A bulk whose worker died mid-run: the item in flight shows what reconciliation found, and a
dead task is said on the bulk page with Resume offered."""

from datetime import timedelta

import pytest
from django.tasks.base import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.tickets.bulk.test_services import closable_tickets
from ticketui.audit.models import RecordOutcome
from ticketui.audit.reconcile import audit_reconcile, stale_after
from ticketui.audit.services import audit_operation_start
from ticketui.osm.configured import get_client
from ticketui.tickets.bulk.models import BulkItemOutcome, BulkOperation, BulkState
from ticketui.tickets.bulk.selectors import bulk_counts
from ticketui.tickets.bulk.services import bulk_create, bulk_resume
from ticketui.tickets.bulk.tasks import bulk_operation_task
from ticketui.tickets.models import Ticket
from ticketui.worker.heartbeat import ABANDONED_CLASS

pytestmark = pytest.mark.django_db


def killed_mid_send(sandbox, actor, *, linked: bool):
    """A one-ticket bulk whose worker was killed while the upstream carried out its close: the
    operation's record is pending, the item never heard back."""
    ticket = closable_tickets(sandbox, 1)[0]
    bulk = bulk_create(actor=actor, tickets=Ticket.objects.all(), action_id="close")
    item = bulk.items.get()
    client = get_client()
    record = audit_operation_start(
        actor=actor,
        kind="operation",
        case_id=ticket.case_id,
        action_id="close",
        call=client.prepare_action(case_id=ticket.case_id, action_id="close"),
        idempotency_key=item.idempotency_key,
    )
    sandbox.state.apply(ticket.case_id, "close", {})
    if linked:  # a resumed run found the record still pending and kept that
        item.audit_record, item.outcome = record, BulkItemOutcome.PENDING
        item.save()
    BulkOperation.objects.filter(pk=bulk.pk).update(state=BulkState.RUNNING)
    audit_reconcile(now=record.created_at + stale_after() + timedelta(seconds=1))
    return bulk, record


@pytest.mark.parametrize("linked", [False, True])
def test_an_item_in_flight_shows_the_outcome_reconciliation_settled(
    lead_client, sandbox, team_lead, linked
):
    bulk, record = killed_mid_send(sandbox, team_lead, linked=linked)

    page = lead_client.get(f"/bulk/{bulk.pk}/").text

    record.refresh_from_db()
    assert record.settlements.get().outcome == RecordOutcome.SUCCEEDED
    assert "Sent, no answer yet" not in page
    assert '<span class="badge outcome-succeeded">Succeeded</span>' in page
    assert bulk_counts(bulk=bulk) == {"done": 1, "succeeded": 1, "skipped": 0, "problems": 0}


def dead_task(bulk, *, abandoned: bool) -> DBTaskResult:
    long_ago = timezone.now() - timedelta(minutes=10)
    return DBTaskResult.objects.create(
        status=TaskResultStatus.FAILED if abandoned else TaskResultStatus.RUNNING,
        exception_class_path=ABANDONED_CLASS if abandoned else "",
        task_path=bulk_operation_task.module_path,
        args_kwargs={"args": [], "kwargs": {"bulk_id": bulk.pk}},
        backend_name="default",
        run_after=long_ago,
        started_at=long_ago,
        worker_ids=["gone-worker"],
    )


@pytest.mark.parametrize("abandoned", [False, True])
def test_a_running_bulk_whose_worker_died_says_so_and_offers_resume(
    lead_client, sandbox, team_lead, abandoned
):
    closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    # Started moments ago, so it is not merely "stalled" for want of progress.
    BulkOperation.objects.filter(pk=bulk.pk).update(
        state=BulkState.RUNNING, started_at=timezone.now()
    )
    dead_task(bulk, abandoned=abandoned)

    page = lead_client.get(f"/bulk/{bulk.pk}/").text

    assert "The worker running this bulk operation stopped before it finished." in page
    assert f'action="/bulk/{bulk.pk}/resume"' in page
    bulk.refresh_from_db()
    bulk_resume(actor=team_lead, bulk=bulk)  # allowed: not refused as "still moving"


def test_a_running_bulk_with_a_live_task_is_not_said_to_be_dead(lead_client, sandbox, team_lead):
    closable_tickets(sandbox, 2)
    bulk = bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="close")
    BulkOperation.objects.filter(pk=bulk.pk).update(
        state=BulkState.RUNNING, started_at=timezone.now()
    )
    task = dead_task(bulk, abandoned=False)
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now())

    page = lead_client.get(f"/bulk/{bulk.pk}/").text

    assert "The worker running this bulk operation stopped" not in page
    assert f'action="/bulk/{bulk.pk}/resume"' not in page
