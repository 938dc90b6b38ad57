"""The reply form on the ticket page: sent in place with HTMX (the outcome in place, a fresh form),
or without JavaScript (a redirect with the outcome as a message, or the whole page again with the
form's errors, built by the ticket page's own builder)."""

import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from ticketui.audit.models import AuditRecord, Kind

from .conftest import posts, thread

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def url(ticket) -> str:
    return f"/tickets/{ticket.pk}/conversation/reply"


def test_the_ticket_page_shows_the_reply_form_to_agents(support_client, sandbox, ticket):
    response = support_client.get(f"/tickets/{ticket.pk}/")

    assert 'id="reply-panel"' in response.text
    assert 'enctype="multipart/form-data"' in response.text
    assert 'name="attachments"' in response.text
    assert "multiple" in response.text


def test_the_reply_panel_follows_a_status_that_takes_replies_away_and_else_stays(
    support_client, sandbox, ticket
):
    page = support_client.get(f"/tickets/{ticket.pk}/").text
    refresh = re.search(r'hx-get="(/tickets/\d+/conversation/reply-panel\?shown=open)"', page)
    assert refresh, "the reply panel asks again when the header brings a new status"

    unchanged = support_client.get(refresh.group(1), headers=HTMX)
    ticket.status = 13
    ticket.save()
    deleted = support_client.get(refresh.group(1), headers=HTMX)

    assert unchanged.status_code == 204  # what is being typed stays
    assert deleted.status_code == 200
    assert "no reply can be sent" in deleted.text
    assert 'name="content"' not in deleted.text
    assert "shown=13" in deleted.text


@pytest.mark.parametrize(("status", "label"), [(3, "Completed"), (4, "Cancelled"), (12, "Invalid")])
def test_a_finished_ticket_offers_no_reply_form_and_says_why(
    support_client, sandbox, ticket, status, label
):
    ticket.status = status
    ticket.save()

    page = support_client.get(f"/tickets/{ticket.pk}/").text

    assert (
        f"The ticket is finished at the upstream (status: {label}): it takes no more replies."
        in page
    )
    assert 'name="content"' not in page
    assert f"reply-panel?shown={status}" in page


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (1, 'name="content"'),  # reopened upstream: the form comes back
        (13, "deleted at the upstream: no reply can be sent"),  # deleted since: it says so
    ],
)
def test_the_panel_of_a_completed_ticket_follows_a_later_status(
    support_client, sandbox, ticket, status, shown
):
    ticket.status = 3
    ticket.save()
    page = support_client.get(f"/tickets/{ticket.pk}/").text
    refresh = re.search(r'hx-get="(/tickets/\d+/conversation/reply-panel\?shown=3)"', page)
    ticket.status = status
    ticket.save()

    panel = support_client.get(refresh.group(1), headers=HTMX)

    assert panel.status_code == 200
    assert shown in panel.text


def test_a_reply_in_place_shows_the_outcome_and_the_text_sent(
    support_client, quiet_engineer, ticket
):
    form = {"content": "Restarted the node.", "idempotency_key": str(uuid.uuid4())}

    response = support_client.post(url(ticket), form, headers=HTMX)

    assert response.status_code == 200
    assert "Sent. The upstream accepted the reply." in response.text
    assert "Restarted the node." in response.text
    assert form["idempotency_key"] not in response.text  # a fresh form, a new key
    assert "conversation-changed" in response["HX-Trigger"]
    assert thread(quiet_engineer)[-1]["content"] == "Restarted the node."


def test_a_reply_with_an_attachment_uploads_it(support_client, quiet_engineer, ticket):
    upload = SimpleUploadedFile("trace.txt", b"trace", content_type="text/plain")

    response = support_client.post(
        url(ticket), {"content": "Trace attached", "attachments": [upload]}, headers=HTMX
    )

    assert "With 1 attachment." in response.text
    assert thread(quiet_engineer)[-1]["accessory_list"][0]["file_actual_name"] == "trace.txt"
    assert AuditRecord.objects.filter(kind=Kind.UPLOAD, outcome="succeeded").count() == 1


def test_the_same_form_posted_twice_shows_the_first_outcome_and_sends_once(
    support_client, quiet_engineer, ticket
):
    form = {"content": "Only once", "idempotency_key": str(uuid.uuid4())}

    support_client.post(url(ticket), form, headers=HTMX)
    second = support_client.post(url(ticket), form, headers=HTMX)

    assert "Sent. The upstream accepted the reply." in second.text
    assert len(posts(quiet_engineer, "/message")) == 1


def test_errors_come_back_in_place_with_the_text_kept(support_client, sandbox, ticket):
    upload = SimpleUploadedFile("tool.exe", b"MZ", content_type="application/octet-stream")

    response = support_client.post(
        url(ticket), {"content": "See tool", "attachments": [upload]}, headers=HTMX
    )

    assert response.status_code == 200
    assert "“tool.exe”: files of this type are not accepted" in response.text
    assert "See tool" in response.text
    assert not posts(sandbox, "/message")


def test_without_javascript_a_reply_redirects_with_its_outcome(
    support_client, quiet_engineer, ticket
):
    response = support_client.post(url(ticket), {"content": "No JS here"}, follow=True)

    assert response.redirect_chain[-1][0] == f"/tickets/{ticket.pk}/"
    assert "Sent. The upstream accepted the reply." in response.text


def test_without_javascript_errors_show_the_whole_ticket_page(support_client, sandbox, ticket):
    response = support_client.post(url(ticket), {"content": "x" * 2001})

    assert response.status_code == 400
    assert 'id="summary"' in response.text
    assert 'id="operation-panel"' in response.text
    assert "at most 2000 characters" in response.text


def test_an_empty_reply_is_refused_plainly(support_client, sandbox, ticket):
    response = support_client.post(url(ticket), {"content": ""}, headers=HTMX)

    assert "Write a reply or attach a file." in response.text


def test_a_file_past_the_limit_is_not_read_past_it_and_says_so(
    support_client, sandbox, ticket, settings
):
    from ticketui.tickets.conversation.attachment_limits import attachment_limits

    attachment_limits()  # 4 MB, as the sandbox states them
    upload = SimpleUploadedFile("huge.txt", b"x" * 4_100_000, content_type="text/plain")

    response = support_client.post(
        url(ticket), {"content": "big", "attachments": [upload]}, headers=HTMX
    )

    assert "“huge.txt” is larger than 4 MB, the most the upstream takes; it was not uploaded" in (
        response.text
    )
    assert not posts(sandbox, "/accessorys")


def test_a_large_upload_is_streamed_on_and_leaves_no_file_behind(
    support_client, quiet_engineer, ticket, settings, tmp_path
):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    data = b"z" * 3_500_000  # past FILE_UPLOAD_MAX_MEMORY_SIZE: a temporary file
    upload = SimpleUploadedFile("dump.txt", data, content_type="text/plain")

    response = support_client.post(
        url(ticket), {"content": "dump", "attachments": [upload]}, headers=HTMX
    )

    assert "Sent. The upstream accepted the reply." in response.text
    stored = quiet_engineer.state.conversation.accessories
    assert [a["size"] for a in stored.values() if a["name"] == "dump.txt"] == [len(data)]
    assert list(tmp_path.iterdir()) == []  # deleted when the request ended


def test_people_who_may_not_operate_cannot_reply(outsider_client, sandbox, ticket):
    response = outsider_client.post(url(ticket), {"content": "Hi"}, headers=HTMX)

    assert response.status_code == 403
    assert not posts(sandbox, "/message")


def test_the_reply_form_is_in_chinese_for_a_chinese_agent(support_client, sandbox, ticket):
    support_client.post("/accounts/language", {"language": "zh-cn"})  # the agent's profile
    with translation.override("en"):  # the language the request turns on ends with it
        response = support_client.get(f"/tickets/{ticket.pk}/")

    assert "发送回复" in response.text


def test_a_reply_without_an_answer_in_time_says_unknown_in_place(support_client, ticket, settings):
    import socket
    import threading

    from django.core.cache import cache

    from ticketui.osm.results import AccessoryLimits
    from ticketui.tickets.conversation.attachment_limits import CACHE_KEY

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    settings.OSM_ENDPOINT = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings.OSM_READ_TIMEOUT = 0.3
    cache.set(CACHE_KEY, AccessoryLimits.fallback())

    response = support_client.post(url(ticket), {"content": "Hello?"}, headers=HTMX)
    listener.close()

    assert "Reply: Result unknown." in response.text
    assert "did not answer in time. Look at the conversation before sending it again" in (
        response.text
    )
    assert AuditRecord.objects.get(kind=Kind.REPLY).outcome == "unknown"
