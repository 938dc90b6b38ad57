"""Attachments come through the dashboard as downloads: only the ticket's own, streamed, audited,
never shown inline, with a Content-Disposition that is safe for any name the upstream holds."""

from urllib.parse import quote, unquote

import pytest

from ticketui.audit.models import AuditRecord, Kind
from ticketui.sandbox import conversation
from ticketui.tickets.conversation.downloads import attachment_disposition, safe_file_name

pytestmark = pytest.mark.django_db


def attach(sandbox, ticket, *, name: str, data: bytes, content_type: str) -> str:
    state = sandbox.state
    with state.lock:
        accessory_id = conversation.store_accessory(
            state, name=name, content_type=content_type, data=data
        )
        conversation.add_message(
            state, ticket.case_id, content="see file", engineer=True, accessory_ids=[accessory_id]
        )
    return accessory_id


def download(client, ticket, accessory_id):
    return client.get(f"/tickets/{ticket.pk}/conversation/attachments/{accessory_id}")


def test_an_attachment_is_streamed_as_a_download_and_audited(support_client, sandbox, ticket):
    accessory_id = attach(
        sandbox, ticket, name="report.pdf", data=b"%PDF-1.4 demo", content_type="application/pdf"
    )

    response = download(support_client, ticket, accessory_id)

    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == b"%PDF-1.4 demo"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    record = AuditRecord.objects.get(kind=Kind.DOWNLOAD)
    assert record.outcome == "succeeded"
    assert record.case_id == ticket.case_id
    assert accessory_id in record.request_path


@pytest.mark.parametrize(
    "name",
    [
        "报告 2026.pdf",
        'quote"d;name.pdf',
        "line\r\nSet-Cookie: x=1.pdf",
        "..\\..\\etc\\passwd.txt",
        "%41percent.txt",
    ],
)
def test_a_hostile_file_name_gives_a_safe_content_disposition(
    support_client, sandbox, ticket, name
):
    accessory_id = attach(sandbox, ticket, name=name, data=b"x", content_type="text/plain")

    response = download(support_client, ticket, accessory_id)

    header = response["Content-Disposition"]
    assert "\r" not in header
    assert "\n" not in header
    assert "Set-Cookie" not in response.headers or "x=1" not in response.headers["Set-Cookie"]
    plain, extended = header.split("; filename*=UTF-8''")
    fallback = plain.removeprefix('attachment; filename="').removesuffix('"')
    assert fallback.isascii()
    assert '"' not in fallback
    assert "\\" not in fallback
    assert "/" not in fallback
    assert unquote(extended) == safe_file_name(name)  # the real name, without path or CR/LF
    assert extended == quote(unquote(extended), safe="")


def test_a_path_in_the_name_is_cut_to_its_last_part():
    assert safe_file_name("..\\..\\etc\\passwd.txt") == "passwd.txt"
    assert safe_file_name("line\r\nSet-Cookie: x=1.pdf") == "lineSet-Cookie: x=1.pdf"


def test_the_unicode_name_survives_in_filename_star():
    header = attachment_disposition("报告.pdf")

    assert header == "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"


def test_html_is_never_served_as_html(support_client, sandbox, ticket):
    accessory_id = attach(
        sandbox,
        ticket,
        name="page.html",
        data=b"<script>alert(1)</script>",
        content_type="text/html",
    )

    response = download(support_client, ticket, accessory_id)

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_attachment_of_another_ticket_is_not_served(support_client, sandbox, ticket):
    from ticketui.tickets.models import Ticket

    other = Ticket.objects.create(case_id="CS2026090100002", summary="Slow disk", status=1)
    accessory_id = attach(sandbox, other, name="secret.txt", data=b"s", content_type="text/plain")

    response = download(support_client, ticket, accessory_id)

    assert response.status_code == 404
    assert not AuditRecord.objects.filter(kind=Kind.DOWNLOAD).exists()


def test_people_without_the_view_permission_get_nothing(outsider_client, sandbox, ticket):
    accessory_id = attach(sandbox, ticket, name="a.txt", data=b"a", content_type="text/plain")

    assert download(outsider_client, ticket, accessory_id).status_code == 403


def test_an_upstream_failure_is_a_plain_page_and_recorded(support_client, sandbox, ticket):
    from ticketui.sandbox.faults import Fault

    accessory_id = attach(sandbox, ticket, name="a.txt", data=b"a", content_type="text/plain")
    sandbox.faults.add(Fault(kind="status", status=502, path_contains="/accessorys/"))

    response = download(support_client, ticket, accessory_id)

    assert response.status_code == 502
    assert "The attachment could not be fetched from the upstream" in response.text
    assert AuditRecord.objects.get(kind=Kind.DOWNLOAD).outcome == "http_error"
