"""A form's one-time key stands for one operation: posted again for another action, another
ticket or by another person, it is refused, and the first operation's outcome is not shown."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import Ticket
from ticketui.tickets.operations.services import operation_submit
from ticketui.tickets.sending import KEY_REUSED

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def posts_to_upstream(sandbox) -> list:
    return [request for request in sandbox.state.received if request.method == "POST"]


@pytest.fixture
def pressable(db) -> Ticket:
    return Ticket.objects.create(case_id="CS2026090100002", summary="Slow disk", status=1)


@pytest.fixture
def pressed_key(support_client, sandbox, pressable) -> str:
    key = str(uuid.uuid4())
    form = {"action_id": "press", "idempotency_key": key}
    response = support_client.post(f"/tickets/{pressable.pk}/operations", form, headers=HTMX)
    assert "Done. The upstream accepted the operation." in response.text
    return key


def test_a_key_reposted_for_another_action_on_the_same_ticket_is_refused(
    support_client, sandbox, pressable, pressed_key
):
    form = {"action_id": "cancel", "idempotency_key": pressed_key}

    response = support_client.post(f"/tickets/{pressable.pk}/operations", form, headers=HTMX)

    assert KEY_REUSED in response.text
    assert "Done. The upstream accepted" not in response.text
    assert len(posts_to_upstream(sandbox)) == 1
    assert AuditRecord.objects.filter(kind=Kind.OPERATION).count() == 1


def test_a_key_reposted_for_another_ticket_is_refused(
    support_client, sandbox, pressable, pressed_key, ticket
):
    form = {"action_id": "cancel", "idempotency_key": pressed_key}

    response = support_client.post(f"/tickets/{ticket.pk}/operations", form, headers=HTMX)

    assert KEY_REUSED in response.text
    assert "Done. The upstream accepted" not in response.text
    assert len(posts_to_upstream(sandbox)) == 1


def test_a_key_reposted_by_another_person_is_refused(
    client, team_lead, sandbox, pressable, pressed_key
):
    client.force_login(team_lead)
    form = {"action_id": "press", "idempotency_key": pressed_key}

    response = client.post(f"/tickets/{pressable.pk}/operations", form)

    assert response.status_code == 400
    assert KEY_REUSED in response.text
    assert len(posts_to_upstream(sandbox)) == 1


def test_the_same_form_reposted_still_shows_its_first_outcome(
    support_client, sandbox, pressable, pressed_key
):
    form = {"action_id": "press", "idempotency_key": pressed_key}

    response = support_client.post(f"/tickets/{pressable.pk}/operations", form, headers=HTMX)

    assert "Done. The upstream accepted the operation." in response.text
    assert KEY_REUSED not in response.text
    assert len(posts_to_upstream(sandbox)) == 1


def test_the_service_refuses_a_reused_key_when_the_record_is_written(
    sandbox, support_user, pressable, ticket
):
    key = uuid.uuid4()
    operation_submit(actor=support_user, ticket=pressable, action_id="press", idempotency_key=key)

    with pytest.raises(ValidationError) as refused:
        operation_submit(actor=support_user, ticket=ticket, action_id="close", idempotency_key=key)

    assert KEY_REUSED in str(refused.value)
    assert len(posts_to_upstream(sandbox)) == 1


def test_a_rating_forms_key_reposted_as_an_operation_is_refused(
    support_client, sandbox, completed_ticket, dimensions
):
    key = str(uuid.uuid4())
    rating = {
        "stars_1": "4",
        "stars_3": "5",
        "stars_7": "5",
        "comment": "Right",
        "idempotency_key": key,
    }
    support_client.post(f"/tickets/{completed_ticket.pk}/survey/send", rating, headers=HTMX)

    form = {"action_id": "delete", "idempotency_key": key}
    response = support_client.post(f"/tickets/{completed_ticket.pk}/operations", form, headers=HTMX)

    assert KEY_REUSED in response.text
    assert len(posts_to_upstream(sandbox)) == 1
