"""The sandbox's routes and its WSGI application. Routing works on the raw path, so that a
percent-encoded '/' inside a case id stays part of that one segment, as on the real upstream."""

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs, unquote

from . import conversation, identity, views
from . import conversation_views as talk
from .state import ReceivedRequest, SandboxState

Handler = Callable[..., views.Response]

SR = ("v2", "servicerequest")
# (method, path pattern) -> handler; "{name}" captures one decoded segment as that argument.
# Literal routes come before the "{case_id}" ones they would otherwise match.
ROUTES: list[tuple[str, tuple[str, ...], Handler]] = [
    ("GET", ("v2", "servicerequest", "cases"), views.case_list),
    ("GET", ("v2", "servicerequest", "cases", "count"), views.case_count),
    ("GET", (*SR, "cases", "instant-messages"), talk.instant_messages),
    ("GET", (*SR, "cases", "instant-messages", "unread"), talk.unread_instant_messages),
    ("GET", (*SR, "accessorys", "limits"), talk.accessory_limits),
    ("POST", (*SR, "accessorys"), talk.upload_accessory),
    ("GET", (*SR, "accessorys", "{accessory_id}"), talk.download_accessories),
    ("GET", (*SR, "labels"), talk.list_labels),
    ("GET", (*SR, "cases", "{case_id}", "messages"), talk.list_messages),
    ("POST", (*SR, "cases", "{case_id}", "message"), talk.create_message),
    ("POST", (*SR, "cases", "{case_id}", "instant-messages", "unread"), talk.mark_read),
    ("GET", (*SR, "cases", "{case_id}", "labels"), talk.case_labels),
    (
        "GET",
        ("v2", "servicerequest", "config", "satisfaction-dimensions"),
        views.satisfaction_dimensions,
    ),
    ("GET", ("v2", "servicerequest", "cases", "{case_id}"), views.case_detail),
    ("GET", ("v2", "servicerequest", "cases", "{case_id}", "status"), views.case_status),
    ("GET", ("v2", "servicerequest", "cases", "{case_id}", "operate-logs"), views.operate_logs),
    ("POST", ("v2", "servicerequest", "cases", "{case_id}", "action"), views.case_action),
    ("POST", ("v2", "servicerequest", "cases", "{case_id}", "score"), views.case_score),
]


def resolve(method: str, segments: list[str]) -> tuple[Handler, dict[str, str]] | None:
    for route_method, pattern, handler in ROUTES:
        if route_method != method or len(pattern) != len(segments):
            continue
        kwargs: dict[str, str] = {}
        for part, segment in zip(pattern, segments, strict=True):
            if part.startswith("{"):
                kwargs[part.strip("{}")] = segment
            elif part != segment:
                break
        else:
            return handler, kwargs
    return None


def make_app(state: SandboxState) -> Callable[[dict[str, Any], Callable], Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")
        raw_path, _, raw_query = raw.partition("?")
        if not raw_query:
            raw_query = environ.get("QUERY_STRING", "")
        segments = [unquote(part) for part in raw_path.strip("/").split("/")]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        headers = {
            key[5:].replace("_", "-").title(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE") and body:  # wsgiref fills in text/plain when none came
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        request = views.Request(
            method=environ["REQUEST_METHOD"],
            segments=segments,
            query=parse_qs(raw_query, keep_blank_values=True),
            headers=headers,
            body=body,
        )
        content_type = headers.get("Content-Type", "")
        try:
            parsed_body = json.loads(body) if body else None
        except ValueError:
            parsed_body = (
                talk.multipart_summary(content_type, body)
                if content_type.startswith("multipart/")
                else body.decode("utf-8", "replace")
            )
        sign_in = request.method == "POST" and segments == ["v3", "auth", "tokens"]
        received = ReceivedRequest(
            method=request.method,
            raw_path=raw,
            path_segments=segments,
            query=request.query,
            headers={
                k: v
                for k, v in headers.items()
                if k.lower() not in ("x-auth-token", "authorization")
            },
            body=identity.masked_sign_in(parsed_body) if sign_in else parsed_body,
        )
        state.record(received)
        conversation.deliver_due(state)  # the engineer's answers whose time has come
        if sign_in:
            response = identity.issue_token(state, request)
        else:
            received.auth, response = identity.authenticate(
                state,
                method=request.method,
                raw_path=raw_path,
                raw_query=raw_query,
                headers=_lower_headers(environ),
                body=body,
            )
        if response is None:
            match = resolve(request.method, segments)
            response = views.not_found() if match is None else match[0](state, request, **match[1])
        payload = response.encoded()
        start_response(
            f"{response.status} {'OK' if response.status < 400 else 'Error'}",
            [
                ("Content-Type", response.content_type),
                ("Content-Length", str(len(payload))),
                ("X-Request-Id", views.new_request_id()),
                *(response.headers or {}).items(),
            ],
        )
        return [payload]

    return app


def _lower_headers(environ: dict[str, Any]) -> dict[str, str]:
    """The request's headers as sent, by lower-case name (what a signature covers)."""
    headers = {
        key[5:].replace("_", "-").lower(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers
