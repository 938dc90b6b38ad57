"""What every signed-in request costs before its page: the user is read with their profile and
their second-factor facts in one query, and with a shared cache the session is read from it (the
database only when the cache lost it)."""

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ticketui.accounts.models import Profile

from ..conftest import force_login_password_only
from ..deployment.test_database_settings import settings_in

pytestmark = pytest.mark.django_db


def tables_read(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_user_their_profile_and_second_factor_facts_are_one_query(support_client):
    support_client.get("/")
    queries = tables_read(support_client, "/")

    reads = [sql for sql in queries if "accounts_profile" in sql or "otp_totp" in sql]
    assert len(reads) == 1
    assert '"auth_user"' in reads[0]


def test_a_profile_read_with_the_user_still_sets_the_language_and_zone(
    support_client, support_user
):
    Profile.objects.create(user=support_user, language="zh-cn", utc_offset_minutes=480)

    response = support_client.get("/")

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.text


def test_a_user_who_must_enrol_is_still_sent_to_enrol(client, team_lead):
    force_login_password_only(client, team_lead)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two-factor-enrol"))


def test_only_with_a_cache_every_node_shares_sessions_are_read_from_it():
    shared = settings_in({"CACHE_URL": "redis://127.0.0.1:6379/15"}, "s.SESSION_ENGINE")
    local = settings_in({}, "s.SESSION_ENGINE")
    per_node = settings_in({"CACHE_URL": "filecache:///tmp/ticketui-cache"}, "s.SESSION_ENGINE")

    assert shared.stdout.strip() == "'ticketui.session_stores.cached_db'"
    assert local.stdout.strip() == "'ticketui.session_stores.db'"
    assert per_node.stdout.strip() == "'ticketui.session_stores.db'"


def test_a_session_the_cache_lost_is_read_from_the_database(client, support_user, settings):
    settings.SESSION_ENGINE = "ticketui.session_stores.cached_db"
    client.force_login(support_user)
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert cache.get(KEY_PREFIX + session_key) is not None

    cache.clear()
    queries = tables_read(client, "/")
    again = tables_read(client, "/")

    assert any("django_session" in sql for sql in queries)
    assert not any("django_session" in sql for sql in again)


@pytest.mark.parametrize(
    "engine", ["ticketui.session_stores.db", "ticketui.session_stores.cached_db"]
)
def test_a_session_expired_in_the_database_signs_nobody_in(client, support_user, settings, engine):
    settings.SESSION_ENGINE = engine
    client.force_login(support_user)
    assert client.get("/").status_code == 200
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

    cache.clear()
    Session.objects.filter(session_key=session_key).update(expire_date=timezone.now())
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_signed_in_user_is_read_as_the_orm_reads_them(support_client, support_user):
    Profile.objects.create(user=support_user, language="zh-cn", utc_offset_minutes=-210)
    support_client.get("/")

    user = support_client.get("/").wsgi_request.user
    orm = type(support_user).objects.select_related("profile").get(pk=support_user.pk)

    fields = [field.attname for field in type(orm)._meta.concrete_fields]
    assert [getattr(user, name) for name in fields] == [getattr(orm, name) for name in fields]
    assert user.last_login is not None
    assert user.last_login.tzinfo is not None
    assert user.profile.utc_offset_minutes == -210
    assert user.profile.user.pk == support_user.pk
    assert user._state.db == "default"
    assert not user._state.adding
