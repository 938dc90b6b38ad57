"""Attachments: limits, the streamed multipart upload and the streamed, capped download."""

import io
import json
from email.parser import BytesParser
from email.policy import HTTP

import pytest
import responses

from ticketui.osm import limits
from ticketui.osm.auth import StaticToken
from ticketui.osm.client import OsmClient
from ticketui.osm.resilience import CircuitBreaker
from ticketui.osm.results import (
    AccessoryFrom,
    AccessoryLimits,
    DownloadInterrupted,
    DownloadTooLarge,
    Outcome,
    Refusal,
    RequestRefused,
    UpstreamError,
)
from ticketui.osm.signing import AkSkSigner

ENDPOINT = "https://osm.example.test"
ACCESSORYS = f"{ENDPOINT}/v2/servicerequest/accessorys"
LIMITS = AccessoryLimits(count=5, size_mb=1, file_types=("txt", "png"))


class RenewingToken:
    secret_headers = frozenset({"X-Auth-Token"})

    def __init__(self) -> None:
        self.generation = 1

    def headers(self, *, method, url, headers, body):
        return {"X-Auth-Token": f"token-{self.generation}"}

    def invalidate(self) -> None:
        self.generation += 1


class CountingFile(io.BytesIO):
    """A file that remembers how much each read asked for."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.reads: list[int] = []

    def read(self, size=-1):
        chunk = super().read(size)
        self.reads.append(len(chunk))
        return chunk


@pytest.fixture
def client():
    return OsmClient(endpoint=ENDPOINT, auth=StaticToken("token"))


def parts_of(request) -> dict[str, tuple[str | None, str, bytes]]:
    body = request.body.read() if hasattr(request.body, "read") else request.body
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    return {
        part.get_param("name", header="content-disposition"): (
            part.get_filename(),
            part.get_content_type(),
            part.get_payload(decode=True),
        )
        for part in message.iter_parts()
    }


# --- ShowAccessoryLimits ----------------------------------------------------------------


@responses.activate
def test_the_limits_are_read_from_their_strings(client):
    responses.get(
        f"{ACCESSORYS}/limits",
        json={
            "accessory_limit": {
                "limit_count": "3",
                "limit_size": "4",
                "limit_file_type": "JPG; .png|txt",
            }
        },
    )

    found = client.accessory_limits()

    assert (found.count, found.size_mb, found.file_types, found.from_upstream) == (
        3,
        4,
        ("jpg", "png", "txt"),
        True,
    )
    assert found.max_bytes == 4 * 1_000_000
    assert found.allows_type("Photo.PNG")
    assert not found.allows_type("script.exe")
    assert not found.allows_type("noextension")


@responses.activate
def test_unreadable_limit_fields_fall_back_one_by_one(client):
    responses.get(
        f"{ACCESSORYS}/limits",
        json={"accessory_limit": {"limit_count": "many", "limit_size": "8", "limit_file_type": ""}},
    )

    found = client.accessory_limits()

    assert found.count == limits.FALLBACK_ACCESSORY_COUNT
    assert found.size_mb == 8
    assert found.file_types == limits.FALLBACK_ACCESSORY_TYPES
    assert found.from_upstream is False


def test_the_fallback_is_the_v1_apis_limits():
    fallback = AccessoryLimits.fallback()

    assert (fallback.count, fallback.size_mb, fallback.from_upstream) == (5, 2, False)
    assert "pdf" in fallback.file_types


def test_a_reply_takes_no_more_attachments_than_the_project_cap_even_if_the_upstream_allows_more():
    assert AccessoryLimits(count=9, size_mb=1, file_types=("txt",)).per_message == 5
    assert AccessoryLimits(count=2, size_mb=1, file_types=("txt",)).per_message == 2


@responses.activate
def test_a_failed_limits_call_raises_so_the_caller_can_fall_back(client):
    responses.get(f"{ACCESSORYS}/limits", status=503, body="down")

    with pytest.raises(UpstreamError):
        client.accessory_limits()


# --- UploadAccessory --------------------------------------------------------------------


@responses.activate
def test_an_upload_is_multipart_with_the_file_and_the_form_data_json(client):
    responses.post(ACCESSORYS, json={"accessory_id": "acc-1"})
    file = io.BytesIO(b"skip-me:hello")
    file.seek(8)

    call = client.prepare_upload(file=file, file_name="C:\\logs\\错误.txt", accessory_limits=LIMITS)
    result = client.send(call)

    assert client.accessory_id_of(result) == "acc-1"
    request = responses.calls[0].request
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert int(request.headers["Content-Length"]) > len(b"hello")
    parts = parts_of(request)
    assert parts["file"] == ("错误.txt", "text/plain", b"hello")
    assert json.loads(parts["form_data"][2]) == {
        "fileName": "错误.txt",
        "accessoryFrom": "message",
        "uploadType": 0,
    }
    assert call.body["file"] == {"name": "错误.txt", "content_type": "text/plain", "size": 5}


def test_the_upload_is_streamed_in_blocks_not_read_whole():
    size = 900_000
    file = CountingFile(b"\x01" * size)
    client = OsmClient(endpoint=ENDPOINT, auth=StaticToken("t"))
    call = client.prepare_upload(file=file, file_name="big.txt", accessory_limits=LIMITS)

    sent = b""
    encoder = call.upload.encoder()
    while chunk := encoder.read(8192):
        sent += chunk

    assert sent.count(b"\x01") == size
    assert max(file.reads) <= 64 * 1024
    assert encoder.len == len(sent)  # the Content-Length sent


def test_a_401_sends_the_whole_file_again_with_renewed_credentials():
    bodies = []

    def answer(request):
        bodies.append(parts_of(request)["file"][2])
        token = request.headers["X-Auth-Token"]
        return (401, {}, "{}") if token == "token-1" else (200, {}, '{"accessory_id": "a"}')

    client = OsmClient(endpoint=ENDPOINT, auth=RenewingToken())

    with responses.RequestsMock() as mock:
        mock.add_callback(responses.POST, ACCESSORYS, callback=answer)
        result = client.send(
            client.prepare_upload(
                file=io.BytesIO(b"abc"), file_name="a.txt", accessory_limits=LIMITS
            )
        )

    assert result.outcome is Outcome.SUCCEEDED
    assert bodies == [b"abc", b"abc"]


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"x" * (1_000_000 + 1), "big.txt", Refusal.FILE_TOO_LARGE),
        (b"", "empty.txt", Refusal.FILE_EMPTY),
        (b"x", "virus.exe", Refusal.FILE_TYPE),
        (b"x", "noextension", Refusal.FILE_TYPE),
        (b"x", "/", Refusal.FILE_NAME),
        (b"x", "a" * 300 + ".txt", Refusal.FILE_NAME),
    ],
    ids=["too large", "empty", "type", "no extension", "no name", "long name"],
)
def test_an_upload_past_a_limit_is_refused_before_sending(client, data, name, reason):
    with pytest.raises(RequestRefused) as refused:
        client.prepare_upload(file=io.BytesIO(data), file_name=name, accessory_limits=LIMITS)

    assert refused.value.reason is reason


def test_a_file_of_exactly_the_size_limit_is_accepted(client):
    call = client.prepare_upload(
        file=io.BytesIO(b"x" * 1_000_000), file_name="ok.txt", accessory_limits=LIMITS
    )

    assert call.upload.size == 1_000_000


def test_an_unseekable_file_is_refused(client):
    class Pipe:
        def read(self, size=-1):
            return b""

    with pytest.raises(RequestRefused) as refused:
        client.prepare_upload(file=Pipe(), file_name="a.txt", accessory_limits=LIMITS)

    assert refused.value.reason is Refusal.FILE_NOT_SEEKABLE


@responses.activate
def test_an_upload_the_upstream_refuses_raises_with_its_code(client):
    responses.post(ACCESSORYS, json={"error_code": "OSM.01010001", "error_msg": "too large"})

    with pytest.raises(UpstreamError) as failed:
        client.upload_accessory(
            file=io.BytesIO(b"x"),
            file_name="a.png",
            accessory_limits=LIMITS,
            accessory_from=AccessoryFrom.INCIDENT,
        )

    assert failed.value.result.error_code == "OSM.01010001"
    assert json.loads(parts_of(responses.calls[0].request)["form_data"][2])["accessoryFrom"] == (
        "incident"
    )


def test_a_signed_upload_declares_its_payload_unsigned():
    signer = AkSkSigner(ak="ak", sk="sk", domain_id="d")

    streamed = signer.headers(
        method="POST", url=ACCESSORYS, headers={"Content-Type": "multipart/form-data"}, body=None
    )
    hashed = signer.headers(
        method="POST", url=ACCESSORYS, headers={"Content-Type": "application/json"}, body=b"{}"
    )

    assert streamed["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in streamed["Authorization"]
    assert "X-Sdk-Content-Sha256" not in hashed


# --- DownloadAccessories ----------------------------------------------------------------


@responses.activate
def test_a_download_streams_the_bytes_with_type_and_file_name(client):
    responses.get(
        f"{ACCESSORYS}/acc-1",
        body=b"\x89PNG data",
        headers={
            "Content-Disposition": "attachment; filename=\"x.png\"; filename*=UTF-8''%E6%88%AA%E5%9B%BE.png"
        },
        content_type="image/png",
    )

    with client.open_download(client.prepare_download("acc-1")) as download:
        data = b"".join(download.chunks(chunk_size=4))

    assert data == b"\x89PNG data"
    assert (download.content_type, download.file_name, download.complete) == (
        "image/png",
        "截图.png",
        True,
    )
    assert download.result.outcome is Outcome.SUCCEEDED


@responses.activate
def test_a_download_without_headers_gets_the_fallback_name_and_octet_stream(client):
    responses.get(f"{ACCESSORYS}/acc-1", body=b"data", content_type="")

    with client.open_download(client.prepare_download("acc-1"), fallback_name="notes.txt") as d:
        assert (d.content_type, d.file_name) == ("application/octet-stream", "notes.txt")


@responses.activate
def test_a_file_name_with_directories_is_reduced_to_its_last_part(client):
    responses.get(
        f"{ACCESSORYS}/acc-1",
        body=b"data",
        headers={"Content-Disposition": 'attachment; filename="../../etc/passwd"'},
    )

    with client.open_download(client.prepare_download("acc-1")) as download:
        assert download.file_name == "passwd"


@responses.activate
def test_a_json_error_instead_of_the_file_raises_upstream_error(client):
    responses.get(
        f"{ACCESSORYS}/nope",
        json={"error_code": "OSM.01010001", "error_msg": "The accessory does not exist"},
    )

    with pytest.raises(UpstreamError) as failed:
        client.open_download(client.prepare_download("nope"))

    assert (failed.value.result.outcome, failed.value.result.error_code) == (
        Outcome.REJECTED,
        "OSM.01010001",
    )


@responses.activate
def test_a_json_file_without_an_error_code_is_the_file_itself(client):
    responses.get(f"{ACCESSORYS}/acc-1", json={"config": True})

    with client.open_download(client.prepare_download("acc-1")) as download:
        assert json.loads(download.read_all()) == {"config": True}


@responses.activate
def test_a_download_announced_larger_than_the_cap_is_refused_before_reading(client):
    responses.get(f"{ACCESSORYS}/acc-1", body=b"x" * 100, headers={"Content-Length": "100"})

    with pytest.raises(DownloadTooLarge) as too_large:
        client.open_download(client.prepare_download("acc-1"), max_bytes=10)

    assert too_large.value.announced == 100


@responses.activate
def test_a_download_that_runs_past_the_cap_is_cut_off(client):
    responses.get(f"{ACCESSORYS}/acc-1", body=b"x" * 100, auto_calculate_content_length=False)
    download = client.open_download(client.prepare_download("acc-1"), max_bytes=50)
    download.size = None  # as when the upstream announces no length

    with pytest.raises(DownloadTooLarge):
        b"".join(download.chunks(chunk_size=16))

    assert download.bytes_read <= 64
    assert download.complete is False


@responses.activate
def test_a_download_that_breaks_off_is_interrupted(client):
    responses.get(f"{ACCESSORYS}/acc-1", body=b"x" * 10, headers={"Content-Length": "100"})

    download = client.open_download(client.prepare_download("acc-1"))

    with pytest.raises(DownloadInterrupted):
        download.read_all()
    assert download.complete is False


@responses.activate
def test_a_5xx_download_raises_an_http_error(client):
    responses.get(f"{ACCESSORYS}/acc-1", status=502, body="<html>bad gateway</html>")

    with pytest.raises(UpstreamError) as failed:
        client.open_download(client.prepare_download("acc-1"))

    assert failed.value.result.outcome is Outcome.HTTP_ERROR


def test_several_ids_download_in_one_comma_joined_path(client):
    call = client.prepare_download(["a1", "a2"], group_id="g")

    assert call.path == "/v2/servicerequest/accessorys/a1,a2?group_id=g"


@pytest.mark.parametrize("ids", [[], ["a,b"], ["a/b"], ["x" * 65], ["a" * 60] * 11])
def test_bad_download_ids_are_refused(client, ids):
    with pytest.raises(RequestRefused):
        client.prepare_download(ids)


def test_a_redirected_download_is_not_followed(client):
    with responses.RequestsMock() as mock:
        mock.get(f"{ACCESSORYS}/acc-1", status=302, headers={"Location": "https://evil.test/x"})
        with pytest.raises(UpstreamError) as failed:
            client.open_download(client.prepare_download("acc-1"))
        assert len(mock.calls) == 1

    assert failed.value.result.http_status == 302


def test_a_connection_failure_on_download_is_not_sent():
    client = OsmClient(endpoint="http://127.0.0.1:9", auth=StaticToken("t"))

    with pytest.raises(UpstreamError) as failed:
        client.open_download(client.prepare_download("acc-1"))

    assert failed.value.result.outcome is Outcome.NOT_SENT


def test_while_the_breaker_is_open_neither_upload_nor_download_is_sent():
    breaker = CircuitBreaker(threshold=1, cooldown=60)
    client = OsmClient(endpoint="http://127.0.0.1:9", auth=StaticToken("t"), breaker=breaker)
    with pytest.raises(UpstreamError):
        client.open_download(client.prepare_download("acc-1"))  # opens the breaker

    with responses.RequestsMock() as mock:
        result = client.send(
            client.prepare_upload(file=io.BytesIO(b"x"), file_name="a.txt", accessory_limits=LIMITS)
        )
        with pytest.raises(UpstreamError) as failed:
            client.open_download(client.prepare_download("acc-1"))
        assert len(mock.calls) == 0

    assert result.outcome is Outcome.NOT_SENT
    assert "Upstream unavailable" in failed.value.result.detail
