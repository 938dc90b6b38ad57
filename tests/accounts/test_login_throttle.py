"""Logins behind a reverse proxy: lockouts and the audit trail use the client's address, and a
username guessed at from many addresses is slowed, never locked."""

import time

import pytest

from ticketui.accounts.forms import LOGIN_SLOWED
from ticketui.audit.models import AuditRecord, Kind

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"
RIGHT = "correct horse battery"


@pytest.fixture
def behind_a_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


def login(client, password: str, *, client_address: str, forwarded_for: str = ""):
    chain = f"{forwarded_for}, {client_address}" if forwarded_for else client_address
    return client.post(
        "/accounts/login/",
        {"username": "sam", "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=chain,
    )


def test_failures_from_one_client_behind_the_proxy_do_not_lock_out_another(
    client, support_user, behind_a_proxy
):
    for _ in range(5):
        login(client, "wrong", client_address="198.51.100.66")

    response = login(client, RIGHT, client_address="203.0.113.10")

    assert response.status_code == 302


def test_the_client_behind_the_proxy_that_fails_is_still_locked_out(
    client, support_user, behind_a_proxy
):
    for _ in range(5):
        login(client, "wrong", client_address="198.51.100.66")

    response = login(client, RIGHT, client_address="198.51.100.66")

    assert response.status_code == 429


def test_an_address_the_client_writes_into_the_header_is_not_believed(
    client, support_user, behind_a_proxy
):
    """The attacker claims the victim's address; the proxy appends the attacker's real one."""
    for _ in range(5):
        login(client, "wrong", client_address="198.51.100.66", forwarded_for="203.0.113.10")

    response = login(client, RIGHT, client_address="203.0.113.10")

    assert response.status_code == 302
    failed = AuditRecord.objects.filter(kind=Kind.LOGIN_FAILED)
    assert {record.ip_address for record in failed} == {"198.51.100.66"}


def test_the_audit_trail_records_the_clients_address_behind_the_proxy(
    client, support_user, behind_a_proxy
):
    login(client, RIGHT, client_address="203.0.113.10")

    assert AuditRecord.objects.get(kind=Kind.LOGIN).ip_address == "203.0.113.10"


def test_without_a_trusted_proxy_the_header_is_ignored(client, support_user):
    login(client, RIGHT, client_address="203.0.113.10")

    assert AuditRecord.objects.get(kind=Kind.LOGIN).ip_address == PROXY


def test_many_addresses_guessing_one_username_slow_it_down(client, support_user, settings):
    settings.LOGIN_SLOWDOWN_AFTER = 3
    for number in range(3):
        client.post(
            "/accounts/login/",
            {"username": "sam", "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{number}",
        )

    response = client.post(
        "/accounts/login/", {"username": "SAM", "password": RIGHT}, REMOTE_ADDR="203.0.113.10"
    )

    assert response.status_code == 200
    assert str(LOGIN_SLOWED) % {"seconds": 2} in response.text
    assert "_auth_user_id" not in client.session


def test_the_slowdown_never_locks_the_right_password_out(client, support_user, settings):
    settings.LOGIN_SLOWDOWN_AFTER = 1
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 1
    for number in range(3):
        client.post(
            "/accounts/login/",
            {"username": "sam", "password": "wrong"},
            REMOTE_ADDR=f"198.51.100.{number}",
        )
        time.sleep(1.05)  # each guess waits its turn; the wait never grows past the cap

    time.sleep(1.05)
    response = client.post(
        "/accounts/login/", {"username": "sam", "password": RIGHT}, REMOTE_ADDR="203.0.113.10"
    )

    assert response.status_code == 302
