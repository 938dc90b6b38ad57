import pytest

from ticketui.tickets.operations.services import operation_submit

pytestmark = pytest.mark.django_db


def test_it_shows_the_ticket_and_its_history(support_client, support_user, sandbox, ticket):
    operation_submit(
        actor=support_user, ticket=ticket, action_id="press", operate_desc="Please hurry"
    )

    response = support_client.get(f"/tickets/{ticket.pk}/")

    assert response.status_code == 200
    assert "CS2026090100003" in response.text
    assert "Please hurry" in response.text
    assert "by sam" in response.text


def test_agents_see_the_operation_form(support_client, ticket):
    assert 'id="operation-panel"' in support_client.get(f"/tickets/{ticket.pk}/").text


def test_outsiders_do_not_see_the_operation_form(outsider_client, ticket):
    assert 'id="operation-panel"' not in outsider_client.get(f"/tickets/{ticket.pk}/").text


def test_the_summary_fragment_refreshes_the_status_from_the_upstream(
    support_client, sandbox, ticket
):
    sandbox.state.tickets["CS2026090100003"]["status"] = 17

    response = support_client.get(f"/tickets/{ticket.pk}/summary", headers={"HX-Request": "true"})

    assert "Pending feedback" in response.text
    ticket.refresh_from_db()
    assert ticket.status == 17


def test_the_summary_fragment_does_not_ask_the_upstream_again_within_the_refresh_interval(
    support_client, sandbox, ticket, settings
):
    settings.TICKET_REFRESH_SECONDS = 60
    support_client.get(f"/tickets/{ticket.pk}/summary")
    support_client.get(f"/tickets/{ticket.pk}/summary")

    assert len(sandbox.state.received) == 1


def test_stored_text_is_escaped(support_client, ticket):
    ticket.summary = '<script>alert("x")</script>'
    ticket.save()

    response = support_client.get(f"/tickets/{ticket.pk}/")

    assert '<script>alert("x")</script>' not in response.text
    assert "&lt;script&gt;" in response.text


def test_an_unknown_ticket_is_a_404(support_client):
    assert support_client.get("/tickets/999/").status_code == 404


def test_a_long_history_shows_the_newest_fifty_and_loads_older_on_demand(
    support_client, support_user, ticket
):
    from ticketui.audit.models import AuditRecord

    AuditRecord.objects.bulk_create(
        AuditRecord(
            kind="operation",
            created_at="2026-11-01T00:00Z",
            case_id=ticket.case_id,
            action_id="press",
            outcome="succeeded",
            actor_username="sam",
            request_body={"operate_desc": f"urge {n}"},
        )
        for n in range(120)
    )

    first = support_client.get(f"/tickets/{ticket.pk}/")
    assert first.text.count('class="timeline-item') == 50
    assert "urge 119" in first.text
    assert "urge 69" not in first.text
    oldest_shown = first.context["timeline"][-1].pk

    older = support_client.get(
        f"/tickets/{ticket.pk}/timeline?before={oldest_shown}", headers={"HX-Request": "true"}
    )
    assert older.text.count('class="timeline-item') == 50
    assert "urge 69" in older.text
    assert "Show older" in older.text

    last = support_client.get(
        f"/tickets/{ticket.pk}/timeline?before={older.context['timeline'][-1].pk}"
    )
    assert last.text.count('class="timeline-item') == 20
    assert "Show older" not in last.text


@pytest.mark.parametrize("before", ["²", "٣", "99999999999999999999999", "-1", "1e3"])
def test_an_older_timeline_page_asked_with_no_usable_id_gives_the_first_page(
    support_client, ticket, before
):
    response = support_client.get(
        f"/tickets/{ticket.pk}/timeline", {"before": before}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response.context["timeline"] == []
    assert 'id="timeline"' in response.text  # the whole timeline, not an "older" page
