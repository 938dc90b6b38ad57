"""A prepared query answers as the queryset it was built from would, for any value."""

import pytest
from django.contrib.auth.models import User

from ticketui.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def test_a_prepared_query_gives_the_querysets_rows_for_each_value(support_user, team_lead):
    query = PreparedQuery(
        lambda pk: User.objects.filter(pk=pk).values_list("username", "is_active", "date_joined"),
        sentinel=-1,
    )

    for user in (support_user, team_lead):
        assert query.rows(user.pk) == list(
            User.objects.filter(pk=user.pk).values_list("username", "is_active", "date_joined")
        )
    assert query.rows(0) == []


def test_a_sentinel_that_does_not_reach_the_sql_once_is_refused():
    query = PreparedQuery(lambda pk: User.objects.values_list("pk"), sentinel=-1)

    with pytest.raises(ValueError, match="once"):
        query.rows(1)


def test_a_query_is_compiled_again_when_its_key_changes(support_user, settings):
    settings.QUERY_NAMES = ["nobody"]
    query = PreparedQuery(
        lambda pk: User.objects.filter(pk=pk, username__in=settings.QUERY_NAMES).values_list("pk"),
        sentinel=-1,
        key=lambda: tuple(settings.QUERY_NAMES),
    )
    assert query.rows(support_user.pk) == []

    settings.QUERY_NAMES = [support_user.username]

    assert query.rows(support_user.pk) == [(support_user.pk,)]
