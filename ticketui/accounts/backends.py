"""Permissions read once per user and kept in the shared cache.

Every page asks what its viewer may do, and Django's ModelBackend answers with two queries per
request (the user's own permissions and their groups'). This backend keeps the answer in the
shared cache (Redis, seen by every process of every web node; it stays off with a per-process
cache) under a version that any change to a user's groups or permissions, a group's permissions
or a user's superuser flag replaces, so a revoked permission stops working on the next request,
not when an entry expires."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from .selectors import PROFILE_MEMO
from .two_factor.selectors import SECOND_STEP_MEMO, second_step_facts

VERSION_KEY = "auth:permissions-version"
ENTRY_KEY = "auth:permissions:{pk}"


def permissions_forget(**kwargs) -> None:
    """Every cached permission set is stale from now on (connected to the signals in apps.py)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


class CachedPermissionsBackend(ModelBackend):
    def get_user(self, user_id):
        """The signed-in user of a request, read with what every request then asks of them (their
        profile: language and zone; whether they enrolled a second factor and whether their role
        requires one) in the one query, instead of one query each."""
        users = get_user_model()._default_manager.select_related("profile")
        user = users.annotate(**second_step_facts()).filter(pk=user_id).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        try:
            profile = user.profile
        except type(user).profile.RelatedObjectDoesNotExist:
            profile = None
        setattr(user, PROFILE_MEMO, profile)
        setattr(user, SECOND_STEP_MEMO, (user.second_factor_enrolled, user.second_factor_role))
        return user

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        seconds = settings.PERMISSION_CACHE_SECONDS  # 0 unless the cache is shared (settings)
        if not seconds or not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return super().get_all_permissions(user_obj, obj)
        if not hasattr(user_obj, "_perm_cache"):
            entry_key = ENTRY_KEY.format(pk=user_obj.pk)
            found = cache.get_many([VERSION_KEY, entry_key])
            version, entry = found.get(VERSION_KEY), found.get(entry_key)
            if version is not None and entry is not None and entry[0] == version:
                user_obj._perm_cache = entry[1]
            else:
                if version is None:
                    version = uuid.uuid4().hex
                    cache.add(VERSION_KEY, version, None)
                    version = cache.get(VERSION_KEY, version)
                permissions = super().get_all_permissions(user_obj)
                cache.set(entry_key, (version, permissions), seconds)
        return user_obj._perm_cache
