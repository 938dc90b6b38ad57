"""The sandbox's answers to the conversation endpoints (osm-conversation.md): messages, replies,
attachments, the instant-message feed and labels. Business failures are HTTP 200 with an
error_code, as everywhere (views.business_error)."""

import io
import json
import zipfile
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import quote

from ticketui.osm import limits

from . import conversation
from .state import SandboxState
from .views import OK, Request, Response, _json_body, business_error

INVALID = ("OSM.01010001", "Parameter validation failed")
NO_TICKET = ("OSM.01010015", "The ticket does not exist")


def _page(request: Request, default_limit: int = 10) -> tuple[int, int] | None:
    try:
        offset = int(request.param("offset", "0"))
        limit = int(request.param("limit", str(default_limit)))
    except ValueError:
        return None
    if not (0 <= offset <= limits.OFFSET_MAX and 0 <= limit <= limits.PAGE_LIMIT_MAX):
        return None
    return offset, limit


def _group_ok(request: Request) -> bool:
    return len(request.param("group_id")) <= limits.GROUP_ID_MAX


def _list_param(request: Request, name: str) -> list[str]:
    """An array query parameter, comma-joined (Python SDK) or repeated (Go SDK), or both."""
    return [part for value in request.query.get(name, []) for part in value.split(",") if part]


def list_messages(state: SandboxState, request: Request, case_id: str) -> Response:
    page = _page(request)
    if page is None or not _group_ok(request):
        return business_error(*INVALID)
    offset, limit = page
    with state.lock:
        ticket = state.tickets.get(case_id)
        if ticket is None:
            return business_error(*NO_TICKET)
        thread = ticket.get("message_list", [])
        return Response(
            200,
            {
                "count": len(thread),
                "message_list": [conversation.listed(m) for m in thread[offset : offset + limit]],
            },
        )


def create_message(state: SandboxState, request: Request, case_id: str) -> Response:
    body, error = _json_body(request)
    if error:
        return error
    message = body.get("message")
    if not isinstance(message, dict) or not isinstance(body.get("group_id", ""), str):
        return business_error(*INVALID)
    content, ids = message.get("content"), message.get("accessory_ids", [])
    per_message = min(int(state.conversation.limits["limit_count"]), limits.MESSAGE_ACCESSORIES_MAX)
    if (
        not isinstance(content, str)
        or len(content) > limits.REPLY_MAX
        or not isinstance(ids, list)
        or len(ids) > per_message
        or not all(isinstance(i, str) and 1 <= len(i) <= limits.ACCESSORY_ID_MAX for i in ids)
        or len(set(ids)) != len(ids)
        or (not content.strip() and not ids)
        or len(body.get("group_id", "")) > limits.GROUP_ID_MAX
    ):
        return business_error(*INVALID)
    code, text = conversation.reply(state, case_id, content, ids)
    return business_error(code, text) if code else Response(200, OK)


def accessory_limits(state: SandboxState, request: Request) -> Response:
    return Response(200, {"accessory_limit": dict(state.conversation.limits)})


def parse_multipart(content_type: str, body: bytes) -> dict[str, tuple[str | None, str, bytes]]:
    """multipart/form-data parts by name: (file name or None, content type, bytes); empty when
    unreadable. Parsed with the standard library, independently of the client's encoder."""
    if not content_type.lower().startswith("multipart/form-data"):
        return {}
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return {}
    parts: dict[str, tuple[str | None, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            data = part.get_payload(decode=True) or b""
            parts[str(name)] = (part.get_filename(), part.get_content_type(), data)
    return parts


def multipart_summary(content_type: str, body: bytes) -> dict[str, Any]:
    """What `state.received` keeps of an upload: the text parts, and each file's name and size."""
    return {
        name: (
            {"file_name": file_name, "size": len(data)}
            if file_name is not None
            else data.decode("utf-8", "replace")
        )
        for name, (file_name, _, data) in parse_multipart(content_type, body).items()
    }


def upload_accessory(state: SandboxState, request: Request) -> Response:
    parts = parse_multipart(request.headers.get("Content-Type", ""), request.body)
    if "file" not in parts or "form_data" not in parts:
        return business_error(*INVALID)
    part_name, content_type, data = parts["file"]
    form_text = parts["form_data"][2].decode("utf-8", "replace")
    try:
        form = json.loads(form_text)
    except ValueError:
        return business_error(*INVALID)
    if not isinstance(form, dict) or not 1 <= len(form_text) <= limits.FORM_DATA_MAX:
        return business_error(*INVALID)
    name = form.get("fileName") or part_name or ""
    if (
        not isinstance(name, str)
        or not 1 <= len(name) <= limits.FILE_NAME_MAX
        or form.get("accessoryFrom", "message") not in limits.ACCESSORY_FROM
        or form.get("uploadType", 0) not in limits.UPLOAD_TYPES
    ):
        return business_error(*INVALID)
    allowed = state.conversation.limits["limit_file_type"].lower().split(",")
    if "." not in name or name.rpartition(".")[2].lower() not in allowed:
        return business_error("OSM.01010001", "File type not allowed")
    if not data or len(data) > int(state.conversation.limits["limit_size"]) * limits.BYTES_PER_MB:
        return business_error("OSM.01010001", "File empty or too large")
    with state.lock:
        accessory_id = conversation.store_accessory(
            state,
            name=name,
            content_type=content_type,
            data=data,
            origin=form.get("accessoryFrom", "message"),
        )
        state.save()
    return Response(200, {"accessory_id": accessory_id})


def _disposition(name: str) -> str:
    """attachment; an ASCII fallback name and the real one as RFC 5987 filename*."""
    fallback = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download_accessories(state: SandboxState, request: Request, accessory_id: str) -> Response:
    ids = accessory_id.split(",")
    if not 1 <= len(accessory_id) <= limits.DOWNLOAD_IDS_MAX or not all(ids):
        return business_error(*INVALID)
    with state.lock:
        found = [state.conversation.accessories.get(i) for i in ids]
    if any(item is None for item in found):
        return business_error("OSM.01010001", "The accessory does not exist")
    if len(found) == 1:
        item = found[0]
        return Response(
            200,
            item["data"],
            headers={"Content-Disposition": _disposition(item["name"])},
            content_type=item["content_type"],
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, item in enumerate(found):
            archive.writestr(f"{index + 1}-{item['name']}", item["data"])
    return Response(
        200,
        buffer.getvalue(),
        headers={"Content-Disposition": _disposition("accessories.zip")},
        content_type="application/zip",
    )


def _case_ids(request: Request) -> list[str] | None:
    ids = _list_param(request, "case_ids")
    if not 1 <= len(ids) <= limits.INSTANT_CASE_IDS_MAX or not _group_ok(request):
        return None
    return ids


def instant_messages(state: SandboxState, request: Request) -> Response:
    ids = _case_ids(request)
    cursor_text = request.param("last_message_time_id")
    if ids is None or not (cursor_text == "" or cursor_text.isdigit()):
        return business_error(*INVALID)
    cursor = int(cursor_text or 0)
    statuses, batches, newest = [], [], cursor
    with state.lock:
        for case_id in ids:
            ticket = state.tickets.get(case_id)
            if ticket is None:
                continue
            new = [m for m in ticket.get("message_list", []) if m["seq"] > cursor]
            statuses.append({"incident_id": case_id, "status": 1 if new else 0})
            if new:
                batches.append(
                    {"incident_id": case_id, "message_list": [conversation.listed(m) for m in new]}
                )
                newest = max(newest, new[-1]["seq"])
    return Response(
        200, {"imstatus": statuses, "immsg": batches, "last_message_time_id": str(newest)}
    )


def unread_instant_messages(state: SandboxState, request: Request) -> Response:
    ids = _case_ids(request)
    if ids is None:
        return business_error(*INVALID)
    with state.lock:
        counts = [
            {
                "incident_id": case_id,
                "status": state.tickets[case_id]["status"],
                "unread_num": conversation.unread(state, case_id),
            }
            for case_id in ids
            if case_id in state.tickets
        ]
    return Response(200, {"imunread": counts})


def mark_read(state: SandboxState, request: Request, case_id: str) -> Response:
    body, error = _json_body(request)
    if error:
        return error
    if not isinstance(body.get("group_id", ""), str) or len(body.get("group_id", "")) > 64:
        return business_error(*INVALID)
    with state.lock:
        if case_id not in state.tickets:
            return business_error(*NO_TICKET)
        conversation.mark_read(state, case_id)
        state.save()
    return Response(200, OK)


def list_labels(state: SandboxState, request: Request) -> Response:
    page = _page(request)
    name = request.param("name").lower()
    label_id = request.param("label_id")
    if (
        page is None
        or len(name) > limits.LABEL_NAME_MAX
        or not (label_id == "" or label_id.isdigit())
    ):
        return business_error(*INVALID)
    offset, limit = page
    with state.lock:
        matching = [
            dict(label)
            for label in state.conversation.labels
            if name in label["name"].lower()
            and (not label_id or label["label_id"] == int(label_id))
        ]
    return Response(
        200, {"total_count": len(matching), "label_list": matching[offset : offset + limit]}
    )


def case_labels(state: SandboxState, request: Request, case_id: str) -> Response:
    with state.lock:
        ticket = state.tickets.get(case_id)
        if ticket is None:
            return business_error(*NO_TICKET)
        return Response(200, {"case_label_list": [dict(x) for x in ticket.get("label_list", [])]})
