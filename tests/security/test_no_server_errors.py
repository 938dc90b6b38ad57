"""Every view in the URL conf, thrown generated values at every parameter it reads, never answers
with a server error. The views are found by walking the URL conf (a new view is covered without
touching this file); the parameters are the fields of the forms its module uses, plus the ones
any page may be handed (paging, sorting, search). Values: any Unicode (NUL, lone surrogates),
digits of other scripts, numbers past 64 bits, dates at both ends of the calendar, page cursors
that are not ones, over-long text.

The default run tries a few examples per view with a fixed seed (quick, repeatable);
VIEWS_FUZZ_PROFILE=views-long tries many more, at random."""

import base64
import inspect
import json
import os
import re
import sys
from datetime import date
from urllib.parse import quote

import pytest
from django import forms
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ticketui.audit.models import AuditRecord, Kind
from ticketui.audit.services import audit_event
from ticketui.tickets.bulk.services import bulk_create
from ticketui.tickets.models import Ticket
from ticketui.tickets.sync.models import SyncRun

pytestmark = pytest.mark.django_db

for name, examples, fixed in [("views-quick", 3, True), ("views-long", 50, False)]:
    settings.register_profile(
        name,
        max_examples=examples,
        derandomize=fixed,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
PROFILE = settings.get_profile(os.environ.get("VIEWS_FUZZ_PROFILE", "views-quick"))

# What any page may be handed besides its forms' fields; and the admin's own parameters.
GENERIC_PARAMETERS = ["page", "before", "after", "cursor", "sort", "q", "shown", "next"]
ADMIN_PARAMETERS = ["q", "o", "p", "all", "e", "_changelist_filters", "_popup", "_to_field"]
# Not a date lookup (created_at__gte=…): Django's admin hands it to the query as a naive moment
# (a RuntimeWarning, an error in this suite) before any form could check it.
ADMIN_PARAMETERS += ["id__exact", "is_staff__exact", "groups__id__exact"]
# Satisfaction dimensions the sandbox offers (their stars fields are added per dimension).
DIMENSION_FIELDS = ["stars_1", "stars_3", "stars_7"]

EDGE_VALUES = [
    "", "\x00", "a\x00b", "\ud800", "\udfff", "²", "٣", "１", "-1", "0", "1", "2", " 3 ",
    str(2**31), str(2**31 - 1), str(2**63 - 1), str(2**63), str(-(2**63) - 1), "9" * 30,
    "1e309", "NaN", "inf", "-0", "1.5", "0x10", "0001-01-01", "9999-12-31", "0000-00-00",
    "10000-01-01", "2026-02-30", "2026-11-28", "notadate", "12/31/9999", "x" * 5000,
    "工" * 300, "😀", "\u202e", "true", "on", "close", "press", "newest", "slowest", "case",
    "filter", "sam", "tess", "WzEsMl0", "' OR 1=1 --", "<script>", "%00", "../..", "\\",
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=4,
)


def as_cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


cursors = (
    st.tuples(json_values, json_values | st.integers(-(2**70), 2**70))
    .map(lambda pair: json.dumps(list(pair)).encode())
    .map(as_cursor)
) | st.binary(max_size=40).map(as_cursor)
any_text = st.text(st.characters(exclude_categories=()), max_size=60)
values = (
    st.sampled_from(EDGE_VALUES)
    | any_text
    | st.integers(-(2**70), 2**70).map(str)
    | st.dates().map(date.isoformat)
    | cursors
)


def _walk(patterns, prefix: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def every_view() -> list[tuple[str, object]]:
    return list(_walk(get_resolver().url_patterns))


def parameters_of(route: str, view) -> list[str]:
    """The fields of every form the view's module uses, and the generic parameters."""
    function = inspect.unwrap(getattr(view, "view_class", view))
    module = sys.modules.get(getattr(function, "__module__", ""), None)
    names = set(GENERIC_PARAMETERS)
    for value in vars(module).values() if module else ():
        if isinstance(value, type) and issubclass(value, forms.BaseForm):
            names.update(getattr(value, "base_fields", {}))
    if route.startswith("admin/"):
        names.update(ADMIN_PARAMETERS)
    if "survey" in route or "operations" in route:
        names.update(DIMENSION_FIELDS)
    return sorted(names)


CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def path_of(route: str, draw, known_ids: list[int]) -> str:
    """The route with each converter (and regex group) filled: an existing object's id, or a
    generated value of the converter's kind."""
    route = route.replace("^", "").replace("$", "")

    def fill(match: re.Match) -> str:
        kind = match.group(1) or ("str" if match.group(2) else "regex")
        if kind == "int":
            value = str(draw(st.sampled_from(known_ids) | st.integers(0, 10**25)))
        elif kind == "regex":
            value = draw(st.sampled_from(["auth", "audit", "axes", "nosuch"]) | any_text)
        else:
            value = draw(st.sampled_from([str(pk) for pk in known_ids]) | any_text)
        return quote(value.encode("utf-8", "surrogatepass"), safe="")

    return "/" + CONVERTER.sub(fill, route)


def encoded(pairs: list[tuple[str, str]]) -> str:
    """A query string or form body, bytes as a browser would send them (lone surrogates too,
    which Django then decodes as replacement characters)."""
    return "&".join(
        f"{quote(name)}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, value in pairs
    )


@pytest.fixture
def world(sandbox, dimensions, ticket, completed_ticket, team_lead):
    """One of each thing a URL can name: tickets, audit records (with and without a duration),
    a bulk operation, a sync run; a staff user for the admin."""
    staff = User.objects.create_user(
        username="stella", password="correct horse battery", is_staff=True, is_superuser=True
    )
    staff.groups.add(Group.objects.get(name="Team lead"))
    for n in range(4):
        AuditRecord.objects.create(
            kind=Kind.OPERATION, created_at=timezone.now(), case_id=ticket.case_id,
            actor=team_lead, actor_username=team_lead.username, action_id="press",
            outcome="succeeded", duration_ms=None if n % 2 else 120.0 * n,
        )  # fmt: skip
    audit_event(kind=Kind.SYNC, detail="seeded")
    bulk_create(actor=team_lead, tickets=Ticket.objects.all(), action_id="press")
    SyncRun.objects.create(trigger="dashboard", requested_by=team_lead, status="finished")
    known = {
        pk
        for model in (Ticket, AuditRecord, SyncRun, User, Group)
        for pk in model.objects.values_list("pk", flat=True)
    }
    return {"lead": team_lead, "staff": staff, "ids": sorted(known)}


VIEWS = every_view()


def fuzz(client, world, role: str, route: str, view, profile) -> None:
    """Generated requests to one route; the first that gets a 5xx (or raises) fails the test."""
    names = parameters_of(route, view)
    client.force_login(world[role])

    @profile
    @given(data=st.data())
    def one_request(data):
        path = path_of(route, data.draw, world["ids"])
        method = data.draw(st.sampled_from(["GET", "POST"]))
        pairs = data.draw(st.lists(st.tuples(st.sampled_from(names), values), max_size=6))
        headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
        with transaction.atomic():  # each request's writes (and a failed query) undone after it
            if method == "GET":
                query = encoded(pairs)
                response = client.get(f"{path}?{query}" if query else path, headers=headers)
            else:
                body = encoded(pairs)
                response = client.post(
                    path, body, content_type="application/x-www-form-urlencoded", headers=headers
                )
            if response.streaming:
                b"".join(response.streaming_content)  # a CSV export fails while it streams
            transaction.set_rollback(True)
        if method == "POST":
            client.force_login(world[role])  # it may have signed out, or changed the session
        assert response.status_code < 500, (method, path, pairs)

    one_request()


# The admin's routes repeat per model (list, add, change, history, delete): fewer tries each.
ADMIN_SHARE = 3


@pytest.mark.parametrize(
    ("role", "routes"),
    [("lead", "dashboard"), ("staff", "dashboard"), ("staff", "admin")],
)
def test_no_view_answers_generated_input_with_a_server_error(client, world, role, routes):
    """A team lead and a staff user (superuser, team lead) on every dashboard view; the staff
    user on every admin view."""
    admin = settings(PROFILE, max_examples=max(1, PROFILE.max_examples // ADMIN_SHARE))
    chosen = [(r, v) for r, v in VIEWS if r.startswith("admin/") == (routes == "admin")]
    assert chosen
    for route, view in chosen:
        fuzz(client, world, role, route, view, admin if routes == "admin" else PROFILE)


def test_every_view_of_the_url_conf_is_covered():
    """The walk finds the views this project is known to have, and the admin's."""
    routes = {route for route, _ in VIEWS}

    assert {"", "tickets/<int:pk>/timeline", "audit/", "bulk/new", "reports/satisfaction"} <= routes
    assert "admin/auth/user/<path:object_id>/change/" in routes
    assert "admin/auth/group/<path:object_id>/change/" in routes


def test_the_admins_user_and_group_pages_render(client, world):
    """Their widgets (permissions, groups, the password hash) come from Django's own templates,
    not the Jinja2 form renderer's."""
    user, group = world["lead"], Group.objects.get(name="Team lead")
    client.force_login(world["staff"])

    for path in [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{user.pk}/change/",
        f"/admin/auth/user/{user.pk}/password/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        f"/admin/auth/group/{group.pk}/change/",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<form" in response.text


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_empty_field_reference_on_an_admin_change_page_is_a_bad_request(client, world, method):
    """Found by the long run: Django's change page looks up a field named "" (a server error)."""
    client.force_login(world["staff"])
    path = f"/admin/auth/user/{world['lead'].pk}/change/"

    response = getattr(client, method)(
        f"{path}?_to_field=" if method == "get" else path,
        {"_to_field": ""} if method == "post" else None,
    )

    assert response.status_code == 400
    assert client.get(path).status_code == 200
