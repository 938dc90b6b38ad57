"""The "Sync now" control on the ticket list: team leads only, queued for the worker, live progress."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from ticketui.tickets.models import SyncRun, SyncStatus, Ticket
from ticketui.tickets.sync.services import sync_start, tickets_sync_now

pytestmark = pytest.mark.django_db


def test_team_leads_see_the_sync_now_control(lead_client):
    assert "Sync now" in lead_client.get("/").text


def test_agents_neither_see_nor_may_use_it(support_client):
    assert "Sync now" not in support_client.get("/").text
    assert support_client.post("/tickets/sync").status_code == 403


# The worker closes database connections between tasks: this test cannot run inside one transaction.
@pytest.mark.django_db(transaction=True)
def test_sync_now_queues_a_task_that_the_worker_carries_out(lead_client, sandbox, team_lead):
    response = lead_client.post("/tickets/sync", headers={"HX-Request": "true"})

    run = SyncRun.objects.get()
    assert run.status == SyncStatus.QUEUED
    assert run.requested_by == team_lead
    assert "waiting for the worker" in response.text
    assert f'hx-get="/tickets/sync/{run.pk}"' in response.text  # polls while queued
    assert DBTaskResult.objects.count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", "-v", "0")

    run.refresh_from_db()
    assert run.status == SyncStatus.SUCCEEDED
    assert Ticket.objects.count() == 14


def test_the_progress_fragment_polls_while_running_and_reloads_the_list_at_the_end(lead_client):
    run = sync_start()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.RUNNING, total=400, processed=100)

    running = lead_client.get(f"/tickets/sync/{run.pk}", headers={"HX-Request": "true"})
    SyncRun.objects.filter(pk=run.pk).update(
        status=SyncStatus.SUCCEEDED, processed=400, created=400
    )
    done = lead_client.get(f"/tickets/sync/{run.pk}", headers={"HX-Request": "true"})

    assert "Syncing: 100 of 400 tickets" in running.text
    assert 'value="25"' in running.text
    assert 'hx-trigger="every 1s"' in running.text
    assert "HX-Trigger" not in running.headers
    assert "400 new" in done.text
    assert "every 1s" not in done.text
    assert "tickets-synced" in done.headers["HX-Trigger"]


def test_sync_now_while_one_runs_shows_that_one_instead(lead_client):
    active = sync_start()

    response = lead_client.post("/tickets/sync", headers={"HX-Request": "true"})

    assert SyncRun.objects.count() == 1
    assert f"#{active.pk}" in response.text
    assert "already queued" in response.text


def test_a_failed_sync_says_why_on_the_list(lead_client, sandbox, settings):
    settings.OSM_TOKEN = "wrong-token"

    tickets_sync_now()

    response = lead_client.get("/")
    assert "Failed" in response.text
    assert "OSM.0002" in response.text


def test_an_open_list_asks_for_newer_syncs_and_reloads_once_one_has_ended(support_client):
    shown = sync_start()
    SyncRun.objects.filter(pk=shown.pk).update(status=SyncStatus.SUCCEEDED)
    page = support_client.get("/")
    assert f"/tickets/sync/latest?seen={shown.pk}" in page.text
    assert 'hx-trigger="every 30s"' in page.text

    unchanged = support_client.get(f"/tickets/sync/latest?seen={shown.pk}")
    scheduled = sync_start(trigger="schedule")
    running = support_client.get(f"/tickets/sync/latest?seen={shown.pk}")
    SyncRun.objects.filter(pk=scheduled.pk).update(status=SyncStatus.SUCCEEDED, updated=3)
    ended = support_client.get(f"/tickets/sync/latest?seen={shown.pk}")

    assert unchanged.status_code == 204
    assert not unchanged.content
    assert "tickets-synced" not in running.headers.get("HX-Trigger", "")
    assert f"/tickets/sync/{scheduled.pk}" in running.text
    assert "3 updated" in ended.text
    assert "tickets-synced" in ended.headers["HX-Trigger"]
    assert f"seen={scheduled.pk}" in ended.text


def test_a_list_shown_before_any_sync_hears_of_the_first(support_client):
    assert support_client.get("/tickets/sync/latest?seen=").status_code == 204
    run = sync_start()
    SyncRun.objects.filter(pk=run.pk).update(status=SyncStatus.SUCCEEDED)

    response = support_client.get("/tickets/sync/latest?seen=")

    assert response.status_code == 200
    assert "tickets-synced" in response.headers["HX-Trigger"]
