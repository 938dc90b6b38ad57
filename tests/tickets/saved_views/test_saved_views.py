"""Saved views: the list's query string under a name, personal or shared, one click away."""

import pytest
from django.contrib.auth.models import Group, User
from django.http import QueryDict

from ticketui.tickets.models import SavedView
from ticketui.tickets.saved_views.selectors import saved_view_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_agent(db) -> User:
    user = User.objects.create_user("ana", password="x")
    user.groups.add(Group.objects.get(name="Support"))
    return user


def test_a_view_keeps_every_filter_but_the_page_in_a_stable_order():
    query = saved_view_query(QueryDict("status=2&q=boot&page=3&sort=oldest&owner=me&age=&label=7"))

    assert query == "label=7&owner=me&q=boot&sort=oldest&status=2"


def test_saving_the_current_filter_leads_to_the_saved_view(support_client, support_user):
    response = support_client.post(
        "/views/new", {"name": "  My   old ones ", "query": "owner=me&age=7d&page=2"}
    )

    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query, view.shared) == (
        support_user,
        "My old ones",
        "age=7d&owner=me",
        False,
    )
    assert response.status_code == 302
    assert response["Location"] == "/?age=7d&owner=me"


def test_the_list_shows_ones_own_and_the_teams_views_one_click_away(
    support_client, support_user, other_agent
):
    SavedView.objects.create(owner=support_user, name="Mine", query="owner=me")
    SavedView.objects.create(owner=other_agent, name="Ana's shared", query="age=30d", shared=True)
    SavedView.objects.create(owner=other_agent, name="Ana's private", query="status=1")

    response = support_client.get("/", {"owner": "me"})

    assert 'href="/?owner=me" aria-current="page"' in response.text
    assert "Mine" in response.text
    assert 'href="/?age=30d"' in response.text
    assert "Ana&#x27;s shared" in response.text
    assert "Ana&#x27;s private" not in response.text


def test_a_second_view_of_the_same_name_is_refused_with_a_message(support_client, support_user):
    SavedView.objects.create(owner=support_user, name="Old", query="age=7d")

    response = support_client.post("/views/new", {"name": "Old", "query": "age=30d"}, follow=True)

    assert "You already have a view called “Old”." in response.text
    assert SavedView.objects.get().query == "age=7d"


def test_a_name_too_long_or_empty_is_refused(support_client):
    long = support_client.post("/views/new", {"name": "x" * 61, "query": ""}, follow=True)
    blank = support_client.post("/views/new", {"name": "   ", "query": ""}, follow=True)

    assert "at most 60 characters" in long.text
    assert "Give the view a name." in blank.text or "This field is required." in blank.text
    assert not SavedView.objects.exists()


def test_a_filter_too_long_to_keep_is_refused(support_client):
    response = support_client.post("/views/new", {"name": "Huge", "query": "q=" + "a" * 1100})

    assert response.status_code == 302
    assert not SavedView.objects.exists()


def test_the_owner_renames_and_shares_their_view(support_client, support_user):
    view = SavedView.objects.create(owner=support_user, name="Old", query="age=7d")

    support_client.post(
        f"/views/{view.pk}/", {f"view-{view.pk}-name": "Old ones", f"view-{view.pk}-shared": "on"}
    )

    view.refresh_from_db()
    assert (view.name, view.shared) == ("Old ones", True)


def test_nobody_else_renames_a_view_or_sees_a_private_one(support_client, other_agent):
    shared = SavedView.objects.create(owner=other_agent, name="Team", query="", shared=True)
    private = SavedView.objects.create(owner=other_agent, name="Mine", query="")

    renamed = support_client.post(f"/views/{shared.pk}/", {f"view-{shared.pk}-name": "Taken"})
    hidden = support_client.post(f"/views/{private.pk}/delete")

    assert renamed.status_code == 403
    assert hidden.status_code == 404
    assert SavedView.objects.get(pk=shared.pk).name == "Team"
    assert SavedView.objects.filter(pk=private.pk).exists()


def test_the_owner_deletes_their_view(support_client, support_user):
    view = SavedView.objects.create(owner=support_user, name="Old", query="age=7d")

    response = support_client.post(f"/views/{view.pk}/delete", follow=True)

    assert not SavedView.objects.exists()
    assert "Deleted the view “Old”." in response.text


def test_an_agent_may_not_delete_someone_elses_shared_view(support_client, other_agent):
    view = SavedView.objects.create(owner=other_agent, name="Team", query="", shared=True)

    assert support_client.post(f"/views/{view.pk}/delete").status_code == 403
    assert SavedView.objects.exists()


def test_a_team_lead_deletes_a_shared_view(lead_client, other_agent):
    view = SavedView.objects.create(owner=other_agent, name="Team", query="", shared=True)

    page = lead_client.get("/views/")
    lead_client.post(f"/views/{view.pk}/delete")

    assert f'action="/views/{view.pk}/delete"' in page.text
    assert not SavedView.objects.exists()


def test_the_manage_page_lists_own_and_shared_views(support_client, support_user, other_agent):
    SavedView.objects.create(owner=support_user, name="Mine", query="owner=me")
    SavedView.objects.create(owner=other_agent, name="Team", query="age=30d", shared=True)

    response = support_client.get("/views/")

    assert response.status_code == 200
    assert 'value="Mine"' in response.text
    assert "Team" in response.text
    assert "<td>ana</td>" in response.text
    assert "Delete “Team”" not in response.text  # an agent cannot remove the team's view


def test_a_shared_my_tickets_view_shows_each_viewer_their_own(client, support_user, other_agent):
    from ticketui.tickets.models import Ticket

    Ticket.objects.create(case_id="SAM1", status=1, owner=support_user)
    Ticket.objects.create(case_id="ANA1", status=1, owner=other_agent)
    SavedView.objects.create(owner=support_user, name="Mine", query="owner=me", shared=True)

    client.force_login(other_agent)
    response = client.get(SavedView.objects.get().get_absolute_url())

    assert [t.case_id for t in response.context["page"]] == ["ANA1"]
