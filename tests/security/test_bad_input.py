"""Every form and command field at and past its limits, with hostile characters: a clear field
error or a correct send, never a server error; stored text is always rendered escaped."""

import io
import json
import logging
import re

import pytest
import responses
from django.core.management import CommandError, call_command
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketui.audit.models import AuditRecord
from ticketui.logs import SingleLineFormatter
from ticketui.tickets.models import Ticket

pytestmark = pytest.mark.django_db

UPSTREAM = "http://127.0.0.1:9"
HOSTILE = [
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\u202e",
    "\u200f",
    "😀",
    "𝕏",
    "𠜎",
    "<",
    ">",
    "&",
    '"',
    "'",
    "\x1b",
    "\x7f",
    "工",
]


def text_around(limit: int) -> st.SearchStrategy[str]:
    """Lengths 0, 1, limit and limit+1 of plain and hostile characters, plus anything else."""
    pieces = st.sampled_from(HOSTILE) | st.characters(codec="utf-8")
    exact = st.sampled_from([0, 1, limit, limit + 1]).flatmap(
        lambda n: st.lists(pieces, min_size=n, max_size=n).map("".join)
    )
    return exact | st.lists(pieces, max_size=limit + 5).map("".join)


def joined(*pieces: str, max_size: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)


MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>bold</b>"]
examples = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def upstream(settings):
    settings.OSM_ENDPOINT = UPSTREAM
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.POST, f"{UPSTREAM}/v2/servicerequest/cases/CS2026090100003/action", json={}
        )
        mock.add(
            responses.GET,
            f"{UPSTREAM}/v2/servicerequest/cases/CS2026090100003",
            json={"incident_detail_info": {"status": 2}},
        )
        yield mock


@examples
@given(
    action=st.sampled_from(
        ["close", "press", "cancel", "delete", "", "reopen", "close\x00", "Close"]
    ),
    desc=text_around(400),
    group_id=text_around(64),
)
def test_the_operation_form_gives_field_errors_or_sends_exactly_what_was_typed(
    support_client, ticket, upstream, action, desc, group_id
):
    sent_before = len(upstream.calls)
    records_before = AuditRecord.objects.filter(kind="operation").count()

    response = support_client.post(
        f"/tickets/{ticket.pk}/operations",
        {"action_id": action, "operate_desc": desc, "group_id": group_id},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    if 'class="field-error"' in response.text:
        assert len(upstream.calls) == sent_before
        assert AuditRecord.objects.filter(kind="operation").count() == records_before
    else:
        record = AuditRecord.objects.filter(kind="operation").latest("id")
        assert record.action_id == action
        assert record.request_body.get("operate_desc", "") == desc.strip()
        assert record.request_body.get("group_id", "") == group_id.strip()
        assert len(desc.strip()) <= 400
        assert len(group_id.strip()) <= 64


@examples
@given(case_id=text_around(64))
def test_tracking_any_case_id_never_breaks_the_page(support_client, settings, case_id):
    settings.OSM_ENDPOINT = UPSTREAM
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.GET,
            re.compile(rf"{UPSTREAM}/v2/servicerequest/cases/.+"),
            json={"error_code": "OSM.01010015", "error_msg": "no such ticket"},
        )
        response = support_client.post(
            "/tickets/track", {"case_id": case_id}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    assert 'id="track-errors"' in response.text or response.has_header("HX-Redirect")
    assert not Ticket.objects.exists()


@examples
@given(q=text_around(200), status=st.text(max_size=6), page=st.text(max_size=6))
def test_any_list_filter_gives_a_page(support_client, q, status, page):
    response = support_client.get("/", {"q": q, "status": status, "page": page})

    # A page number the list does not have says so (and links to the first page).
    assert response.status_code == 200 or (
        response.status_code == 404 and "Go to the first page" in response.text
    )


@examples
@given(text=joined(*MARKUP, '"', "&amp;", "a", " ", max_size=12).filter(str.strip))
def test_stored_text_is_rendered_escaped_on_the_list_and_the_ticket_page(
    support_client, ticket, text
):
    ticket.summary = text
    ticket.save()
    AuditRecord.objects.create(
        kind="operation",
        created_at="2026-11-01T00:00Z",
        case_id=ticket.case_id,
        action_id="press",
        request_body={"operate_desc": text},
    )

    for url in ("/", f"/tickets/{ticket.pk}/"):
        page = support_client.get(url).text
        for markup in MARKUP:
            assert markup not in page
        assert escape(text.strip()) in page


@examples
@given(desc=text_around(400), group_id=text_around(64), comment=text_around(400))
def test_the_operate_command_refuses_or_sends_never_crashes(
    support_user, ticket, upstream, desc, group_id, comment
):
    out = io.StringIO()
    try:
        call_command(
            "ticket_operate",
            ticket.case_id,
            "close",
            "--as",
            "sam",
            # --name=value, as a script passing a value that starts with "-" must.
            f"--desc={desc}",
            f"--group-id={group_id}",
            f"--comment={comment}",
            stdout=out,
        )
    except CommandError as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert message.startswith(("Not sent:", "The operation did not succeed"))
    else:
        record = AuditRecord.objects.filter(kind="operation").latest("id")
        assert record.request_body.get("operate_desc", "") == desc


@examples
@given(message=joined("a", "\r", "\n", "\u2028", "ERROR", " ", max_size=40))
def test_no_message_can_split_a_plain_log_line(message):
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s", (message,), None)

    line = SingleLineFormatter("%(message)s").format(record)

    assert "\n" not in line
    assert "\r" not in line


@examples
@given(
    stars=st.lists(
        st.sampled_from(["", "0", "1", "5", "6", "-1", "1.5", "x", "９", "\x00", "99999999999"]),
        min_size=3,
        max_size=3,
    ),
    comment=text_around(400),
)
def test_the_rating_form_gives_field_errors_or_sends_never_a_server_error(
    support_client, completed_ticket, settings, stars, comment
):
    from ticketui.tickets.models import SatisfactionDimension

    for number, steps in ((1, 1), (3, 1), (7, 2)):
        SatisfactionDimension.objects.get_or_create(
            satisfaction_id=number,
            defaults={"name": f"D{number}", "value": 5 * steps, "per_value": steps},
        )
    settings.OSM_ENDPOINT = UPSTREAM
    form = dict(zip(("stars_1", "stars_3", "stars_7"), stars, strict=True)) | {"comment": comment}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(
            responses.POST,
            f"{UPSTREAM}/v2/servicerequest/cases/{completed_ticket.case_id}/score",
            json={},
        )
        mock.add(
            responses.GET,
            re.compile(rf"{UPSTREAM}/v2/servicerequest/cases/.+"),
            json={"incident_detail_info": {"status": 3}},
        )
        response = support_client.post(
            f"/tickets/{completed_ticket.pk}/survey/send", form, headers={"HX-Request": "true"}
        )
        sent = [call for call in mock.calls if call.request.method == "POST"]

    assert response.status_code == 200
    if sent:
        body = json.loads(sent[0].request.body)
        assert all(
            0 <= entry["satisfaction_value"] <= entry["value"]
            for entry in body["incident_satisfaction_list"]
        )
        assert len(body["judgement"]) <= 400


@examples
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "agent",
                "action",
                "kind",
                "outcome",
                "case_id",
                "error_code",
                "period",
                "start",
                "end",
                "order",
                "after",
                "before",
                "product",
            ]
        ),
        text_around(70),
        max_size=6,
    )
)
def test_any_audit_or_report_filter_gives_a_page(lead_client, params):
    for url in ("/audit/", "/reports/satisfaction", "/audit/export.csv"):
        response = lead_client.get(url, params)
        assert response.status_code in (200, 400), url
