"""Links from audit records to what they are about (a ticket, a bulk run), which the audit app
cannot know itself: it never imports the apps whose work it records. Those apps register a
linker when they are ready (their AppConfig.ready); the review pages ask for one page of
records at a time, so a linker answers in a query or two, not one per record."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .models import AuditRecord


@dataclass(frozen=True)
class RecordLink:
    kind: str  # what it leads to: "ticket", "bulk"…
    text: str  # in the reader's language
    url: str


Linker = Callable[[Sequence[AuditRecord]], dict[int, list[RecordLink]]]
_linkers: list[Linker] = []


def record_linker_register(linker: Linker) -> None:
    if linker not in _linkers:
        _linkers.append(linker)


def record_links(records: Sequence[AuditRecord]) -> dict[int, tuple[RecordLink, ...]]:
    """Each record's links (by its id), from every registered linker, in their order."""
    found: dict[int, list[RecordLink]] = {}
    for linker in _linkers:
        for pk, links in linker(records).items():
            found.setdefault(pk, []).extend(links)
    return {pk: tuple(links) for pk, links in found.items()}


def record_links_attach(records: Sequence[AuditRecord]) -> None:
    """Give each record a `links` attribute (a tuple, empty when nothing is linked) and
    `linked_kinds`, what they lead to (a "ticket" link stands for the plain case id)."""
    links = record_links(records)
    for record in records:
        record.links = links.get(record.pk, ())
        record.linked_kinds = frozenset(link.kind for link in record.links)
