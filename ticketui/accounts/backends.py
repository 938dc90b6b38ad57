"""The signed-in user of a request, read in one prepared query with everything every page asks
of them: their profile (language and zone), their two-factor facts, and their permissions.

Django's ModelBackend reads a request's user in one query and their permissions in two more
(their own and their groups'), each built by the ORM anew on every request; that building, not
the database, was most of what an empty page cost. Here one query answers all of it, compiled
once (ticketui.prepared). Permissions are read fresh with the user on every request, so a role
taken away stops working on the very next request on every node, with no cache to invalidate."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import DEFAULT_DB_ALIAS
from django.db.models import IntegerField, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.functions import Concat

from ticketui.prepared import PreparedQuery

from .models import Profile
from .selectors import PROFILE_MEMO
from .two_factor.selectors import SECOND_STEP_MEMO, second_step_facts, two_factor_groups

# No user has this id (ids are positive; within the id column's range on every database): it
# marks where the request's user id goes in the compiled query.
_ANY_USER = -2_147_480_017
_LARGEST_ID = 2**31 - 1


def _permission_names() -> Subquery:
    """Every "app_label.codename" the outer user holds, their own and through their groups, in
    one string separated by spaces (a permission held both ways may appear twice)."""
    user = get_user_model()
    own = user.user_permissions.through.objects.filter(user_id=OuterRef(OuterRef("pk")))
    groups = user.groups.through.objects.filter(user_id=OuterRef(OuterRef("pk")))
    granted = Permission.objects.filter(
        Q(pk__in=own.values("permission_id")) | Q(group__in=groups.values("group_id"))
    ).order_by()
    # Grouped by a constant: one row, the aggregate over every permission granted.
    names = granted.annotate(one=Value(1, IntegerField())).values("one")
    names = names.annotate(
        names=StringAgg(Concat("content_type__app_label", Value("."), "codename"), Value(" "))
    )
    return Subquery(names.values("names"))


_USER_FIELDS = [field.attname for field in get_user_model()._meta.concrete_fields]
_PROFILE_FIELDS = [field.attname for field in Profile._meta.concrete_fields]


def _signed_in_user(user_id) -> object:
    users = get_user_model()._default_manager.filter(pk=user_id)
    users = users.annotate(**second_step_facts(), permission_names=_permission_names())
    return users.values_list(
        *_USER_FIELDS,
        *(f"profile__{name}" for name in _PROFILE_FIELDS),
        "second_factor_enrolled",
        "second_factor_role",
        "permission_names",
    )


_SIGNED_IN_USER = PreparedQuery(_signed_in_user, sentinel=_ANY_USER, key=two_factor_groups)


class SignedInUserBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < user_id <= _LARGEST_ID:
            return None
        rows = _SIGNED_IN_USER.rows(user_id, using=DEFAULT_DB_ALIAS)
        if not rows:
            return None
        row = rows[0]
        users, profiles = len(_USER_FIELDS), len(_PROFILE_FIELDS)
        model = get_user_model()
        user = model.from_db(DEFAULT_DB_ALIAS, _USER_FIELDS, row[:users])
        if not self.user_can_authenticate(user):
            return None
        profile_values = row[users : users + profiles]
        profile = None
        if profile_values[0] is not None:
            profile = Profile.from_db(DEFAULT_DB_ALIAS, _PROFILE_FIELDS, profile_values)
            model.profile.field.set_cached_value(profile, user)
        model.profile.related.set_cached_value(user, profile)
        setattr(user, PROFILE_MEMO, profile)
        enrolled, in_group, permissions = row[users + profiles :]
        setattr(user, SECOND_STEP_MEMO, (bool(enrolled), bool(in_group)))
        if not user.is_superuser:  # a superuser holds every permission: ModelBackend's answer
            user._perm_cache = set((permissions or "").split())
        return user
