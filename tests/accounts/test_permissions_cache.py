"""Each user's permissions are kept in the shared cache (ticketui.accounts.backends): pages stop
asking the database for them on every request, and a change to a role still takes effect on the
very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _permissions_cached(settings):
    """As with a shared cache (Redis): the tests' local-memory cache turns it off by default."""
    settings.PERMISSION_CACHE_SECONDS = 300


def test_a_cache_of_one_process_keeps_no_permissions(support_client, settings):
    settings.PERMISSION_CACHE_SECONDS = 0

    assert permission_queries(support_client, "/") == 2
    assert permission_queries(support_client, "/") == 2


def permission_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum("auth_permission" in query["sql"] for query in queries.captured_queries)


def test_a_second_page_view_does_not_read_permissions_again(support_client):
    assert permission_queries(support_client, "/") == 2
    assert permission_queries(support_client, "/") == 0


def test_a_user_taken_out_of_a_role_loses_it_on_the_next_request(lead_client, team_lead):
    assert lead_client.get("/reports/satisfaction").status_code == 200

    team_lead.groups.clear()

    assert lead_client.get("/reports/satisfaction").status_code == 403


def test_a_permission_removed_from_a_role_is_gone_on_the_next_request(support_client):
    assert support_client.get("/").status_code == 200

    Group.objects.get(name="Support").permissions.remove(
        Permission.objects.get(codename="view_ticket")
    )

    assert support_client.get("/").status_code == 403


def test_a_user_given_a_role_has_it_on_the_next_request(outsider_client, outsider):
    assert outsider_client.get("/").status_code == 403

    outsider.groups.add(Group.objects.get(name="Support"))

    assert outsider_client.get("/").status_code == 200


def test_a_superuser_made_ordinary_again_loses_every_permission(client, outsider):
    outsider.is_superuser = True
    outsider.save()
    client.force_login(outsider)
    assert client.get("/audit/").status_code == 200
    assert "audit.view_all_records" in outsider.get_all_permissions()  # now in the cache

    outsider.is_superuser = False
    outsider.save()

    assert "Audit log" not in client.get("/audit/").text
