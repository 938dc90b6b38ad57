"""Logins, logouts and failed logins go into the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import Kind, RecordOutcome
from .services import NO_ORIGIN, Origin, audit_event


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    audit_event(kind=Kind.LOGIN, actor=user, origin=Origin.of(request) if request else NO_ORIGIN)


@receiver(user_logged_out)
def record_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_event(
            kind=Kind.LOGOUT, actor=user, origin=Origin.of(request) if request else NO_ORIGIN
        )


@receiver(user_login_failed)
def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The credentials dict holds the password too; only the username is kept.
    audit_event(
        kind=Kind.LOGIN_FAILED,
        username=str(credentials.get("username", "")),
        outcome=RecordOutcome.FAILED,
        origin=Origin.of(request) if request else NO_ORIGIN,
    )
