"""Each request reads its user's permissions with the user, in the one query it makes for them
(ticketui.accounts.backends): no page asks the permission tables again, and a change to a role,
however it is made, takes effect on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def permission_reads(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries if "auth_permission" in query["sql"]]


def test_permissions_are_read_in_the_users_own_query(support_client):
    for _ in range(2):
        reads = permission_reads(support_client, "/")

        assert len(reads) == 1
        assert '"accounts_profile"' in reads[0]  # the user's query, with their profile


def test_the_permissions_read_are_the_users_own_and_their_groups(client, outsider):
    outsider.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    outsider.groups.add(Group.objects.get(name="Support"))
    client.force_login(outsider)

    client.get("/")
    user = client.get("/").wsgi_request.user

    assert user.get_all_permissions() >= {"tickets.view_ticket", "tickets.operate_ticket"}
    assert "audit.view_all_records" not in user.get_all_permissions()


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


def test_a_role_changed_in_sql_applies_on_the_next_request(support_client, support_user):
    """No signal is needed: nothing of the permissions outlives the request."""
    assert support_client.get("/").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM auth_user_groups WHERE user_id = %s", [support_user.pk])

    assert support_client.get("/").status_code == 403


def test_a_user_given_a_role_has_it_on_the_next_request(outsider_client, outsider):
    assert outsider_client.get("/").status_code == 403

    outsider.groups.add(Group.objects.get(name="Support"))

    assert outsider_client.get("/").status_code == 200


def test_a_superuser_holds_every_permission_and_loses_them_when_made_ordinary(client, outsider):
    outsider.is_superuser = True
    outsider.save()
    client.force_login(outsider)
    assert client.get("/audit/").status_code == 200

    outsider.is_superuser = False
    outsider.save()

    assert "Audit log" not in client.get("/audit/").text
