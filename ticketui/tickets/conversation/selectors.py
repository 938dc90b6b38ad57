"""Reads of the ticket's conversation: the thread as the upstream holds it (ListMessages), each
message with who wrote it as the dashboard sees it, and the upstream's operate-log beside the
dashboard's own records in one timeline. They read the upstream but write nothing, so nothing
is audited; an upstream that fails raises UpstreamError for the view to say so in place."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from ticketui.accounts.selectors import profile_call_context
from ticketui.audit.models import AuditRecord, Kind, RecordOutcome
from ticketui.osm.catalogue import OPERATE_LOG_TYPES, action_label
from ticketui.osm.configured import get_client
from ticketui.osm.results import (
    CaseMessage,
    MessageRole,
    OperateLogEntry,
    RequestRefused,
    UpstreamError,
)

from ..models import Ticket
from ..selectors import ticket_timeline

THREAD_PAGE = 20  # the newest messages shown first; "Show older" adds as many again
# How many of the dashboard's own replies are compared with the thread to tell them apart.
OWN_REPLIES_READ = 500
# The upstream's operate-log is read in pages of 100, at most this many pages (10,000 entries
# is far past any ticket's; a longer log shows its first 10,000).
OPERATE_LOG_PAGES_MAX = 100

OPERATE_LOG_NAMES = {number: name for name, number in OPERATE_LOG_TYPES.items()}
CREATED = _("Created")
UPSTREAM_OPERATION = _("Upstream operation %(type)s")
ROLE_LABELS = {
    "customer": _("Customer"),
    "engineer": _("Engineer"),
    "agent": _("Agent, from this dashboard"),
    "third_party": _("Third party"),
    "unknown": _("Unknown role"),
}


@dataclass(frozen=True, kw_only=True)
class ThreadMessage:
    message: CaseMessage
    role: str  # a key of ROLE_LABELS
    agent: str = ""  # the dashboard user who sent it, when it is one of the dashboard's replies

    @property
    def role_label(self) -> str:
        return str(ROLE_LABELS[self.role])


@dataclass(frozen=True, kw_only=True)
class ThreadPage:
    messages: tuple[ThreadMessage, ...]  # oldest first
    count: int  # messages in the whole thread
    offset: int  # the position of the first of them in the thread (0: the oldest)

    @property
    def older(self) -> int:
        """How many messages come before this page."""
        return self.offset


def conversation_thread(
    *, ticket: Ticket, viewer: AbstractBaseUser, before: int | None = None
) -> ThreadPage:
    """The THREAD_PAGE newest messages, or those before position `before` (the offset of the
    oldest message shown, from the page before), oldest first."""
    client, context = get_client(), profile_call_context(user=viewer)
    if before is None:
        page = client.list_latest_messages(ticket.case_id, limit=THREAD_PAGE, context=context)
    else:
        page = client.list_messages_before(
            ticket.case_id, before=before, limit=THREAD_PAGE, context=context
        )
    own = _own_replies(ticket)
    messages = tuple(_thread_message(message, own) for message in page.messages)
    return ThreadPage(messages=messages, count=page.count, offset=page.offset)


def _own_replies(ticket: Ticket) -> dict[str, str]:
    """The text of each reply the upstream accepted from this dashboard, and who sent it. The
    upstream writes them as the customer's; their text tells them apart."""
    records = (
        AuditRecord.objects.filter(
            case_id=ticket.case_id, kind=Kind.REPLY, outcome=RecordOutcome.SUCCEEDED
        )
        .order_by("-id")
        .values_list("request_body", "actor_username")[:OWN_REPLIES_READ]
    )
    own: dict[str, str] = {}
    for body, username in records:
        message = body.get("message") if isinstance(body, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str) and content.strip():
            own.setdefault(content.strip(), username or "")
    return own


def _thread_message(message: CaseMessage, own: dict[str, str]) -> ThreadMessage:
    if message.role is MessageRole.ENGINEER:
        return ThreadMessage(message=message, role="engineer")
    agent = own.get(message.content.strip())
    if message.role in (MessageRole.CUSTOMER, MessageRole.UNKNOWN) and agent is not None:
        return ThreadMessage(message=message, role="agent", agent=agent)
    return ThreadMessage(message=message, role=str(message.role))


@dataclass(frozen=True, kw_only=True)
class UpstreamLogEntry:
    """An operate-log entry placed in the ticket's timeline."""

    entry: OperateLogEntry
    from_upstream: bool = True

    @property
    def time(self) -> datetime | None:
        return self.entry.time

    @property
    def label(self) -> str:
        action = OPERATE_LOG_NAMES.get(self.entry.operate_type)
        if action == "create":
            return str(CREATED)
        if action is not None:
            return action_label(action)
        return str(UPSTREAM_OPERATION) % {"type": self.entry.operate_type}


def upstream_operate_log(*, ticket: Ticket, viewer: AbstractBaseUser) -> list[OperateLogEntry]:
    """The upstream's whole operate-log of the ticket, oldest first."""
    client = get_client()
    context = profile_call_context(user=viewer)
    entries: list[OperateLogEntry] = []
    for _page in range(OPERATE_LOG_PAGES_MAX):
        page = client.case_operate_logs(ticket.case_id, offset=len(entries), context=context)
        entries.extend(page.entries)
        if not page.entries or len(entries) >= page.total_count:
            break
    return entries


def timeline_merged(
    *,
    records: list[AuditRecord],
    log: list[OperateLogEntry],
    newer_than_records: bool,
    older_than_records: bool,
    before: datetime | None = None,
) -> list:
    """The dashboard's records (newest first, one page) and the operate-log entries of the
    same stretch of time, newest first. `newer_than_records`: the page is the newest, so later
    entries belong to it; `older_than_records`: no older page follows, so earlier entries do.
    `before` bounds the stretch from above on an older page (the newer page's oldest record)."""
    oldest = records[-1].created_at if records and not older_than_records else None
    newest = None if newer_than_records else before
    chosen = [
        UpstreamLogEntry(entry=entry)
        for entry in log
        if entry.time is not None
        and (oldest is None or entry.time >= oldest)
        and (newest is None or entry.time < newest)
    ]
    if older_than_records:  # entries without a time go with the oldest
        chosen += [UpstreamLogEntry(entry=entry) for entry in log if entry.time is None]
    # Both newest first before the (stable) sort, so entries of the same second (the log's
    # times have no fraction) keep the later one on top.
    merged: list = [*records, *reversed(chosen)]
    merged.sort(key=_timeline_order, reverse=True)
    return merged


def _timeline_order(item) -> tuple:
    moment = item.time if isinstance(item, UpstreamLogEntry) else item.created_at
    return (moment is not None, moment.timestamp() if moment else 0)


def timeline_with_upstream_context(
    *, ticket: Ticket, viewer: AbstractBaseUser, before: int | None = None
) -> dict:
    """The timeline's partials, merged: a page of the dashboard's records (older than the
    record `before`) with the upstream's operate-log entries of the same stretch. When the
    upstream cannot be read, the records alone and `upstream_log_error`."""
    records, more = ticket_timeline(ticket=ticket, before=before)
    bound = None
    if before is not None:
        bound = (
            AuditRecord.objects.filter(pk=before, case_id=ticket.case_id)
            .values_list("created_at", flat=True)
            .first()
        )
    context = {"timeline": records, "timeline_more": more, "merged": True}
    try:
        log = upstream_operate_log(ticket=ticket, viewer=viewer)
    except (UpstreamError, RequestRefused):
        log, context["upstream_log_error"] = [], True
    context["timeline_entries"] = timeline_merged(
        records=records,
        log=log,
        newer_than_records=before is None,
        older_than_records=not more,
        before=bound,
    )
    return context


# The top bar's count of tickets with unread engineer messages, as the last poll counted it (and
# less each ticket read since): a page view reads it from the shared cache and never counts the
# tickets table itself. Until a poll has run (or after the cache was emptied), none is shown.
UNREAD_COUNT_CACHE_KEY = "tickets:unread-tickets"


def tickets_unread_count() -> int | None:
    """How many tracked tickets have engineer messages nobody has read, as last counted."""
    return cache.get(UNREAD_COUNT_CACHE_KEY)


def tickets_unread_count_refresh() -> int:
    """Count them (from their index) and keep the count for the page views: the poll's."""
    count = Ticket.objects.filter(unread_messages__gt=0).count()
    cache.set(UNREAD_COUNT_CACHE_KEY, count, None)
    return count


def tickets_unread_count_read_one() -> None:
    """One ticket's messages were just read: one fewer to show until the next poll counts."""
    try:
        if (cache.get(UNREAD_COUNT_CACHE_KEY) or 0) > 0:
            cache.decr(UNREAD_COUNT_CACHE_KEY)
    except ValueError:  # the key went in between: the next poll sets it again
        pass
