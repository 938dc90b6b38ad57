"""Cached markup for rows shown by the hundred (the ticket list, a ticket's timeline, the audit
review), as two template tags built into every template (settings: TEMPLATES builtins):

    {% cached_rows "ticket-rows" page.object_list "pk updated_at" can_operate %}…{% endcached_rows %}
    {% cached_for_viewer "audit-filters" request.GET.urlencode %}…{% endcached_for_viewer %}

The first names the markup after each row's fields given (its id and its change stamp), any
further values, and the viewer's language and time zone; the second after the values alone and
the viewer. A changed row, a different set of rows or a different viewer gives a different name,
so cached markup is never stale. The name also carries a digest of the project's templates, so
a deploy that changes them (a column added to the list, say) never shows rows drawn by the old
ones under the new page, on any node; FRAGMENT_SECONDS bounds how long unused markup is kept.
The template says what it shows, so no view can forget to feed it."""

import hashlib
from collections.abc import Iterable
from functools import cache as once

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

FRAGMENT_SECONDS = 60

register = template.Library()


def viewer_version(parts: Iterable[object]) -> str:
    """A digest of `parts`, in order, and of the language and time zone they are shown in."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (translation.get_language(), timezone.get_current_timezone_name(), *parts):
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


@once
def templates_version() -> str:
    """A digest of every template file of the project (read once per process)."""
    digest = hashlib.blake2b(digest_size=8)
    root = settings.BASE_DIR / "templates"
    for path in sorted(path for path in root.rglob("*") if path.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def rows_version(rows: Iterable[object], fields: Iterable[str]) -> str:
    """The version of rows shown by `fields` (e.g. "pk", "updated_at") of each."""
    fields = tuple(fields)
    return viewer_version(tuple(getattr(row, field) for field in fields) for row in rows)


class _CachedNode(template.Node):
    def __init__(self, nodelist, name, values, rows=None, fields=None):
        self.nodelist, self.name, self.values = nodelist, name, values
        self.rows, self.fields = rows, fields

    def render(self, context) -> str:
        values = [value.resolve(context) for value in self.values]
        if self.rows is not None:
            rows = self.rows.resolve(context) or ()
            fields = str(self.fields.resolve(context)).split()
            version = viewer_version([rows_version(rows, fields), *values])
        else:
            version = viewer_version(values)
        key = f"fragment:{self.name.resolve(context)}:{templates_version()}:{version}"
        markup = cache.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            cache.set(key, markup, FRAGMENT_SECONDS)
        return markup


@register.tag("cached_rows")
def cached_rows(parser, token) -> _CachedNode:
    """{% cached_rows NAME ROWS "FIELD FIELD…" [VALUE…] %}…{% endcached_rows %}"""
    bits = token.split_contents()
    if len(bits) < 4:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a name, the rows and their fields")
    nodelist = parser.parse(("endcached_rows",))
    parser.delete_first_token()
    name, rows, fields, *values = (parser.compile_filter(bit) for bit in bits[1:])
    return _CachedNode(nodelist, name, values, rows=rows, fields=fields)


@register.tag("cached_for_viewer")
def cached_for_viewer(parser, token) -> _CachedNode:
    """{% cached_for_viewer NAME [VALUE…] %}…{% endcached_for_viewer %}"""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a name")
    nodelist = parser.parse(("endcached_for_viewer",))
    parser.delete_first_token()
    name, *values = (parser.compile_filter(bit) for bit in bits[1:])
    return _CachedNode(nodelist, name, values)
