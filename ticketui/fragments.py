"""Names for cached fragments.

The busiest pages (the ticket list, a ticket's timeline, the audit review) render the same rows
for many people many times a minute. Their row markup is cached (`{% cache %}`) under a version
made from exactly what it shows: each row's id and last change, and the viewer's language and
time zone (the template adds the role where it matters). A changed row, a different set of rows
or a different viewer gives a different version, so a cached fragment is never stale;
FRAGMENT_SECONDS only bounds how long a template change takes to show after a deploy."""

import hashlib
from collections.abc import Iterable

from django.utils import timezone, translation

FRAGMENT_SECONDS = 60


def viewer_version(parts: Iterable[object]) -> str:
    """A digest of `parts`, in order, and of the language and time zone they are shown in."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (translation.get_language(), timezone.get_current_timezone_name(), *parts):
        digest.update(repr(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def rows_version(rows: Iterable[object], *fields: str) -> str:
    """The version of rows shown by `fields` (e.g. "pk", "updated_at") of each."""
    return viewer_version(tuple(getattr(row, field) for field in fields) for row in rows)
