"""Writes for saved views: saving the list's current query string under a name, renaming or
re-sharing one's own view, removing one (one's own, or as a team lead any shared one)."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import NAME_MAX, QUERY_MAX, SavedView
from .selectors import saved_view_may_change, saved_view_may_delete

NAME_REQUIRED = gettext_noop("Give the view a name.")
NAME_TOO_LONG = gettext_noop("A view's name has at most %(max)d characters.")
NAME_TAKEN = gettext_noop("You already have a view called “%(name)s”.")
QUERY_TOO_LONG = gettext_noop("This filter is too long to save (at most %(max)d characters).")
NOT_YOUR_VIEW = gettext_noop("Only the person who saved a view may change it.")
MAY_NOT_DELETE = gettext_noop(
    "Only the person who saved a view, or a team lead for a shared one, may delete it."
)


def _name_validate(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": [_(NAME_REQUIRED)]})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [_(NAME_TOO_LONG) % {"max": NAME_MAX}]})
    return name


def _saved(view: SavedView) -> SavedView:
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:  # the owner already has a view of that name
        raise ValidationError({"name": [_(NAME_TAKEN) % {"name": view.name}]}) from None
    return view


def saved_view_create(
    *, owner: AbstractBaseUser, name: str, query: str, shared: bool = False
) -> SavedView:
    """Save `query` (as saved_view_query gives it) under `name` for `owner`."""
    if len(query) > QUERY_MAX:
        raise ValidationError({"query": [_(QUERY_TOO_LONG) % {"max": QUERY_MAX}]})
    return _saved(SavedView(owner=owner, name=_name_validate(name), query=query, shared=shared))


def saved_view_change(
    *, actor: AbstractBaseUser, view: SavedView, name: str, shared: bool
) -> SavedView:
    """Rename one's own view, or share it with the team or stop sharing it."""
    if not saved_view_may_change(actor=actor, view=view):
        raise PermissionDenied(_(NOT_YOUR_VIEW))
    view.name, view.shared = _name_validate(name), shared
    return _saved(view)


def saved_view_delete(*, actor: AbstractBaseUser, view: SavedView) -> None:
    if not saved_view_may_delete(actor=actor, view=view):
        raise PermissionDenied(_(MAY_NOT_DELETE))
    view.delete()
