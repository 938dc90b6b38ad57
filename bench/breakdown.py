"""Where a cold page's server time goes: each request of a page timed in stages, as the mean of
many cold requests (means add up, percentiles do not), so that a page missing its target says
what limits it. The stages, outermost first:

- *middleware*: everything before and after the view (session, user, second factor, CSP, …);
- *view*: the view's own code and queries, before its template renders;
- *templates*: Django's template engine drawing the page, less the two below;
- *rows*: the Jinja2 row templates (list rows, timeline, audit rows) inside it;
- *widgets*: the form widgets (Jinja2 through the form renderer) inside it;
- *SQL*: the time spent in the database driver across all of the above (a part of each).

The stages are measured by wrapping the functions at their edges, which adds a few µs each; the
bench's own p50/p95 (bench.measure) are measured without any of it."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.handlers.base import BaseHandler
from django.db import connection
from django.template.backends.django import Template as DjangoTemplate
from django.test import Client

from ticketui import form_renderer
from ticketui.caching import jinja_rows

STAGES = ("middleware", "view", "templates", "rows", "widgets")


@dataclass
class _Clock:
    """Seconds spent in each wrapped function, counting only its outermost call."""

    spent: dict[str, float] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)
    queries: int = 0

    def wrap(self, name: str, function: Callable) -> Callable:
        def timed(*args, **kwargs):
            outermost = not self.depth.get(name)
            self.depth[name] = self.depth.get(name, 0) + 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.depth[name] -= 1
                if outermost:
                    self.spent[name] = self.spent.get(name, 0.0) + time.perf_counter() - started

        return timed

    def sql(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.spent["sql"] = self.spent.get("sql", 0.0) + time.perf_counter() - started


@contextmanager
def _wrapped(clock: _Clock) -> Iterator[None]:
    patches = [
        (DjangoTemplate, "render", "render"),
        (jinja_rows, "jinja_render", "rows"),
        (form_renderer.FormRenderer, "render", "widgets"),
    ]
    # What each owner itself defines (None: it inherits the function, which is wrapped as its own).
    originals = [(owner, name, vars(owner).get(name)) for owner, name, _label in patches]
    for owner, name, label in patches:
        setattr(owner, name, clock.wrap(label, getattr(owner, name)))
    # The view, as the handler takes it for each request (its middleware chain was built once).
    make_view_atomic = BaseHandler.make_view_atomic
    BaseHandler.make_view_atomic = lambda handler, view: clock.wrap(
        "response", make_view_atomic(handler, view)
    )
    try:
        with connection.execute_wrapper(clock.sql):
            yield
    finally:
        BaseHandler.make_view_atomic = make_view_atomic
        for owner, name, original in originals:
            if original is None:
                delattr(owner, name)
            else:
                setattr(owner, name, original)


def page_breakdown(
    client: Client, url: str, *, requests: int, headers: dict | None = None
) -> dict[str, float]:
    """Mean ms per cold request of `url` in each stage, their total, and SQL (ms and queries)."""
    headers = headers or {}
    for _ in range(3):
        client.get(url, headers=headers)
    clock = _Clock()
    total = 0.0
    with _wrapped(clock):
        for _ in range(requests):
            cache.clear()
            started = time.perf_counter()
            client.get(url, headers=headers)
            total += time.perf_counter() - started
    spent = {name: seconds * 1000 / requests for name, seconds in clock.spent.items()}
    response, render = spent.get("response", 0.0), spent.get("render", 0.0)
    rows, widgets = spent.get("rows", 0.0), spent.get("widgets", 0.0)
    stages = {
        "middleware": total * 1000 / requests - response,
        "view": response - render,
        "templates": render - rows - widgets,
        "rows": rows,
        "widgets": widgets,
    }
    return {
        **{name: round(stages[name], 2) for name in STAGES},
        "total": round(total * 1000 / requests, 2),
        "sql_ms": round(spent.get("sql", 0.0), 2),
        "sql_queries": round(clock.queries / requests, 1),
    }
