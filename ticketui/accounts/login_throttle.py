"""Slowing password guessing for one user from many addresses, without locking anyone out.

django-axes locks a username *from one address* after a few failures. Behind that, this counts
failures for a username from any address in the shared cache: from LOGIN_SLOWDOWN_AFTER on,
each failure makes the next try wait (2 s, doubling, at most LOGIN_SLOWDOWN_MAX_SECONDS), and
a try during the wait is refused before the password is even checked. The right password works
again as soon as the wait is over, so nobody can keep a user out for long; the price is that an
attacker can keep a known user's sign-in slow (the audit trail shows their failed logins)."""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

FAILURES_KEY = "login:failures:{user}"
WAIT_UNTIL_KEY = "login:wait-until:{user}"
# Failures are counted over this long from the first one.
WINDOW_SECONDS = 3600


def _user_key(username: str) -> str:
    return hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]


def login_wait(*, username: str) -> float:
    """Seconds before `username` may try again; 0 when now."""
    wait_until = cache.get(WAIT_UNTIL_KEY.format(user=_user_key(username)))
    return max(0.0, wait_until - time.time()) if wait_until else 0.0


def login_failure_record(*, username: str) -> None:
    user = _user_key(username)
    key = FAILURES_KEY.format(user=user)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        failures = 1
    else:
        try:
            failures = cache.incr(key)
        except ValueError:  # it lapsed in between
            cache.add(key, 1, timeout=WINDOW_SECONDS)
            failures = 1
    beyond = failures - settings.LOGIN_SLOWDOWN_AFTER
    if beyond >= 0:
        delay = min(2.0 ** (beyond + 1), settings.LOGIN_SLOWDOWN_MAX_SECONDS)
        cache.set(WAIT_UNTIL_KEY.format(user=user), time.time() + delay, timeout=delay + 1)


def login_success_record(*, username: str) -> None:
    user = _user_key(username)
    cache.delete_many([FAILURES_KEY.format(user=user), WAIT_UNTIL_KEY.format(user=user)])
