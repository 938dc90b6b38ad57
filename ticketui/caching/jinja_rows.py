"""Rows shown by the hundred (the ticket list, a ticket's timeline, the audit review) render
through Jinja2, which draws them several times faster than Django's engine, inside Django's page
templates and their `{% cached_rows %}` (a builtin tag, settings: TEMPLATES builtins):

    {% jinja_include "tickets/list_rows.jinja.html" tickets=page.object_list can_operate=can_operate %}

The markup is what a Django template would give: every value printed is escaped as Django
escapes it (a safe string as it is), strings are translated by Django's gettext, dates are shown
in the viewer's time zone with Django's formats, numbers with Django's filters. Row templates mark
their strings `_("…")` (in `{{ }}` or `{% set %}`), which makemessages reads in a Django template
too. What makemessages would not find there comes from the page's Django template (words
translated once per page, with a context, plural forms or a %-placeholder, which Django's catalog
keeps as %%) or from Python (a row's own plural forms: the apps' row filters). An app adds its own filters with `row_filters_register` when it is ready."""

import html
from collections.abc import Callable
from functools import cache

import jinja2
from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext

from ticketui.osm.catalogue import action_label

register = template.Library()

# A big id no row has: reversed once per page, replaced by each row's id.
_ID_PLACEHOLDER = 9_876_543_210_123
# Django formats the rows use, as strftime's (the same digits, without Django's per-call cost).
_STRFTIME = {"Y-m-d H:i:s": "%Y-%m-%d %H:%M:%S", "Y-m-d H:i": "%Y-%m-%d %H:%M"}


def _printed(value) -> str:
    """What Django prints for `{{ value }}`: safe markup as it is, anything else escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _date(value, format_string: str) -> str:
    """Django's `date` filter: the moment in the viewer's time zone, in a Django date format."""
    if not value:
        return ""
    local = timezone.template_localtime(value)
    if format_string == "c":
        return local.isoformat()
    if format_string in _STRFTIME:
        return local.strftime(_STRFTIME[format_string])
    return date_format(local, format_string)


def _url_with_id(name: str) -> Callable[[object], str]:
    """The URL of `name` for any row's id, reversed once: `url(pk)`."""
    before, _, after = reverse(name, args=[_ID_PLACEHOLDER]).partition(str(_ID_PLACEHOLDER))
    return lambda pk: f"{before}{pk}{after}"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(settings.BASE_DIR / "templates"),
        # Escaping is Django's, applied to every printed value by `finalize`.
        autoescape=False,  # noqa: S701 (finalize escapes every value, as Django does)
        finalize=_printed,
        auto_reload=settings.DEBUG,
        # As a Django template's: its last line break is part of what it draws.
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.filters.update(
        date=_date,
        intcomma=intcomma,
        floatformat=floatformat,
        action_label=action_label,
    )
    env.globals["url_with_id"] = _url_with_id
    return env


def row_filters_register(**filters: Callable) -> None:
    """Filters an app's row templates use, e.g. `row_filters_register(tone=outcome_tone)`."""
    environment().filters.update(filters)


def jinja_render(template_name: str, values: dict) -> SafeString:
    return SafeString(environment().get_template(template_name).render(values))


@register.simple_tag(name="jinja_include")
def jinja_include(template_name: str, **values) -> SafeString:
    """{% jinja_include "NAME.jinja.html" NAME=VALUE… %}: the Jinja2 template with those values
    (and only those: unlike {% include %}, it does not see the page's context)."""
    return jinja_render(template_name, values)
