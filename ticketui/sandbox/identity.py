"""The sandbox's identity side: IAM's `POST /v3/auth/tokens`, and checking each request's
credentials (a static or issued token, or an AK/SK signature).

The signature check is written here with hmac/hashlib from the documented SDK-HMAC-SHA256
algorithm, independently of the signer the dashboard uses, so that the two sides really verify
each other. IAM's error bodies follow Keystone's shape ({"error": {"code", "message", "title"}});
the exact wording of IAM's "locked" answer is not published and is inferred.
"""

import hashlib
import hmac
import json
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from .state import SandboxState
from .views import Request, Response, unauthorized

ALGORITHM = "SDK-HMAC-SHA256"
MAX_CLOCK_SKEW_SECONDS = 15 * 60
_AUTHORIZATION = re.compile(
    r"^SDK-HMAC-SHA256 Access=(?P<ak>[^,\s]+), SignedHeaders=(?P<signed>[a-z0-9;_-]+), "
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)


def _iam_error(status: int, title: str, message: str) -> Response:
    return Response(status, {"error": {"code": status, "title": title, "message": message}})


def _gateway_rejection(message: str) -> Response:
    return Response(
        401,
        {
            "error_code": "APIGW.0301",
            "error_msg": f"Incorrect IAM authentication information: {message}",
        },
    )


def _stamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def issue_token(state: SandboxState, request: Request) -> Response:
    """IAM's password sign-in: 201, the token in X-Subject-Token, its end in token.expires_at."""
    try:
        auth = json.loads(request.body)["auth"]
        identity = auth["identity"]
        user = identity["password"]["user"]
        domain, name, password = user["domain"]["name"], user["name"], user["password"]
        scope = auth.get("scope") or {"domain": {"name": domain}}
        if "password" not in identity["methods"] or not all(
            isinstance(value, str) and value for value in (domain, name, password)
        ):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return _iam_error(400, "Bad Request", "The request body is invalid.")
    with state.lock:
        known = state.iam_users.get((domain, name))
        if known is not None and name in state.locked_users:
            return _iam_error(401, "Unauthorized", "The account is locked.")
        if known is None or not hmac.compare_digest(known.encode(), password.encode()):
            return _iam_error(401, "Unauthorized", "The username or password is wrong.")
        if "domain" in scope and scope["domain"].get("name") != domain:
            return _iam_error(401, "Unauthorized", "The scope does not match the user's account.")
        token = "MIIsandbox" + secrets.token_urlsafe(48)
        now = time.time()
        expires = now + state.token_lifetime
        state.issued_tokens[token] = expires
        state.token_issues += 1
    body = {
        "token": {
            "methods": ["password"],
            "issued_at": _stamp(now),
            "expires_at": _stamp(expires),
            "user": {"name": name, "domain": {"name": domain}},
            **scope,
        }
    }
    return Response(201, body, headers={"X-Subject-Token": token})


def masked_sign_in(body: Any) -> Any:
    """What the sandbox keeps of a sign-in request: everything but the password."""
    try:
        body["auth"]["identity"]["password"]["user"]["password"] = "<hidden>"
    except (KeyError, TypeError):
        pass
    return body


def authenticate(
    state: SandboxState,
    *,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    body: bytes,
) -> tuple[str, Response | None]:
    """How the request proved who sent it, or the 401 it gets. `headers` has lower-case names."""
    if "authorization" in headers:
        error = _verify_signature(state, method, raw_path, raw_query, headers, body)
        return ("", error) if error else ("aksk", None)
    token = headers.get("x-auth-token", "")
    if token and hmac.compare_digest(token.encode(), state.token.encode()):
        return "token", None
    with state.lock:
        expires = state.issued_tokens.get(token)
    if expires is None:
        return "", unauthorized()
    if time.time() >= expires:
        return "", Response(401, {"error_code": "OSM.0002", "error_msg": "The token has expired"})
    return "iam-token", None


def _payload_hash(headers: dict[str, str], signed: list[str], body: bytes) -> str:
    """The body's SHA-256, or the literal UNSIGNED-PAYLOAD when the client signed that header
    (streamed uploads do); an empty body always hashes as empty, as the signer does."""
    unsigned = headers.get("x-sdk-content-sha256") == "UNSIGNED-PAYLOAD"
    if body and unsigned and "x-sdk-content-sha256" in signed:
        return "UNSIGNED-PAYLOAD"
    return hashlib.sha256(body).hexdigest()


def _verify_signature(
    state: SandboxState,
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    body: bytes,
) -> Response | None:
    match = _AUTHORIZATION.match(headers["authorization"])
    if not match:
        return _gateway_rejection("the Authorization header is not an SDK-HMAC-SHA256 signature")
    secret = state.access_keys.get(match["ak"])
    if secret is None:
        return _gateway_rejection("Get secretKey failed, ak not exist")
    signed = match["signed"].split(";")
    if "host" not in signed or "x-sdk-date" not in signed or any(h not in headers for h in signed):
        return _gateway_rejection("verify aksk signature fail")
    try:
        signed_at = datetime.strptime(headers["x-sdk-date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return _gateway_rejection("the X-Sdk-Date header is not a date")
    if abs(time.time() - signed_at.timestamp()) > MAX_CLOCK_SKEW_SECONDS:
        return _gateway_rejection("the request has expired (X-Sdk-Date too far from now)")
    if headers.get("x-domain-id") != state.domain_id or "x-domain-id" not in signed:
        return _gateway_rejection("a global service needs the account's signed X-Domain-Id")
    canonical_uri = "/".join(quote(part, safe="~") for part in unquote(raw_path).split("/"))
    if not canonical_uri.endswith("/"):
        canonical_uri += "/"
    canonical_query = "&".join(
        f"{quote(key, safe='~')}={quote(value, safe='~')}"
        for key, value in sorted(parse_qsl(raw_query, keep_blank_values=True))
    )
    canonical_request = "\n".join(
        (
            method.upper(),
            canonical_uri,
            canonical_query,
            "".join(f"{name}:{headers[name].strip()}\n" for name in signed),
            ";".join(signed),
            _payload_hash(headers, signed, body),
        )
    )
    string_to_sign = "\n".join(
        (ALGORITHM, headers["x-sdk-date"], hashlib.sha256(canonical_request.encode()).hexdigest())
    )
    expected = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, match["signature"]):
        return _gateway_rejection("verify aksk signature fail")
    return None
