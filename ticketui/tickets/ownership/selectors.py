"""Reads about who owns tickets: who may own one, and who may change an owner."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from ..roles import ROLES

CLAIM_PERMISSION = "tickets.claim_ticket"
ASSIGN_PERMISSION = "tickets.assign_ticket"


# The roles whose members look after tickets (roles.py): those that may claim them.
OWNER_ROLES = tuple(name for name, held in ROLES.items() if ("tickets", "claim_ticket") in held)


def owner_candidates() -> QuerySet:
    """Everyone a team lead is offered to give a ticket to: the active members of those roles
    (and superusers), by username. Read by role name, lazily, so that a page listing them reads
    no permission table (a request reads its own with the user, accounts/backends.py)."""
    members = Q(groups__name__in=OWNER_ROLES) | Q(is_superuser=True)
    users = get_user_model().objects.filter(members, is_active=True)
    return users.distinct().order_by("username")


def owner_may_hold(*, user: AbstractBaseUser) -> bool:
    return user.is_active and user.has_perm(CLAIM_PERMISSION)


def owner_label(user: AbstractBaseUser | None) -> str | None:
    """How an owner is named in audit records: the username, as the records name actors."""
    return user.get_username() if user is not None else None
