"""Reads for saved views: the ones a viewer is offered, who may change or remove one, and the
query string a list URL is saved as."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import QueryDict

from .models import SavedView

# Not part of a view: which page of it was being looked at.
NOT_SAVED = ("page",)
DELETE_SHARED_PERMISSION = "tickets.delete_savedview"


def saved_view_query(params: QueryDict) -> str:
    """The list's query string as a view keeps it: every filter given (whatever the list
    understands, now or later), without empty values or the page, in a stable order."""
    pairs = sorted(
        (key, value)
        for key in params
        if key not in NOT_SAVED
        for value in params.getlist(key)
        if value.strip()
    )
    saved = QueryDict(mutable=True)
    for key, value in pairs:
        saved.appendlist(key, value)
    return saved.urlencode()


def saved_views_for(*, viewer: AbstractBaseUser) -> QuerySet[SavedView]:
    """The viewer's own views and those shared with the team, by name."""
    return (
        SavedView.objects.filter(Q(owner_id=viewer.pk) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def saved_view_may_change(*, actor: AbstractBaseUser, view: SavedView) -> bool:
    return view.owner_id == actor.pk


def saved_view_may_delete(*, actor: AbstractBaseUser, view: SavedView) -> bool:
    return view.owner_id == actor.pk or (view.shared and actor.has_perm(DELETE_SHARED_PERMISSION))
