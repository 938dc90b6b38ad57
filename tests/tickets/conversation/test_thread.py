"""The ticket page's conversation: loaded after the page, newest at the bottom, who wrote each
message, attachments through the dashboard, older messages on demand, an upstream that fails
said in place; and the timeline with the upstream's own log beside the dashboard's records."""

import re
import uuid

import pytest
from django.utils import timezone

from ticketui.accounts.models import Profile
from ticketui.osm.results import parse_time
from ticketui.sandbox import conversation
from ticketui.sandbox.faults import Fault
from ticketui.tickets.conversation.selectors import THREAD_PAGE

from .conftest import thread

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def thread_url(ticket, before: int | None = None) -> str:
    return f"/tickets/{ticket.pk}/conversation/" + (f"?before={before}" if before else "")


def message_texts(html: str) -> list[str]:
    return re.findall(r'<div class="message-text">(.*?)</div>', html, re.S)


def test_the_ticket_page_loads_the_conversation_after_itself(support_client, sandbox, ticket):
    response = support_client.get(f"/tickets/{ticket.pk}/")

    assert response.status_code == 200
    assert f'hx-get="/tickets/{ticket.pk}/conversation/"' in response.text
    assert "Replica lag" in response.text  # the customer's description, at once


def test_the_thread_shows_each_message_oldest_first_with_its_author_and_role(
    support_client, sandbox, ticket
):
    response = support_client.get(thread_url(ticket), headers=HTMX)

    assert response.status_code == 200
    held = [message["content"] for message in thread(sandbox)]
    assert message_texts(response.text) == held
    assert 'data-role="customer"' in response.text
    assert 'data-role="engineer"' in response.text
    assert "Engineer" in response.text


def test_a_reply_sent_from_the_dashboard_is_shown_as_the_agents(
    support_client, quiet_engineer, ticket, support_user
):
    support_client.post(
        f"/tickets/{ticket.pk}/conversation/reply",
        {"content": "Failover done.", "idempotency_key": str(uuid.uuid4())},
        headers=HTMX,
    )

    response = support_client.get(thread_url(ticket), headers=HTMX)

    last = response.text.rsplit('<li class="message', 1)[1]
    assert 'data-role="agent"' in last
    assert support_user.username in last
    assert "Failover done." in last


def test_attachments_link_to_the_dashboards_audited_download(support_client, sandbox, ticket):
    with sandbox.state.lock:
        accessory_id = conversation.store_accessory(
            sandbox.state, name="错误日志.txt", content_type="text/plain", data=b"errno 111"
        )
        conversation.add_message(
            sandbox.state,
            ticket.case_id,
            content="log",
            engineer=True,
            accessory_ids=[accessory_id],
        )

    response = support_client.get(thread_url(ticket), headers=HTMX)

    link = f"/tickets/{ticket.pk}/conversation/attachments/{accessory_id}"
    assert f'href="{link}"' in response.text
    assert "错误日志.txt" in response.text
    assert support_client.get(link).status_code == 200


def test_a_long_thread_shows_its_newest_messages_and_offers_the_older(
    support_client, quiet_engineer, ticket
):
    earlier = len(thread(quiet_engineer))  # the demo thread's own messages come first
    for number in range(45):
        conversation.add_message(
            quiet_engineer.state, ticket.case_id, content=f"note {number}", engineer=True
        )
    total = len(thread(quiet_engineer))

    newest = support_client.get(thread_url(ticket), headers=HTMX)
    first_shown = total - THREAD_PAGE
    older = support_client.get(thread_url(ticket, before=first_shown), headers=HTMX)

    assert message_texts(newest.text) == [f"note {n}" for n in range(25, 45)]
    assert f"?before={first_shown}" in newest.text
    assert f"({first_shown} more)" in newest.text
    assert message_texts(older.text) == [f"note {n}" for n in range(5, 25)]
    assert f"?before={first_shown - THREAD_PAGE}" in older.text
    assert f"({total - 2 * THREAD_PAGE} more)" in older.text
    assert earlier + 45 == total


def test_messages_that_arrive_meanwhile_shift_nothing_in_the_older_page(
    support_client, quiet_engineer, ticket
):
    for number in range(45):
        conversation.add_message(
            quiet_engineer.state, ticket.case_id, content=f"note {number}", engineer=True
        )
    newest = support_client.get(thread_url(ticket), headers=HTMX).text
    button = re.search(r'hx-get="(/tickets/\d+/conversation/\?before=\d+)"', newest).group(1)
    for number in range(3):  # the engineer answers while the agent reads
        conversation.add_message(
            quiet_engineer.state, ticket.case_id, content=f"late {number}", engineer=True
        )

    older = support_client.get(button, headers=HTMX).text

    assert message_texts(older) == [f"note {n}" for n in range(5, 25)]  # none shown twice


def test_the_description_is_shown_once_whether_or_not_the_first_message_is_on_the_page(
    support_client, quiet_engineer, ticket
):
    short = support_client.get(thread_url(ticket), headers=HTMX).text
    assert "The customer's description" not in short  # the first message shown is it
    assert ">Description</span>" in short

    for number in range(THREAD_PAGE):
        conversation.add_message(
            quiet_engineer.state, ticket.case_id, content=f"note {number}", engineer=True
        )
    long = support_client.get(thread_url(ticket), headers=HTMX).text

    assert ">Description</span>" not in long  # the first message is on an older page
    assert "The customer's description" in long
    assert ticket.summary in long


def test_an_upstream_that_fails_is_said_in_place_of_the_thread(support_client, sandbox, ticket):
    sandbox.faults.add(Fault(kind="status", status=503, path_contains="/messages", times=0))

    page = support_client.get(f"/tickets/{ticket.pk}/")
    fragment = support_client.get(thread_url(ticket), headers=HTMX)

    assert page.status_code == 200
    assert fragment.status_code == 200
    assert "could not be read from the upstream just now" in fragment.text
    assert 'id="conversation"' in fragment.text


def test_message_times_are_shown_in_the_viewers_time_zone(
    support_client, support_user, sandbox, ticket
):
    Profile.objects.update_or_create(user=support_user, defaults={"utc_offset_minutes": 480})
    moment = parse_time(thread(sandbox)[0]["create_time"])

    response = support_client.get(thread_url(ticket), headers=HTMX)

    shown = moment.astimezone(timezone.get_fixed_timezone(480)).strftime("%Y-%m-%d %H:%M")
    assert f">{shown}</time>" in response.text


def test_the_timeline_holds_the_upstreams_log_and_the_dashboards_records(
    support_client, sandbox, ticket
):
    support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": "press", "operate_desc": "Any news?", "idempotency_key": str(uuid.uuid4())},
        headers=HTMX,
    )

    response = support_client.get(f"/tickets/{ticket.pk}/timeline", headers=HTMX)

    assert 'data-source="dashboard"' in response.text
    assert 'data-source="upstream"' in response.text
    assert "Upstream log" in response.text
    assert "Dashboard" in response.text


def test_the_timeline_says_when_the_upstreams_log_cannot_be_read(support_client, sandbox, ticket):
    sandbox.faults.add(Fault(kind="status", status=503, path_contains="/operate-logs", times=0))

    response = support_client.get(f"/tickets/{ticket.pk}/timeline", headers=HTMX)

    assert response.status_code == 200
    assert "could not be read just now" in response.text


def test_each_upstream_log_entry_lands_on_one_page_of_the_history_in_time_order():
    from datetime import UTC, datetime, timedelta

    from ticketui.audit.models import AuditRecord
    from ticketui.osm.results import OperateLogEntry
    from ticketui.tickets.conversation.selectors import timeline_merged

    start = datetime(2026, 9, 1, tzinfo=UTC)
    records = [AuditRecord(pk=n, created_at=start + timedelta(hours=n)) for n in range(10, 0, -1)]
    log = [
        OperateLogEntry(
            operate_type=2,
            operator="x",
            content=str(n),
            time=start + timedelta(hours=n, minutes=30),
        )
        for n in range(0, 12)
    ]

    newest = timeline_merged(
        records=records[:5], log=log, newer_than_records=True, older_than_records=False
    )
    older = timeline_merged(
        records=records[5:],
        log=log,
        newer_than_records=False,
        older_than_records=True,
        before=records[4].created_at,
    )

    def moment(item):
        return item.created_at if isinstance(item, AuditRecord) else item.time

    shown = [*newest, *older]
    assert [moment(item) for item in shown] == sorted((moment(i) for i in shown), reverse=True)
    assert sorted(
        item.entry.content for item in shown if not isinstance(item, AuditRecord)
    ) == sorted(str(n) for n in range(12))


def test_upstream_log_entries_of_the_same_second_show_the_later_one_on_top():
    from datetime import UTC, datetime

    from ticketui.osm.results import OperateLogEntry
    from ticketui.tickets.conversation.selectors import timeline_merged

    moment = datetime(2026, 9, 1, 6, 55, 59, tzinfo=UTC)
    log = [  # the upstream's log, oldest first: a close, then a delete in the same second
        OperateLogEntry(operate_type=kind, operator="agent", content="", time=moment)
        for kind in (3, 13)
    ]

    shown = timeline_merged(records=[], log=log, newer_than_records=True, older_than_records=True)

    assert [item.entry.operate_type for item in shown] == [13, 3]
