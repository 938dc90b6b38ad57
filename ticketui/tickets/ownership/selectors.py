"""Reads about who owns tickets: who may own one, and who may change an owner."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Permission
from django.db.models import Q, QuerySet

CLAIM_PERMISSION = "tickets.claim_ticket"
ASSIGN_PERMISSION = "tickets.assign_ticket"


def owner_candidates() -> QuerySet:
    """Everyone a ticket may be given to: active users whose role lets them claim tickets, by
    name. (Not User.objects.with_perm: it cannot choose among several auth backends.)"""
    permission = Permission.objects.filter(
        content_type__app_label="tickets", codename="claim_ticket"
    ).first()
    users = get_user_model().objects.filter(is_active=True)
    held = Q(is_superuser=True)
    if permission is not None:
        held |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    return users.filter(held).distinct().order_by("username")


def owner_may_hold(*, user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm(CLAIM_PERMISSION)


def owner_label(user: AbstractBaseUser | None) -> str | None:
    """How an owner is named in audit records: the username, as the records name actors."""
    return user.get_username() if user is not None else None
