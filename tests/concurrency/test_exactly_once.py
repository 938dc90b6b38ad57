"""The same operation form sent many times at once is one upstream call and one record, on
SQLite and PostgreSQL alike; and concurrent writers lose no record."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import audit_event
from ticketui.sandbox.faults import Fault

HTMX = {"HX-Request": "true"}


def posts_to_upstream(sandbox) -> int:
    return len([request for request in sandbox.state.received if request.method == "POST"])


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_one_operation_with_one_outcome(
    support_client, sandbox, ticket
):
    form = {"action_id": "close", "operate_desc": "once", "idempotency_key": str(uuid.uuid4())}

    first = support_client.post(f"/tickets/{ticket.pk}/operations", form, headers=HTMX)
    second = support_client.post(f"/tickets/{ticket.pk}/operations", form, headers=HTMX)

    assert posts_to_upstream(sandbox) == 1
    assert AuditRecord.objects.filter(kind=Kind.OPERATION).count() == 1
    record = AuditRecord.objects.get(kind=Kind.OPERATION)
    assert f"/audit/{record.pk}/" in first.text
    assert f"/audit/{record.pk}/" in second.text
    assert "Done. The upstream accepted the operation." in second.text


@pytest.mark.django_db
def test_each_rendered_form_carries_a_fresh_key(support_client, ticket):
    first = support_client.get(f"/tickets/{ticket.pk}/")
    second = support_client.get(f"/tickets/{ticket.pk}/")

    assert (
        first.context["form"]["idempotency_key"].value()
        != second.context["form"]["idempotency_key"].value()
    )


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_double_submissions_make_one_upstream_call_and_one_record(
    sandbox, ticket, support_user
):
    sandbox.faults.add(Fault(kind="latency", seconds=0.5, path_contains="/action"))
    form = {
        "action_id": "close",
        "operate_desc": "fifty at once",
        "idempotency_key": str(uuid.uuid4()),
    }
    start = threading.Barrier(50)

    def submit(_):
        client = Client()
        client.force_login(support_user)
        start.wait()
        try:
            return client.post(f"/tickets/{ticket.pk}/operations", form, headers=HTMX)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=50) as pool:
        responses = list(pool.map(submit, range(50)))

    assert [response.status_code for response in responses] == [200] * 50
    assert posts_to_upstream(sandbox) == 1
    assert AuditRecord.objects.filter(kind=Kind.OPERATION).count() == 1
    assert all(
        "Done. The upstream accepted the operation." in response.text for response in responses
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_no_record(support_user):
    def write(n):
        try:
            for i in range(10):
                audit_event(kind=Kind.EXPORT, actor=support_user, data={"writer": n, "i": i})
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))

    assert AuditRecord.objects.filter(kind=Kind.EXPORT).count() == 80


@pytest.mark.django_db
def test_the_same_rating_form_sent_twice_is_one_rating(
    support_client, sandbox, completed_ticket, dimensions
):
    page = support_client.get(f"/tickets/{completed_ticket.pk}/")
    key = page.context["survey_form"]["idempotency_key"].value()
    form = {
        "stars_1": "4",
        "stars_3": "5",
        "stars_7": "5",
        "comment": "Quick and right",
        "idempotency_key": str(key),
    }

    first = support_client.post(f"/tickets/{completed_ticket.pk}/survey/send", form, headers=HTMX)
    second = support_client.post(f"/tickets/{completed_ticket.pk}/survey/send", form, headers=HTMX)

    assert first.status_code == second.status_code == 200
    assert len([r for r in sandbox.state.received if r.method == "POST"]) == 1
    assert AuditRecord.objects.filter(kind=Kind.SURVEY).count() == 1
    assert "already been rated" not in second.text
