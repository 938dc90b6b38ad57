"""The sandbox's conversation endpoints over real HTTP: threads, replies and the engineer's
answer, the instant-message feed, attachments within their limits, labels, and faults."""

import io
import json
import time
import zipfile
from urllib.parse import quote

import pytest
import requests

from tests.conftest import SECRET_CANARY
from ticketui.osm.auth import StaticToken
from ticketui.osm.catalogue import REPLIES_CLOSED_IN
from ticketui.osm.client import CallContext, OsmClient
from ticketui.osm.results import AccessoryLimits, MessageRole, Outcome, UpstreamError
from ticketui.osm.signing import AkSkSigner
from ticketui.sandbox.conversation import CANNED_REPLY, language
from ticketui.sandbox.faults import Fault
from ticketui.sandbox.state import SandboxState

# The client's own limits here are looser than the sandbox's, so that the sandbox's are tested.
LIMITS = AccessoryLimits(count=5, size_mb=10, file_types=("txt", "png", "exe"))


def seeded_thread(state: SandboxState, lang: str) -> str:
    """A seeded ticket in `lang` with the longer exchange (and its attachments)."""
    return next(
        case_id
        for case_id, ticket in sorted(state.tickets.items())
        if language(ticket) == lang and len(ticket["message_list"]) > 2
    )


@pytest.fixture
def english_thread(sandbox) -> str:
    return seeded_thread(sandbox.state, "en")


@pytest.fixture
def chinese_thread(sandbox) -> str:
    return seeded_thread(sandbox.state, "zh")


CHINESE_TICKET = "工单-42"


@pytest.fixture
def client(sandbox) -> OsmClient:
    return OsmClient(endpoint=sandbox.url, auth=StaticToken(SECRET_CANARY), read_timeout=2.0)


def raw(sandbox, method: str, path: str, **options) -> requests.Response:
    headers = {"X-Auth-Token": SECRET_CANARY, **options.pop("headers", {})}
    return requests.request(method, sandbox.url + path, headers=headers, timeout=5, **options)


def case_path(case_id: str, tail: str = "") -> str:
    return f"/v2/servicerequest/cases/{quote(case_id, safe='')}{tail}"


def reply(client: OsmClient, case_id: str, content: str, ids=()):
    return client.send(client.prepare_message(case_id=case_id, content=content, accessory_ids=ids))


def upload(client: OsmClient, data: bytes = b"hello", name: str = "note.txt"):
    return client.send(
        client.prepare_upload(file=io.BytesIO(data), file_name=name, accessory_limits=LIMITS)
    )


# --- Threads ------------------------------------------------------------------------------


def test_a_seeded_thread_opens_with_the_description_and_carries_attachments(
    sandbox, client, english_thread
):
    page = client.list_messages(english_thread)

    first = page.messages[0]
    assert first.is_first_message
    assert first.content == sandbox.state.tickets[english_thread]["simple_description"]
    assert {MessageRole.CUSTOMER, MessageRole.ENGINEER} <= {m.role for m in page.messages}
    names = [a.file_name for m in page.messages for a in m.accessories]
    assert names
    assert page.count == len(page.messages)


def test_a_chinese_ticket_has_a_chinese_thread(client):
    page = client.list_messages(CHINESE_TICKET)

    assert page.messages[1].content == "您好，我们已收到您的工单，正在处理。"
    assert page.messages[1].author == "华为云工程师"


def test_listed_messages_have_no_id_and_detailed_ones_have_no_replier_type(sandbox, english_thread):
    listed = raw(sandbox, "GET", case_path(english_thread, "/messages")).json()["message_list"][0]
    detail = raw(sandbox, "GET", case_path(english_thread)).json()["incident_detail_info"]

    assert "message_id" not in listed
    assert "replier_type" in listed
    assert "message_id" in detail["message_list"][0]
    assert "replier_type" not in detail["message_list"][0]
    assert "seq" not in listed


def test_the_thread_pages_oldest_first_by_offset(client, english_thread):
    whole = client.list_messages(english_thread)
    page = client.list_messages(english_thread, offset=2, limit=2)

    assert page.count == whole.count
    assert [m.content for m in page.messages] == [m.content for m in whole.messages[2:4]]


def test_the_thread_of_an_unknown_ticket_is_osm_01010015(sandbox):
    answer = raw(sandbox, "GET", case_path("CS1999", "/messages")).json()

    assert answer["error_code"] == "OSM.01010015"


def test_severity_and_labels_are_on_the_detail_and_the_severity_follows_the_language(
    client, english_thread
):
    english = client.case_detail(english_thread, context=CallContext(language="en-us"))
    chinese = client.case_detail(english_thread, context=CallContext(language="zh-cn"))

    assert english.severity in {"Low", "Medium", "High", "Critical"}
    assert chinese.severity in {"低", "中", "高", "紧急"}
    assert english.labels == client.list_case_labels(english_thread)
    assert english.labels


# --- Replies and the engineer ---------------------------------------------------------


def test_a_reply_is_appended_and_the_engineer_answers_after_the_delay(
    sandbox, client, english_thread
):
    sandbox.state.engineer_reply_after = 0.2
    before = client.list_messages(english_thread).count

    result = reply(client, english_thread, "Still broken after the restart")
    right_after = client.list_messages(english_thread)
    time.sleep(0.3)
    later = client.list_messages(english_thread)

    assert result.outcome is Outcome.SUCCEEDED
    assert right_after.count == before + 1
    assert right_after.messages[-1].content == "Still broken after the restart"
    assert right_after.messages[-1].role is MessageRole.CUSTOMER
    assert later.count == before + 2
    assert later.messages[-1].role is MessageRole.ENGINEER
    assert later.messages[-1].content == CANNED_REPLY["en"]


def test_the_engineer_answers_a_chinese_ticket_in_chinese(sandbox, client):
    sandbox.state.engineer_reply_after = 0.0

    reply(client, CHINESE_TICKET, "还是不行")

    assert client.list_messages(CHINESE_TICKET).messages[-1].content == CANNED_REPLY["zh"]


def test_with_no_delay_set_the_engineer_never_answers(sandbox, client, english_thread):
    sandbox.state.engineer_reply_after = None

    reply(client, english_thread, "Hello?")

    assert client.list_messages(english_thread).messages[-1].content == "Hello?"
    assert sandbox.state.conversation.pending == []


@pytest.mark.parametrize("status", [0, 1, 2, 3, 4, 5, 12, 13, 17])
def test_a_reply_is_refused_in_the_statuses_the_dashboard_offers_no_reply_form_in(
    sandbox, client, english_thread, status
):
    sandbox.state.engineer_reply_after = None
    sandbox.state.tickets[english_thread]["status"] = status

    result = reply(client, english_thread, "One more thing")

    expected = (
        (Outcome.REJECTED, "OSM.01010014")
        if status in REPLIES_CLOSED_IN
        else (
            Outcome.SUCCEEDED,
            "",
        )
    )
    assert (result.outcome, result.error_code) == expected


@pytest.mark.parametrize(
    "message",
    [
        {"content": "x" * 2001},
        {"content": "  "},
        {"content": "hi", "accessory_ids": ["no-such-accessory"]},
        {"content": 5},
        "not an object",
    ],
    ids=["too long", "blank", "unknown attachment", "not text", "not an object"],
)
def test_a_reply_breaking_a_limit_is_osm_01010001(sandbox, message, english_thread):
    answer = raw(sandbox, "POST", case_path(english_thread, "/message"), json={"message": message})

    assert (answer.status_code, answer.json()["error_code"]) == (200, "OSM.01010001")


def test_a_reply_with_six_attachments_is_refused_and_five_are_accepted(
    sandbox, client, english_thread
):
    ids = [client.accessory_id_of(upload(client, name=f"f{n}.txt")) for n in range(6)]
    path = case_path(english_thread, "/message")

    six = raw(sandbox, "POST", path, json={"message": {"content": "x", "accessory_ids": ids}})
    five = raw(sandbox, "POST", path, json={"message": {"content": "x", "accessory_ids": ids[:5]}})

    assert six.json()["error_code"] == "OSM.01010001"
    assert five.json()["error_code"] == ""
    last = sandbox.state.tickets[english_thread]["message_list"][-1]
    assert [a["file_actual_name"] for a in last["accessory_list"]] == [
        f"f{n}.txt" for n in range(5)
    ]


def test_an_attachment_is_attached_to_one_message_only(client, english_thread):
    accessory_id = client.accessory_id_of(upload(client))

    first = reply(client, english_thread, "with file", [accessory_id])
    second = reply(client, CHINESE_TICKET, "same file", [accessory_id])

    assert first.outcome is Outcome.SUCCEEDED
    assert (second.outcome, second.error_code) == (Outcome.REJECTED, "OSM.01010001")


# --- The instant-message feed ---------------------------------------------------------


def test_the_feed_gives_only_messages_newer_than_its_cursor(sandbox, client, english_thread):
    sandbox.state.engineer_reply_after = 0.0
    everything = client.list_new_instant_messages([english_thread, CHINESE_TICKET])
    nothing_new = client.list_new_instant_messages([english_thread], cursor=everything.cursor)

    reply(client, english_thread, "Any news?")
    news = client.list_new_instant_messages([english_thread], cursor=everything.cursor)

    assert {c.case_id for c in everything.cases} == {english_thread, CHINESE_TICKET}
    assert nothing_new.cases == ()
    assert [s.status for s in nothing_new.statuses] == [0]
    assert [m.content for m in news.cases[0].messages] == ["Any news?", CANNED_REPLY["en"]]
    assert [m.role for m in news.cases[0].messages] == [MessageRole.CUSTOMER, MessageRole.ENGINEER]
    assert int(news.cursor) > int(everything.cursor)


def test_the_feed_accepts_case_ids_repeated_or_comma_joined(sandbox, english_thread):
    path = "/v2/servicerequest/cases/instant-messages"
    repeated = raw(sandbox, "GET", path, params={"case_ids": [english_thread, "CS2026090100001"]})
    joined = raw(sandbox, "GET", path, params={"case_ids": f"{english_thread},CS2026090100001"})

    assert repeated.json() == joined.json()
    assert len(joined.json()["imstatus"]) == 2


@pytest.mark.parametrize("query", ["", "?case_ids=CS1&last_message_time_id=abc"])
def test_the_feed_without_case_ids_or_with_a_bad_cursor_is_osm_01010001(sandbox, query):
    answer = raw(sandbox, "GET", f"/v2/servicerequest/cases/instant-messages{query}")

    assert answer.json()["error_code"] == "OSM.01010001"


def test_unread_counts_count_engineer_answers_until_marked_read(sandbox, client, english_thread):
    sandbox.state.engineer_reply_after = 0.0
    client.update_messages_read(english_thread)

    reply(client, english_thread, "Please look again")
    reply(client, english_thread, "And again")
    unread = client.list_unread_instant_messages([english_thread])
    client.update_messages_read(english_thread)
    after = client.list_unread_instant_messages([english_thread])

    assert [(u.case_id, u.unread) for u in unread] == [(english_thread, 2)]
    assert unread[0].status == sandbox.state.tickets[english_thread]["status"]
    assert after[0].unread == 0


def test_some_seeded_tickets_start_with_an_unread_answer(sandbox, client):
    counts = client.list_unread_instant_messages(sorted(sandbox.state.tickets))

    assert any(count.unread == 1 for count in counts)
    assert any(count.unread == 0 for count in counts)


def test_marking_an_unknown_ticket_read_is_osm_01010015(client):
    with pytest.raises(UpstreamError) as failed:
        client.update_messages_read("CS1999")

    assert failed.value.result.error_code == "OSM.01010015"


def test_marking_read_accepts_an_absent_body(sandbox, english_thread):
    answer = raw(sandbox, "POST", case_path(english_thread, "/instant-messages/unread"))

    assert answer.json() == {"error_code": "", "error_msg": ""}


# --- Attachments ----------------------------------------------------------------------


def test_the_limits_are_published_as_strings(client, sandbox):
    answer = raw(sandbox, "GET", "/v2/servicerequest/accessorys/limits").json()
    limits = client.accessory_limits()

    assert answer["accessory_limit"]["limit_count"] == "5"
    assert (limits.count, limits.size_mb, limits.from_upstream) == (5, 4, True)
    assert "png" in limits.file_types


def test_an_uploaded_file_downloads_with_its_type_and_name(sandbox, client):
    accessory_id = client.accessory_id_of(upload(client, b"\x89PNG\x00bytes", "截图 1.png"))

    with client.open_download(client.prepare_download(accessory_id)) as download:
        data = download.read_all()

    assert data == b"\x89PNG\x00bytes"
    assert (download.content_type, download.file_name) == ("image/png", "截图 1.png")
    stored = sandbox.state.conversation.accessories[accessory_id]
    assert (stored["name"], stored["size"]) == ("截图 1.png", 10)


def test_the_received_upload_is_recorded_without_its_bytes(sandbox, client):
    upload(client, b"secret file content", "n.txt")

    received = sandbox.state.received[-1]
    assert received.body["file"] == {"file_name": "n.txt", "size": 19}
    assert json.loads(received.body["form_data"])["fileName"] == "n.txt"


def test_several_attachments_download_as_one_zip(client):
    first = client.accessory_id_of(upload(client, b"one", "a.txt"))
    second = client.accessory_id_of(upload(client, b"two", "b.txt"))

    with client.open_download(client.prepare_download([first, second])) as download:
        archive = zipfile.ZipFile(io.BytesIO(download.read_all()))

    assert download.content_type == "application/zip"
    assert sorted(archive.read(name) for name in archive.namelist()) == [b"one", b"two"]


def test_a_seeded_attachment_downloads(sandbox, client, english_thread):
    ref = next(a for m in client.list_messages(english_thread).messages for a in m.accessories)

    with client.open_download(client.prepare_download(ref.accessory_id)) as download:
        assert download.file_name == ref.file_name
        assert download.read_all()


def test_an_unknown_attachment_is_a_json_error_with_status_200(sandbox, client):
    answer = raw(sandbox, "GET", "/v2/servicerequest/accessorys/nope")

    with pytest.raises(UpstreamError) as failed:
        client.open_download(client.prepare_download("nope"))

    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/json")
    assert failed.value.result.error_code == "OSM.01010001"


def test_a_file_past_the_size_limit_or_of_another_type_is_refused(sandbox, client):
    too_large = upload(client, b"x" * (4_000_000 + 1), "big.txt")
    wrong_type = upload(
        client, b"MZ", "tool.exe"
    )  # the client's limits allow it, the sandbox's not
    at_limit = upload(client, b"x" * 4_000_000, "ok.txt")

    assert (too_large.outcome, too_large.error_code) == (Outcome.REJECTED, "OSM.01010001")
    assert (wrong_type.outcome, wrong_type.error_code) == (Outcome.REJECTED, "OSM.01010001")
    assert at_limit.outcome is Outcome.SUCCEEDED


@pytest.mark.parametrize(
    "files",
    [
        {"file": ("a.txt", b"x")},
        {"form_data": (None, '{"fileName": "a.txt"}')},
        {"file": ("a.txt", b"x"), "form_data": (None, "not json")},
        {
            "file": ("a.txt", b"x"),
            "form_data": (None, '{"fileName": "a.txt", "accessoryFrom": "x"}'),
        },
    ],
    ids=["no form_data", "no file", "form_data not json", "bad accessoryFrom"],
)
def test_an_upload_missing_a_part_is_osm_01010001(sandbox, files):
    answer = raw(sandbox, "POST", "/v2/servicerequest/accessorys", files=files)

    assert answer.json()["error_code"] == "OSM.01010001"


def test_a_signed_upload_is_verified_by_the_sandbox(sandbox):
    signed = OsmClient(
        endpoint=sandbox.url,
        auth=AkSkSigner(ak="sandbox-ak", sk="sandbox-sk", domain_id="sandbox-domain-id"),
    )

    result = upload(signed, b"signed bytes", "s.txt")

    assert result.outcome is Outcome.SUCCEEDED
    assert sandbox.state.received[-1].auth == "aksk"


def test_uploads_and_threads_survive_a_restart_with_a_state_file(tmp_path):
    from ticketui.sandbox.conversation import add_message, store_accessory

    path = tmp_path / "sandbox.json"
    state = SandboxState.seeded(4, persist_path=path)
    with state.lock:
        accessory_id = store_accessory(state, name="x.txt", content_type="text/plain", data=b"kept")
        add_message(
            state, CHINESE_TICKET, content="留言", engineer=False, accessory_ids=[accessory_id]
        )
        state.save()

    again = SandboxState.seeded(4, persist_path=path)

    assert again.conversation.accessories[accessory_id]["data"] == b"kept"
    assert again.tickets[CHINESE_TICKET]["message_list"][-1]["content"] == "留言"
    assert again.conversation.seq == state.conversation.seq


# --- Labels -----------------------------------------------------------------------------


def test_labels_are_listed_and_filtered_by_name(client):
    everything = client.list_labels()
    vip = client.list_labels(name="vi")

    assert everything.total_count == 4
    assert [label.name for label in vip.labels] == ["VIP"]


def test_the_ticket_list_filters_by_label(sandbox, english_thread):
    label_id = sandbox.state.tickets[english_thread]["label_list"][0]["label_id"]

    page = raw(
        sandbox,
        "GET",
        "/v2/servicerequest/cases",
        params={"label_id_list": str(label_id), "limit": 100},
    ).json()

    assert page["incident_info_list"]
    assert all(
        label_id in [label["label_id"] for label in case["label_list"]]
        for case in page["incident_info_list"]
    )


# --- Faults -----------------------------------------------------------------------------


def test_a_reply_whose_connection_resets_is_unknown_but_was_carried_out(
    sandbox, client, english_thread
):
    sandbox.state.engineer_reply_after = None
    sandbox.faults.add(Fault(kind="reset", path_contains="/message"))

    result = reply(client, english_thread, "Did this arrive?")

    assert result.outcome is Outcome.UNKNOWN
    assert (
        sandbox.state.tickets[english_thread]["message_list"][-1]["content"] == "Did this arrive?"
    )


def test_a_download_answered_with_a_gateway_error_raises_an_http_error(client, sandbox):
    accessory_id = client.accessory_id_of(upload(client))
    sandbox.faults.add(Fault(kind="status", status=502, path_contains="/accessorys/"))

    with pytest.raises(UpstreamError) as failed:
        client.open_download(client.prepare_download(accessory_id))

    assert failed.value.result.outcome is Outcome.HTTP_ERROR


def test_a_feed_that_hangs_past_the_read_timeout_is_unknown(client, sandbox, english_thread):
    sandbox.faults.add(Fault(kind="hang", seconds=3, path_contains="/instant-messages"))

    with pytest.raises(UpstreamError) as failed:
        client.list_unread_instant_messages([english_thread])

    assert failed.value.result.outcome is Outcome.UNKNOWN


def test_the_newest_page_of_a_thousand_message_thread_is_its_last_twenty(sandbox, client):
    from ticketui.sandbox.conversation import add_message

    with sandbox.state.lock:
        for n in range(1000):
            add_message(sandbox.state, CHINESE_TICKET, content=f"m{n}", engineer=n % 2 == 1)

    newest = client.list_latest_messages(CHINESE_TICKET, limit=20)
    older = client.list_messages_before(CHINESE_TICKET, before=newest.offset, limit=20)

    assert newest.count == 1002
    assert [m.content for m in newest.messages] == [f"m{n}" for n in range(980, 1000)]
    assert [m.content for m in older.messages] == [f"m{n}" for n in range(960, 980)]
