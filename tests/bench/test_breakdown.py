"""The bench's breakdown of a cold page: its stages add up to the request, the rows and widgets
it names are really timed, and nothing it wraps stays wrapped for what is measured after it."""

import pytest
from django.core.handlers.base import BaseHandler
from django.template.backends.django import Template as DjangoTemplate

from bench.breakdown import STAGES, page_breakdown
from ticketui import form_renderer
from ticketui.caching import jinja_rows
from ticketui.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_pages_stages_add_up_to_its_time_and_leave_nothing_wrapped(support_client):
    for number in range(30):
        Ticket.objects.create(case_id=f"CS{number:010d}", summary=f"Ticket {number}", status=1)
    wrapped = [
        BaseHandler.make_view_atomic,
        DjangoTemplate.render,
        jinja_rows.jinja_render,
        form_renderer.FormRenderer.render,
    ]

    stages = page_breakdown(support_client, "/", requests=5)

    assert sum(stages[name] for name in STAGES) == pytest.approx(stages["total"], abs=0.05)
    assert stages["rows"] > 0  # the list's rows are Jinja2's
    assert stages["widgets"] > 0  # the filter and track forms' widgets
    assert stages["view"] > 0
    assert stages["middleware"] > 0
    assert stages["sql_queries"] >= 3
    assert stages["sql_ms"] > 0
    assert [
        BaseHandler.make_view_atomic,
        DjangoTemplate.render,
        jinja_rows.jinja_render,
        form_renderer.FormRenderer.render,
    ] == wrapped
    assert "render" not in vars(form_renderer.FormRenderer)  # inherited, as before
