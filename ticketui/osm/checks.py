"""`manage.py check` (and every command that starts the dashboard or the worker) asks IAM for a
token when OSM_AUTH=iam, so that a wrong password or a locked user stops start-up with a clear
message instead of surfacing on an agent's first click. It really signs in, even while a token
is cached (one fetched with a password since changed would hide the mistake); the token it gets
is the one the dashboard then uses (it is kept in the shared cache). An unreachable IAM is only a warning, so
that a deployment can still migrate while IAM is down."""

from django.conf import settings
from django.core import checks

from .auth import AuthenticationError, AuthFailure
from .configured import get_client
from .iam import IamTokenProvider

HINTS = {
    AuthFailure.REJECTED: "Check IAM_DOMAIN (the account name), IAM_USER and IAM_PASSWORD.",
    AuthFailure.LOCKED: "Unlock or enable the IAM user in the IAM console, or use another one.",
    AuthFailure.UNREACHABLE: "Check IAM_ENDPOINT and that this machine can reach it.",
    AuthFailure.FAILED: "Check IAM_ENDPOINT and IAM_PROJECT.",
}
CHECK_IDS = {
    AuthFailure.REJECTED: "ticketui.E001",
    AuthFailure.LOCKED: "ticketui.E002",
    AuthFailure.UNREACHABLE: "ticketui.W003",
    AuthFailure.FAILED: "ticketui.E004",
}


@checks.register("upstream")
def iam_sign_in_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    auth = get_client().auth
    if not isinstance(auth, IamTokenProvider):
        return []
    try:
        auth.sign_in()
    except AuthenticationError as exc:
        level = checks.Warning if exc.failure is AuthFailure.UNREACHABLE else checks.Error
        said = f" IAM said: {exc.result.error_msg}." if exc.result.error_msg else ""
        return [
            level(
                f"OSM_AUTH=iam: user {settings.IAM_USER!r} of account {settings.IAM_DOMAIN!r} "
                f"could not sign in at {settings.IAM_ENDPOINT}.{said}",
                hint=HINTS.get(exc.failure, ""),
                id=CHECK_IDS.get(exc.failure, "ticketui.E004"),
            )
        ]
    return []
