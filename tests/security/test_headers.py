"""Response headers a signed-in user relies on, and the request id sent upstream."""

import uuid

import pytest

pytestmark = pytest.mark.django_db
CASE_ID = "CS2026090100001"  # one of the sandbox's tickets


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/audit/",
        "/audit/export.csv",
        "/accounts/profile/",
        "/bulk/",
        "/reports/satisfaction",
        "/reports/satisfaction.csv",
    ],
)
def test_signed_in_pages_and_exports_are_not_stored(lead_client, path):
    response = lead_client.get(path)

    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_login_page_is_not_stored_either(client):
    response = client.get("/accounts/login/")

    assert "no-store" in response["Cache-Control"]


def test_static_files_keep_their_long_cache(client, settings):
    from django.templatetags.static import static

    response = client.get(static("css/app.css"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_health_endpoint_stays_no_cache(client, sandbox):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize(
    "sent",
    [
        "not-a-uuid",
        "x" * 300,
        "abc\r\nX-Injected: 1",
        "../../etc/passwd",
        "",
        "urn:uuid:12345678-1234-4234-8234-123456789abc",
        "{12345678-1234-4234-8234-123456789abc}",
        "12345678-1234-4234-8234-123456789abc\n",
        "12345678-1234-4234-8234-123456789ABC",
    ],
)
def test_a_request_id_that_is_not_a_uuid_is_replaced_and_not_sent_upstream(
    support_client, sandbox, sent
):
    response = support_client.post("/tickets/track", {"case_id": CASE_ID}, HTTP_X_REQUEST_ID=sent)

    assert response.status_code in (200, 302)
    returned = response["X-Request-Id"]
    assert returned != sent
    uuid.UUID(returned)
    upstream = [r.headers.get("X-Request-Id") for r in sandbox.state.received]
    assert upstream
    assert set(upstream) == {returned}


@pytest.mark.parametrize("sent", [str(uuid.uuid4()), uuid.uuid4().hex], ids=["hyphens", "hex"])
def test_a_uuid_request_id_is_kept_and_sent_upstream(support_client, sandbox, sent):
    response = support_client.post("/tickets/track", {"case_id": CASE_ID}, HTTP_X_REQUEST_ID=sent)

    assert response["X-Request-Id"] == sent
    assert {r.headers.get("X-Request-Id") for r in sandbox.state.received} == {sent}
