"""Every URL and method for every kind of visitor: anonymous, support, team lead, a user in no
group and an inactive user. A refused request never reaches the upstream."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from ticketui.audit.models import AuditRecord, Kind
from ticketui.tickets.models import BulkOperation, SavedView, SyncRun

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "support", "lead", "outsider", "inactive")

# (method, url template, expected status per role in ROLES order). {t} a ticket, {r} an audit
# record of the support agent, {s} a sync run. 302 for the anonymous means "sent to log in".
MATRIX = [
    ("GET", "/accounts/login/", (200, 302, 302, 302, 200)),
    ("GET", "/accounts/profile/", (302, 200, 200, 200, 302)),
    ("POST", "/accounts/language", (302, 302, 302, 302, 302)),
    # The lead has given both factors; support and the outsider have not turned 2FA on.
    ("GET", "/accounts/two-factor/verify", (302, 302, 302, 302, 302)),
    ("GET", "/accounts/two-factor/enrol", (302, 200, 302, 200, 302)),
    ("POST", "/accounts/two-factor/recovery-codes", (302, 302, 200, 302, 302)),
    ("POST", "/accounts/two-factor/disable", (302, 302, 403, 302, 302)),
    ("GET", "/admin/login/", (302, 302, 302, 302, 302)),
    ("GET", "/healthz", (200, 200, 200, 200, 200)),
    # Off until METRICS_TOKEN or METRICS_ALLOWED_ADDRESSES is set; a session never opens it.
    ("GET", "/metrics", (404, 404, 404, 404, 404)),
    ("GET", "/livez", (200, 200, 200, 200, 200)),
    ("GET", "/", (302, 200, 200, 403, 302)),
    ("POST", "/tickets/track", (302, 302, 302, 403, 302)),
    ("GET", "/tickets/track", (302, 302, 302, 403, 302)),
    ("GET", "/tickets/{t}/", (302, 200, 200, 403, 302)),
    ("GET", "/tickets/{t}/summary", (302, 200, 200, 403, 302)),
    ("GET", "/tickets/{t}/timeline", (302, 200, 200, 403, 302)),
    ("GET", "/tickets/{t}/survey", (302, 200, 200, 403, 302)),
    ("POST", "/tickets/{t}/operations", (302, 302, 302, 403, 302)),
    ("POST", "/tickets/{t}/survey/send", (302, 400, 400, 403, 302)),
    ("GET", "/tickets/{t}/operations", (302, 405, 405, 405, 302)),
    ("GET", "/tickets/{t}/operations/form", (302, 200, 200, 403, 302)),
    ("GET", "/tickets/{t}/conversation/", (302, 200, 200, 403, 302)),
    ("GET", "/tickets/{t}/conversation/reply-panel", (302, 200, 200, 403, 302)),
    # Nothing to reply: the whole page again with the form's errors (the no-JS fallback).
    ("POST", "/tickets/{t}/conversation/reply", (302, 400, 400, 403, 302)),
    # {a}: an attachment id that the ticket's conversation does not have.
    ("GET", "/tickets/{t}/conversation/attachments/{a}", (302, 404, 404, 403, 302)),
    ("POST", "/tickets/sync", (302, 403, 302, 403, 302)),
    ("GET", "/tickets/sync/{s}", (302, 200, 200, 403, 302)),
    # The list's question whether a newer sync has run: {s} is the newest, so nothing (204).
    ("GET", "/tickets/sync/latest?seen={s}", (302, 204, 204, 403, 302)),
    ("GET", "/audit/", (302, 200, 200, 200, 302)),
    ("GET", "/audit/{r}/", (302, 200, 200, 404, 302)),
    ("GET", "/audit/export.csv", (302, 200, 200, 200, 302)),
    ("GET", "/audit/head.txt", (302, 403, 200, 403, 302)),
    ("GET", "/reports/satisfaction", (302, 403, 200, 403, 302)),
    ("GET", "/reports/satisfaction.csv", (302, 403, 200, 403, 302)),
    ("GET", "/reports/satisfaction/dimensions", (302, 403, 200, 403, 302)),
    ("POST", "/reports/satisfaction/dimensions", (302, 403, 302, 403, 302)),
    ("GET", "/bulk/", (302, 200, 200, 403, 302)),
    ("POST", "/bulk/new", (302, 302, 302, 403, 302)),
    ("POST", "/bulk/confirm", (302, 200, 200, 403, 302)),
    ("GET", "/bulk/{b}/", (302, 200, 200, 403, 302)),
    ("POST", "/bulk/{b}/cancel", (302, 302, 302, 403, 302)),
    ("POST", "/bulk/{b}/resume", (302, 302, 302, 403, 302)),
    ("GET", "/bulk/{b}/export.csv", (302, 200, 200, 403, 302)),
    # Support claims it; the lead then finds it taken (told so on the ticket page).
    ("POST", "/tickets/{t}/claim", (302, 302, 302, 403, 302)),
    # Giving to nobody: only a team lead, or the ticket's owner, may.
    ("POST", "/tickets/{t}/owner", (302, 403, 302, 403, 302)),
    ("GET", "/views/", (302, 200, 200, 403, 302)),
    ("POST", "/views/new", (302, 302, 302, 403, 302)),
    # {v} is the support agent's own view, not shared: nobody else finds it.
    ("POST", "/views/{v}/", (302, 302, 404, 403, 302)),
    ("POST", "/views/{v}/delete", (302, 302, 404, 403, 302)),
]


@pytest.fixture
def visitors(support_user, team_lead, outsider):
    inactive = User.objects.create_user("ina", password="correct horse battery", is_active=False)
    clients = {"anonymous": Client()}
    for role, user in (
        ("support", support_user),
        ("lead", team_lead),
        ("outsider", outsider),
        ("inactive", inactive),
    ):
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


@pytest.mark.parametrize(
    ("method", "url", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _ in MATRIX]
)
def test_every_url_answers_each_kind_of_visitor_as_its_role_allows(
    visitors, sandbox, ticket, support_user, method, url, expected
):
    record = AuditRecord.objects.filter(kind=Kind.LOGIN, actor=support_user).first()
    run = SyncRun.objects.create(status="succeeded")
    bulk = BulkOperation.objects.create(actor=support_user, action_id="press", state="done")
    view = SavedView.objects.create(owner=support_user, name="Mine", query="owner=me")
    target = url.format(t=ticket.pk, r=record.pk, s=run.pk, b=bulk.pk, v=view.pk, a="not-in-thread")
    post = {
        "case_id": "CS2026090100001",
        "action_id": "press",
        "language": "en-us",
        "ticket": ticket.pk,
    }
    data = post if method == "POST" else None

    for role, status in zip(ROLES, expected, strict=True):
        sandbox.state.received.clear()
        client = visitors[role]
        response = client.post(target, data) if method == "POST" else client.get(target)

        assert response.status_code == status, f"{role} {method} {target}"
        if role in ("anonymous", "inactive") and status == 302 and url != "/accounts/language":
            assert response["Location"].startswith("/accounts/login/")
        if status in (302, 403, 404, 405) and role in ("anonymous", "outsider", "inactive"):
            assert not [r for r in sandbox.state.received if r.method == "POST"], (
                f"{role} reached the upstream"
            )


def test_the_matrix_covers_every_url_of_the_dashboard():
    from django.urls import get_resolver

    def patterns(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                if "admin" not in str(pattern.pattern):
                    yield from patterns(pattern, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    covered = {
        re.sub(r"\{[trsbv]\}", "<int:pk>", url)
        .replace("{a}", "<str:accessory_id>")
        .split("?")[0]
        .lstrip("/")
        for _, url, _ in MATRIX
    }
    missing = set(patterns(get_resolver())) - covered - {"accounts/logout/"}
    assert not missing
