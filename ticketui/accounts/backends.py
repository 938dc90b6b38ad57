"""Permissions read once per user and kept in the shared cache.

Every page asks what its viewer may do, and Django's ModelBackend answers with two queries per
request (the user's own permissions and their groups'). This backend keeps the answer in the
shared cache (Redis, seen by every process of every web node; it stays off with a per-process
cache) under a version that any change to a user's groups or permissions, a group's permissions
or a user's superuser flag replaces, so a revoked permission stops working on the next request,
not when an entry expires."""

import uuid

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

VERSION_KEY = "auth:permissions-version"
ENTRY_KEY = "auth:permissions:{pk}"


def permissions_forget(**kwargs) -> None:
    """Every cached permission set is stale from now on (connected to the signals in apps.py)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


class CachedPermissionsBackend(ModelBackend):
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
