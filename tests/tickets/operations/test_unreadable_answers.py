"""An answer that came but cannot be read (not JSON, too large) is not "no answer in time": the
outcome stays unknown and the agent is told the upstream answered unreadably."""

import pytest
import responses

from ticketui.audit.models import AuditRecord, RecordOutcome
from ticketui.osm.client import MAX_BODY_BYTES

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ACTION_URL = "http://127.0.0.1:9/v2/servicerequest/cases/CS2026090100003/action"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("<html>Service busy</html>", "The upstream's answer was not JSON"),
        ("{" + " " * (MAX_BODY_BYTES + 10) + "}", "The answer was too large"),
    ],
)
def test_a_200_that_cannot_be_read_says_it_answered_unreadably(
    support_client, settings, ticket, body, detail
):
    settings.OSM_ENDPOINT = "http://127.0.0.1:9"
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ACTION_URL, body=body, status=200)
        response = support_client.post(
            f"/tickets/{ticket.pk}/operations", {"action_id": "close"}, headers=HTMX
        )

    record = AuditRecord.objects.get(kind="operation")
    assert record.outcome == RecordOutcome.UNKNOWN
    assert record.detail == detail
    assert "the upstream answered (HTTP 200), but its answer could not be read" in response.text
    assert "did not answer in time" not in response.text
