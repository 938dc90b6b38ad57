"""A ticket's severity and labels as the upstream gives them: the values kept on the ticket
(shown on its page and the list) and the names the list's filters read (TicketTag),
written together so that they never disagree."""

from collections.abc import Iterable, Mapping

from django.core.cache import cache

from ticketui.osm.results import CaseDetail, CaseSummary, Label

from .models import Ticket, TicketTag

LABEL_NAME_MAX = 100  # TicketLabel.name; the upstream's names are at most 64 (limits.py)
# The severities and label names the list's filters offer, read again at most this often.
CHOICES_CACHE_SECONDS = 60
CHOICES_CACHE_KEY = "tickets:severity-label-choices"


def case_labels(case: CaseSummary) -> list[dict[str, str]]:
    return [_label(label) for label in case.labels if label.name.strip()]


def case_severity(case: CaseSummary, previous: str | None) -> str | None:
    """The detail call's severity ("" when it gives none); the list call has none, so the one
    known stays. None: the ticket's detail has not been read since severities were kept."""
    if isinstance(case, CaseDetail):
        return case.severity[:100]
    return previous


def _label(label: Label) -> dict[str, str]:
    return {
        "label_id": label.label_id,
        "name": label.name.strip()[:LABEL_NAME_MAX],
        "color": label.color,
    }


def tags_write(*, kind: str, names_by_ticket: Mapping[int, Iterable[str]]) -> None:
    """Make TicketTag hold these tickets' label names or severity (their own copy, just saved)."""
    if not names_by_ticket:
        return
    TicketTag.objects.filter(kind=kind, ticket_id__in=list(names_by_ticket)).delete()
    rows = {
        (ticket_id, name) for ticket_id, names in names_by_ticket.items() for name in names if name
    }
    TicketTag.objects.bulk_create(
        [TicketTag(ticket_id=ticket_id, kind=kind, name=name) for ticket_id, name in sorted(rows)],
        ignore_conflicts=True,
    )
    cache.delete(CHOICES_CACHE_KEY)


def ticket_tags_write(*, ticket: Ticket) -> None:
    """After a ticket's severity and labels were saved from its detail."""
    tags_write(kind=TicketTag.Kind.LABEL, names_by_ticket={ticket.pk: label_names(ticket.labels)})
    tags_write(
        kind=TicketTag.Kind.SEVERITY,
        names_by_ticket={ticket.pk: [ticket.severity] if ticket.severity else []},
    )


def label_names(labels: Iterable[Mapping[str, str]] | None) -> list[str]:
    return [label["name"] for label in labels or () if label.get("name")]


def severity_and_label_choices() -> tuple[list[str], list[str]]:
    """The severities and label names some ticket has, for the list's filters (read from the
    tags' own small table, not the tickets')."""
    cached = cache.get(CHOICES_CACHE_KEY)
    if cached is None:
        pairs = TicketTag.objects.order_by("kind", "name").values_list("kind", "name").distinct()
        found: dict[str, list[str]] = {TicketTag.Kind.LABEL: [], TicketTag.Kind.SEVERITY: []}
        for kind, name in pairs[:500]:
            found.setdefault(kind, []).append(name)
        cached = (found[TicketTag.Kind.SEVERITY][:50], found[TicketTag.Kind.LABEL][:100])
        cache.set(CHOICES_CACHE_KEY, cached, CHOICES_CACHE_SECONDS)
    return cached
