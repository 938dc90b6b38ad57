"""The admin only shows audit records; a record's page shows the request, the answer, the
pending-to-final timestamps, where it came from, its seals and how it was settled."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User

from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.reconcile import audit_reconcile
from ticketui.audit.verify import chain_head
from ticketui.osm.results import Outcome

from .conftest import finish_operation, start_operation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", password="correct horse battery"))
    return client


def test_the_admin_lists_and_shows_records_but_cannot_change_them(admin_client, operation):
    assert admin_client.get("/admin/audit/auditrecord/").status_code == 200
    page = admin_client.get(f"/admin/audit/auditrecord/{operation.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    assert admin_client.get("/admin/audit/auditrecord/add/").status_code == 403
    assert admin_client.get(f"/admin/audit/auditrecord/{operation.pk}/delete/").status_code == 403
    admin_client.post(f"/admin/audit/auditrecord/{operation.pk}/change/", {"detail": "edited"})
    assert AuditRecord.objects.get(pk=operation.pk).detail == ""


def test_a_records_page_shows_pending_and_final_times_origin_and_seals(lead_client, operation):
    response = lead_client.get(f"/audit/{operation.pk}/")

    assert 'id="pending-at"' in response.text
    assert 'id="final-at"' in response.text
    assert "203.0.113.7" in response.text
    assert "Mozilla/5.0 (test)" in response.text
    assert "req-42" in response.text
    assert "120.5 ms" in response.text
    assert operation.hash in response.text
    assert operation.completion_hash in response.text


def test_a_pending_record_says_it_is_not_completed_yet(lead_client, pending):
    response = lead_client.get(f"/audit/{pending.pk}/")

    assert "not yet" in response.text


def test_a_settled_operation_links_to_its_settlement_and_back(lead_client, sandbox, support_user):
    record = start_operation(support_user, action_id="close")
    sandbox.state.apply("CS2026090100003", "close", {})
    audit_reconcile(older_than=timedelta(0))
    settlement = AuditRecord.objects.get(kind=Kind.RECONCILE)

    page = lead_client.get(f"/audit/{record.pk}/")
    assert "Settled by reconciliation: succeeded." in page.text
    assert f'href="/audit/{settlement.pk}/"' in page.text
    back = lead_client.get(f"/audit/{settlement.pk}/")
    assert f'href="/audit/{record.pk}/"' in back.text


def test_the_ticket_timeline_explains_a_reconciliation(
    support_client, sandbox, ticket, support_user
):
    finish_operation(start_operation(support_user, action_id="close"), outcome=Outcome.UNKNOWN)
    audit_reconcile()

    response = support_client.get(ticket.get_absolute_url())

    assert "Reconciliation: The upstream&#x27;s operate-log has no close" in response.text


def test_downloading_the_head_is_recorded_and_matches_what_audit_verify_checks(
    lead_client, operation, team_lead
):
    response = lead_client.get("/audit/head.txt")

    head = chain_head()
    assert response["Content-Disposition"] == f'attachment; filename="audit-head-{head.seq}.txt"'
    assert f"sha256: {head.hash}" in response.text
    assert f"audit_verify --anchor {head.seq}:{head.hash}" in response.text
    export = AuditRecord.objects.get(kind=Kind.EXPORT)
    assert (export.actor, export.data["export"]) == (team_lead, "chain head")
    assert head.record_id == export.pk


def test_agents_cannot_download_the_head(support_client):
    assert support_client.get("/audit/head.txt").status_code == 403
