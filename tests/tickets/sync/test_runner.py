"""Syncing the ticket list from the sandbox upstream: upserts, windows, one run at a time."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.results import CaseSummary
from ticketui.tickets.models import SatisfactionDimension, SyncRun, SyncStatus, Ticket
from ticketui.tickets.sync.runner import sync_run, tickets_upsert
from ticketui.tickets.sync.services import SyncAlreadyActive, sync_start, tickets_sync_now

pytestmark = pytest.mark.django_db


def test_a_first_sync_brings_every_ticket_and_a_second_changes_nothing(sandbox):
    first = tickets_sync_now()
    before = {t.case_id: (t.updated_at, t.upstream_data) for t in Ticket.objects.all()}
    second = tickets_sync_now()

    assert (first.created, first.updated) == (14, 0)
    assert (second.created, second.updated, second.changed) == (0, 0, 0)
    after = {t.case_id: (t.updated_at, t.upstream_data) for t in Ticket.objects.all()}
    assert after == before
    assert Ticket.objects.get(case_id="CS 2023/07?x=1#f&y").status == 2


def test_a_ticket_changed_upstream_is_updated_by_the_next_sync(sandbox):
    tickets_sync_now(full=True)
    sandbox.state.tickets["CS2026090100003"]["status"] = 3

    run = tickets_sync_now(full=True)

    assert (run.created, run.updated, run.unchanged) == (0, 1, 13)
    assert Ticket.objects.get(case_id="CS2026090100003").status == 3


def test_an_incremental_sync_asks_only_for_what_changed_since_the_last_one(sandbox):
    first = tickets_sync_now()
    stamp = (timezone.now() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.state.tickets["CS2026090100003"].update(status=3, update_time=stamp)

    run = tickets_sync_now()

    assert not run.full
    assert run.window_start == first.window_end - timedelta(minutes=5)
    assert (run.total, run.updated) == (1, 1)
    listed = [r for r in sandbox.state.received if r.path_segments[-1] == "cases"]
    assert "query_start_time" in listed[-1].query
    assert "query_end_time" not in listed[-1].query


def test_an_explicit_window_is_sent_as_query_start_and_end_time(sandbox):
    since = datetime(2026, 9, 1, tzinfo=UTC)
    until = datetime(2026, 9, 1, 3, tzinfo=UTC)

    run = tickets_sync_now(since=since, until=until)

    listed = [r for r in sandbox.state.received if r.path_segments[-1] == "cases"][-1]
    assert listed.query["query_start_time"] == ["2026-09-01T00:00:00Z"]
    assert listed.query["query_end_time"] == ["2026-09-01T03:00:00Z"]
    assert run.total == Ticket.objects.count() < 14


def test_unexpected_data_is_kept_and_never_crashes_the_sync(db):
    odd = [
        CaseSummary(case_id="A1", summary="ok", status=99, raw={"incident_id": "A1", "x": [1]}),
        CaseSummary(case_id="A2", summary="", status=None, raw={"create_time": "not a date"}),
        CaseSummary(case_id="", summary="no id", status=1),
        CaseSummary(case_id="X" * 65, summary="too long", status=1),
        CaseSummary(case_id="A1", summary="listed twice", status=1, raw={"incident_id": "A1"}),
    ]

    counts = tickets_upsert(cases=odd)

    assert (counts.created, counts.skipped) == (2, 2)
    assert Ticket.objects.get(case_id="A1").summary == "listed twice"
    a2 = Ticket.objects.get(case_id="A2")
    assert a2.status is None
    assert a2.upstream_created_at is None
    assert a2.upstream_data == {"create_time": "not a date"}


def test_a_ticket_with_an_unknown_status_is_shown_with_its_code(support_client, db):
    tickets_upsert(cases=[CaseSummary(case_id="A1", summary="odd", status=99)])

    response = support_client.get("/")

    assert "Unknown status (99)" in response.text


def test_data_only_the_detail_call_returns_survives_a_sync(sandbox):
    Ticket.objects.create(
        case_id="CS2026090100003", upstream_data={"message_list": [{"content": "hi"}]}
    )

    tickets_sync_now()

    data = Ticket.objects.get(case_id="CS2026090100003").upstream_data
    assert data["message_list"] == [{"content": "hi"}]
    assert data["incident_id"] == "CS2026090100003"


def test_a_second_sync_started_while_one_is_active_is_refused(sandbox):
    running = sync_start()

    with pytest.raises(SyncAlreadyActive) as refused:
        sync_start()

    assert refused.value.run == running
    assert "already queued" in str(refused.value)


def test_a_run_whose_process_died_does_not_block_syncing(sandbox):
    dead = sync_start()
    SyncRun.objects.filter(pk=dead.pk).update(
        status=SyncStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(minutes=10)
    )

    run = tickets_sync_now()

    assert run.status == SyncStatus.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == SyncStatus.ABANDONED


def test_a_run_is_carried_out_by_one_process_only(sandbox):
    run = sync_start()
    sync_run(run=run)

    again = sync_run(run=SyncRun.objects.get(pk=run.pk))

    assert again.status == SyncStatus.SUCCEEDED
    assert len([r for r in sandbox.state.received if r.path_segments[-1] == "cases"]) == 1


def test_a_sync_is_recorded_in_the_audit_trail(sandbox, team_lead):
    run = tickets_sync_now(actor=team_lead)

    record = AuditRecord.objects.get(kind=Kind.SYNC)
    assert record.actor == team_lead
    assert record.outcome == RecordOutcome.SUCCEEDED
    assert record.data["sync_run"] == run.pk
    assert record.data["created"] == 14


def test_an_upstream_failure_ends_the_run_as_failed_and_is_recorded(sandbox, settings):
    settings.OSM_TOKEN = "wrong-token"

    run = tickets_sync_now()

    assert run.status == SyncStatus.FAILED
    assert "OSM.0002" in run.detail
    assert AuditRecord.objects.get(kind=Kind.SYNC).outcome == RecordOutcome.FAILED


def test_satisfaction_dimensions_are_synced_and_dropped_ones_no_longer_offered(sandbox):
    SatisfactionDimension.objects.create(satisfaction_id=42, name="Retired", value=5, per_value=1)

    run = tickets_sync_now()

    assert run.dimensions == 3
    offered = SatisfactionDimension.objects.filter(offered=True)
    assert [d.satisfaction_id for d in offered] == [1, 3, 7]
    assert SatisfactionDimension.objects.get(satisfaction_id=7).stars == 5
    assert not SatisfactionDimension.objects.get(satisfaction_id=42).offered


def test_the_command_shows_progress_and_reports_zero_changed_the_second_time(sandbox, capsys):
    call_command("sync_tickets")
    first = capsys.readouterr().out
    call_command("sync_tickets", "--full")
    second = capsys.readouterr().out

    assert "14/14 tickets" in first
    assert "14 new" in first
    assert "0 changed" in second


def test_the_command_refuses_to_start_a_second_sync(sandbox, capsys):
    sync_start()

    call_command("sync_tickets")

    assert "Not starting a second one" in capsys.readouterr().out


def test_the_command_rejects_a_window_that_ends_before_it_starts(sandbox):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="start must be before its end"):
        call_command("sync_tickets", "--since", "2026-10-02T00:00:00Z", "--until", "2026-10-01")


def test_sync_upserts_every_upstream_ticket_and_a_second_run_creates_nothing(sandbox):
    assert _sync_counts() == (14, 0)
    assert _sync_counts() == (0, 0)  # nothing changed upstream, nothing written
    assert Ticket.objects.count() == 14
    assert Ticket.objects.get(case_id="CS 2023/07?x=1#f&y").status == 2


def _sync_counts() -> tuple[int, int]:
    run = tickets_sync_now(full=True)
    assert run.status == "succeeded"
    return run.created, run.updated
