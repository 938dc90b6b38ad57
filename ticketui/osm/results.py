"""What a call to the upstream can come back as: typed results and the errors reads raise."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


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
    """A request ready to send; everything in it except the auth headers may be recorded."""

    method: str
    path: str  # endpoint path with its query, already encoded
    body: dict[str, Any] | None
    headers: dict[str, str]  # non-secret headers only


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
    labels: tuple[Label, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class CaseMessage:
    author: str
    content: str
    time: datetime | None


@dataclass(frozen=True, kw_only=True)
class CaseDetail(CaseSummary):
    judgement: str = ""
    severity: str = ""
    source: str = ""
    resolve_time: datetime | None = None
    messages: tuple[CaseMessage, ...] = ()
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
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class OperateLogPage:
    total_count: int
    entries: tuple[OperateLogEntry, ...]
