import pytest

pytestmark = pytest.mark.django_db


def test_the_login_page_is_served(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="password"' in response.text


def test_logging_in_leads_to_the_ticket_list(client, support_user):
    response = client.post(
        "/accounts/login/", {"username": "sam", "password": "correct horse battery"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused_with_a_message(client, support_user):
    response = client.post("/accounts/login/", {"username": "sam", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.text


def test_logging_out_needs_a_post_and_ends_the_session(support_client):
    assert support_client.get("/accounts/logout/").status_code == 405

    support_client.post("/accounts/logout/")

    assert support_client.get("/").status_code == 302


def test_pages_carry_a_strict_content_security_policy(support_client):
    response = support_client.get("/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
