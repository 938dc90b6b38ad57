"""What a call to the upstream can come back as: typed results and the errors reads raise."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any

from . import limits

if TYPE_CHECKING:
    from .transfer import FileUpload


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    # HTTP 200 with a non-empty error_code: the upstream understood and refused.
    REJECTED = "rejected"
    # A 4xx/5xx answer (gateway, token, server error): the upstream did not carry it out.
    HTTP_ERROR = "http_error"
    # Known not to have reached the upstream (could not connect): safe to try again.
    NOT_SENT = "not_sent"
    # Sent, but no usable answer (read timeout, connection dropped): the effect is unknown.
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class PreparedCall:
    """A request ready to send; everything in it except the auth headers may be recorded.

    An upload (UploadAccessory) goes out as multipart/form-data streamed from `upload`; its
    `body` then describes the form for the record: the `form_data` text part as sent and the
    `file` part's name, type and size (its bytes are never kept here)."""

    method: str
    path: str  # endpoint path with its query, already encoded
    body: dict[str, Any] | None
    headers: dict[str, str]  # non-secret headers only
    upload: "FileUpload | None" = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class CallResult:
    call: PreparedCall
    outcome: Outcome
    http_status: int | None = None
    error_code: str = ""
    error_msg: str = ""
    raw_body: str = ""  # bounded; see client.MAX_BODY_BYTES
    body_truncated: bool = False
    request_id: str = ""
    duration_ms: float = 0.0
    detail: str = ""  # transport failure, in words
    data: Any = None  # the parsed JSON body, when it was JSON

    @property
    def succeeded(self) -> bool:
        return self.outcome is Outcome.SUCCEEDED


class UpstreamError(Exception):
    """A read that did not succeed; `result` says how."""

    def __init__(self, result: CallResult) -> None:
        self.result = result
        super().__init__(
            f"{result.outcome}: {result.error_code or result.http_status or ''} "
            f"{result.error_msg or result.detail}".strip()
        )


class CaseNotFound(UpstreamError):
    """The upstream says the ticket does not exist (OSM.01010015)."""


CASE_NOT_FOUND_CODE = "OSM.01010015"


@dataclass(frozen=True, kw_only=True)
class SatisfactionEntry:
    """One IncidentSatisfactionV2Do: a score for one satisfaction dimension."""

    satisfaction_id: int
    satisfaction_value: int
    value: int | None = None
    per_value: int | None = None
    satisfaction_name: str | None = None
    sat_category_id: str | None = None
    sat_category_name: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {key: val for key, val in self.__dict__.items() if val is not None}


@dataclass(frozen=True, kw_only=True)
class Label:
    label_id: str
    name: str
    color: str


@dataclass(frozen=True, kw_only=True)
class CaseSummary:
    """A ticket as the list call returns it. Unexpected data is kept in `raw`, never dropped."""

    case_id: str
    summary: str
    status: int | None
    business_type: str = ""
    incident_type: str = ""
    product_category: str = ""
    customer_name: str = ""
    create_time: datetime | None = None
    # Not in Huawei's published list fields, but sent by the API (and the sandbox): when the
    # ticket last changed upstream.
    update_time: datetime | None = None
    labels: tuple[Label, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


class MessageRole(StrEnum):
    """Who wrote a message, from `replier_type` (0 customer, 1 engineer, 2 third party), or from
    `type` (0 customer, 1 engineer) when replier_type is absent, as in the detail's list.
    Replies sent from this dashboard are the customer's: the dashboard tells its own apart by
    its audit records, not by anything the upstream says."""

    CUSTOMER = "customer"
    ENGINEER = "engineer"
    THIRD_PARTY = "third_party"
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class AccessoryRef:
    """An attachment as a message lists it; download it with OsmClient.prepare_download."""

    accessory_id: str
    file_name: str  # `file_actual_name`


@dataclass(frozen=True, kw_only=True)
class CaseMessage:
    """One message of a ticket's thread, from ListMessages, the detail's `message_list` or the
    instant-message feed. `message_id` is only in the detail's list ("" elsewhere); `content`
    is kept whole even past the documented 400 characters."""

    author: str  # replier_name, or the replier id when there is no name
    content: str
    time: datetime | None
    message_id: str = ""
    role: MessageRole = MessageRole.UNKNOWN
    replier: str = ""
    replier_name: str = ""
    type: int | None = None
    replier_type: int | None = None
    iam_user_type: int | None = None
    is_first_message: bool = False
    accessories: tuple[AccessoryRef, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, kw_only=True)
class MessagePage:
    """A page of ListMessages. Order (not published): `messages` are always chronological,
    oldest first (by create_time; the upstream's order breaks ties), and `offset` counts from
    the oldest message, as the sandbox serves them. The newest page of a thread of `count`
    messages starts at offset max(0, count - limit): OsmClient.list_latest_messages does that;
    OsmClient.list_messages_before reads the page before a given offset."""

    count: int
    offset: int
    messages: tuple[CaseMessage, ...]


@dataclass(frozen=True, kw_only=True)
class CaseDetail(CaseSummary):
    judgement: str = ""
    severity: str = ""
    source: str = ""
    resolve_time: datetime | None = None
    messages: tuple[CaseMessage, ...] = ()  # chronological, as MessagePage; with message_id
    satisfaction: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, kw_only=True)
class CasePage:
    total_count: int
    cases: tuple[CaseSummary, ...]


@dataclass(frozen=True, kw_only=True)
class SatisfactionDimension:
    satisfaction_id: int
    name: str
    description: str
    value: int
    per_value: int
    category_id: str = ""
    category_name: str = ""  # not in the documented list; kept when the upstream sends it


def parse_time(value: Any) -> datetime | None:
    """The upstream's timestamps: epoch milliseconds, epoch seconds or ISO text; None if unreadable."""
    if value in (None, ""):
        return None
    try:
        if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
            number = float(value)
            return datetime.fromtimestamp(number / 1000 if number > 1e11 else number, tz=UTC)
        parsed = datetime.fromisoformat(str(value))
    except (ValueError, OverflowError, OSError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class StatusCount:
    """How many tickets the upstream holds in one status (None: a status it sent unreadably)."""

    status: int | None
    count: int
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OperateLogEntry:
    """One line of the upstream's own operation log for a ticket (osm-api.md §3).
    operate_type: 0 create, 2 press, 3 close, 4 cancel, 5 evaluate, 13 delete (others exist)."""

    operate_type: int | None
    operator: str
    content: str
    time: datetime | None
    log_id: str = ""  # incident_log_id
    # operator_type's values are not published: kept as sent, None when absent or unreadable.
    operator_type: int | None = None
    operator_id: str = ""
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OperateLogPage:
    total_count: int
    entries: tuple[OperateLogEntry, ...]


class Refusal(StrEnum):
    """Why the client refused to send a call (limits.py holds each limit)."""

    REPLY_EMPTY = "reply_empty"
    REPLY_TOO_LONG = "reply_too_long"
    TOO_MANY_ATTACHMENTS = "too_many_attachments"
    BAD_ACCESSORY_ID = "bad_accessory_id"
    BAD_GROUP_ID = "bad_group_id"
    BAD_PAGE = "bad_page"
    BAD_CASE_IDS = "bad_case_ids"
    BAD_CASE_ID = "bad_case_id"
    PATH_CHANGED = "path_changed"
    BAD_CURSOR = "bad_cursor"
    FILE_NAME = "file_name"
    FILE_EMPTY = "file_empty"
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE = "file_type"
    FILE_NOT_SEEKABLE = "file_not_seekable"
    BAD_FORM = "bad_form"


class RequestRefused(ValueError):
    """A call the client will not send because it breaks one of the upstream's limits. Forms
    check the same limits first, with translated messages; this is the last line."""

    def __init__(self, reason: Refusal, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True, kw_only=True)
class AccessoryLimits:
    """ShowAccessoryLimits: how many files a message may carry, how large and of which types.
    The upstream sends all three as strings; the type list's separator is not published (commas,
    semicolons, '|' and spaces are all read). A field it leaves out or sends unreadably is taken
    from the fallback (limits.FALLBACK_*), and `from_upstream` says whether all three came."""

    count: int
    size_mb: int
    file_types: tuple[str, ...]  # lower case, without dots
    from_upstream: bool = True

    @property
    def max_bytes(self) -> int:
        return self.size_mb * limits.BYTES_PER_MB

    @property
    def per_message(self) -> int:
        """Attachments one reply may carry: the smaller of limit_count and the project's cap."""
        return min(self.count, limits.MESSAGE_ACCESSORIES_MAX)

    def allows_type(self, file_name: str) -> bool:
        extension = file_name.rpartition(".")[2].lower() if "." in file_name else ""
        return bool(extension) and extension in self.file_types

    @classmethod
    def fallback(cls) -> "AccessoryLimits":
        return cls(
            count=limits.FALLBACK_ACCESSORY_COUNT,
            size_mb=limits.FALLBACK_ACCESSORY_SIZE_MB,
            file_types=limits.FALLBACK_ACCESSORY_TYPES,
            from_upstream=False,
        )


class AccessoryFrom(StrEnum):
    """form_data `accessoryFrom`: what the upload is attached to."""

    INCIDENT = "incident"
    MESSAGE = "message"


class UploadType(IntEnum):
    DEFAULT = 0
    MARKDOWN = 1


class DownloadTooLarge(Exception):
    """A download announced or ran past the size it may have (limits.DOWNLOAD_MAX_BYTES)."""

    def __init__(self, *, limit: int, announced: int | None, result: "CallResult") -> None:
        self.limit = limit
        self.announced = announced
        self.result = result
        super().__init__(f"The download is larger than {limit} bytes")


class DownloadInterrupted(Exception):
    """The download's bytes stopped coming (connection dropped, deadline passed)."""

    def __init__(self, *, bytes_read: int, result: "CallResult") -> None:
        self.bytes_read = bytes_read
        self.result = result
        super().__init__(f"The download broke off after {bytes_read} bytes")


@dataclass(frozen=True, kw_only=True)
class CaseMessages:
    """New messages of one ticket in the instant-message feed (chronological)."""

    case_id: str
    messages: tuple[CaseMessage, ...]


@dataclass(frozen=True, kw_only=True)
class CaseImStatus:
    """`imstatus[]` of the feed. The meaning of `status` (0-1) is not published; the sandbox
    sends 1 when the ticket has messages newer than the cursor, 0 otherwise."""

    case_id: str
    status: int | None


@dataclass(frozen=True, kw_only=True)
class NewMessages:
    """ListNewInstantMessages. `cursor` is `last_message_time_id`: send it back to get only newer
    messages. It is opaque and belongs to the set of case ids it was read for: a poller that
    reads tickets in batches keeps one cursor per batch. An empty cursor reads every message of
    the tickets (the sandbox's reading; the upstream's is not published)."""

    cursor: str
    cases: tuple[CaseMessages, ...]
    statuses: tuple[CaseImStatus, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UnreadCount:
    """`imunread[]`: unread engineer messages on one ticket, and its status (0-20, the upstream's
    reading not published; the sandbox sends the ticket status)."""

    case_id: str
    unread: int
    status: int | None = None


@dataclass(frozen=True, kw_only=True)
class LabelPage:
    total_count: int
    labels: tuple[Label, ...]
