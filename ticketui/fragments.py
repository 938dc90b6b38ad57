"""Names for cached table fragments.

The busiest pages (the ticket list, a ticket's timeline, the audit review) render the same rows
for many people many times a minute. Their row markup is cached (`{% cache %}`) under a name made
from exactly what the rows show: each row's id and last change, plus the viewer's language, time
zone and role, which the template adds. A changed row, a different set of rows or a different
viewer gives a different name, so a cached fragment is never stale; FRAGMENT_SECONDS only bounds
how long a template change takes to show after a deploy."""

import hashlib
from collections.abc import Iterable

FRAGMENT_SECONDS = 60


def rows_version(rows: Iterable[object], *fields: str) -> str:
    """A digest of `fields` (e.g. "pk", "updated_at") of every row, in order."""
    digest = hashlib.blake2b(digest_size=16)
    for row in rows:
        digest.update(repr(tuple(getattr(row, field) for field in fields)).encode())
        digest.update(b"\x00")
    return digest.hexdigest()
