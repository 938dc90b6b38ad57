"""The sandbox's answers to each upstream endpoint, in the upstream's own shapes and error codes."""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from ticketui.osm import limits

from .conversation import detailed
from .names import DIMENSION_SCALES, chinese, dimensions_in, ticket_named
from .state import TRANSITIONS, SandboxState


@dataclass
class Response:
    status: int
    body: Any
    headers: dict[str, str] | None = None
    content_type: str = "application/json;charset=UTF-8"

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode()


@dataclass
class Request:
    method: str
    segments: list[str]  # the decoded path segments
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def param(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]


def business_error(code: str, message: str) -> Response:
    """Business failures come back as HTTP 200 with error_code set (osm-api.md §1)."""
    return Response(200, {"error_code": code, "error_msg": message[:32]})


OK = {"error_code": "", "error_msg": ""}


def _json_body(request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    if not request.body:
        return {}, None
    try:
        body = json.loads(request.body)
    except ValueError:
        return None, Response(400, {"error_code": "OSM.0001", "error_msg": "Bad request"})
    if not isinstance(body, dict):
        return None, Response(400, {"error_code": "OSM.0001", "error_msg": "Bad request"})
    return body, None


def _text_ok(value: Any, maximum: int) -> bool:
    return value is None or (isinstance(value, str) and len(value) <= maximum)


def _int_ok(value: Any, maximum: int) -> bool:
    return value is None or (
        isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= maximum
    )


def _satisfaction_ok(entries: Any, *, required: bool) -> bool:
    if entries is None:
        return not required
    if not isinstance(entries, list) or len(entries) > limits.SATISFACTION_ENTRIES_MAX:
        return False
    for entry in entries:
        if not isinstance(entry, dict):
            return False
        if entry.get("satisfaction_id") is None or entry.get("satisfaction_value") is None:
            return False
        if not (
            _int_ok(entry.get("satisfaction_id"), limits.SATISFACTION_ID_MAX)
            and all(
                _int_ok(entry.get(key), limits.SCORE_MAX)
                for key in ("satisfaction_value", "value", "per_value")
            )
            and all(
                _text_ok(entry.get(key), limits.SATISFACTION_TEXT_MAX)
                for key in ("satisfaction_name", "sat_category_id", "sat_category_name")
            )
        ):
            return False
        scale = DIMENSION_SCALES.get(entry["satisfaction_id"])
        if scale is None or entry["satisfaction_value"] > scale:
            return False
    return True


def _common_body_ok(body: dict[str, Any]) -> bool:
    return (
        _text_ok(body.get("judgement"), limits.TEXT_MAX)
        and _text_ok(body.get("operate_desc"), limits.TEXT_MAX)
        and _text_ok(body.get("group_id"), limits.GROUP_ID_MAX)
    )


def case_action(state: SandboxState, request: Request, case_id: str) -> Response:
    action_id = request.param("action_id")
    if (
        not 1 <= len(case_id) <= limits.CASE_ID_MAX
        or not 1 <= len(action_id) <= limits.ACTION_ID_MAX
    ):
        return business_error("OSM.01010001", "Parameter validation failed")
    body, error = _json_body(request)
    if error:
        return error
    if not _common_body_ok(body) or not _satisfaction_ok(
        body.get("incident_satisfaction_list"), required=False
    ):
        return business_error("OSM.01010001", "Parameter validation failed")
    if action_id not in TRANSITIONS:
        return business_error("OSM.01010013", "Operation must be cancel/close/press/delete")
    code, message = state.apply(case_id, action_id, body)
    return business_error(code, message) if code else Response(200, OK)


def case_score(state: SandboxState, request: Request, case_id: str) -> Response:
    body, error = _json_body(request)
    if error:
        return error
    if (
        not isinstance(body.get("judgement"), str)
        or not _common_body_ok(body)
        or not _satisfaction_ok(body.get("incident_satisfaction_list"), required=True)
    ):
        return business_error("OSM.01010001", "Parameter validation failed")
    code, message = state.score(case_id, body)
    return business_error(code, message) if code else Response(200, OK)


_LIST_FIELDS = (
    "incident_id",
    "simple_description",
    "status",
    "business_type_name",
    "incident_type_name",
    "product_category_name",
    "incident_service_type",
    "customer_id",
    "xcustomer_id",
    "xcustomer_name",
    "dc_name",
    "root_cause",
    "resolution",
    "create_time",
    "confirmed_time",
    "label_list",
)


def case_list(state: SandboxState, request: Request) -> Response:
    try:
        offset = int(request.param("offset", "0"))
        limit = int(request.param("limit", "10"))
        status = int(request.param("status")) if request.param("status") else None
    except ValueError:
        return business_error("OSM.01010001", "Parameter validation failed")
    if not (0 <= offset <= 65535 and 0 <= limit <= 100):
        return business_error("OSM.01010001", "Parameter validation failed")
    incident_id = request.param("incident_id")
    search_keys = [key.lower() for key in request.query.get("search_key", [])][:5]
    # label_id_list: repeated or comma-joined; a ticket matches when it has any of them.
    label_ids = {
        part
        for value in request.query.get("label_id_list", [])
        for part in value.split(",")
        if part
    }
    try:
        start = _moment(request.param("query_start_time"))
        end = _moment(request.param("query_end_time"))
    except ValueError:
        return business_error("OSM.01010001", "Parameter validation failed")
    with state.lock:
        matching = [
            ticket
            for ticket in state.tickets.values()
            if (status is None or ticket["status"] == status)
            and (not incident_id or ticket["incident_id"] == incident_id)
            and (not search_keys or _matches(ticket["simple_description"], search_keys))
            and (
                not label_ids
                or any(str(label["label_id"]) in label_ids for label in ticket["label_list"])
            )
            and (start is None or _moment(ticket["update_time"]) >= start)
            and (end is None or _moment(ticket["update_time"]) < end)
        ]
        matching.sort(key=itemgetter("create_time", "incident_id"))
        in_chinese = chinese(request.headers)
        page = [
            ticket_named({key: ticket[key] for key in _LIST_FIELDS}, in_chinese=in_chinese)
            for ticket in matching[offset : offset + limit]
        ]
    return Response(200, {"total_count": len(matching), "incident_info_list": page})


def _matches(summary: str, search_keys: list[str]) -> bool:
    summary = summary.lower()
    return all(key in summary for key in search_keys)


def _moment(value: str) -> datetime | None:
    """A list window bound: ISO 8601 (UTC when no offset is given) or epoch milliseconds.

    The window selects tickets by their last update (`update_time`), start included, end
    excluded. Huawei does not publish which time the real list filters on; this is the
    project's reading, and the dashboard's incremental sync relies on it."""
    if not value:
        return None
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, UTC)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def case_detail(state: SandboxState, request: Request, case_id: str) -> Response:
    with state.lock:
        ticket = state.tickets.get(case_id)
        if ticket is None:
            return business_error("OSM.01010015", "The ticket does not exist")
        info = json.loads(json.dumps(ticket))
    info["message_list"] = [detailed(message) for message in info.get("message_list", [])]
    return Response(
        200, {"incident_detail_info": ticket_named(info, in_chinese=chinese(request.headers))}
    )


def case_status(state: SandboxState, request: Request, case_id: str) -> Response:
    with state.lock:
        ticket = state.tickets.get(case_id)
        if ticket is None:
            return business_error("OSM.01010015", "The ticket does not exist")
        return Response(200, {"status": ticket["status"]})


def case_count(state: SandboxState, request: Request) -> Response:
    counts: dict[int, int] = {}
    with state.lock:
        for ticket in state.tickets.values():
            counts[ticket["status"]] = counts.get(ticket["status"], 0) + 1
    return Response(
        200,
        {
            "incident_status_counts": [
                {"status": status, "count": count} for status, count in sorted(counts.items())
            ]
        },
    )


def operate_logs(state: SandboxState, request: Request, case_id: str) -> Response:
    try:
        offset = int(request.param("offset", "0"))
        limit = min(int(request.param("limit", "10")), 100)
    except ValueError:
        return business_error("OSM.01010001", "Parameter validation failed")
    with state.lock:
        if case_id not in state.tickets:
            return business_error("OSM.01010015", "The ticket does not exist")
        logs = state.logs.get(case_id, [])
        return Response(
            200, {"total_count": len(logs), "operate_log_list": logs[offset : offset + limit]}
        )


def satisfaction_dimensions(state: SandboxState, request: Request) -> Response:
    named = dimensions_in(in_chinese=chinese(request.headers))
    return Response(200, {"total_count": len(named), "satisfaction_dimension_list": named})


def unauthorized() -> Response:
    return Response(401, {"error_code": "OSM.0002", "error_msg": "Token missing or invalid"})


def not_found() -> Response:
    return Response(404, {"error_code": "APIGW.0101", "error_msg": "The API does not exist"})


def new_request_id() -> str:
    return uuid.uuid4().hex
